"""Failure messages: the execution's facts, the device's story, a hint per state, and what to do."""

import datetime

import pytest

from pulumi_snowdm._core.diagnosis import describe_device, explain_execution_failure, explain_fleet_failure
from pulumi_snowdm._core.shares import Threshold
from pulumi_snowdm._core.times import duration, iso
from pulumi_snowdm._core.wait.threshold import FleetRule, judge_fleet

UTC = datetime.UTC
PLUS_TWO = datetime.timezone(datetime.timedelta(hours=2))
STARTED = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
UPDATED = datetime.datetime(2024, 5, 1, 12, 3, 4, 500000, tzinfo=UTC)
DEVICE = {"managedDeviceId": "smd-1", "deviceState": "LOCKED",
          "lastReachedOutAt": datetime.datetime(2024, 5, 1, 11, 0, tzinfo=UTC),
          "software": {"installState": "INSTALLED", "installedVersion": "1.2.3"}}


def execution(state):
    return {"executionId": "e-1", "taskId": "st-1", "managedDeviceId": "smd-1", "state": state,
            "startedAt": STARTED, "lastUpdatedAt": UPDATED}


@pytest.mark.parametrize(
    "state, hint",
    [("REJECTED", "The device refused the command: it may be locked"),
     ("TIMED_OUT", "The device did not finish in time: check its network connectivity"),
     ("FAILED", "The command failed on the device"),
     ("CANCELED", "canceled"), ("SOMETHING_NEW", "no reason")],
)
def test_execution_failure_message(state, hint):
    text = explain_execution_failure(execution(state), DEVICE)
    for words in ("task st-1", "device smd-1", "execution e-1", f"ended {state}", "started 2024-05-01T12:00:00Z",
                  "last updated 2024-05-01T12:03:04.500Z", "Device smd-1: LOCKED",
                  "last reached out 2024-05-01T11:00:00Z",
                  "software 1.2.3 (INSTALLED)", hint):
        assert words in text


@pytest.mark.parametrize("state", ["FAILED", "REJECTED", "TIMED_OUT", "CANCELED"])
def test_an_ended_execution_asks_for_a_new_task_not_a_rerun(state):
    text = explain_execution_failure(execution(state), DEVICE)
    advice = text.split("To fix: ")[1]
    assert "the execution has ended, so another run fails the same way" in advice
    assert "change run_id on the Task (or FleetGate) that created task st-1" in advice
    assert "remote management" not in advice
    assert ("accept_canceled=True" in advice) is (state == "CANCELED")


def test_a_queued_timeout_asks_about_the_device_and_a_rerun_waits_again():
    text = explain_execution_failure({**execution("QUEUED"), "startedAt": None, "lastUpdatedAt": None}, DEVICE)
    assert "is still QUEUED" in text and "no start or update time recorded" in text
    advice = text.split("To fix: ")[1]
    assert "online and has remote management enabled" in advice and "waits again" in advice
    assert "run_id" not in advice


@pytest.mark.parametrize("creates_tasks, words", [
    (True, "change this FleetGate's run_id"),
    (False, "change run_id on the Tasks that created them"),
])
def test_fleet_advice_names_the_run_id_of_whoever_made_the_tasks(creates_tasks, words):
    view = {("st-1", "smd-1"): {"executionId": "e-1", "managedDeviceId": "smd-1", "state": "FAILED"}}
    outcome = judge_fleet(view, FleetRule(), device_ids=["smd-1"])
    advice = explain_fleet_failure(outcome, {}, describe="gate", creates_tasks=creates_tasks).split("To fix: ")[1]
    assert words in advice


def test_without_device_details():
    assert "DescribeDevice gave no details" in explain_execution_failure(execution("FAILED"), None)
    assert "last reached out never" in describe_device({"managedDeviceId": "smd-9"})


def test_fleet_failure_lists_failing_devices_up_to_a_limit():
    view = {("st-1", f"smd-{n:02d}"): {"executionId": f"e-{n}", "managedDeviceId": f"smd-{n:02d}",
                                       "state": "FAILED" if n < 14 else "SUCCEEDED", "taskId": "st-1"}
            for n in range(20)}
    outcome = judge_fleet(view, FleetRule(Threshold(percent=90)), device_ids=[*(d for _, d in view), "smd-99"])
    text = explain_fleet_failure(outcome, {"smd-00": DEVICE}, describe="fleet gate st-1", creates_tasks=False,
                                 limit=5)
    assert text.startswith("fleet gate st-1: 6 of 21 executions succeeded, 19 required (min_succeeded 90%)")
    assert "6/21 SUCCEEDED, 14 FAILED, 1 NOT_LISTED" in text
    assert "  - smd-00 (task st-1, execution e-0): FAILED: the command failed" in text and "LOCKED" in text
    assert "... and 10 more." in text
    assert text.count("\n  - ") == 5


def test_fleet_failure_names_a_missing_device_and_early_stop():
    view = {("st-1", "smd-1"): {"executionId": "e-1", "managedDeviceId": "smd-1", "state": "REJECTED"},
            ("st-1", "smd-2"): {"executionId": "e-2", "managedDeviceId": "smd-2", "state": "IN_PROGRESS"}}
    outcome = judge_fleet(view, FleetRule(fail_fast=True), device_ids=["smd-1", "smd-2", "smd-3"])
    text = explain_fleet_failure(outcome, {}, describe="gate", creates_tasks=True)
    assert "smd-3 (no execution): NOT_LISTED: no execution listed" in text
    assert "Stopped early (fail_fast)" in text and "1 still running" in text


def test_a_refresh_that_finds_the_threshold_unreachable_does_not_claim_fail_fast():
    view = {("st-1", "smd-1"): {"executionId": "e-1", "managedDeviceId": "smd-1", "state": "REJECTED"},
            ("st-1", "smd-2"): {"executionId": "e-2", "managedDeviceId": "smd-2", "state": "IN_PROGRESS"}}
    outcome = judge_fleet(view, FleetRule(), early=True)
    text = explain_fleet_failure(outcome, {}, describe="gate", creates_tasks=False)
    assert "fail_fast" not in text
    assert "The threshold can no longer be met, whatever the 1 still running do." in text


@pytest.mark.parametrize(
    "moment, text",
    [(None, None), (STARTED, "2024-05-01T12:00:00Z"), (UPDATED, "2024-05-01T12:03:04.500Z"),
     (datetime.datetime(2024, 5, 1, 14, 0, tzinfo=PLUS_TWO), "2024-05-01T12:00:00Z"),
     (datetime.datetime(2024, 5, 1, 12, 0), "2024-05-01T12:00:00Z"), ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z")],
)
def test_iso(moment, text):
    assert iso(moment) == text


@pytest.mark.parametrize("seconds, text", [(0, "0s"), (12.4, "12s"), (90, "1m30s"), (3600 + 300, "1h05m"), (-3, "0s")])
def test_duration(seconds, text):
    assert duration(seconds) == text
