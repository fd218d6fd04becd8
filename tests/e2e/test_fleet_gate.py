"""FleetGate end to end: real Pulumi engine, real boto3 over HTTP, the emulator as SDM, a fleet of 100 devices.

The program deploys one FleetGate (its arguments come from config as JSON) and a marker resource that depends on
it: the marker file exists only if the gate passed. Device time runs 4x wall time, so executions take about a second.
Thresholds, failFast, gates over given tasks, retags and delete are proven below the engine, in
tests/operations/test_fleet_gate_operations.py; here is the engine's side: outputs in state, a rerun that changes
nothing, an update in place, refresh, and a failure that fails `pulumi up` with the message in Python's words.
"""

from __future__ import annotations

import json

import pytest

from programs import MARKER

pytestmark = pytest.mark.e2e

FLEET = [f"smd-fleet-{n:04d}" for n in range(100)]
TIMING = {"poll_interval_seconds": 0.5, "max_poll_interval_seconds": 1, "heartbeat_seconds": 2,
          "not_found_grace_seconds": 5}


def fleet_scenario(devices: dict | None = None, run_seconds: float = 4) -> dict:
    return {
        "scenario": {
            "default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": run_seconds},
            "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
            "devices": devices or {},
        },
        "time_scale": 4,
    }


PROGRAM = MARKER + '''
import json
from pathlib import Path

import pulumi

import pulumi_snowdm as snowdm

config = pulumi.Config()
gate = snowdm.FleetGate("fleet", **json.loads(config.require("gate")))


Marker("app", config.require("marker"), opts=pulumi.ResourceOptions(depends_on=[gate]))
for name in ("task_ids", "counts", "executions", "failed_devices", "succeeded", "total", "required"):
    pulumi.export(name, getattr(gate, name))
'''


def gate_project(make_project, tmp_path, **gate):
    marker = tmp_path / "marker"
    project = make_project(PROGRAM, config={"gate": json.dumps({**TIMING, **gate}), "marker": str(marker)})
    return project, marker


def reboot_fleet(**extra) -> dict:
    return {"devices": FLEET, "command": "reboot", **extra}


@pytest.mark.parametrize("emulator", [fleet_scenario()], indirect=True)
def test_a_healthy_fleet_passes_with_ten_tasks_created_once(make_project, tmp_path, emulator):
    project, marker = gate_project(make_project, tmp_path, **reboot_fleet())
    up = project.up()

    assert marker.exists()
    tasks = emulator.model.tasks()
    assert len(tasks) == 10 and sorted(d for t in tasks for d in t["targets"]) == FLEET
    assert sorted(up.outputs["task_ids"]) == sorted(t["taskId"] for t in tasks)
    assert up.outputs["counts"] == {"SUCCEEDED": 100}
    assert (up.outputs["succeeded"], up.outputs["total"], up.outputs["required"]) == (100, 100, 100)
    assert up.outputs["failed_devices"] == []
    record = up.outputs["executions"]["smd-fleet-0042"]
    assert record["state"] == "SUCCEEDED" and record["startedAt"] and record["lastUpdatedAt"]
    assert record["taskId"] in up.outputs["task_ids"] and record["executionId"].startswith("se-")
    assert "fleet gate fleet:" in up.output and "SUCCEEDED" in up.output

    again = project.up()
    assert emulator.calls["CreateTask"] == 10
    assert len(emulator.model.tasks()) == 10
    assert set(again.changes) == {"same"} and again.outputs["task_ids"] == up.outputs["task_ids"]

    # New tags go to the tasks the gate made, in place.
    project.configure({"gate": json.dumps({**TIMING, **reboot_fleet(tags={"ticket": "CHG-7"})})})
    updated = project.up()
    assert updated.changes.get("update") == 1 and updated.outputs["task_ids"] == up.outputs["task_ids"]
    assert {t["taskId"] for t in emulator.model.tasks()} == set(up.outputs["task_ids"])
    for task in emulator.model.tasks():
        tags = emulator.model.list_tags(task["taskArn"])["tags"]
        assert {key: value for key, value in tags.items() if not key.startswith("snowdm:")} == {"ticket": "CHG-7"}
        assert "snowdm:run-scope" in tags  # the gate's record of what it sent stays

    project.refresh()
    gate = next(r for r in project.export()["resources"] if r["urn"].endswith("::fleet"))
    assert gate["outputs"]["succeeded"] == 100 and gate["outputs"]["taskIds"] == up.outputs["task_ids"]


@pytest.mark.parametrize("emulator", [fleet_scenario({"smd-fleet-0042": {"outcome": "FAILED",
                                                                         "deviceState": "LOCKED"}})], indirect=True)
def test_one_failed_device_fails_the_gate_and_a_retry_sends_no_second_set(make_project, tmp_path, emulator):
    project, marker = gate_project(make_project, tmp_path, **reboot_fleet())
    failed = project.up(expect_ok=False)

    assert not marker.exists()
    assert "99 of 100 executions succeeded, 100 required" in failed.output
    assert "smd-fleet-0042" in failed.output and "FAILED" in failed.output
    assert "Device smd-fleet-0042: LOCKED" in failed.output  # DescribeDevice's diagnosis
    assert "(min_succeeded " in failed.output and "change this FleetGate's run_id" in failed.output  # Python's words
    assert "minSucceeded" not in failed.output and "runId" not in failed.output

    # The failed create left nothing in state; the retry finds the run's ten tasks and sends nothing.
    again = project.up(expect_ok=False)
    assert emulator.calls["CreateTask"] == 10
    assert len(emulator.model.tasks()) == 10
    assert "nothing sent: all 100 device(s) were already sent the command in this run" in again.output
