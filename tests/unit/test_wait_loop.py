"""The wait loop on a set of one (a TaskExecution), driven by a fake clock; and the policy's parts."""

import datetime
import random

import pytest

from pulumi_snowdm._core.errors import (
    AccessError,
    ExecutionFailed,
    InputError,
    NotFound,
    ServiceUnavailable,
    SnowdmError,
    WaitTimedOut,
)
from pulumi_snowdm._core.wait.loop import DescribeSource, ExecutionGate, wait_until_decided
from pulumi_snowdm._core.wait.policy import Backoff, Deadline, WaitPolicy, outlast_busy_service
from pulumi_snowdm._core.wait_lines import wait_lines

from fake_time import FakeTime

WHEN = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
FAST = WaitPolicy(timeout_seconds=600, queued_timeout_seconds=300, not_found_grace_seconds=60,
                  initial_delay_seconds=2, max_delay_seconds=20, backoff=1.5, jitter=0.2, heartbeat_seconds=30)


def timeline(time, steps):
    """observe() for a script [(from_second, state or None)]; None means NotFound."""
    calls = []

    def observe():
        calls.append(time.now)
        state = [state for start, state in steps if start <= time.now][-1]
        if state is None:
            raise NotFound("execution", "for task st-1 on device smd-1")
        return {"executionId": "e-1", "taskId": "st-1", "managedDeviceId": "smd-1", "state": state,
                "startedAt": WHEN, "lastUpdatedAt": WHEN}
    observe.calls = calls
    return observe


def wait_for_execution(observe, policy, *, label, say, clock, sleep, accept_canceled=False, explain_failure=None,
                       **options):
    """The loop as TaskExecution runs it, over DescribeExecution answers from `observe()`."""
    source = DescribeSource(observe, "st-1", "smd-1", sleep=sleep)
    gate = ExecutionGate("st-1", "smd-1", accept_canceled=accept_canceled, explain=explain_failure)
    decided = wait_until_decided(source, gate, policy, label=label, events=wait_lines(label, single=True, say=say),
                                 clock=clock, **options)
    return decided.view[("st-1", "smd-1")]


def run(steps, policy=FAST, **options):
    time = FakeTime()
    lines = []
    observe = timeline(time, steps)
    options.setdefault("rng", random.Random(7))
    try:
        result = wait_for_execution(observe, policy, label="task st-1 on smd-1", say=lines.append,
                                    clock=time.clock, sleep=time.sleep, **options)
    except Exception as error:  # returned so tables can assert on it
        result = error
    return result, lines, time, observe


def test_passes_on_succeeded_and_reports_each_change():
    result, lines, time, _ = run([(0, "QUEUED"), (12, "IN_PROGRESS"), (40, "SUCCEEDED")])
    assert result["state"] == "SUCCEEDED"
    assert lines[0] == "task st-1 on smd-1: QUEUED (queued, waiting for the device to pick it up)"
    assert any(line.startswith("task st-1 on smd-1: QUEUED -> IN_PROGRESS after 1") for line in lines)
    assert any("IN_PROGRESS -> SUCCEEDED after 4" for line in lines)
    assert 40 <= time.now < 40 + FAST.max_delay_seconds


@pytest.mark.parametrize("state", ["FAILED", "REJECTED", "TIMED_OUT", "CANCELED"])
def test_each_failing_state_raises_execution_failed(state):
    result, _, _, _ = run([(0, "IN_PROGRESS"), (5, state)])
    assert isinstance(result, ExecutionFailed)
    assert state in str(result) and "e-1" in str(result)


def test_failure_message_comes_from_the_caller():
    result, _, _, _ = run([(0, "REJECTED")], explain_failure=lambda e: f"explained {e['state']} with device facts")
    assert str(result) == "explained REJECTED with device facts"


def test_canceled_passes_when_accepted():
    result, _, _, _ = run([(0, "QUEUED"), (3, "CANCELED")], accept_canceled=True)
    assert result["state"] == "CANCELED"


def test_not_found_within_grace_then_found():
    result, lines, _, observe = run([(0, None), (25, "IN_PROGRESS"), (30, "SUCCEEDED")])
    assert result["state"] == "SUCCEEDED"
    assert len(observe.calls) > 3


def test_not_found_past_grace_is_re_raised():
    result, lines, time, _ = run([(0, None)])
    assert isinstance(result, NotFound)
    assert time.now == pytest.approx(FAST.not_found_grace_seconds)
    assert any("not found yet after 30s" in line for line in lines)


def test_not_found_after_being_seen_is_re_raised_at_once():
    result, _, time, _ = run([(0, "IN_PROGRESS"), (10, None)])
    assert isinstance(result, NotFound)
    assert time.now < 10 + FAST.max_delay_seconds


def test_other_errors_propagate():
    def observe():
        raise AccessError("denied")
    with pytest.raises(AccessError):
        wait_for_execution(observe, FAST, label="x", say=print, clock=lambda: 0.0, sleep=lambda s: None)


def test_queued_too_long_says_the_device_may_be_offline():
    result, _, time, _ = run([(0, "QUEUED")])
    assert isinstance(result, WaitTimedOut)
    assert "still QUEUED after 5m00s" in str(result) and "offline" in str(result)
    assert "execution e-1 was last seen QUEUED, started 2024-05-01T12:00:00Z" in str(result)
    assert time.now == pytest.approx(FAST.queued_timeout_seconds)


def test_queued_clock_restarts_when_the_state_moves_on():
    steps = [(0, "QUEUED"), (200, "IN_PROGRESS"), (260, "QUEUED"), (700, "SUCCEEDED")]
    result, _, time, _ = run(steps, policy=WaitPolicy(timeout_seconds=1000, queued_timeout_seconds=300))
    assert isinstance(result, WaitTimedOut) and "still QUEUED" in str(result)
    assert time.now >= 260 + 300


def test_deadline_reports_the_last_state_and_elapsed_time():
    result, _, time, _ = run([(0, "IN_PROGRESS")])
    assert isinstance(result, WaitTimedOut)
    text = str(result)
    assert "no final state after 10m00s" in text and "was last seen IN_PROGRESS" in text
    assert "last updated 2024-05-01T12:00:00Z" in text
    assert time.now == pytest.approx(FAST.timeout_seconds)


def test_a_caller_owned_deadline_wins_over_the_policy():
    time = FakeTime()
    observe = timeline(time, [(0, "IN_PROGRESS")])
    with pytest.raises(WaitTimedOut):
        wait_for_execution(observe, FAST, label="x", say=lambda line: None, deadline=Deadline(45, time.clock),
                           clock=time.clock, sleep=time.sleep)
    assert time.now == pytest.approx(45)


def test_sleeps_never_pass_the_deadline_or_the_maximum_delay():
    result, _, time, _ = run([(0, "IN_PROGRESS")], policy=WaitPolicy(timeout_seconds=97, heartbeat_seconds=1000))
    assert isinstance(result, WaitTimedOut)
    assert max(time.sleeps) <= 20
    assert time.now == pytest.approx(97)
    assert sum(time.sleeps) == pytest.approx(97)


def test_heartbeats_every_interval():
    _, lines, _, _ = run([(0, "IN_PROGRESS"), (100, "SUCCEEDED")])
    beats = [line for line in lines if "still IN_PROGRESS" in line]
    assert beats == [f"task st-1 on smd-1: still IN_PROGRESS after {after}" for after in ("30s", "1m00s", "1m30s")]


def test_unknown_state_waits_with_one_warning():
    result, lines, _, _ = run([(0, "HIBERNATING"), (50, "SUCCEEDED")])
    assert result["state"] == "SUCCEEDED"
    assert sum("warning" in line and "HIBERNATING" in line for line in lines) == 1


@pytest.mark.parametrize("seed", range(20))
def test_backoff_grows_within_jitter_and_caps_at_the_maximum(seed):
    policy = WaitPolicy(initial_delay_seconds=2, max_delay_seconds=20, backoff=1.5, jitter=0.2)
    backoff = Backoff(policy, random.Random(seed))
    base = 2.0
    for _ in range(15):
        delay = backoff.next()
        assert base * 0.8 - 1e-9 <= delay <= min(20, base * 1.2) + 1e-9
        base = min(20, base * 1.5)
    assert delay >= 16


def test_backoff_without_jitter_is_exact_and_resets():
    backoff = Backoff(WaitPolicy(initial_delay_seconds=1, max_delay_seconds=5, backoff=2, jitter=0), random.Random())
    assert [backoff.next() for _ in range(5)] == [1, 2, 4, 5, 5]
    backoff.reset()
    assert backoff.next() == 1


@pytest.mark.parametrize(
    "options, prop",
    [(dict(timeout_seconds=0), "timeoutSeconds"), (dict(jitter=1), "jitter"), (dict(backoff=0.5), "backoff"),
     (dict(max_delay_seconds=1, initial_delay_seconds=2), "maxDelaySeconds"),
     (dict(not_found_grace_seconds=-1), "notFoundGraceSeconds"), (dict(heartbeat_seconds="30"), "heartbeatSeconds")],
)
def test_policy_validation(options, prop):
    with pytest.raises(InputError) as caught:
        WaitPolicy(**options)
    assert caught.value.prop == prop


def test_deadline():
    time = FakeTime()
    deadline = Deadline(10, time.clock)
    time.sleep(4)
    assert (deadline.remaining(), deadline.elapsed(), deadline.expired()) == (6, 4, False)
    time.sleep(7)
    assert (deadline.remaining(), deadline.expired()) == (0, True)


def test_service_unavailable_is_a_missed_look_until_the_deadline():
    time = FakeTime()
    lines = []
    answers = iter(["busy", "busy", "IN_PROGRESS", "busy", "SUCCEEDED"])

    def observe():
        answer = next(answers)
        if answer == "busy":
            raise ServiceUnavailable("DescribeExecution stayed unavailable through every retry: ThrottlingException")
        return {"executionId": "e-1", "taskId": "st-1", "managedDeviceId": "smd-1", "state": answer}

    result = wait_for_execution(observe, FAST, label="task st-1 on smd-1", say=lines.append,
                                clock=time.clock, sleep=time.sleep, rng=random.Random(1))
    assert result["state"] == "SUCCEEDED"
    assert sum("the service is busy" in line for line in lines) == 2  # once per streak

    def always_busy():
        raise ServiceUnavailable("ThrottlingException")

    with pytest.raises(WaitTimedOut, match="stayed unavailable until the deadline"):
        wait_for_execution(always_busy, FAST, label="task st-1 on smd-1", say=lines.append,
                           clock=time.clock, sleep=time.sleep, rng=random.Random(1))


def test_a_wait_without_waiting_returns_the_first_sighting_after_the_grace_for_a_late_execution():
    time = FakeTime()
    observe = timeline(time, [(0, None), (7, "IN_PROGRESS")])
    source = DescribeSource(observe, "st-1", "smd-1", sleep=time.sleep)
    decided = wait_until_decided(source, ExecutionGate("st-1", "smd-1"), FAST, label="x", events=lambda event: None,
                                 until_seen=True, clock=time.clock, rng=random.Random(2))
    assert decided.view[("st-1", "smd-1")]["state"] == "IN_PROGRESS"
    assert 7 <= time.now < 7 + FAST.max_delay_seconds


def test_a_first_look_outlasts_a_busy_service_like_a_wait_does():
    time, lines = FakeTime(), []
    answers = iter(["busy"] * 30 + ["QUEUED"])

    def observe():
        if next(answers) == "busy":
            raise ServiceUnavailable("DescribeExecution stayed unavailable through every retry: ThrottlingException")
        return {"executionId": "e-1", "taskId": "st-1", "managedDeviceId": "smd-1", "state": "QUEUED"}

    source = DescribeSource(observe, "st-1", "smd-1", sleep=time.sleep)
    decided = wait_until_decided(source, ExecutionGate("st-1", "smd-1"), FAST, label="x",
                                 events=wait_lines("x", single=True, states=False, say=lines.append),
                                 until_seen=True, clock=time.clock, rng=random.Random(2))
    assert decided.view[("st-1", "smd-1")]["state"] == "QUEUED"
    assert time.now > FAST.not_found_grace_seconds  # busy past the grace: still no NotFound
    assert sum("the service is busy" in line for line in lines) == 1


def test_a_refresh_look_without_grace_says_gone_at_once():
    time = FakeTime()
    observe = timeline(time, [(0, None)])
    source = DescribeSource(observe, "st-1", "smd-1", sleep=time.sleep)
    with pytest.raises(NotFound):
        wait_until_decided(source, ExecutionGate("st-1", "smd-1"), WaitPolicy(not_found_grace_seconds=0), label="x",
                           events=lambda event: None, until_seen=True, clock=time.clock)
    assert time.now == 0


def busy_then(*script):
    calls = iter(script)

    def call():
        answer = next(calls)
        if isinstance(answer, Exception):
            raise answer
        return answer
    return call


def outlast(call, policy=None):
    time, lines = FakeTime(), []
    options = {} if policy is None else {"policy": policy}
    try:
        result = outlast_busy_service(call, label="task st-1", say=lines.append, clock=time.clock,
                                      sleep=time.sleep, rng=random.Random(3), **options)
    except Exception as error:  # returned for the assertions
        result = error
    return result, lines, time


def test_outlasts_a_busy_service_and_says_so_once():
    busy = ServiceUnavailable("DescribeTask stayed unavailable through every retry: ThrottlingException")
    result, lines, time = outlast(busy_then(busy, busy, busy, {"taskId": "st-1"}))
    assert result == {"taskId": "st-1"}
    assert len(lines) == 1 and "the service is busy" in lines[0] and "for up to 600s" in lines[0]
    assert 1 * 0.8 + 2 * 0.8 + 4 * 0.8 <= time.now <= 1 * 1.2 + 2 * 1.2 + 4 * 1.2  # the same jittered backoff


def test_gives_up_at_its_deadline_with_the_last_error():
    busy = ServiceUnavailable("ThrottlingException")
    result, _, time = outlast(busy_then(*[busy] * 100), policy=WaitPolicy(timeout_seconds=60, initial_delay_seconds=1,
                                                                           max_delay_seconds=30, backoff=2))
    assert result is busy
    assert time.now == pytest.approx(60)


def test_never_retries_a_real_error():
    denied = AccessError("DescribeTask: refused")
    result, lines, time = outlast(busy_then(denied, {"taskId": "st-1"}))
    assert result is denied and lines == [] and time.now == 0


def test_a_missing_task_is_confirmed_once_and_fails_at_once():
    time, calls = FakeTime(), []

    def confirm():
        calls.append(time.now)
        raise SnowdmError("task st-1 (given as task_id) was not found")

    source = DescribeSource(timeline(time, [(0, None)]), "st-1", "smd-1", sleep=time.sleep)
    with pytest.raises(SnowdmError, match="given as task_id"):
        wait_until_decided(source, ExecutionGate("st-1", "smd-1", confirm_task=confirm), FAST, label="x",
                           events=lambda event: None, clock=time.clock)
    assert calls == [0] and time.now == 0


def test_a_task_that_exists_gets_the_grace_and_is_checked_only_once():
    time, calls = FakeTime(), []
    source = DescribeSource(timeline(time, [(0, None), (20, "SUCCEEDED")]), "st-1", "smd-1", sleep=time.sleep)
    wait_until_decided(source, ExecutionGate("st-1", "smd-1", confirm_task=lambda: calls.append(time.now)), FAST,
                       label="x", events=lambda event: None, clock=time.clock, rng=random.Random(1))
    assert calls == [0] and time.now >= 20
    seen_at_once = DescribeSource(timeline(time, [(0, "SUCCEEDED")]), "st-1", "smd-1", sleep=time.sleep)
    wait_until_decided(seen_at_once, ExecutionGate("st-1", "smd-1", confirm_task=lambda: calls.append("again")),
                       FAST, label="x", events=lambda event: None, clock=time.clock)
    assert calls == [0]  # found at the first look: no DescribeTask at all


def test_a_look_that_fails_for_another_reason_is_reported_before_any_task_check():
    calls = []

    def denied():
        raise AccessError("ListExecutions (task st-1): refused")
    source = DescribeSource(denied, "st-1", "smd-1", sleep=lambda seconds: None)
    with pytest.raises(AccessError, match="ListExecutions"):
        wait_until_decided(source, ExecutionGate("st-1", "smd-1", confirm_task=lambda: calls.append(1)), FAST,
                           label="x", events=lambda event: None, clock=lambda: 0.0)
    assert calls == []


def test_a_busy_look_waits_for_a_clear_one_before_checking_the_task():
    time, calls = FakeTime(), []
    answers = iter(["busy", "busy", None, "SUCCEEDED"])

    def observe():
        answer = next(answers)
        if answer == "busy":
            raise ServiceUnavailable("ThrottlingException")
        if answer is None:
            raise NotFound("execution", "for task st-1 on device smd-1")
        return {"executionId": "e-1", "taskId": "st-1", "managedDeviceId": "smd-1", "state": answer}

    source = DescribeSource(observe, "st-1", "smd-1", sleep=time.sleep)
    gate = ExecutionGate("st-1", "smd-1", confirm_task=lambda: calls.append(len(time.sleeps)))
    wait_until_decided(source, gate, FAST, label="x", events=lambda event: None, clock=time.clock,
                       rng=random.Random(4))
    assert calls == [2]  # after two busy looks, at the first clear one, once
