"""Staged rollouts on the FleetGate operations every host calls (`_core.operations`), over real boto3 and the
in-process emulator, no engine: when each wave is sent, what stops a rollout and what it says, and what a rerun
adopts. 30 devices, waves [1, "20%", "100%"]: one canary, five more, then the other 24. Device time runs 50x wall
time; a bake's pause goes to the host's `sleep`, which records it (and may act on the fleet in the meantime).
"""

from __future__ import annotations

from collections import Counter

import pytest

from pulumi_snowdm._core.errors import FleetFailed
from pulumi_snowdm._core.operations import fleet_gate
from pulumi_snowdm._core.rollout import RolloutAborted

from operation_host import gate, sends

FLEET = [f"smd-fleet-{n:04d}" for n in range(30)]
WAVES = [1, "20%", "100%"]
CUTS = [FLEET[:1], FLEET[1:6], FLEET[6:]]  # wave k's devices, as the gate cuts them
FAILING = ["smd-fleet-0002", "smd-fleet-0004"]  # both in wave 2
SLOW_QUEUE = ["smd-fleet-0005"]  # in wave 2, queued far longer than any test runs
ENDED = {"SUCCEEDED", "FAILED", "REJECTED", "TIMED_OUT", "CANCELED"}


def scenario(devices: dict | None = None) -> dict:
    return {"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 0.5, "run_seconds": 2},
                         "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
                         "devices": devices or {}},
            "time_scale": 50}


def rollout(**extra) -> dict:
    return gate(FLEET, waves=WAVES, **extra)


def sent_devices(emulator) -> list[str]:
    return sorted(device for task in emulator.model.tasks() for device in task["targets"])


@pytest.mark.parametrize("emulator", [scenario()], indirect=True)
def test_each_wave_is_sent_once_the_last_one_ended_and_its_bake_passed(make_host, emulator):
    pauses: list[tuple[float, list[str], bool]] = []

    def bake(seconds: float) -> None:  # what the service holds while the gate bakes
        executions = [state for task in emulator.model.tasks() for state in task["executions"].values()]
        pauses.append((seconds, sent_devices(emulator), all(state in ENDED for state in executions)))

    host = make_host(sleep=bake)
    _, outputs = fleet_gate.create(host, rollout(bakeSeconds=90))

    # Each bake began with every execution sent so far ended, and before the next wave's tasks existed.
    assert pauses == [(90, CUTS[0], True), (90, FLEET[:6], True)]
    tasks = emulator.model.tasks()
    assert [sorted(d for t in tasks if t["targets"][0] in cut for d in t["targets"]) for cut in CUTS] == CUTS
    for before, after in zip(CUTS, CUTS[1:], strict=False):
        ended = max(emulator.model.describe_execution(t["taskId"], d)["lastUpdatedAt"]
                    for t in tasks for d in t["targets"] if d in before)
        assert min(emulator.model.describe_task(t["taskId"])["createdAt"] for t in tasks
                   if t["targets"][0] in after) >= ended

    assert outputs["counts"] == {"SUCCEEDED": 30}
    assert outputs["untouchedDevices"] == [] and outputs.get("abortedWave") is None
    reports = outputs["waveReports"]
    assert [(r["wave"], r["status"], r["devices"], r["counts"]) for r in reports] == [
        (1, "passed", CUTS[0], {"SUCCEEDED": 1}), (2, "passed", CUTS[1], {"SUCCEEDED": 5}),
        (3, "passed", CUTS[2], {"SUCCEEDED": 24})]
    assert all(r["startedAt"] <= r["endedAt"] for r in reports)
    assert sorted(t for r in reports for t in r["tasks"]) == sorted(outputs["taskIds"]) == sorted(
        t["taskId"] for t in tasks)
    assert any(line.startswith("fleet gate fleet: wave 2/3: passed") for line in host.said)
    assert "fleet gate fleet: baking 90s before wave 3/3" in host.said


@pytest.mark.parametrize("emulator", [scenario({
    **{device: {"outcome": "FAILED", "run_seconds": 1} for device in FAILING},
    **{device: {"queued_seconds": 4000} for device in SLOW_QUEUE},
})], indirect=True)
def test_failures_past_max_failures_stop_the_rollout_and_cancel_what_is_still_queued(host, emulator):
    with pytest.raises(RolloutAborted) as stopped:
        fleet_gate.create(host, rollout(maxFailures=1))

    # The third wave was never sent; wave 2's execution still queued was canceled, its failures stand.
    assert sent_devices(emulator) == FLEET[:6]
    executions = {d: s for t in emulator.model.tasks() for d, s in t["executions"].items()}
    assert {d: executions[d] for d in SLOW_QUEUE + FAILING} == {
        **{d: "CANCELED" for d in SLOW_QUEUE}, **{d: "FAILED" for d in FAILING}}

    message = str(stopped.value)
    assert "fleet gate fleet: rollout stopped at wave 2/3: 2 device(s) failed, more than max_failures 1" in message
    for device in FAILING:
        assert f"{device} (task " in message
    assert f"Canceled 1 execution(s) of wave 2/3 still QUEUED ({SLOW_QUEUE[0]})" in message
    assert "wave 3/3 (24 device(s)): not started" in message
    assert f"Untouched devices (24, the command was never sent to them): {', '.join(FLEET[6:])}." in message
    assert "raise `max_failures` and rerun `pulumi up`" in message


@pytest.mark.parametrize("emulator", [scenario({device: {"outcome": "FAILED", "run_seconds": 1}
                                                for device in FAILING})], indirect=True)
def test_failures_within_max_failures_go_on_and_min_succeeded_still_applies(host, emulator):
    with pytest.raises(FleetFailed) as failed:
        fleet_gate.create(host, rollout(maxFailures=2))
    # Wave 2's two failures are within maxFailures, so wave 3 went out; the final threshold is every device.
    assert not isinstance(failed.value, RolloutAborted)
    assert "every wave passed, but 28 of 30 executions succeeded, 30 required (min_succeeded all)" in str(failed.value)
    assert sends(emulator) == Counter({device: 1 for device in FLEET})
    calls = emulator.calls["CreateTask"]

    # A lower threshold and a rerun: every wave is found in the run scope, nothing is sent twice.
    _, outputs = fleet_gate.create(host, rollout(maxFailures=2, minSucceeded="90%"))
    assert emulator.calls["CreateTask"] == calls and sends(emulator) == Counter({device: 1 for device in FLEET})
    assert sorted(outputs["failedDevices"]) == FAILING
    assert [r["counts"] for r in outputs["waveReports"]] == [
        {"SUCCEEDED": 1}, {"SUCCEEDED": 3, "FAILED": 2}, {"SUCCEEDED": 24}]


@pytest.mark.parametrize("emulator", [scenario()], indirect=True)
def test_a_failure_seen_during_the_bake_stops_the_rollout_before_the_next_wave(make_host, emulator):
    def late_failure(_seconds: float) -> None:  # the canary passed, then reports a problem that shows late
        [canary] = emulator.model.tasks()
        assert canary["executions"] == {FLEET[0]: "SUCCEEDED"}
        emulator.model.set_execution_state(canary["taskId"], FLEET[0], "FAILED")

    with pytest.raises(RolloutAborted) as stopped:
        fleet_gate.create(make_host(sleep=late_failure), rollout(bakeSeconds=60))

    assert [task["targets"] for task in emulator.model.tasks()] == [FLEET[:1]]
    message = str(stopped.value)
    assert "rollout stopped at the bake after wave 1/3: 1 device(s) failed" in message
    assert f"{FLEET[0]} (task " in message and "wave 2/3 (5 device(s)): not started" in message
    assert stopped.value.result.aborted_wave == 1
