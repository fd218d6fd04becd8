"""The FleetGate operations every host calls (`_core.operations.fleet_gate`), over real boto3 and the in-process
emulator, no engine: a gate given devices sends in shards of 10 and passes with what the service answered, fails
below its threshold naming the failing devices in the host's words, stops early with failFast; a gate given tasks
is read until they are gone and left alone on delete; an update retags, or carries a failed gate on; delete cancels
what is still QUEUED. What a run scope sends, retries and rollouts are in test_run_scope.py, test_rollout_run.py and
test_retries_promotion.py.
"""

from __future__ import annotations

from collections import Counter

import pytest

from pulumi_snowdm._core.errors import FleetFailed, SnowdmError
from pulumi_snowdm._core.operations import fleet_gate
from pulumi_snowdm._core.run_scope import RESERVED_TAG_PREFIX, SCOPE_TAG
from pulumi_snowdm.plugin import config

from operation_host import FAST, gate, sends

FLEET = [f"smd-fleet-{n:04d}" for n in range(30)]
FAILING = {"smd-fleet-0020": "FAILED", "smd-fleet-0021": "REJECTED", "smd-fleet-0022": "TIMED_OUT"}
OFFLINE = "smd-fleet-0023"
SCENARIO = {"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 0.5, "run_seconds": 2},
                         "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
                         "devices": {**{device: {"outcome": outcome} for device, outcome in FAILING.items()},
                                     OFFLINE: {"online": False}}},
            "time_scale": 50}


def given_tasks(task_ids) -> dict:
    """A FleetGate over tasks made elsewhere, as a host hands its inputs over."""
    return {"taskIds": list(task_ids), "scope": "proj/dev/fleet", **FAST}


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_healthy_fleet_passes_with_its_tasks_in_shards_of_ten_and_outputs_from_the_service(host, emulator,
                                                                                              sdm_client):
    devices = FLEET[:20]
    id_, outputs = fleet_gate.create(host, gate(devices, executionTimes=True))

    tasks = emulator.model.tasks()
    assert [len(task["targets"]) for task in tasks] == [10, 10]
    assert sorted(outputs["taskIds"]) == sorted(task["taskId"] for task in tasks)
    assert id_ == ",".join(outputs["taskIds"])
    assert outputs["counts"] == {"SUCCEEDED": 20} and outputs["failedDevices"] == []
    assert (outputs["succeeded"], outputs["total"], outputs["required"]) == (20, 20, 20)
    record = outputs["executions"]["smd-fleet-0012"]
    described = sdm_client.describe_execution(taskId=record["taskId"], managedDeviceId="smd-fleet-0012")
    assert record["executionId"] == described["executionId"] and record["state"] == "SUCCEEDED"
    assert record["startedAt"].startswith(described["startedAt"].strftime("%Y-%m-%dT%H:%M:%S"))
    assert record["lastUpdatedAt"] and record["taskId"] in outputs["taskIds"]
    assert "fleet gate fleet: passed: 20/20 SUCCEEDED" in " ".join(host.said)

    fleet_gate.delete(host, id_, {**gate(devices), **outputs})
    assert "fleet gate fleet: nothing left QUEUED in its 2 task(s), nothing to cancel" in host.said
    assert emulator.calls["CancelTask"] == 0


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_percentage_threshold_passes_with_failures_and_delete_cancels_what_is_queued(host, emulator):
    devices = FLEET[4:24]
    props = gate(devices, minSucceeded="80%")
    id_, outputs = fleet_gate.create(host, props)

    assert sorted(outputs["failedDevices"]) == sorted(FAILING)
    assert (outputs["succeeded"], outputs["total"], outputs["required"]) == (16, 20, 16)
    assert outputs["counts"] == {"SUCCEEDED": 16, "QUEUED": 1, "FAILED": 1, "REJECTED": 1, "TIMED_OUT": 1}
    assert {device: outputs["executions"][device]["state"] for device in FAILING} == FAILING

    fleet_gate.delete(host, id_, {**props, **outputs})
    assert "fleet gate fleet: canceled 1 QUEUED execution(s); executions already running finish on their own" \
        in host.said
    assert [t["executions"][OFFLINE] for t in emulator.model.tasks() if OFFLINE in t["targets"]] == ["CANCELED"]


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_below_the_threshold_fails_naming_each_failing_device_in_the_host_s_words(make_host, emulator):
    devices = FLEET[15:21]
    with pytest.raises(FleetFailed) as python:
        fleet_gate.create(make_host(), gate(devices))
    message = str(python.value)
    assert "fleet gate fleet: 5 of 6 executions succeeded, 6 required (min_succeeded " in message
    assert "  - smd-fleet-0020 (task st-" in message and ": FAILED: " in message
    assert "Device smd-fleet-0020: LOCKED" in message  # DescribeDevice's story
    assert "change this FleetGate's run_id" in message
    assert "minSucceeded" not in message and "runId" not in message

    # The plugin's users read the same failure in their own words; the rerun sends nothing again.
    with pytest.raises(FleetFailed) as yaml:
        fleet_gate.create(make_host(wording=config.WORDING), gate(devices))
    assert "(minSucceeded " in str(yaml.value) and "change this FleetGate's runId" in str(yaml.value)
    assert "min_succeeded" not in str(yaml.value)
    assert sends(emulator) == Counter({device: 1 for device in devices})


@pytest.mark.parametrize("emulator", [{"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 0.5,
                                                               "run_seconds": 4000},
                                                   "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
                                                   "devices": {"smd-fleet-0020": {"outcome": "FAILED",
                                                                                  "run_seconds": 1}}},
                                      "time_scale": 50}], indirect=True)
def test_fail_fast_stops_at_the_first_failure(host, emulator):
    started = emulator.clock.now()
    with pytest.raises(FleetFailed) as failed:
        fleet_gate.create(host, gate([*FLEET[:9], "smd-fleet-0020"], failFast=True))
    assert emulator.clock.now() - started < 2000  # the others need 4000 device seconds
    assert "Stopped early (fail_fast)" in str(failed.value) and "smd-fleet-0020" in str(failed.value)
    states = [state for task in emulator.model.tasks() for state in task["executions"].values()]
    assert states.count("IN_PROGRESS") == 9


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_gate_over_given_tasks_is_read_until_they_are_gone_and_delete_leaves_them(host, emulator, sdm_client):
    task_ids = [sdm_client.create_task(command={"unlock": {}}, targets=FLEET[n:n + 5])["taskId"]
                for n in range(0, 15, 5)]
    props = given_tasks(task_ids)
    id_, outputs = fleet_gate.create(host, props)
    assert id_ == ",".join(task_ids) and outputs["taskIds"] == task_ids
    assert (outputs["succeeded"], outputs["total"]) == (15, 15) and sorted(outputs["executions"]) == FLEET[:15]

    emulator.model.delete_task(task_ids[2])
    read = fleet_gate.read(host, id_, {**props, **outputs})
    assert f"fleet gate fleet: task {task_ids[2]} is gone; dropped from the gate" in host.said
    assert read["taskIds"] == task_ids[:2] and read["total"] == 10

    emulator.model.set_execution_state(task_ids[0], "smd-fleet-0004", "FAILED")
    with pytest.raises(FleetFailed) as failed:
        fleet_gate.read(host, id_, {**props, **read})
    assert "smd-fleet-0004" in str(failed.value) and "FAILED" in str(failed.value)

    fleet_gate.delete(host, id_, {**props, **read})
    assert "fleet gate fleet: gates given tasks, so leaves them as they are" in host.said
    assert emulator.calls["CancelTask"] == 0 and len(emulator.model.tasks()) == 2

    for task_id in task_ids[:2]:
        emulator.model.delete_task(task_id)
    assert fleet_gate.read(host, id_, {**props, **read}) is None


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_missing_given_task_fails_before_any_wait(host, emulator, sdm_client):
    real = sdm_client.create_task(command={"unlock": {}}, targets=FLEET[:2])["taskId"]
    with pytest.raises(SnowdmError) as failed:
        fleet_gate.create(host, given_tasks([real, "st-0123456789abcdef0"]))
    assert "task st-0123456789abcdef0 (given as task_ids) was not found" in str(failed.value)
    assert "check `task_ids` names an existing task" in str(failed.value)
    assert emulator.calls["ListExecutions"] == 0


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_new_tags_go_to_the_tasks_the_gate_made_and_nothing_is_sent_again(host, emulator):
    olds = gate(FLEET[:12], tags={"team": "edge"})
    _, created = fleet_gate.create(host, olds)

    updated = fleet_gate.update(host, "id", {**olds, **created}, gate(FLEET[:12], tags={"ticket": "CHG-7"}))
    assert "fleet gate fleet: retagged its 2 task(s)" in host.said
    assert updated["taskIds"] == created["taskIds"] and updated["tags"] == {"ticket": "CHG-7"}
    for task in emulator.model.tasks():
        tags = emulator.model.list_tags(task["taskArn"])["tags"]
        assert {key: value for key, value in tags.items() if not key.startswith(RESERVED_TAG_PREFIX)} == {
            "ticket": "CHG-7"}
        assert SCOPE_TAG in tags  # the gate's record of what it sent stays
    assert sends(emulator) == Counter({device: 1 for device in FLEET[:12]})


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_failed_gate_given_a_threshold_it_meets_carries_on_and_passes_sending_nothing_again(host, emulator):
    props = gate(FLEET[15:21])
    with pytest.raises(FleetFailed) as failed:
        fleet_gate.create(host, props)
    _, partial = failed.value.partial
    lowered = {**props, "minSucceeded": 5}
    assert fleet_gate._carries_on({**props, **partial}, lowered)  # it had not passed: judged again

    outputs = fleet_gate.update(host, "id", {**props, **partial}, lowered)
    assert (outputs["succeeded"], outputs["required"]) == (5, 5) and outputs["failedDevices"] == ["smd-fleet-0020"]
    assert sends(emulator) == Counter({device: 1 for device in FLEET[15:21]})
