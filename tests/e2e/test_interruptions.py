"""Interrupted deployments: `pulumi up` stopped by Ctrl-C twice or killed outright, then refreshed and run again.

A user's Ctrl-C in a terminal reaches the whole foreground process group (the CLI, the language host and the
dynamic-provider process); a cancelled CI job or an out-of-memory kill ends all of them at once. So each test starts
`pulumi up` in a process group of its own and signals that group: twice SIGINT, or SIGKILL. It interrupts either
while CreateTask is in flight (the emulator holds CreateTask for a few seconds, then creates the task anyway, as a
service that got the request would) or while the gates wait on long executions.

Then the user's recovery steps run: `pulumi refresh --clear-pending-creates` and `pulumi up`. Afterwards the
emulator holds each task once (the client tokens make the second create return the first task), every gate gives
its verdict (the failing device's gate fails the update, the others pass), and the exported stack has no pending
operations. bench/hardening.py repeats these runs and prints the figures.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import time

import pytest

pytestmark = pytest.mark.e2e

FLEET = [f"smd-fleet-{n:04d}" for n in range(12)]
FLEET_FAILING = "smd-fleet-0003"
# Executions take 40 device seconds, 10 wall seconds at 4x: long enough to interrupt the gates while they wait.
SCENARIO = {
    "scenario": {
        "default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 40},
        "devices": {"smd-ok": {}, "smd-failed": {"outcome": "FAILED"}, FLEET_FAILING: {"outcome": "FAILED"}},
        "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
    },
    "time_scale": 4,
}
# Device time once `pulumi up` is interrupted: executions end within a wall second.
AFTER_THE_INTERRUPTION = 40

PROGRAM = '''
import pulumi
import pulumi_snowdm as snowdm

config = pulumi.Config()
timing = dict(poll_interval_seconds=0.5, max_poll_interval_seconds=1, heartbeat_seconds=5,
              not_found_grace_seconds=10)
task = snowdm.Task("unlock", command="unlock", targets=["smd-ok", "smd-failed"])
ok = snowdm.TaskExecution("gate-ok", task_id=task.task_id, managed_device_id="smd-ok", **timing)
failed = snowdm.TaskExecution("gate-failed", task_id=task.task_id, managed_device_id="smd-failed", **timing)
fleet = snowdm.FleetGate("fleet", devices=config.require_object("fleet"), command="reboot", min_succeeded=11,
                         **timing)
pulumi.export("task_id", task.task_id)
'''

# When to interrupt: the emulator has seen this many calls of this operation.
PHASES = {
    "creating-tasks": ("CreateTask", 1),
    "gates-waiting": ("ListExecutions", 4),
}
INTERRUPTIONS = ("sigint-twice", "sigkill")
# How long a test waits for the moment to interrupt before it gives up (a limit, not a measurement).
PATIENCE_SECONDS = 120


def interrupted_up(project, emulator, phase: str, interruption: str) -> str:
    """Start `pulumi up` in its own process group, interrupt it at `phase`, return what it printed."""
    operation, count = PHASES[phase]
    log = project.workdir / f"up-{phase}-{interruption}.log"
    command = [str(project._engine / "pulumi"), "up", "--yes", "--skip-preview", "--non-interactive",
               "--stack", project.stack_name, "--color", "never"]
    with open(log, "w") as output:
        process = subprocess.Popen(command, cwd=project.workdir, env={**os.environ, **project.env},
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_for_calls(emulator, process, operation, count)
            if interruption == "sigint-twice":
                os.killpg(process.pid, signal.SIGINT)
                time.sleep(0.5)
                os.killpg(process.pid, signal.SIGINT)
            else:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=PATIENCE_SECONDS)
        finally:
            _end_group(process)
    return log.read_text()


def _wait_for_calls(emulator, process: subprocess.Popen, operation: str, count: int) -> None:
    give_up = time.monotonic() + PATIENCE_SECONDS
    while emulator.calls[operation] < count:
        assert process.poll() is None, f"pulumi up ended before the emulator saw {count} {operation}"
        assert time.monotonic() < give_up, f"the emulator never saw {count} {operation}"
        time.sleep(0.05)


def _end_group(process: subprocess.Popen) -> None:
    """Whatever the interruption left of the group this test started (orphaned plugins) is ended."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def duplicates(tasks: list[dict]) -> list[tuple]:
    """(command, targets) sent more than once."""
    sent = collections.Counter((task["command"], tuple(sorted(task["targets"]))) for task in tasks)
    return [key for key, times in sent.items() if times > 1]


def pending_operations(project) -> list:
    return json.loads(project.cli("stack", "export").stdout)["deployment"].get("pending_operations") or []


def recover(project, killed: bool) -> dict:
    """The steps a user takes after an interrupted `pulumi up`, as README gives them; what each one showed."""
    pending = pending_operations(project)
    if killed:
        # A killed CLI cannot release its lock on the stack; `pulumi cancel` removes it (nothing else runs now).
        locked = project.cli("refresh", "--yes", check=False)
        assert locked.returncode != 0 and "currently locked" in locked.stderr, locked.stdout + locked.stderr
        project.cli("cancel", "--yes")
    refresh = project.cli("refresh", "--yes", "--clear-pending-creates", check=False)
    assert refresh.returncode == 0, refresh.stdout + refresh.stderr
    assert pending_operations(project) == []
    up = project.up(expect_ok=False)
    state = {r["urn"].rsplit("::", 1)[-1]: r for r in project.export().get("resources", [])}
    return {"output": up.output, "state": state, "pending_before": pending}


def assert_recovered(project, emulator, outcome: dict) -> None:
    state, output = outcome["state"], outcome["output"]
    tasks = emulator.model.tasks()
    assert duplicates(tasks) == [], tasks
    assert sorted(len(task["targets"]) for task in tasks) == [2, 2, 10], tasks
    assert state["gate-ok"]["outputs"]["state"] == "SUCCEEDED"
    assert state["fleet"]["outputs"]["succeeded"] == 11
    assert state["fleet"]["outputs"]["failedDevices"] == [FLEET_FAILING]
    assert "gate-failed" not in state
    assert "on device smd-failed" in output and "ended FAILED" in output
    assert "Traceback" not in output
    assert pending_operations(project) == []
    # The state names the very tasks the emulator holds.
    recorded = {state["unlock"]["outputs"]["taskId"], *state["fleet"]["outputs"]["taskIds"]}
    assert recorded == {task["taskId"] for task in tasks}


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
@pytest.mark.parametrize("interruption", INTERRUPTIONS)
@pytest.mark.parametrize("phase", PHASES)
def test_an_interrupted_up_recovers_without_duplicates(make_project, emulator, phase, interruption):
    project = make_project(PROGRAM, config={"fleet": json.dumps(FLEET)})
    if phase == "creating-tasks":
        # CreateTask is answered after 3 seconds, and its task is made even if the caller is gone by then.
        emulator.set_faults(latency=3.0, operations=["CreateTask"])
    interrupted_up(project, emulator, phase, interruption)
    emulator.set_faults()
    emulator.clock.time_scale = AFTER_THE_INTERRUPTION  # the recovery does not depend on how long devices take

    assert_recovered(project, emulator, recover(project, killed=interruption == "sigkill"))
