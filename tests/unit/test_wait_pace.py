"""The process's pace for ListExecutions: slots spaced by the budget, cut when throttled, grown back, never above the
budget; and the order the listing workers take tasks in when the budget binds (fake time, fake listers)."""

import threading

import pytest

from pulumi_snowdm._core.wait import pace as pace_module
from pulumi_snowdm._core.wait.listing import Listings
from pulumi_snowdm._core.wait.loop import ListingSource, SetGate, Throttled, wait_until_decided
from pulumi_snowdm._core.wait.pace import BETA, COOL_DOWN, Pace, PaceNote
from pulumi_snowdm._core.wait.policy import WaitPolicy

from fake_time import FakeTime


def paced(budget=10.0):
    time = FakeTime()
    return Pace(budget, clock=time.clock, sleep=time.sleep), time


def test_calls_are_spaced_one_over_the_budget_apart():
    pace, time = paced(10)
    moments = []
    for _ in range(5):
        pace.take()
        moments.append(time.now)
    assert moments == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    assert pace.calls == 5


def test_an_idle_pace_does_not_save_up_a_burst():
    pace, time = paced(10)
    pace.take()
    time.now = 5.0
    pace.take()
    pace.take()
    assert time.now == pytest.approx(5.1)


def test_a_throttled_answer_cuts_the_rate_below_what_the_service_accepted_once_per_cool_down():
    pace, time = paced(100)
    for _ in range(40):  # the service accepts 20 a second
        pace.answered(throttled=False)
        time.now += 0.05
    pace.answered(throttled=True)
    assert pace.rate == pytest.approx(BETA * 20, rel=0.1)
    cut = pace.rate
    time.now += COOL_DOWN / 2
    pace.answered(throttled=True)  # a call sent before the cut: no second cut
    assert pace.rate == cut
    assert pace.note() == PaceNote(throttled=2, rate=cut, budget=100)


def test_the_rate_grows_back_quickly_to_what_was_accepted_then_slowly_and_never_past_the_budget():
    pace, time = paced(25)
    for _ in range(40):
        pace.answered(throttled=False)
        time.now += 0.05
    pace.answered(throttled=True)
    time.now += COOL_DOWN + 5
    pace.take()
    assert 19 <= pace.rate <= 21  # back near the accepted 20/s within a few seconds
    time.now += 5
    pace.take()
    assert 20 < pace.rate < 23  # past it only slowly: probing
    time.now += 1000
    pace.take()
    assert pace.rate == 25


def test_the_rate_never_drops_below_the_floor():
    pace, time = paced(50)
    for _ in range(30):
        pace.answered(throttled=True)
        time.now += COOL_DOWN
    assert pace.rate == pace_module.FLOOR


def test_a_settled_task_is_listed_after_the_unsettled_ones_and_less_often():
    order, lock = [], threading.Lock()
    done = {f"st-done-{n}" for n in range(3)}

    def lister(task_id):
        with lock:
            order.append(task_id)
        state = "SUCCEEDED" if task_id in done else "IN_PROGRESS"
        return [{"executionId": "e", "managedDeviceId": f"{task_id}-smd", "state": state, "taskId": task_id}]

    registry = Listings(min_interval=0.02, workers=1)
    tasks = [*sorted(done), "st-busy-0", "st-busy-1"]
    with registry.subscribe("test-priority", tasks, lister, interval=0.02) as subscription:
        for _ in range(20):
            subscription.sleep(0.02)
    rounds = order[len(tasks):]
    per_busy_task = sum(task.startswith("st-busy") for task in rounds) / 2
    per_settled_task = sum(task in done for task in rounds) / len(done)
    assert per_busy_task >= 5 and per_settled_task <= per_busy_task / 2


def test_throttling_during_a_wait_is_one_warning_per_heartbeat_not_a_failure():
    pace = Pace(100)

    def lister(task_id):
        pace.answered(throttled=True)
        return [{"executionId": "e", "managedDeviceId": "smd-1", "state": "IN_PROGRESS", "taskId": task_id}]

    lister.pace = pace  # as a SettingsLister carries its client's pace
    events = []
    registry = Listings(min_interval=0.01)
    policy = WaitPolicy(timeout_seconds=0.5, initial_delay_seconds=0.01, max_delay_seconds=0.02,
                        heartbeat_seconds=0.2, not_found_grace_seconds=0)
    with registry.subscribe("test-throttled", ["st-1"], lister, interval=0.01) as subscription:
        with pytest.raises(Exception, match="threshold not reached"):
            wait_until_decided(ListingSource(subscription), SetGate(["st-1"], ["smd-1"]), policy, label="fleet",
                               events=events.append)
    warnings = [event for event in events if isinstance(event, Throttled)]
    assert 1 <= len(warnings) <= 3
    assert all(event.answers >= 1 and event.budget == 100 for event in warnings)
