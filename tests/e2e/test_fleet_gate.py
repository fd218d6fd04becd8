"""FleetGate end to end: real Pulumi engine, real boto3 over HTTP, the emulator as SDM, a fleet of 100 devices.

The program deploys one FleetGate (its arguments come from config as JSON) and a marker resource that depends on
it: the marker file exists only if the gate passed. Device time runs 4x wall time, so executions take about a second.
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

    # A new threshold is only recorded: no API call, the outputs stay those of the fleet that passed.
    calls = emulator.calls
    project.configure({"gate": json.dumps({**TIMING, **reboot_fleet(min_succeeded="90%")})})
    updated = project.up()
    assert updated.changes.get("update") == 1 and emulator.calls == calls
    assert updated.outputs["required"] == 100 and updated.outputs["task_ids"] == up.outputs["task_ids"]

    # New tags go to the tasks the gate made, in place.
    project.configure({"gate": json.dumps({**TIMING, **reboot_fleet(min_succeeded="90%", tags={"ticket": "CHG-7"})})})
    assert project.up().changes.get("update") == 1
    assert {t["taskId"] for t in emulator.model.tasks()} == set(up.outputs["task_ids"])
    for task in emulator.model.tasks():
        tags = emulator.model.list_tags(task["taskArn"])["tags"]
        assert {key: value for key, value in tags.items() if not key.startswith("snowdm:")} == {"ticket": "CHG-7"}
        assert "snowdm:run-scope" in tags  # the gate's record of what it sent stays


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


FAILING = {"smd-fleet-0007": "FAILED", "smd-fleet-0042": "REJECTED", "smd-fleet-0093": "TIMED_OUT"}


@pytest.mark.parametrize("emulator", [fleet_scenario({
    **{device: {"outcome": outcome, "run_seconds": 1} for device, outcome in FAILING.items()},
    "smd-fleet-0050": {"online": False},
})], indirect=True)
def test_a_percentage_threshold_passes_with_failures_and_destroy_cancels_what_is_queued(make_project, tmp_path,
                                                                                         emulator):
    project, marker = gate_project(make_project, tmp_path, **reboot_fleet(min_succeeded="95%"))
    up = project.up()

    assert marker.exists()
    assert sorted(up.outputs["failed_devices"]) == sorted(FAILING)
    assert (up.outputs["succeeded"], up.outputs["total"], up.outputs["required"]) == (96, 100, 95)
    assert up.outputs["counts"] == {"SUCCEEDED": 96, "QUEUED": 1, "FAILED": 1, "REJECTED": 1, "TIMED_OUT": 1}
    assert {device: up.outputs["executions"][device]["state"] for device in FAILING} == FAILING

    destroyed = project.destroy()
    assert "canceled 1 QUEUED execution(s)" in destroyed.output
    offline = [t["executions"]["smd-fleet-0050"] for t in emulator.model.tasks() if "smd-fleet-0050" in t["targets"]]
    assert offline == ["CANCELED"]


@pytest.mark.parametrize("emulator", [fleet_scenario({"smd-fleet-0003": {"outcome": "FAILED", "run_seconds": 1}},
                                                     run_seconds=400)], indirect=True)
def test_fail_fast_stops_at_the_first_failure(make_project, tmp_path, emulator):
    project, marker = gate_project(make_project, tmp_path, **reboot_fleet(fail_fast=True))
    started = emulator.clock.now()
    failed = project.up(expect_ok=False)

    # The other executions need 400 device seconds; the gate gave up long before that.
    assert emulator.clock.now() - started < 200
    assert not marker.exists()
    assert "Stopped early (fail_fast)" in failed.output and "smd-fleet-0003" in failed.output
    states = [state for t in emulator.model.tasks() for state in t["executions"].values()]
    assert states.count("IN_PROGRESS") == 99


@pytest.mark.parametrize("emulator", [fleet_scenario()], indirect=True)
def test_existing_tasks_are_gated_and_refresh_follows_them(make_project, tmp_path, emulator, sdm_client):
    task_ids = [sdm_client.create_task(command={"unlock": {}}, targets=FLEET[n:25][:10])["taskId"]
                for n in range(0, 25, 10)]
    project, _ = gate_project(make_project, tmp_path, task_ids=task_ids)
    up = project.up()

    assert up.outputs["task_ids"] == task_ids
    assert (up.outputs["succeeded"], up.outputs["total"]) == (25, 25)
    assert sorted(up.outputs["executions"]) == FLEET[:25]

    emulator.model.delete_task(task_ids[2])
    refreshed = project.refresh()
    assert "is gone; dropped from the gate" in refreshed.output
    gate = next(r for r in project.export()["resources"] if r["urn"].endswith("::fleet"))
    assert gate["outputs"]["taskIds"] == task_ids[:2] and gate["outputs"]["total"] == 20

    emulator.model.set_execution_state(task_ids[0], "smd-fleet-0004", "FAILED")
    failed = project.refresh(expect_ok=False)
    assert "smd-fleet-0004" in failed.output and "FAILED" in failed.output

    project.destroy()
    assert len(emulator.model.tasks()) == 2  # a gate over given tasks leaves them alone
    assert emulator.calls["CreateTask"] == 3 and emulator.calls["CancelTask"] == 0


@pytest.mark.parametrize("emulator", [fleet_scenario()], indirect=True)
def test_a_missing_task_fails_at_once_saying_so(make_project, tmp_path, emulator, sdm_client):
    real = sdm_client.create_task(command={"unlock": {}}, targets=FLEET[:2])["taskId"]
    project, marker = gate_project(make_project, tmp_path, task_ids=[real, "st-0123456789abcdef0"])
    failed = project.up(expect_ok=False)
    assert "task st-0123456789abcdef0 (given as task_ids) was not found" in failed.output
    assert "check `task_ids` names an existing task" in failed.output
    assert emulator.calls["ListExecutions"] == 0  # told before any wait began
    assert not marker.exists()


def test_exactly_one_of_task_ids_and_devices(make_project, tmp_path):
    project, _ = gate_project(make_project, tmp_path, task_ids=["st-1"], devices=["smd-demo-0000"], command="reboot")
    failed = project.preview(expect_ok=False)
    assert "'devices' and 'task_ids' exclude each other" in failed.output
