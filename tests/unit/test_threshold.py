"""minSucceeded: counts and percentages, rounding, reachability, and clear input errors."""

import pytest

from pulumi_snowdm._core.errors import InputError
from pulumi_snowdm._core.threshold import Tally, Threshold, parse_threshold


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, Threshold()),
        (7, Threshold(count=7)),
        (7.0, Threshold(count=7)),
        ("7", Threshold(count=7)),
        (" 12 ", Threshold(count=12)),
        ("95%", Threshold(percent=95)),
        ("100%", Threshold(percent=100)),
        ("12.5 %", Threshold(percent=12.5)),
        ("0.1%", Threshold(percent=0.1)),
    ],
)
def test_parse(value, expected):
    assert parse_threshold(value) == expected


@pytest.mark.parametrize(
    "value, words",
    [(0, "at least 1"), (-3, "at least 1"), (2.5, "whole number"), (float("nan"), "whole number"),
     (True, "whole number or a percentage"), ("0%", "above 0%"), ("101%", "at most 100%"), ("-5%", "percentage"),
     ("ninety", "percentage"), ("", "percentage"), ("95%%", "percentage"), ([95], "percentage"), ("0", "at least 1")],
)
def test_parse_rejects(value, words):
    with pytest.raises(InputError) as caught:
        parse_threshold(value)
    assert caught.value.prop == "minSucceeded"
    assert words in str(caught.value)


@pytest.mark.parametrize(
    "threshold, total, required",
    [(Threshold(), 10, 10), (Threshold(), 0, 0), (Threshold(count=3), 10, 3), (Threshold(count=12), 10, 12),
     (Threshold(percent=95), 10, 10), (Threshold(percent=95), 20, 19), (Threshold(percent=50), 3, 2),
     (Threshold(percent=100), 7, 7), (Threshold(percent=0.1), 5, 1), (Threshold(percent=70), 10, 7)],
)
def test_required_count(threshold, total, required):
    assert threshold.required_count(total) == required


@pytest.mark.parametrize(
    "threshold, tally, met, unreachable",
    [
        (Threshold(), Tally(10, 0, 0), True, False),
        (Threshold(), Tally(9, 1, 0), False, False),
        (Threshold(), Tally(9, 0, 1), False, True),
        (Threshold(), Tally(0, 0, 0), False, False),
        (Threshold(count=7), Tally(7, 2, 1), True, False),
        (Threshold(count=7), Tally(5, 2, 3), False, False),
        (Threshold(count=7), Tally(5, 1, 4), False, True),
        (Threshold(percent=80), Tally(8, 0, 2), True, False),
        (Threshold(percent=80), Tally(7, 1, 2), False, False),
        (Threshold(percent=80), Tally(7, 0, 3), False, True),
        (Threshold(count=12), Tally(10, 0, 0), False, True),
    ],
)
def test_met_and_unreachable(threshold, tally, met, unreachable):
    assert threshold.met(tally) is met
    assert threshold.unreachable(tally) is unreachable


def test_describe():
    assert [Threshold().describe(), Threshold(count=3).describe(), Threshold(percent=95).describe()] == [
        "all", "3", "95%"]
