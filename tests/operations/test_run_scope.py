"""At most once per device per run scope, on the FleetGate operations every host calls (`_core.operations`), over
real boto3 and the in-process emulator, no engine: the recovery users make (drop a typo, add a device, re-cut the
waves, rerun after a kill) never sends a device the command twice; only a new runId sends again. Sends are counted
at the service: the targets of every task of the scope.
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_snowdm._core.errors import FleetFailed, InputError
from pulumi_snowdm._core.operations import fleet_gate
from pulumi_snowdm._core.rollout import RolloutAborted, plan_waves
from pulumi_snowdm._core.run_scope import WAVE_TAG, find_sent, scope_key, send_rest
from pulumi_snowdm._core.task_actions import PartlySent

from operation_host import gate, sends

FLEET = [f"smd-fleet-{n:04d}" for n in range(30)]
FAILING = ["smd-fleet-0003", "smd-fleet-0004"]
SCENARIO = {"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 0.5, "run_seconds": 2},
                         "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
                         "devices": {device: {"outcome": "FAILED", "run_seconds": 1} for device in FAILING}},
            "time_scale": 50}


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_typo_fails_saying_what_was_sent_and_the_rerun_without_it_sends_nothing_again(host, emulator):
    good = [d for d in FLEET[10:20]]
    with pytest.raises(PartlySent) as failed:
        fleet_gate.create(host, gate([*good, "smd-typo-0001"]))
    message = str(failed.value)
    task_id = failed.value.created[0][0]
    assert f"Sent: 1 task(s) to 10 device(s): {task_id} ({', '.join(good)})" in message
    assert "Not sent: 1 device(s) (smd-typo-0001)" in message
    assert "no managed device smd-typo-0001" in message and "smd-fleet-0010, smd-fleet-0011 was" not in message
    assert "rerun `pulumi up`: the devices already sent are found in this run" in message
    partial_id, partial = failed.value.partial
    assert partial["taskIds"] == [task_id] and partial["untouchedDevices"] == ["smd-typo-0001"]

    id_, outputs = fleet_gate.create(host, gate(good))
    assert sends(emulator) == Counter({device: 1 for device in good})
    assert outputs["taskIds"] == [task_id] and outputs["counts"] == {"SUCCEEDED": 10}
    assert "fleet gate fleet: found 1 task(s) of this run already sent to 10 device(s)" in host.said
    assert "fleet gate fleet: nothing sent: all 10 device(s) were already sent the command in this run" in host.said


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_adding_a_device_sends_to_it_alone_and_removing_one_sends_nothing(host, emulator):
    olds = {**gate(FLEET[10:20]), **fleet_gate.create(host, gate(FLEET[10:20]))[1]}
    grown = fleet_gate.update(host, "id", olds, gate(FLEET[10:21]))
    assert sends(emulator) == Counter({device: 1 for device in FLEET[10:21]})
    assert len(grown["taskIds"]) == 2 and grown["counts"] == {"SUCCEEDED": 11}
    assert "fleet gate fleet: reboot sent to 1 device(s) in 1 task(s) (10 sent before in this run)" in host.said

    shrunk = fleet_gate.update(host, "id", {**gate(FLEET[10:21]), **grown}, gate(FLEET[11:21]))
    assert sends(emulator) == Counter({device: 1 for device in FLEET[10:21]})
    assert sorted(shrunk["executions"]) == FLEET[11:21] and shrunk["total"] == 10


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_an_unchanged_passed_gate_updates_without_a_call_and_a_new_run_id_sends_again(host, emulator):
    olds = {**gate(FLEET[10:15]), **fleet_gate.create(host, gate(FLEET[10:15]))[1]}
    calls = sum(emulator.calls.values())
    fleet_gate.update(host, "id", olds, gate(FLEET[10:15], minSucceeded="80%"))
    assert sum(emulator.calls.values()) == calls

    fleet_gate.create(host, gate(FLEET[10:15], runId="2"))
    assert sends(emulator) == Counter({device: 1 for device in FLEET[10:15]})
    assert sends(emulator, run_id="2") == Counter({device: 1 for device in FLEET[10:15]})


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_stopped_rollout_carries_on_with_new_waves_and_a_higher_limit(host, emulator):
    rollout = gate(FLEET[:20], waves=[1, "25%", "100%"])
    with pytest.raises(RolloutAborted) as stopped:
        fleet_gate.create(host, rollout)
    assert stopped.value.result.aborted_wave == 2
    assert sends(emulator) == Counter({device: 1 for device in FLEET[:5]})
    assert "wave 2/3 (4 device(s), task(s) st-" in str(stopped.value)
    _, partial = stopped.value.partial
    assert partial["abortedWave"] == 2 and partial["untouchedDevices"] == FLEET[5:20]

    # Re-cut (a bigger second wave) and a higher limit: what was sent keeps its wave and is never sent again.
    _, outputs = fleet_gate.create(host, {**rollout, "waves": [2, "50%", "100%"], "maxFailures": 2,
                                         "minSucceeded": "90%"})
    assert sends(emulator) == Counter({device: 1 for device in FLEET[:20]})
    reports = outputs["waveReports"]
    assert [report["devices"] for report in reports] == [FLEET[:1], FLEET[1:10], FLEET[10:20]]
    assert [report["status"] for report in reports] == ["passed"] * 3
    assert reports[1]["counts"] == {"SUCCEEDED": 7, "FAILED": 2} and outputs["untouchedDevices"] == []
    waves = {task["targets"][0]: task["tags"][WAVE_TAG] for task in emulator.model.tasks()}
    assert waves[FLEET[0]] == "1" and waves[FLEET[1]] == "2" and waves[FLEET[5]] == "2" and waves[FLEET[10]] == "3"


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_failed_gate_reports_what_was_sent_and_its_rerun_sends_nothing(host, emulator):
    with pytest.raises(FleetFailed) as failed:
        fleet_gate.create(host, gate(FLEET[:10]))
    assert "smd-fleet-0003" in str(failed.value)
    _, partial = failed.value.partial
    assert partial["succeeded"] < partial["required"] and partial["counts"] == {"SUCCEEDED": 8, "FAILED": 2}
    with pytest.raises(FleetFailed):
        fleet_gate.update(host, "id", {**gate(FLEET[:10]), **partial}, gate(FLEET[:10]))
    assert sends(emulator) == Counter({device: 1 for device in FLEET[:10]})


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_tags_of_the_gates_own_are_refused_at_check(host, emulator):
    from pulumi_snowdm._core.input_checks import InputCheck
    from pulumi_snowdm._core.name_case import snake

    check = InputCheck(fleet_gate.SPEC, gate(FLEET[:2], tags={"snowdm:run-scope": "x", "team": "edge"}),
                       label=snake, unknown=lambda _value: False)
    fleet_gate.check(check)
    assert any("'tags'" in reason and "'snowdm:run-scope'" in reason for _, reason in check.failures)


def _valid(devices, waves) -> bool:
    try:
        return waves is None or bool(plan_waves(devices, waves))
    except InputError:
        return False


EDITS = st.sampled_from(["add", "remove", "reorder", "waves", "interrupt", "rerun"])
WAVES = st.sampled_from([None, [1, "100%"], [2, "50%", "100%"], ["30%", "100%"], [1, 3, "100%"]])
_scopes = itertools.count()


@pytest.mark.parametrize("emulator", [{"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 0,
                                                               "run_seconds": 0.5},
                                                   "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"}},
                                      "time_scale": 50}], indirect=True)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(EDITS, WAVES, st.integers(0, 29)), min_size=1, max_size=6),
       start=st.lists(st.sampled_from(FLEET), min_size=1, max_size=12, unique=True))
def test_no_sequence_of_edits_interrupts_and_reruns_sends_a_device_twice_in_one_run(host, emulator, edits, start):
    scope = f"proj/dev/fleet-{next(_scopes)}"
    devices, waves = list(start), None
    for edit, new_waves, pick in edits:
        if edit == "add" and FLEET[pick] not in devices:
            devices.append(FLEET[pick])
        elif edit == "remove" and len(devices) > 1:
            devices.pop(pick % len(devices))
        elif edit == "reorder":
            devices.reverse()
        elif edit == "waves":
            waves = new_waves
        waves = waves if _valid(devices, waves) else None  # preview refuses waves the list cannot hold
        if edit == "interrupt":  # a run killed after some of its shards were created
            key = scope_key(scope, "reboot", None)
            sent = find_sent(host.client(), key, label="killed", say=host.say)
            send_rest(host.client(), key=key, props=gate(devices), devices=devices[:pick % len(devices) + 1],
                      sent=sent, label="killed", say=host.say, rerun="rerun")
            continue
        fleet_gate.create(host, gate(devices, scope, **({"waves": waves} if waves else {})))
        assert set(sends(emulator, scope)) >= set(devices)
        assert max(sends(emulator, scope).values()) == 1

    before = sends(emulator, scope)
    fleet_gate.create(host, gate(devices, scope, runId="again"))
    assert sends(emulator, scope) == before
    assert sends(emulator, scope, run_id="again") == Counter({device: 1 for device in devices})
