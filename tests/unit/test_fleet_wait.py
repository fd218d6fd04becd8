"""judge_fleet as a table: thresholds, fail_fast, CANCELED, stalled QUEUED, missing devices, the grace period."""

import pytest

from pulumi_snowdm._core.fleet_wait import NOT_LISTED, Decision, FleetRule, Outcome, judge_fleet
from pulumi_snowdm._core.threshold import Threshold


def view(*states, task="st-1"):
    return {(task, f"smd-{n}"): {"executionId": f"e-{n}", "managedDeviceId": f"smd-{n}", "state": state, "taskId": task}
            for n, state in enumerate(states)}


ALL = FleetRule()
FAST = FleetRule(fail_fast=True)
NINETY = FleetRule(Threshold(percent=90))
SEVEN = FleetRule(Threshold(count=7))


@pytest.mark.parametrize(
    "states, rule, decision",
    [
        (["SUCCEEDED"] * 3, ALL, Decision.PASS),
        (["SUCCEEDED", "SUCCEEDED", "IN_PROGRESS"], ALL, None),
        (["SUCCEEDED", "FAILED", "IN_PROGRESS"], ALL, None),
        (["SUCCEEDED", "FAILED", "IN_PROGRESS"], FAST, Decision.FAIL),
        (["SUCCEEDED", "FAILED", "SUCCEEDED"], ALL, Decision.FAIL),
        (["SUCCEEDED", "CANCELED"], ALL, Decision.FAIL),
        (["SUCCEEDED", "CANCELED"], FleetRule(accept_canceled=True), Decision.PASS),
        (["SUCCEEDED"] * 9 + ["FAILED"], NINETY, Decision.PASS),
        (["SUCCEEDED"] * 9 + ["QUEUED"], NINETY, Decision.PASS),
        (["SUCCEEDED"] * 8 + ["FAILED", "QUEUED"], NINETY, None),
        (["SUCCEEDED"] * 8 + ["FAILED", "QUEUED"], FleetRule(Threshold(percent=90), fail_fast=True), None),
        (["SUCCEEDED"] * 7 + ["FAILED", "FAILED", "QUEUED"], FleetRule(Threshold(percent=90), fail_fast=True), Decision.FAIL),
        (["SUCCEEDED"] * 7 + ["FAILED", "FAILED", "QUEUED"], NINETY, None),
        (["SUCCEEDED"] * 7 + ["REJECTED", "TIMED_OUT", "FAILED"], SEVEN, Decision.PASS),
        (["SUCCEEDED"] * 6 + ["REJECTED", "TIMED_OUT", "FAILED", "IN_PROGRESS"], SEVEN, None),
        (["SUCCEEDED"] * 6 + ["REJECTED", "TIMED_OUT", "FAILED", "FAILED"], SEVEN, Decision.FAIL),
        (["SUCCEEDED"] * 3, SEVEN, Decision.FAIL),
        (["SUCCEEDED", "SOMETHING_NEW"], ALL, None),
        ([], ALL, Decision.FAIL),
    ],
)
def test_decision(states, rule, decision):
    assert judge_fleet(view(*states), rule).decision is decision


def test_nothing_listed_during_the_grace_period_keeps_waiting():
    assert judge_fleet({}, ALL, settled=False).decision is None


def test_stalled_queued_counts_as_failed():
    outcome = judge_fleet(view("SUCCEEDED", "QUEUED"), ALL, stalled=[("st-1", "smd-1")])
    assert outcome.decision is Decision.FAIL
    assert outcome.failing()[0].reason.startswith("still QUEUED")


@pytest.mark.parametrize("settled, outcome, decision", [(False, Outcome.PENDING, None), (True, Outcome.FAILED, Decision.FAIL)])
def test_expected_devices_without_an_execution(settled, outcome, decision):
    judged = judge_fleet(view("SUCCEEDED"), ALL, device_ids=["smd-0", "smd-7"], settled=settled)
    missing = [entry for entry in judged.entries if entry.state == NOT_LISTED]
    assert [(entry.device_id, entry.outcome) for entry in missing] == [("smd-7", outcome)]
    assert judged.decision is decision


def test_a_device_listed_by_any_task_is_not_missing():
    both = {**view("SUCCEEDED", task="st-1"), **{("st-2", "smd-5"): {"managedDeviceId": "smd-5", "state": "SUCCEEDED"}}}
    assert judge_fleet(both, ALL, device_ids=["smd-0", "smd-5"]).decision is Decision.PASS


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
