"""Task end to end: create, refresh, tags in place, replace and destroy through `pulumi up`, a refresh that drops a
task gone out of band, and a create that is interrupted and retried without creating the task twice. What the
operations do at the service (cancel on delete, adoption) is in tests/operations/test_task_operations.py."""

from __future__ import annotations

import json
import signal
import time

import pytest

pytestmark = pytest.mark.e2e

SCENARIO = {"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 4},
                         "devices": {"smd-a": {}, "smd-b": {}}},
            "time_scale": 4}

TASK_PROGRAM = '''
import pulumi
import pulumi_snowdm as snowdm

config = pulumi.Config()
task = snowdm.Task(
    "work",
    command=config.get("command") or "unlock",
    targets=config.require_object("targets"),
    description=config.get("description"),
    tags=config.get_object("tags"),
)
pulumi.export("taskId", task.task_id)
pulumi.export("taskArn", task.task_arn)
pulumi.export("state", task.state)
pulumi.export("targets", task.targets)
pulumi.export("createdAt", task.created_at)
pulumi.export("tags", task.tags)
'''


def task_project(make_project, targets, **config):
    return make_project(TASK_PROGRAM, config={"targets": json.dumps(targets),
                                              **{k: json.dumps(v) if isinstance(v, (dict, list)) else v
                                                 for k, v in config.items()}})


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_task_lifecycle(make_project, sdm_client, emulator):
    project = task_project(make_project, ["smd-a", "smd-b"], description="Unlock for release", tags={"team": "edge"})
    created = project.up().outputs
    described = sdm_client.describe_task(taskId=created["taskId"])
    assert created["taskArn"] == described["taskArn"]
    assert sorted(created["targets"]) == sorted(described["targets"]) == ["smd-a", "smd-b"]
    assert created["tags"] == {"team": "edge"}
    assert created["createdAt"].startswith(described["createdAt"].strftime("%Y-%m-%dT%H:%M:%S"))
    assert len(emulator.model.tasks()) == 1

    project.refresh()

    # Tags change in place: same task, new tags at the service.
    project.configure({"tags": json.dumps({"team": "edge", "ticket": "CHG-1"})})
    updated = project.up()
    assert updated.changes.get("update") == 1 and "replace" not in updated.changes
    assert updated.outputs["taskId"] == created["taskId"]
    assert sdm_client.list_tags_for_resource(resourceArn=created["taskArn"])["tags"] == {
        "team": "edge", "ticket": "CHG-1"}

    # Another command replaces the task.
    project.configure({"command": "reboot"})
    replaced = project.up()
    assert replaced.changes.get("replace") == 1
    assert replaced.outputs["taskId"] != created["taskId"]
    assert len(emulator.model.tasks()) == 2

    project.destroy()


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_refresh_drops_a_task_that_is_gone(make_project, emulator):
    project = task_project(make_project, ["smd-a"])
    task_id = project.up().outputs["taskId"]
    emulator.model.delete_task(task_id)
    project.refresh()
    assert not [r for r in project.export()["resources"] if r["type"].endswith("snowdm:Task")]


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
@pytest.mark.parametrize("interrupt", ["SIGKILL", "SIGINT twice"])
def test_a_create_interrupted_and_rerun_creates_the_task_once(make_project, emulator, interrupt):
    project = task_project(make_project, ["smd-a", "smd-b"])
    project.preview()  # stack, plugins and config in place before the interrupted run
    # DescribeTask, which follows CreateTask inside create, is slow: the kill lands mid-create.
    emulator.set_faults(latency=30, operations=["DescribeTask"])
    run = project.spawn("up", "--yes", "--skip-preview")
    deadline = time.monotonic() + 60
    while emulator.calls["CreateTask"] == 0 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    assert emulator.calls["CreateTask"] == 1, "the interrupted run never reached CreateTask"
    if interrupt == "SIGKILL":
        run.send_signal(signal.SIGKILL)
    else:
        run.send_signal(signal.SIGINT)
        time.sleep(0.5)
        run.send_signal(signal.SIGINT)
    run.wait(timeout=60)
    assert run.returncode != 0

    emulator.set_faults(latency=0)
    # What README tells users after an interrupted run: release a lock a killed run left, clear the pending
    # create, and run `up` again.
    if interrupt == "SIGKILL":
        project.cli("cancel", "--yes")
    project.cli("refresh", "--yes", "--clear-pending-creates")
    outputs = project.up().outputs
    assert [task["taskId"] for task in emulator.model.tasks()] == [outputs["taskId"]]
    assert emulator.calls["CreateTask"] == 2  # the retried create sent the same client token
