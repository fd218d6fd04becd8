"""Faults end to end: throttling, server errors, latency spikes and dropped connections change no verdict.

Each test runs one scenario twice through the real engine against the same emulator: once fault-free, then with
one kind of fault injected into every SDM operation. The program creates a Task, gates on two of its executions
(one succeeds, one fails on the device) and runs a FleetGate over twelve devices that creates its own two tasks
(one device fails; eleven successes are required). Both runs must give the same verdicts, create each task once,
show no Python traceback, and the faulty run may make at most twice the API calls of the fault-free one.

The runs differ only in `run_id`, so their client tokens differ and each run really creates its own tasks.
bench/hardening.py runs the same scenario with more seeds and every fault at once, and prints the figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

FLEET = [f"smd-fleet-{n:02d}" for n in range(12)]
FLEET_FAILING = "smd-fleet-03"
SCENARIO = {
    "scenario": {
        "default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 6},
        "devices": {"smd-ok": {}, "smd-failed": {"outcome": "FAILED", "deviceState": "LOCKED"},
                    FLEET_FAILING: {"outcome": "FAILED"}},
        "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
    },
    # Device time runs 4x wall time: each execution takes about two seconds.
    "time_scale": 4,
}

# One kind of fault at a time, at the rates issue 6 names; every SDM operation may meet it.
FAULTS = {
    "throttling-50%": {"throttle_rate": 0.5},
    "server-errors-5%": {"error_rate": 0.05},
    "latency-spikes-3s": {"latency_spike_rate": 0.1, "latency_spike": 3.0},
    "dropped-connections-10%": {"drop_rate": 0.1},
}

PROGRAM = '''
from pathlib import Path

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

import pulumi_snowdm as snowdm

config = pulumi.Config()
run = config.require("run")
markers = Path(config.require("markers"))
timing = dict(poll_interval_seconds=0.5, max_poll_interval_seconds=1, heartbeat_seconds=5,
              not_found_grace_seconds=10)

task = snowdm.Task("unlock", command="unlock", targets=["smd-ok", "smd-failed"], run_id=run)
ok = snowdm.TaskExecution("gate-ok", task_id=task.task_id, managed_device_id="smd-ok", **timing)
failed = snowdm.TaskExecution("gate-failed", task_id=task.task_id, managed_device_id="smd-failed", **timing)
fleet = snowdm.FleetGate("fleet", devices=config.require_object("fleet"), command="reboot", min_succeeded=11,
                         run_id=run, **timing)


class MarkerProvider(ResourceProvider):
    def create(self, props):
        Path(props["path"]).write_text("deployed")
        return CreateResult(id_=props["path"], outs=props)


class Marker(Resource):
    def __init__(self, name, path, opts=None):
        super().__init__(MarkerProvider(), name, {"path": path}, opts)


Marker("behind-passing-gates", str(markers / f"{run}-passing"), pulumi.ResourceOptions(depends_on=[ok, fleet]))
Marker("behind-failing-gate", str(markers / f"{run}-failing"), pulumi.ResourceOptions(depends_on=[failed]))
pulumi.export("task_id", task.task_id)
'''


def fault_project(make_project, markers: Path):
    markers.mkdir(parents=True, exist_ok=True)
    return make_project(PROGRAM, config={"fleet": json.dumps(FLEET), "markers": str(markers), "run": "none"})


def deploy(project, emulator, markers: Path, run: str) -> dict:
    """One `pulumi up` of the scenario with run_id `run`; what a user would look at afterwards."""
    project.configure({"run": run})
    emulator.reset_calls()
    before = {task["taskId"] for task in emulator.model.tasks()}
    # continue_on_error: the passing gates' dependents deploy even though the failing gate failed the update.
    output = project.up(expect_ok=False, continue_on_error=True).output
    state = {r["urn"].rsplit("::", 1)[-1]: r for r in project.export().get("resources", [])}
    return {
        "output": output,
        "calls": sum(emulator.calls.values()),
        "new_tasks": [task for task in emulator.model.tasks() if task["taskId"] not in before],
        "state": state,
        "passing_marker": (markers / f"{run}-passing").exists(),
        "failing_marker": (markers / f"{run}-failing").exists(),
    }


def assert_right_verdicts(run: dict) -> None:
    state, output = run["state"], run["output"]
    assert state["gate-ok"]["outputs"]["state"] == "SUCCEEDED"
    assert state["fleet"]["outputs"]["succeeded"] == 11
    assert state["fleet"]["outputs"]["failedDevices"] == [FLEET_FAILING]
    assert "gate-failed" not in state
    assert "on device smd-failed" in output and "ended FAILED" in output
    assert run["passing_marker"] and not run["failing_marker"]
    # Expected failures read as messages; a Python traceback would mean an error escaped unexplained.
    assert "Traceback" not in output
    # One task for the Task resource and two for the fleet's shards: nothing sent twice.
    assert sorted(len(task["targets"]) for task in run["new_tasks"]) == [2, 2, 10], run["new_tasks"]


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
@pytest.mark.parametrize("fault", FAULTS)
def test_verdicts_hold_under_faults_at_most_twice_the_calls(make_project, emulator, tmp_path, fault):
    markers = tmp_path / "markers"
    project = fault_project(make_project, markers)

    clean = deploy(project, emulator, markers, "clean")
    assert_right_verdicts(clean)

    emulator.set_faults(seed=6, **FAULTS[fault])
    faulty = deploy(project, emulator, markers, "faulty")
    emulator.set_faults()
    assert_right_verdicts(faulty)
    assert faulty["calls"] <= 2 * clean["calls"], (faulty["calls"], clean["calls"])
