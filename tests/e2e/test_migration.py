"""README's recipe from the dynamic resources to the plugin (`pulumi_snowdm.native`): the program imports
`pulumi_snowdm.native` instead and gives each resource an alias naming its dynamic type. The engine then moves each
resource to the plugin as it is: no task is created or canceled, no command is sent, the service holds the same
tasks, only the dynamic resources' provider leaves the state, and the next preview is empty.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

FAST = {"scenario": None, "time_scale": 20}
UNLOCKED = ["smd-demo-0000", "smd-demo-0001"]
REBOOTED = ["smd-demo-0002", "smd-demo-0003"]
PROGRAM = """\
import pulumi
import {module} as snowdm


def moved(kind):
    return {opts}


task = snowdm.Task("unlock", command="unlock", targets={unlocked}, opts=moved("Task"))
gates = [snowdm.TaskExecution(f"unlocked-{{d}}", task_id=task.task_id, managed_device_id=d, poll_interval_seconds=0.5,
                              opts=moved("TaskExecution"))
         for d in {unlocked}]
fleet = snowdm.FleetGate("rebooted", devices={rebooted}, command="reboot", poll_interval_seconds=0.5,
                         opts=moved("FleetGate"))
pulumi.export("taskId", task.task_id)
pulumi.export("fleetTasks", fleet.task_ids)
"""
DYNAMIC = PROGRAM.format(module="pulumi_snowdm", opts="None", unlocked=UNLOCKED, rebooted=REBOOTED)
# README's recipe: the same program on pulumi_snowdm.native, each resource aliased to its dynamic type.
NATIVE = PROGRAM.format(
    module="pulumi_snowdm.native", unlocked=UNLOCKED, rebooted=REBOOTED,
    opts='pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=f"pulumi-python:dynamic/snowdm:{kind}")])')


@pytest.mark.parametrize("emulator", [FAST], indirect=True)
def test_dynamic_resources_move_to_the_plugin_without_a_command(make_project, emulator):
    project = make_project(DYNAMIC)
    before = project.up().outputs
    tasks = emulator.model.tasks()
    assert len(tasks) == 2
    emulator.reset_calls()

    (project.workdir / "__main__.py").write_text(NATIVE)
    moved = project.up()

    assert moved.changes == {"same": 5, "delete": 1}, moved.output  # the dynamic resources' provider
    assert moved.outputs == before
    sent = {operation for operation in emulator.calls if operation in ("CreateTask", "CancelTask", "TagResource")}
    assert sent == set() and emulator.model.tasks() == tasks
    types = {r["type"] for r in project.export()["resources"]}
    assert {"snowdm:index:Task", "snowdm:index:TaskExecution", "snowdm:index:FleetGate"} <= types
    assert not any(t.startswith("pulumi-python:dynamic/") for t in types)
    project.preview(expect_no_changes=True)
    assert emulator.model.tasks() == tasks
