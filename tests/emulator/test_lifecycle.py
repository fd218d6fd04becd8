"""Executions over device time: outcomes, one task at a time per device, cancellation and run-time changes."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from pulumi_snowdm.emulator.errors import ValidationException

FINAL = {"SUCCEEDED", "FAILED", "REJECTED", "TIMED_OUT", "CANCELED"}
ORDER = {"QUEUED": 0, "IN_PROGRESS": 1, **{state: 2 for state in FINAL}}

OUTCOMES_SCENARIO = {
    "default": {"queued_seconds": 20, "run_seconds": 50},
    "devices": {
        "smd-ok": {"outcome": "SUCCEEDED"},
        "smd-fail": {"outcome": "FAILED"},
        "smd-reject": {"outcome": "REJECTED"},
        "smd-slow": {"outcome": "TIMED_OUT"},
        "smd-off": {"online": False},
    },
}


@pytest.mark.parametrize("emulator", [{"scenario": OUTCOMES_SCENARIO, "time_scale": 1000}], indirect=True)
def test_each_outcome_is_observed_by_a_client(sdm_client, emulator, wait_for):
    devices = list(OUTCOMES_SCENARIO["devices"])
    task_id = sdm_client.create_task(targets=devices, command={"reboot": {}})["taskId"]
    seen: dict[str, list[str]] = {device: [] for device in devices}

    def settled():
        for device in devices:
            state = sdm_client.describe_execution(taskId=task_id, managedDeviceId=device)["state"]
            if not seen[device] or seen[device][-1] != state:
                seen[device].append(state)
        return all(seen[device][-1] in FINAL for device in devices if device != "smd-off")

    wait_for(settled)
    assert {device: states[-1] for device, states in seen.items()} == {
        "smd-ok": "SUCCEEDED",
        "smd-fail": "FAILED",
        "smd-reject": "REJECTED",
        "smd-slow": "TIMED_OUT",
        "smd-off": "QUEUED",
    }
    for states in seen.values():
        assert [ORDER[state] for state in states] == sorted(ORDER[state] for state in states)
    assert "IN_PROGRESS" not in seen["smd-reject"]

    done = sdm_client.describe_execution(taskId=task_id, managedDeviceId="smd-ok")
    # Timestamps are device time: the run lasted run_seconds.
    assert (done["lastUpdatedAt"] - done["startedAt"]).total_seconds() == pytest.approx(50, abs=0.01)
    assert "startedAt" not in sdm_client.describe_execution(taskId=task_id, managedDeviceId="smd-reject")
    assert sdm_client.describe_task(taskId=task_id)["state"] == "IN_PROGRESS"

    emulator.clock.advance(10 * 86_400)
    assert sdm_client.describe_execution(taskId=task_id, managedDeviceId="smd-off")["state"] == "QUEUED"
    emulator.model.set_device("smd-off", online=True)
    emulator.clock.advance(100)
    assert sdm_client.describe_execution(taskId=task_id, managedDeviceId="smd-off")["state"] == "SUCCEEDED"
    task = sdm_client.describe_task(taskId=task_id)
    assert task["state"] == "COMPLETED"
    assert "completedAt" in task


MANUAL = {"scenario": {"default": {"queued_seconds": 10, "run_seconds": 100}, "devices": {"smd-1": {}, "smd-2": {}}},
          "time_scale": 0}


def states(client, task_id, device="smd-1"):
    return client.describe_execution(taskId=task_id, managedDeviceId=device)["state"]


@pytest.mark.parametrize("emulator", [MANUAL], indirect=True)
def test_one_task_executes_on_a_device_at_a_time(sdm_client, emulator):
    first = sdm_client.create_task(targets=["smd-1"], command={"reboot": {}})["taskId"]
    second = sdm_client.create_task(targets=["smd-1", "smd-2"], command={"reboot": {}})["taskId"]
    assert (states(sdm_client, first), states(sdm_client, second)) == ("QUEUED", "QUEUED")
    emulator.clock.advance(10)
    assert (states(sdm_client, first), states(sdm_client, second)) == ("IN_PROGRESS", "QUEUED")
    assert states(sdm_client, second, "smd-2") == "IN_PROGRESS"
    emulator.clock.advance(100)
    assert (states(sdm_client, first), states(sdm_client, second)) == ("SUCCEEDED", "QUEUED")
    emulator.clock.advance(10)
    assert states(sdm_client, second) == "IN_PROGRESS"
    started = sdm_client.describe_execution(taskId=second, managedDeviceId="smd-1")["startedAt"]
    ended = sdm_client.describe_execution(taskId=first, managedDeviceId="smd-1")["lastUpdatedAt"]
    assert (started - ended).total_seconds() == pytest.approx(10, abs=0.01)
    emulator.clock.advance(100)
    assert states(sdm_client, second) == "SUCCEEDED"
    assert sdm_client.describe_task(taskId=second)["state"] == "COMPLETED"


@pytest.mark.parametrize("emulator", [MANUAL], indirect=True)
def test_cancel_stops_only_queued_executions(sdm_client, emulator):
    running = sdm_client.create_task(targets=["smd-1", "smd-2"], command={"reboot": {}})["taskId"]
    emulator.clock.advance(10)
    waiting = sdm_client.create_task(targets=["smd-1"], command={"reboot": {}})["taskId"]
    assert states(sdm_client, running) == "IN_PROGRESS"

    sdm_client.cancel_task(taskId=running)
    sdm_client.cancel_task(taskId=waiting)
    assert states(sdm_client, running) == "IN_PROGRESS"
    assert states(sdm_client, waiting) == "CANCELED"
    assert sdm_client.describe_task(taskId=running)["state"] == "CANCELED"
    assert sdm_client.describe_task(taskId=waiting)["state"] == "CANCELED"
    assert [task["state"] for task in sdm_client.list_tasks(state="CANCELED")["tasks"]] == ["CANCELED"] * 2

    emulator.clock.advance(100)
    assert states(sdm_client, running) == "SUCCEEDED"
    # The canceled execution no longer holds the device: a new task runs right after the running one.
    after = sdm_client.create_task(targets=["smd-1"], command={"reboot": {}})["taskId"]
    emulator.clock.advance(10)
    assert states(sdm_client, after) == "IN_PROGRESS"


@pytest.mark.parametrize("emulator", [MANUAL], indirect=True)
def test_canceling_a_completed_task_changes_nothing(sdm_client, emulator):
    task_id = sdm_client.create_task(targets=["smd-2"], command={"reboot": {}})["taskId"]
    emulator.clock.advance(200)
    assert sdm_client.cancel_task(taskId=task_id)["taskId"] == task_id
    assert sdm_client.describe_task(taskId=task_id)["state"] == "COMPLETED"


@pytest.mark.parametrize(
    "emulator",
    [{"scenario": {"default": {"queued_seconds": 1, "run_seconds": 5, "commands": {"unlock": {"outcome": "FAILED"}}},
                   "devices": {"smd-1": {}, "smd-2": {"commands": {"unlock": {"outcome": "SUCCEEDED"}}}}},
      "time_scale": 0}],
    indirect=True,
)
def test_outcomes_per_command_and_device_state_follow_unlock(sdm_client, emulator):
    reboot = sdm_client.create_task(targets=["smd-1"], command={"reboot": {}})["taskId"]
    unlock = sdm_client.create_task(targets=["smd-1", "smd-2"], command={"unlock": {}})["taskId"]
    emulator.clock.advance(6)
    assert states(sdm_client, reboot) == "SUCCEEDED"
    emulator.clock.advance(1)
    assert sdm_client.describe_device(managedDeviceId="smd-1")["deviceState"] == "UNLOCKING"
    emulator.clock.advance(5)
    assert states(sdm_client, unlock) == "FAILED"
    assert states(sdm_client, unlock, "smd-2") == "SUCCEEDED"
    assert sdm_client.describe_device(managedDeviceId="smd-1")["deviceState"] == "LOCKED"
    assert sdm_client.describe_device(managedDeviceId="smd-2")["deviceState"] == "UNLOCKED"


@pytest.mark.parametrize("emulator", [MANUAL], indirect=True)
def test_behaviour_changes_apply_to_executions_not_yet_started(sdm_client, emulator):
    first = sdm_client.create_task(targets=["smd-1"], command={"reboot": {}})["taskId"]
    emulator.clock.advance(10)
    second = sdm_client.create_task(targets=["smd-1"], command={"reboot": {}})["taskId"]
    emulator.model.set_device("smd-1", outcome="FAILED", run_seconds=1, deviceState="UNLOCKED",
                              software={"installedVersion": "123", "installState": "INSTALLED"})
    emulator.clock.advance(100)
    assert states(sdm_client, first) == "SUCCEEDED"
    emulator.clock.advance(11)
    assert states(sdm_client, second) == "FAILED"
    device = sdm_client.describe_device(managedDeviceId="smd-1")
    assert device["software"]["installedVersion"] == "123"
    assert device["deviceState"] == "UNLOCKED"


@pytest.mark.parametrize("emulator", [MANUAL], indirect=True)
def test_offline_device_reports_when_it_was_last_seen(sdm_client, emulator):
    online = sdm_client.describe_device(managedDeviceId="smd-1")["lastReachedOutAt"]
    emulator.model.set_device("smd-1", online=False)
    emulator.clock.advance(3600)
    offline = sdm_client.describe_device(managedDeviceId="smd-1")["lastReachedOutAt"]
    assert (offline - online).total_seconds() == pytest.approx(0, abs=0.01)
    assert sdm_client.describe_device(managedDeviceId="smd-2")["lastReachedOutAt"] > offline


@pytest.mark.parametrize("emulator", [MANUAL], indirect=True)
def test_out_of_band_state_changes_and_deletions(sdm_client, emulator):
    task_id = sdm_client.create_task(targets=["smd-1", "smd-2"], command={"reboot": {}})["taskId"]
    emulator.model.set_execution_state(task_id, "smd-1", "IN_PROGRESS")
    emulator.clock.advance(10_000)
    assert states(sdm_client, task_id) == "IN_PROGRESS"  # pinned until set again
    blocked = sdm_client.create_task(targets=["smd-1"], command={"reboot": {}})["taskId"]
    emulator.clock.advance(10_000)
    assert states(sdm_client, blocked) == "QUEUED"
    emulator.model.set_execution_state(task_id, "smd-1", "FAILED")
    assert states(sdm_client, task_id) == "FAILED"
    emulator.clock.advance(10)
    assert states(sdm_client, blocked) == "IN_PROGRESS"

    emulator.model.delete_execution(task_id, "smd-2")
    with pytest.raises(sdm_client.exceptions.ResourceNotFoundException):
        sdm_client.describe_execution(taskId=task_id, managedDeviceId="smd-2")
    assert [e["managedDeviceId"] for e in sdm_client.list_executions(taskId=task_id)["executions"]] == ["smd-1"]

    emulator.model.delete_task(task_id)
    with pytest.raises(sdm_client.exceptions.ResourceNotFoundException):
        sdm_client.describe_execution(taskId=task_id, managedDeviceId="smd-1")
    with pytest.raises(sdm_client.exceptions.ResourceNotFoundException):
        sdm_client.describe_task(taskId=task_id)
    assert [task["taskId"] for task in emulator.model.tasks()] == [blocked]
    with pytest.raises(ValidationException):
        emulator.model.set_execution_state(blocked, "smd-1", "DONE")


@pytest.mark.parametrize(
    "emulator", [{"devices": {"smd-1": {"online": False}}, "quota": {"open_tasks": 2}}], indirect=True
)
def test_open_task_quota_answers_402(sdm_client):
    for _ in range(2):
        sdm_client.create_task(targets=["smd-1"], command={"reboot": {}})
    with pytest.raises(ClientError) as caught:
        sdm_client.create_task(targets=["smd-1"], command={"reboot": {}})
    assert caught.value.response["Error"]["Code"] == "ServiceQuotaExceededException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 402


def test_the_default_fleet_succeeds_within_seconds(make_emulator, make_sdm_client, wait_for):
    emulator = make_emulator(time_scale=20)
    client = make_sdm_client(emulator)
    devices = [device["managedDeviceId"] for device in client.list_devices()["devices"]]
    assert devices == [f"smd-demo-{index:04d}" for index in range(4)]
    task_id = client.create_task(targets=devices, command={"reboot": {}})["taskId"]
    wait_for(lambda: client.describe_task(taskId=task_id)["state"] == "COMPLETED", timeout=5)
    executions = client.list_executions(taskId=task_id)["executions"]
    assert {execution["state"] for execution in executions} == {"SUCCEEDED"}
