"""The shared task listings and the loop over them, with real threads, tiny intervals and fake listers (no network).

The points under test: however many waiters watch a task, each round costs one listing of it; however many tasks
are watched, a small fixed pool of threads lists them.
"""

import threading
import time

import pytest

from pulumi_snowdm._core.errors import AccessError, FleetFailed, NotFound, WaitTimedOut
from pulumi_snowdm._core.shares import Threshold
from pulumi_snowdm._core.wait.listing import Listings
from pulumi_snowdm._core.wait.loop import ExecutionGate, ListingSource, SetGate, wait_until_decided
from pulumi_snowdm._core.wait.policy import WaitPolicy
from pulumi_snowdm._core.wait.threshold import ALL_MUST_SUCCEED, FleetRule
from pulumi_snowdm._core.wait_lines import wait_lines

TINY = WaitPolicy(timeout_seconds=3, queued_timeout_seconds=2, not_found_grace_seconds=0.3,
                  initial_delay_seconds=0.01, max_delay_seconds=0.02, backoff=1.5, jitter=0.2, heartbeat_seconds=0.15)


class ScriptedLister:
    """Lists executions from a script: round n of task t shows script[t](n) = {device: state}, or raises it."""

    def __init__(self, script):
        self.script = script
        self.calls = {}
        self.lock = threading.Lock()

    def __call__(self, task_id):
        with self.lock:
            round_number = self.calls[task_id] = self.calls.get(task_id, 0) + 1
        states = self.script[task_id](round_number)
        if isinstance(states, Exception):
            raise states
        return [{"executionId": f"e-{device}", "managedDeviceId": device, "state": state, "taskId": task_id}
                for device, state in states.items()]

    def total(self):
        return sum(self.calls.values())


def wait_for_devices(source, task_ids, device_ids, policy, *, rule=ALL_MUST_SUCCEED, label, say, lister, registry):
    """The loop as FleetGate runs it, over the shared listings of `registry`."""
    with registry.subscribe(source, task_ids, lister, devices=device_ids,
                            interval=policy.initial_delay_seconds) as subscription:
        return wait_until_decided(ListingSource(subscription), SetGate(task_ids, device_ids, rule), policy,
                                  label=label, events=wait_lines(label, single=False, say=say)).outcome


def settle(registry, timeout=1.0):
    until = time.monotonic() + timeout
    while registry.active() and time.monotonic() < until:
        time.sleep(0.005)
    return registry.active()


def test_many_execution_waiters_share_one_listing_per_round():
    devices = [f"smd-{n}" for n in range(6)]
    flip_after = 8
    lister = ScriptedLister({"st-1": lambda n: {d: "IN_PROGRESS" if n <= flip_after else "SUCCEEDED" for d in devices}})
    registry = Listings(min_interval=0)
    results, lines = {}, []

    def gate(device):
        label = f"task st-1 on {device}"
        with registry.subscribe("test-shared", ["st-1"], lister, devices=[device], interval=0.01) as subscription:
            decided = wait_until_decided(ListingSource(subscription), ExecutionGate("st-1", device), TINY,
                                         label=label, events=wait_lines(label, single=True, say=lines.append))
            results[device] = decided.view[("st-1", device)]

    threads = [threading.Thread(target=gate, args=(device,)) for device in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert {result["state"] for result in results.values()} == {"SUCCEEDED"}
    assert len(results) == len(devices)
    # Six waiters, one listing per round: at most a round or two beyond the flip, not six times as many.
    assert flip_after + 1 <= lister.total() <= flip_after + 5
    assert sum("IN_PROGRESS -> SUCCEEDED" in line for line in lines) == len(devices)
    assert settle(registry) == 0


def test_fleet_gate_over_two_tasks_passes_with_a_threshold_despite_failures():
    lister = ScriptedLister({
        "st-1": lambda n: {f"smd-{d}": "SUCCEEDED" if n > 2 else "IN_PROGRESS" for d in range(5)},
        "st-2": lambda n: {"smd-5": "SUCCEEDED", "smd-6": "SUCCEEDED", "smd-7": "SUCCEEDED", "smd-8": "SUCCEEDED",
                           "smd-9": "FAILED" if n > 1 else "QUEUED"},
    })
    registry = Listings(min_interval=0)
    lines = []
    outcome = wait_for_devices("test-threshold", ["st-1", "st-2"], None, TINY, rule=FleetRule(Threshold(percent=90)),
                               label="fleet", say=lines.append, lister=lister, registry=registry)
    assert (outcome.tally.succeeded, outcome.tally.failed, outcome.required) == (9, 1, 9)
    assert lines[-1] == "fleet: 9/10 SUCCEEDED, 1 FAILED (need 9)"
    assert set(lister.calls) == {"st-1", "st-2"}
    assert settle(registry) == 0


def test_fail_fast_ends_as_soon_as_the_threshold_is_unreachable():
    lister = ScriptedLister({"st-1": lambda n: {"smd-1": "REJECTED", "smd-2": "IN_PROGRESS", "smd-3": "IN_PROGRESS"}})
    registry = Listings(min_interval=0)
    started = time.monotonic()
    with pytest.raises(FleetFailed) as caught:
        wait_for_devices("test-fail-fast", ["st-1"], None, TINY, rule=FleetRule(fail_fast=True), label="fleet",
                         say=lambda line: None, lister=lister, registry=registry)
    assert time.monotonic() - started < 0.5
    assert "smd-1 (task st-1, execution e-smd-1): REJECTED" in str(caught.value)
    assert "2 still running" in str(caught.value)


def test_without_fail_fast_the_gate_waits_for_the_rest_until_the_deadline():
    lister = ScriptedLister({"st-1": lambda n: {"smd-1": "REJECTED", "smd-2": "IN_PROGRESS"}})
    registry = Listings(min_interval=0)
    policy = WaitPolicy(timeout_seconds=0.3, queued_timeout_seconds=1, not_found_grace_seconds=0.1,
                        initial_delay_seconds=0.01, max_delay_seconds=0.02, heartbeat_seconds=0.1)
    lines = []
    with pytest.raises(WaitTimedOut, match="0/2 SUCCEEDED, 1 IN_PROGRESS, 1 REJECTED"):
        wait_for_devices("test-deadline", ["st-1"], None, policy, label="fleet", say=lines.append,
                         lister=lister, registry=registry)
    assert any(line.startswith("fleet: still waiting after") for line in lines)


def test_late_executions_are_tolerated_within_the_grace_period():
    def script(n):
        if n <= 3:
            return NotFound("task", "st-1")
        if n <= 6:
            return {}
        return {"smd-1": "SUCCEEDED", "smd-2": "SUCCEEDED"}
    lister = ScriptedLister({"st-1": script})
    lines = []
    outcome = wait_for_devices("test-late", ["st-1"], ["smd-1", "smd-2"], TINY, label="fleet",
                               say=lines.append, lister=lister, registry=Listings(min_interval=0))
    assert outcome.tally.succeeded == 2
    assert lines[0] == "fleet: 0/2 SUCCEEDED, 2 NOT_LISTED"


def test_a_task_still_unknown_after_the_grace_period_is_not_found():
    lister = ScriptedLister({"st-1": lambda n: NotFound("task", "st-1")})
    with pytest.raises(NotFound, match="task st-1"):
        wait_for_devices("test-unknown", ["st-1"], None, TINY, label="fleet", say=lambda line: None,
                         lister=lister, registry=Listings(min_interval=0))


def test_an_expected_device_never_listed_fails_the_gate():
    lister = ScriptedLister({"st-1": lambda n: {"smd-1": "SUCCEEDED"}})
    with pytest.raises(FleetFailed, match="smd-2 \\(no execution\\): NOT_LISTED"):
        wait_for_devices("test-missing", ["st-1"], ["smd-1", "smd-2"], TINY, label="fleet",
                         say=lambda line: None, lister=lister, registry=Listings(min_interval=0))


def test_listing_errors_reach_the_waiters():
    lister = ScriptedLister({"st-1": lambda n: AccessError("ListExecutions (task st-1): denied")})
    registry = Listings(min_interval=0)
    with registry.subscribe("test-error", ["st-1"], lister, devices=["smd-1"]) as subscription:
        assert isinstance(subscription.errors()["st-1"], AccessError)
        assert "denied" in str(subscription.errors()["st-1"])
    assert settle(registry) == 0


def test_sleep_wakes_early_when_the_watched_device_changes():
    lister = ScriptedLister({"st-1": lambda n: {"smd-1": "QUEUED" if n < 3 else "IN_PROGRESS"}})
    registry = Listings(min_interval=0)
    # Another gate of the same task wants frequent rounds; this one sleeps long and still hears the change.
    with registry.subscribe("test-wake", ["st-1"], lister, interval=0.01), \
            registry.subscribe("test-wake", ["st-1"], lister, devices=["smd-1"]) as subscription:
        started = time.monotonic()
        subscription.sleep(2.0)
        assert time.monotonic() - started < 1.0
        assert subscription.view()[("st-1", "smd-1")]["state"] == "IN_PROGRESS"


def test_a_device_outside_the_view_is_not_in_it():
    lister = ScriptedLister({"st-1": lambda n: {"smd-1": "QUEUED"}})
    registry = Listings(min_interval=0)
    with registry.subscribe("test-view", ["st-1"], lister, devices=["smd-2"]) as subscription:
        assert subscription.view() == {}


def test_the_round_interval_follows_the_shortest_wish_and_the_floor():
    lister = ScriptedLister({"st-1": lambda n: {"smd-1": "IN_PROGRESS"}})
    registry = Listings(min_interval=0.05)
    with registry.subscribe("test-floor", ["st-1"], lister, interval=0.001) as subscription:
        subscription.sleep(0.3)
    # The subscription asked for 1 ms, the floor keeps it to one round per 50 ms: about 6 rounds, certainly not 300.
    assert lister.total() <= 10
    assert settle(registry) == 0


def test_a_fleet_over_many_tasks_is_listed_by_a_fixed_pool_once_per_task_per_round():
    tasks = [f"st-{n}" for n in range(60)]
    lister = ScriptedLister({task: (lambda n, task=task: {f"{task}-smd": "SUCCEEDED" if n > 3 else "IN_PROGRESS"})
                             for task in tasks})
    registry = Listings(min_interval=0.02, workers=3)
    peak = []
    original = lister.__call__

    def counting(task_id):
        peak.append(registry.threads())
        return original(task_id)

    policy = WaitPolicy(timeout_seconds=10, not_found_grace_seconds=0.3, initial_delay_seconds=0.02,
                        max_delay_seconds=0.05, heartbeat_seconds=5)
    outcome = wait_for_devices("test-pool", tasks, None, policy, label="fleet", say=lambda line: None,
                               lister=counting, registry=registry)
    assert outcome.tally.succeeded == 60
    assert max(peak) <= 3 and threading.active_count() < 20
    # Every task listed in every round, none more than a round ahead of the others.
    assert max(lister.calls.values()) - min(lister.calls.values()) <= 1
    assert settle(registry) == 0
    until = time.monotonic() + 1
    while registry.threads() and time.monotonic() < until:
        time.sleep(0.01)
    assert registry.threads() == 0


def test_a_fleet_wait_wakes_once_per_round_not_once_per_task():
    tasks = [f"st-{n}" for n in range(20)]
    lister = ScriptedLister({task: (lambda n: {"smd": "IN_PROGRESS" if n % 2 else "QUEUED"}) for task in tasks})
    registry = Listings(min_interval=0.05, workers=4)
    with registry.subscribe("test-wake-round", tasks, lister, interval=0.05) as subscription:
        wakes, until = 0, time.monotonic() + 0.5
        while time.monotonic() < until:
            subscription.sleep(1.0)
            wakes += 1
    # About 10 rounds in 0.5 s; 20 tasks each changing every round would wake a per-change waiter ~200 times.
    assert 1 <= wakes <= 15
