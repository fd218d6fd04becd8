"""The Task operations every host calls (`_core.operations.task`), over real boto3 and the in-process emulator, no
engine: a create makes one SDM task and records what the service answered, a retried create gets the same task,
read follows the task until it is gone, tags change in place, delete cancels what is still QUEUED, and an adopted
task is read but never touched.
"""

from __future__ import annotations

import pytest

from pulumi_snowdm._core.operations import task

SCENARIO = {"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 0.5, "run_seconds": 2},
                         "devices": {"smd-a": {}, "smd-b": {}, "smd-offline": {"online": False}}},
            "time_scale": 50}


def unlock(targets, **extra):
    """A Task's inputs as a host hands them over after check: unlock `targets`, in the scope of one stack."""
    return {"command": "unlock", "targets": list(targets), "scope": "proj/dev/work", **extra}


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_create_makes_one_task_and_records_what_the_service_answered(host, emulator, sdm_client):
    props = unlock(["smd-a", "smd-b"], description="Unlock for release", tags={"team": "edge"})
    task_id, outputs = task.create(host, props)

    described = sdm_client.describe_task(taskId=task_id)
    assert [t["taskId"] for t in emulator.model.tasks()] == [task_id] == [outputs["taskId"]]
    assert outputs["taskArn"] == described["taskArn"] and outputs["state"] == described["state"]
    assert sorted(outputs["targets"]) == sorted(described["targets"]) == ["smd-a", "smd-b"]
    assert outputs["description"] == "Unlock for release" and outputs["tags"] == {"team": "edge"}
    assert outputs["createdAt"].startswith(described["createdAt"].strftime("%Y-%m-%dT%H:%M:%S"))
    assert f"task {task_id}: unlock sent to 2 device(s)" in host.said

    # A create retried (after a crash or a kill) sends the same client token: the service answers the same task.
    again_id, _ = task.create(host, props)
    assert again_id == task_id and len(emulator.model.tasks()) == 1
    assert emulator.calls["CreateTask"] == 2


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_read_follows_the_task_and_drops_it_once_gone(host, emulator):
    props = unlock(["smd-a"])
    task_id, created = task.create(host, props)
    emulator.clock.advance(10)

    read = task.read(host, task_id, {**props, **created})
    assert read["taskId"] == task_id and read["state"] == "COMPLETED" and read["completedAt"]
    assert read["lastUpdatedAt"] != created["lastUpdatedAt"]  # what the service says now, not what was recorded

    emulator.model.delete_task(task_id)
    assert task.read(host, task_id, {**props, **read}) is None


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_new_tags_change_the_same_task_in_place(host, emulator, sdm_client):
    olds = unlock(["smd-a"], tags={"team": "edge", "old": "x"})
    task_id, created = task.create(host, olds)

    updated = task.update(host, task_id, {**olds, **created}, unlock(["smd-a"], tags={"team": "edge", "ticket": "C"}))
    assert updated["taskId"] == task_id and updated["tags"] == {"team": "edge", "ticket": "C"}
    assert sdm_client.list_tags_for_resource(resourceArn=created["taskArn"])["tags"] == {"team": "edge", "ticket": "C"}
    assert emulator.calls["CreateTask"] == 1

    cleared = task.update(host, task_id, {**olds, **updated}, unlock(["smd-a"]))
    assert cleared["tags"] == {} and sdm_client.list_tags_for_resource(resourceArn=created["taskArn"])["tags"] == {}


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_delete_cancels_what_is_still_queued_and_says_so(host, emulator, sdm_client):
    queued_id, queued = task.create(host, unlock(["smd-offline"]))
    assert sdm_client.describe_execution(taskId=queued_id, managedDeviceId="smd-offline")["state"] == "QUEUED"
    task.delete(host, queued_id, {**unlock(["smd-offline"]), **queued})
    assert sdm_client.describe_execution(taskId=queued_id, managedDeviceId="smd-offline")["state"] == "CANCELED"
    assert f"task {queued_id}: canceled the 1 execution(s) still QUEUED (smd-offline)" in host.said

    done_id, done = task.create(host, unlock(["smd-a"]))
    emulator.clock.advance(10)
    task.delete(host, done_id, {**unlock(["smd-a"]), **done})
    assert f"task {done_id}: nothing left QUEUED, nothing to cancel" in host.said
    assert emulator.calls["CancelTask"] == 1


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_an_adopted_task_is_read_as_it_is_and_delete_leaves_it(host, emulator, sdm_client):
    task_id = sdm_client.create_task(command={"unlock": {}}, targets=["smd-offline"])["taskId"]
    adopted = task.import_inputs(task_id)

    id_, outputs = task.create(host, adopted)
    assert id_ == task_id and outputs["existingTaskId"] == task_id
    assert outputs["targets"] == ["smd-offline"] and outputs["state"] == "IN_PROGRESS"
    assert f"task {task_id}: adopted (IN_PROGRESS)" in host.said

    task.delete(host, task_id, {**adopted, **outputs})
    assert f"task {task_id}: adopted, so left as it is" in host.said
    assert len(emulator.model.tasks()) == 1 and emulator.calls["CreateTask"] == 1  # the test's own CreateTask
    assert emulator.calls["CancelTask"] == 0
    assert sdm_client.describe_execution(taskId=task_id, managedDeviceId="smd-offline")["state"] == "QUEUED"
