"""A `pulumi up` killed with SIGKILL while a gate waits: its provider processes notice the engine is gone and end.

The engine puts every provider in a process group of its own, so a killed CLI (a CI job's timeout, a lost runner)
cannot take them along: before issue 25 the plugin and the dynamic provider went on polling the service until the
gate's deadline. Here only the CLI is killed, as a runner kills it. Then, for the plugin (a YAML program) and for
the dynamic provider (a Python program): within 10 seconds no provider process of that run is left (the test's
own teardown and the suite's leak guard never have to end them), the emulator's call counter stops growing, and
the user's recovery (`pulumi cancel`, `pulumi refresh --clear-pending-creates`, `pulumi up`) sends no command twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from harness import TEST_TAG, Project, tagged_processes

pytestmark = pytest.mark.e2e

REGION = "us-west-2"
# One device whose execution takes an hour of device time (15 wall minutes at 4x): the gate waits until killed.
SCENARIO = {"scenario": {"devices": {"smd-long": {"queued_seconds": 1, "run_seconds": 3600}}}, "time_scale": 4}
# The processes of ours: the plugin, and the dynamic provider (the engine's shell script and the Python it runs).
PROVIDERS = ("pulumi-resource-snowdm", "pulumi-resource-pulumi-python", "pulumi.dynamic")
# The bound: no provider process of the killed run is left after this many seconds.
GONE_WITHIN = 10.0
PATIENCE_SECONDS = 120

YAML_PROGRAM = """\
name: engine-loss
runtime: yaml
resources:
  task:
    type: snowdm:index:Task
    properties:
      command: unlock
      targets: [smd-long]
  gate:
    type: snowdm:index:TaskExecution
    properties:
      taskId: ${task.taskId}
      managedDeviceId: smd-long
      pollIntervalSeconds: 0.5
      maxPollIntervalSeconds: 1
"""

PYTHON_PROGRAM = """
import pulumi_snowdm as snowdm

task = snowdm.Task("task", command=snowdm.Command.unlock(), targets=["smd-long"])
gate = snowdm.TaskExecution("gate", task_id=task.task_id, managed_device_id="smd-long",
                            poll_interval_seconds=0.5, max_poll_interval_seconds=1)
"""


def providers_of(project: Project) -> dict[int, str]:
    """{pid: command line} of this test's provider processes still running."""
    return {pid: command for pid, command in tagged_processes(TEST_TAG, project.env[TEST_TAG]).items()
            if any(name in command for name in PROVIDERS)}


def kill_up_while_the_gate_waits(project: Project, emulator) -> tuple[dict[int, str], float]:
    """Start `pulumi up`, SIGKILL the CLI (only it) once the gate has looked twice; the provider processes it had,
    and the seconds they took to end after the kill."""
    process = project.spawn("up", "--yes", "--skip-preview")
    try:
        give_up = time.monotonic() + PATIENCE_SECONDS
        while emulator.calls["ListExecutions"] + emulator.calls["DescribeExecution"] < 3:
            assert process.poll() is None, "pulumi up ended before the gate waited"
            assert time.monotonic() < give_up, "the gate never began to wait"
            time.sleep(0.1)
        before = providers_of(project)
        process.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    while providers_of(project) and time.monotonic() - killed < GONE_WITHIN + 5:
        time.sleep(0.1)
    return before, time.monotonic() - killed


def calls(emulator) -> int:
    return sum(emulator.calls.values())


def recover(project: Project, emulator) -> subprocess.CompletedProcess:
    """README's steps after a killed `pulumi up`, once the device has finished: the rerun's answer."""
    project.cli("cancel", "--yes")
    project.cli("refresh", "--yes", "--clear-pending-creates")
    emulator.clock.advance(3600)
    return project.cli("up", "--yes", "--skip-preview", check=False)


def assert_ended_with_the_engine(project: Project, emulator, before: dict[int, str], took: float) -> None:
    assert before, "no provider process was running while the gate waited"
    assert providers_of(project) == {}, f"still running {took:.1f}s after the kill: {providers_of(project)}"
    assert took < GONE_WITHIN, took
    quiet_from = calls(emulator)
    time.sleep(3)
    assert calls(emulator) == quiet_from, emulator.calls  # nothing polls the service any more


@pytest.mark.xdist_group("wall-clock")
@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_the_plugin_ends_with_a_killed_engine_and_the_rerun_sends_nothing_twice(tmp_path, engine, stack_env,
                                                                               emulator):
    workdir = tmp_path / "yaml"
    workdir.mkdir()
    (workdir / "Pulumi.yaml").write_text(YAML_PROGRAM)
    project = Project(workdir, engine, stack_env)
    project.configure({"snowdm:endpoint": emulator.url, "snowdm:region": REGION})

    before, took = kill_up_while_the_gate_waits(project, emulator)

    assert any("pulumi-resource-snowdm" in command for command in before.values()), before
    assert_ended_with_the_engine(project, emulator, before, took)
    rerun = recover(project, emulator)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert [task["targets"] for task in emulator.model.tasks()] == [["smd-long"]]  # the one task, adopted


@pytest.mark.xdist_group("wall-clock")
@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_the_dynamic_provider_ends_with_a_killed_engine_and_the_rerun_sends_nothing_twice(make_project, emulator):
    project = make_project(PYTHON_PROGRAM)
    assert project.stack is not None

    before, took = kill_up_while_the_gate_waits(project, emulator)

    assert any("pulumi.dynamic" in command for command in before.values()), before
    assert_ended_with_the_engine(project, emulator, before, took)
    rerun = recover(project, emulator)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert [task["targets"] for task in emulator.model.tasks()] == [["smd-long"]]  # the one task, adopted
