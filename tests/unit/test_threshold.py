"""The judge over a set: minSucceeded (counts and percentages, rounding, reachability, clear input errors) and
judge_fleet as a table (thresholds, fail_fast, CANCELED, stalled QUEUED, missing devices, the grace period)."""

import pytest

from pulumi_snowdm._core.errors import InputError
from pulumi_snowdm._core.shares import Threshold, parse_threshold
from pulumi_snowdm._core.wait.threshold import NOT_LISTED, ExecutionVerdict, FleetRule, FleetVerdict, Tally, judge_fleet


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
     (True, "whole number or a percentage"), ("0%", "above 0%"), ("101%", "up to 100%"), ("-5%", "percentage"),
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


# --- judge_fleet: the verdict over a set of executions ---------------------------------------------------------


def view(*states, task="st-1"):
    return {(task, f"smd-{n}"): {"executionId": f"e-{n}", "managedDeviceId": f"smd-{n}", "state": state, "taskId": task}
            for n, state in enumerate(states)}


ALL = FleetRule()
FAST = FleetRule(fail_fast=True)
NINETY = FleetRule(Threshold(percent=90))
NINETY_FAIL_FAST = FleetRule(Threshold(percent=90), fail_fast=True)
SEVEN = FleetRule(Threshold(count=7))


@pytest.mark.parametrize(
    "states, rule, verdict",
    [
        (["SUCCEEDED"] * 3, ALL, FleetVerdict.PASS),
        (["SUCCEEDED", "SUCCEEDED", "IN_PROGRESS"], ALL, None),
        (["SUCCEEDED", "FAILED", "IN_PROGRESS"], ALL, None),
        (["SUCCEEDED", "FAILED", "IN_PROGRESS"], FAST, FleetVerdict.FAIL),
        (["SUCCEEDED", "FAILED", "SUCCEEDED"], ALL, FleetVerdict.FAIL),
        (["SUCCEEDED", "CANCELED"], ALL, FleetVerdict.FAIL),
        (["SUCCEEDED", "CANCELED"], FleetRule(accept_canceled=True), FleetVerdict.PASS),
        (["SUCCEEDED"] * 9 + ["FAILED"], NINETY, FleetVerdict.PASS),
        (["SUCCEEDED"] * 9 + ["QUEUED"], NINETY, FleetVerdict.PASS),
        (["SUCCEEDED"] * 8 + ["FAILED", "QUEUED"], NINETY, None),
        (["SUCCEEDED"] * 8 + ["FAILED", "QUEUED"], NINETY_FAIL_FAST, None),
        (["SUCCEEDED"] * 7 + ["FAILED", "FAILED", "QUEUED"], NINETY_FAIL_FAST, FleetVerdict.FAIL),
        (["SUCCEEDED"] * 7 + ["FAILED", "FAILED", "QUEUED"], NINETY, None),
        (["SUCCEEDED"] * 7 + ["REJECTED", "TIMED_OUT", "FAILED"], SEVEN, FleetVerdict.PASS),
        (["SUCCEEDED"] * 6 + ["REJECTED", "TIMED_OUT", "FAILED", "IN_PROGRESS"], SEVEN, None),
        (["SUCCEEDED"] * 6 + ["REJECTED", "TIMED_OUT", "FAILED", "FAILED"], SEVEN, FleetVerdict.FAIL),
        (["SUCCEEDED"] * 3, SEVEN, FleetVerdict.FAIL),
        (["SUCCEEDED", "SOMETHING_NEW"], ALL, None),
        ([], ALL, FleetVerdict.FAIL),
    ],
)
def test_fleet_verdict(states, rule, verdict):
    assert judge_fleet(view(*states), rule).verdict is verdict


def test_nothing_listed_during_the_grace_period_keeps_waiting():
    assert judge_fleet({}, ALL, settled=False).verdict is None


def test_stalled_queued_counts_as_failed():
    outcome = judge_fleet(view("SUCCEEDED", "QUEUED"), ALL, stalled=[("st-1", "smd-1")])
    assert outcome.verdict is FleetVerdict.FAIL
    assert outcome.failing()[0].reason.startswith("still QUEUED")


@pytest.mark.parametrize(
    "settled, verdict, fleet_verdict",
    [(False, ExecutionVerdict.PENDING, None), (True, ExecutionVerdict.FAILED, FleetVerdict.FAIL)],
)
def test_expected_devices_without_an_execution(settled, verdict, fleet_verdict):
    judged = judge_fleet(view("SUCCEEDED"), ALL, device_ids=["smd-0", "smd-7"], settled=settled)
    missing = [entry for entry in judged.entries if entry.state == NOT_LISTED]
    assert [(entry.device_id, entry.verdict) for entry in missing] == [("smd-7", verdict)]
    assert judged.verdict is fleet_verdict


def test_a_device_listed_by_any_task_is_not_missing():
    both = {**view("SUCCEEDED", task="st-1"), **{("st-2", "smd-5"): {"managedDeviceId": "smd-5", "state": "SUCCEEDED"}}}
    assert judge_fleet(both, ALL, device_ids=["smd-0", "smd-5"]).verdict is FleetVerdict.PASS


@pytest.mark.parametrize(
    "states, rule, line",
    [
        (["SUCCEEDED"] * 7 + ["IN_PROGRESS"] * 2 + ["QUEUED"], ALL, "7/10 SUCCEEDED, 2 IN_PROGRESS, 1 QUEUED"),
        (["FAILED", "QUEUED", "SUCCEEDED"], NINETY, "1/3 SUCCEEDED, 1 QUEUED, 1 FAILED (need 3)"),
        ([], ALL, "no executions listed yet"),
        (["IN_PROGRESS", "WEIRD"], ALL, "0/2 SUCCEEDED, 1 IN_PROGRESS, 1 WEIRD"),
    ],
)
def test_progress_line(states, rule, line):
    assert judge_fleet(view(*states), rule).progress() == line


def test_a_refresh_fails_an_unreachable_threshold_at_once_without_claiming_fail_fast():
    judged = judge_fleet(view("SUCCEEDED", "FAILED", "IN_PROGRESS"), ALL, early=True)
    assert judged.verdict is FleetVerdict.FAIL
    assert judged.rule.fail_fast is False
