"""Retries of failed devices and promotion wave by wave, on the FleetGate operations every host calls
(`_core.operations`), over real boto3 and the in-process emulator, no engine. Sends are counted per device and per
attempt at the service: the targets and tags of every task of the scope.
"""

from __future__ import annotations

from collections import Counter

import pytest

from pulumi_snowdm._core.errors import FleetFailed, WaitCanceled
from pulumi_snowdm._core.operations import fleet_gate
from pulumi_snowdm._core.rollout import RolloutAborted
from pulumi_snowdm._core.wait.cancel import Cancel

from operation_host import gate, sends

FLEET = [f"smd-fleet-{n:04d}" for n in range(20)]
ONCE = "smd-fleet-0002"  # busy once: fails its first execution only
ALWAYS = "smd-fleet-0005"  # fails every execution
SCENARIO = {"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 0.5, "run_seconds": 2},
                         "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
                         "devices": {ONCE: {"fail_first": 1}, ALWAYS: {"outcome": "FAILED"}}},
            "time_scale": 50}


def sent_attempts(emulator, scope="proj/dev/fleet") -> Counter:
    """(device, attempt) -> how many tasks of the scope sent it that attempt."""
    return sends(emulator, scope, per_attempt=True)


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_device_failing_once_passes_on_its_second_attempt_with_no_failure_allowed(host, emulator):
    devices = FLEET[:4]
    _, outputs = fleet_gate.create(host, gate(devices, retries=2, retryPauseSeconds=30))
    assert outputs["succeeded"] == 4 and outputs["failedDevices"] == [] and outputs["counts"] == {"SUCCEEDED": 4}
    assert sent_attempts(emulator) == Counter({**{(d, 1): 1 for d in devices}, (ONCE, 2): 1})
    attempts = outputs["attempts"][ONCE]
    assert [(a["attempt"], a["state"]) for a in attempts] == [(1, "FAILED"), (2, "SUCCEEDED")]
    assert attempts[0]["taskId"] != attempts[1]["taskId"] == outputs["executions"][ONCE]["taskId"]
    assert [len(outputs["attempts"][d]) for d in devices] == [1, 1, 2, 1]
    assert host.slept == [30]
    assert f"fleet gate fleet: retry 1/2 for 1 device(s) ({ONCE})" in host.said
    # A refresh judges each device on its latest attempt: the first attempt's FAILED no longer counts.
    assert fleet_gate.read(host, "id", {**gate(devices, retries=2), **outputs})["succeeded"] == 4


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_device_failing_every_attempt_fails_the_gate_after_exactly_n_plus_one_sends(host, emulator):
    with pytest.raises(FleetFailed) as failed:
        fleet_gate.create(host, gate(FLEET[4:7], retries=2))
    assert ALWAYS in str(failed.value)
    assert sent_attempts(emulator) == Counter({(FLEET[4], 1): 1, (FLEET[6], 1): 1, (ALWAYS, 1): 1, (ALWAYS, 2): 1,
                                       (ALWAYS, 3): 1})
    # REJECTED and CANCELED are retried only when asked; FAILED is not in this retryOn.
    with pytest.raises(FleetFailed):
        fleet_gate.create(host, gate([ALWAYS], scope="proj/dev/other", retries=3, retryOn=["REJECTED"]))
    assert sent_attempts(emulator, "proj/dev/other") == Counter({(ALWAYS, 1): 1})


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_run_killed_between_attempts_is_rerun_without_sending_any_attempt_twice(make_host, emulator):
    cancel = Cancel()
    lines: list[str] = []

    def say(line: str) -> None:  # killed right after attempt 2 went out
        lines.append(line)
        if "(attempt 2) sent" in line:
            cancel.set("the CI job was canceled")

    props = gate([ONCE, ALWAYS, FLEET[0]], retries=2)
    with pytest.raises(WaitCanceled) as killed:
        fleet_gate.create(make_host(cancel=cancel, say=say), props)
    assert sent_attempts(emulator) == Counter({(ONCE, 1): 1, (ALWAYS, 1): 1, (FLEET[0], 1): 1, (ONCE, 2): 1,
                                       (ALWAYS, 2): 1})
    _, partial = killed.value.partial

    rerun = make_host()
    with pytest.raises(FleetFailed):
        fleet_gate.update(rerun, "id", {**props, **partial}, props)
    assert sent_attempts(emulator) == Counter({(ONCE, 1): 1, (ALWAYS, 1): 1, (FLEET[0], 1): 1, (ONCE, 2): 1,
                                       (ALWAYS, 2): 1, (ALWAYS, 3): 1})
    assert any("found 2 task(s) of this run" in line for line in rerun.said)


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_rollout_judges_each_wave_on_latest_attempts_and_counts_devices_not_attempts(host, emulator):
    devices = [device for device in FLEET[:11] if device != ALWAYS]
    _, outputs = fleet_gate.create(host, gate(devices, waves=[2, "100%"], retries=1))
    assert [r["counts"] for r in outputs["waveReports"]] == [{"SUCCEEDED": 2}, {"SUCCEEDED": 8}]
    assert outputs["succeeded"] == 10 and sent_attempts(emulator)[(ONCE, 2)] == 1 and len(sent_attempts(emulator)) == 11
    retried = [a["taskId"] for a in outputs["attempts"][ONCE]]
    assert outputs["waveReports"][1]["tasks"] == retried  # the wave's tasks hold its retries
    assert len(outputs["attempts"][ONCE]) == 2

    # A device that fails every attempt is one failure against maxFailures, however many attempts it took.
    with pytest.raises(RolloutAborted) as aborted:
        fleet_gate.create(host, gate(FLEET[3:9], scope="proj/dev/again", waves=[1, "100%"], retries=2))
    assert aborted.value.result.aborted_wave == 2
    assert "1 device(s) failed, more than max_failures 0" in str(aborted.value)
    assert sent_attempts(emulator, "proj/dev/again")[(ALWAYS, 3)] == 1
    _, fine = fleet_gate.create(host, gate(FLEET[3:9], scope="proj/dev/again", waves=[1, "100%"], retries=2,
                                           maxFailures=1, minSucceeded=5))
    assert fine["failedDevices"] == [ALWAYS] and max(sent_attempts(emulator, "proj/dev/again").values()) == 1


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_promotion_raised_wave_by_wave_carries_the_rollout_on_and_lowering_it_sends_nothing(host, emulator):
    devices = FLEET[6:16]
    canary = gate(devices, waves=[1, "50%", "100%"], promoteTo=1, bakeSeconds=60)
    _, first = fleet_gate.create(host, canary)
    assert [r["status"] for r in first["waveReports"]] == ["passed", "held", "held"]
    assert (first["wavesDone"], first["nextWave"], first["untouchedDevices"]) == (1, 2, devices[1:])
    assert host.slept == [60]  # the canary bakes before the run passes
    assert set(sent_attempts(emulator)) == {(devices[0], 1)}
    assert "fleet gate fleet: promoted to wave 1/3; waves 2 to 3 not yet sent (9 device(s)): raise promote_to to " \
           "carry on" in host.said

    second_props = {**canary, "promoteTo": 2}
    assert fleet_gate._carries_on({**canary, **first}, second_props)
    second = fleet_gate.update(host, "id", {**canary, **first}, second_props)
    assert [r["status"] for r in second["waveReports"]] == ["passed", "passed", "held"]
    assert (second["wavesDone"], second["nextWave"]) == (2, 3)
    assert set(sent_attempts(emulator)) == {(d, 1) for d in devices[:5]} and max(sent_attempts(emulator).values()) == 1
    assert host.slept == [60, 60]  # wave 1 was baked in the first run; wave 2 bakes before this run passes

    last_props = {**canary, "promoteTo": "all"}
    last = fleet_gate.update(host, "id", {**second_props, **second}, last_props)
    assert [r["status"] for r in last["waveReports"]] == ["passed", "passed", "passed"]
    assert (last["wavesDone"], last["nextWave"], last["untouchedDevices"]) == (3, None, [])
    assert sent_attempts(emulator) == Counter({(d, 1): 1 for d in devices})

    host.said.clear()
    lowered = fleet_gate.update(host, "id", {**last_props, **last}, {**canary, "promoteTo": 1})
    assert sent_attempts(emulator) == Counter({(d, 1): 1 for d in devices})
    assert "fleet gate fleet: promote_to 1 is below wave 3, which this run already sent to: nothing more is " \
           "sent; waves 1 to 3 are judged" in host.said
    assert lowered["wavesDone"] == 3 and lowered["untouchedDevices"] == []
