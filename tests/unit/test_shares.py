"""Counts and percentages are read one way for every input that takes them, and each use rounds its own way: a
threshold up (never fewer successes than asked), a limit or a wave's end down (never more than asked)."""

import pytest

from pulumi_snowdm._core.errors import InputError
from pulumi_snowdm._core.shares import parse_max_failures, parse_threshold, parse_waves, read_share


def test_one_share_rounds_up_as_a_threshold_and_down_as_a_limit():
    share = read_share("95%", minimum=1, example="95%")
    assert (share.rounded_up(10), share.rounded_down(10)) == (10, 9)
    assert (share.rounded_up(20), share.rounded_down(20)) == (19, 19)  # float noise shaved: 20 * 0.95
    assert parse_threshold("95%").required_count(10) == 10
    assert parse_max_failures("95%").rounded_down(10) == 9
    assert [size.rounded_down(10) for size in parse_waves([1, "95%", "100%"])] == [1, 9, 10]


@pytest.mark.parametrize("value", ["7", 7, 7.0, " 7 "])
def test_a_count_reads_the_same_for_every_input(value):
    assert parse_threshold(value).count == parse_max_failures(value).count == parse_waves([value])[0].count == 7


@pytest.mark.parametrize("value, words", [
    ("101%", "a percentage must be above 0% up to 100%"),
    (2.5, "a count must be a whole number"),
    ("ten", "must be a whole number or a percentage like"),
])
def test_the_same_bad_value_is_refused_in_the_same_words(value, words):
    problems = []
    for parse in (parse_threshold, lambda v: parse_waves([v])):
        with pytest.raises(InputError) as refused:
            parse(value)
        problems.append(refused.value.problem)
    assert all(words in problem for problem in problems), problems


def test_zero_is_a_limit_but_never_a_threshold():
    assert parse_max_failures(0).count == 0 and parse_max_failures("0%").percent == 0
    with pytest.raises(InputError, match="at least 1 \\(0 would let the gate pass without waiting\\)"):
        parse_threshold(0)
