"""A staged rollout killed in its second wave, through the real Pulumi engine, boto3 and the emulator: README's
recovery finishes it without sending any device the command twice.

100 devices, waves [1, "10%", "100%"]: one canary, nine more, then the other ninety. Device time runs 4x wall time.
What a rollout does on its own (when each wave is sent, maxFailures, bakes, what a stop says, what a rerun adopts) is
in tests/operations/test_rollout_operations.py and tests/operations/test_rollout_run.py; bad waves are refused in
tests/unit/test_rollout_plan.py and tests/unit/test_fleet_gate_check.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess

import pytest

from programs import MARKER
from test_interruptions import _end_group, _wait_for_calls, duplicates, pending_operations

pytestmark = pytest.mark.e2e

FLEET = [f"smd-fleet-{n:04d}" for n in range(100)]
WAVES = [1, "10%", "100%"]
TIME_SCALE = 4
TIMING = {"poll_interval_seconds": 0.3, "max_poll_interval_seconds": 0.5, "heartbeat_seconds": 5,
          "not_found_grace_seconds": 5}


def scenario(run_seconds: float) -> dict:
    return {
        "scenario": {
            "default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": run_seconds},
            "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
        },
        "time_scale": TIME_SCALE,
    }


PROGRAM = MARKER + '''
import json

import pulumi

import pulumi_snowdm as snowdm

config = pulumi.Config()
gates = json.loads(config.require("gates"))
made = [snowdm.FleetGate(name, **args) for name, args in gates.items()]
Marker("app", config.require("marker"), opts=pulumi.ResourceOptions(depends_on=made))
for name in ("task_ids", "counts", "wave_reports", "untouched_devices", "aborted_wave", "failed_devices"):
    pulumi.export(name, getattr(made[0], name))
'''


def rollout() -> dict:
    return {"devices": FLEET, "command": "reboot", "waves": WAVES, **TIMING}


def project_of(make_project, tmp_path, gates: dict):
    marker = tmp_path / "marker"
    return make_project(PROGRAM, config={"gates": json.dumps(gates), "marker": str(marker)}), marker


@pytest.mark.parametrize("emulator", [scenario(run_seconds=12)], indirect=True)
def test_a_rollout_killed_in_wave_two_recovers_without_sending_twice(make_project, tmp_path, emulator):
    project, marker = project_of(make_project, tmp_path, {"fleet": rollout()})
    command = [str(project._engine / "pulumi"), "up", "--yes", "--skip-preview", "--non-interactive",
               "--stack", project.stack_name, "--color", "never"]
    with open(tmp_path / "killed-up.log", "w") as output:
        process = subprocess.Popen(command, cwd=project.workdir, env={**os.environ, **project.env},
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_for_calls(emulator, process, "CreateTask", 2)  # wave 2's task is sent
            calls = emulator.calls["ListExecutions"]
            _wait_for_calls(emulator, process, "ListExecutions", calls + 2)  # and waited on
            os.killpg(process.pid, signal.SIGKILL)
        finally:
            _end_group(process)
    assert len(emulator.model.tasks()) == 2
    emulator.clock.time_scale = 10 * TIME_SCALE  # the recovery does not depend on how long devices take

    # README's recovery: release the killed run's lock, clear the create it left pending, run again.
    project.cli("cancel", "--yes")
    project.cli("refresh", "--yes", "--clear-pending-creates")
    assert pending_operations(project) == []
    up = project.up()

    assert "Traceback" not in up.output
    tasks = emulator.model.tasks()
    assert duplicates(tasks) == [] and len(tasks) == 11
    assert sorted(d for t in tasks for d in t["targets"]) == FLEET
    state = {r["urn"].rsplit("::", 1)[-1]: r for r in project.export().get("resources", [])}
    gate = state["fleet"]["outputs"]
    assert gate["counts"] == {"SUCCEEDED": 100} and gate["untouchedDevices"] == []
    assert [r["status"] for r in gate["waveReports"]] == ["passed"] * 3
    assert sorted(gate["taskIds"]) == sorted(t["taskId"] for t in tasks)
    assert marker.exists()
