"""Faults end to end: throttling, server errors, latency spikes and dropped connections change no verdict.

Each test runs one scenario twice through the real engine against the same emulator: once fault-free, then with
one kind of fault injected into every SDM operation. The program creates a Task, gates on two of its executions
(one succeeds, one fails on the device) and runs a FleetGate over twelve devices that creates its own two tasks
(one device fails; eleven successes are required). Both runs must give the same verdicts, create each task once,
show no Python traceback, and the faulty run may make at most twice the API calls of the fault-free one (for
50% throttling: twice the calls answered, since each of them takes two attempts on average).

Each run is a stack of its own project, so its client tokens differ and it really creates its own tasks.
bench/hardening.py runs the same scenario with more seeds and every fault at once, and prints the figures.
"""

from __future__ import annotations

import collections
import json
import threading
from pathlib import Path

import pytest

from harness import Project
from programs import MARKER

pytestmark = pytest.mark.e2e

REGION = "us-west-2"
FLEET = [f"smd-fleet-{n:04d}" for n in range(12)]
FLEET_FAILING = "smd-fleet-0003"
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

# Fault kinds that make a call fail (a delayed call is still answered).
FAILING_FAULTS = ("dropped", "ThrottlingException", "InternalServerException")
# botocore attempts per call: None runs with the provider's default (10), as users do. With 5, 0.5**5 = 3% of calls
# fail at a 50% throttle rate, and a read failing right after CreateTask failed that create although the task
# existed (bench/hardening.py --max-attempts 5 shows it); 10 leaves 0.1%.
MAX_ATTEMPTS = None

PROGRAM = MARKER + '''
from pathlib import Path

import pulumi

import pulumi_snowdm as snowdm

config = pulumi.Config()
run = config.require("run")
markers = Path(config.require("markers"))
timing = dict(poll_interval_seconds=0.5, max_poll_interval_seconds=1, heartbeat_seconds=5,
              not_found_grace_seconds=10)

task = snowdm.Task("unlock", command="unlock", targets=["smd-ok", "smd-failed"])
ok = snowdm.TaskExecution("gate-ok", task_id=task.task_id, managed_device_id="smd-ok", **timing)
failed = snowdm.TaskExecution("gate-failed", task_id=task.task_id, managed_device_id="smd-failed", **timing)
fleet = snowdm.FleetGate("fleet", devices=config.require_object("fleet"), command="reboot", min_succeeded=11,
                         **timing)


Marker("behind-failing-gate", str(markers / f"{run}-failing"), pulumi.ResourceOptions(depends_on=[failed]))
pulumi.export("task_id", task.task_id)
'''


def count_faults(emulator) -> collections.Counter:
    """Count, by kind, the faults the emulator injects from now on (an observer: decisions are unchanged)."""
    injected: collections.Counter = collections.Counter()
    lock = threading.Lock()
    decide = emulator.faults.decide

    def counting(operation: str):
        decision = decide(operation)
        kinds = [kind for kind, met in (("dropped", decision.drop), ("delayed", decision.delay > 0),
                                        (getattr(decision.error, "code", None), decision.error is not None)) if met]
        with lock:
            injected.update(kinds + ["faulted calls"] * bool(kinds))
        return decision

    emulator.faults.decide = counting
    return injected


def fresh_project(engine, stack_env, emulator, tmp_path: Path, run: str, max_attempts: int | None) -> Project:
    """A new stack of its own project, so the run creates everything afresh under its own client tokens."""
    base = tmp_path / run
    base.mkdir()
    project = Project.from_source(base, engine, stack_env, PROGRAM, name=f"faults-{run}")
    config = {"snowdm:endpoint": emulator.url, "snowdm:region": REGION, "run": run, "fleet": json.dumps(FLEET),
              "markers": str(tmp_path)}
    if max_attempts is not None:
        config["snowdm:maxAttempts"] = str(max_attempts)
    project.configure(config)
    return project


def deploy(engine, stack_env, emulator, tmp_path: Path, run: str, max_attempts: int | None = MAX_ATTEMPTS) -> dict:
    """One `pulumi up` of the scenario in a fresh stack; what a user would look at afterwards."""
    project = fresh_project(engine, stack_env, emulator, tmp_path, run, max_attempts)
    emulator.reset_calls()
    injected = count_faults(emulator)
    before = {task["taskId"] for task in emulator.model.tasks()}
    try:
        output = project.up(expect_ok=False).output
    finally:
        del emulator.faults.decide  # back to the class's own method
    state = {r["urn"].rsplit("::", 1)[-1]: r for r in project.export().get("resources", [])}
    return {
        "output": output,
        "calls": sum(emulator.calls.values()),
        "faults": injected["faulted calls"],
        # Calls the service answered as asked: the provider's own work, without botocore's retries of faulted ones.
        "answered": sum(emulator.calls.values()) - sum(injected[kind] for kind in FAILING_FAULTS),
        "fault_kinds": dict(injected),
        "new_tasks": [task for task in emulator.model.tasks() if task["taskId"] not in before],
        "state": state,
        "failing_marker": (tmp_path / f"{run}-failing").exists(),
    }


def assert_right_verdicts(run: dict) -> None:
    # The passing gates wait side by side with the failing one, so the engine lets them finish into state.
    state, output = run["state"], run["output"]
    assert state["gate-ok"]["outputs"]["state"] == "SUCCEEDED"
    assert state["fleet"]["outputs"]["succeeded"] == 11
    assert state["fleet"]["outputs"]["failedDevices"] == [FLEET_FAILING]
    assert "gate-failed" not in state
    assert "on device smd-failed" in output and "ended FAILED" in output
    assert not run["failing_marker"]
    # Expected failures read as messages; a Python traceback would mean an error escaped unexplained.
    assert "Traceback" not in output
    # One task for the Task resource and two for the fleet's shards: nothing sent twice.
    assert sorted(len(task["targets"]) for task in run["new_tasks"]) == [2, 2, 10], run["new_tasks"]


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_verdicts_hold_under_faults_at_most_twice_the_calls(engine, stack_env, emulator, tmp_path):
    # One fault-free run is the yardstick for every kind of fault (the same scenario, in a stack of its own).
    clean = deploy(engine, stack_env, emulator, tmp_path, "clean")
    assert_right_verdicts(clean)

    for number, (fault, settings) in enumerate(FAULTS.items(), start=1):
        emulator.set_faults(seed=number, **settings)
        faulty = deploy(engine, stack_env, emulator, tmp_path, f"fault-{number}")
        emulator.set_faults()
        assert_right_verdicts(faulty)
        assert faulty["faults"] > 0, fault
        # Faults never make the provider itself ask for more than twice the work (re-polling, re-creating) ...
        assert faulty["answered"] <= 2 * clean["calls"], (fault, faulty, clean["calls"])
        # ... and the requests on the wire stay within 2x too, except at a 50% throttle rate, where every answered
        # call costs two attempts on average by construction (its figures are in bench/hardening.py).
        if "throttle_rate" not in settings:
            assert faulty["calls"] <= 2 * clean["calls"], (fault, faulty["calls"], clean["calls"])
