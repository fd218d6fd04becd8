"""Every example in examples/ runs through the real engine against the emulator: up, outputs, destroy.

The examples take the fleet as their `devices` config, as scripts/demo.sh gives it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FLEET = [f"smd-demo-{i:04d}" for i in range(4)]
FAST = {"scenario": None, "time_scale": 20}


def test_every_example_is_tested():
    assert sorted(p.name for p in EXAMPLES.iterdir() if (p / "Pulumi.yaml").exists()) == [
        "canary-reboot", "staged-reboot", "unlock-then-deploy", "yaml-gate"]


@pytest.mark.parametrize("emulator", [FAST], indirect=True)
def test_unlock_then_deploy(make_project, emulator):
    project = make_project(folder=EXAMPLES / "unlock-then-deploy", config={"devices": json.dumps(FLEET)})
    outputs = project.up().outputs
    assert outputs["executions"] == {device: "SUCCEEDED" for device in FLEET}
    manifest = Path(outputs["manifest"])
    assert json.loads(manifest.read_text())["devices"] == FLEET
    assert [task["targets"] for task in emulator.model.tasks()] == [FLEET]
    project.destroy()
    assert not manifest.exists()


@pytest.mark.parametrize("emulator", [FAST], indirect=True)
def test_unlock_then_deploy_deploys_nothing_when_a_device_fails(make_project, emulator):
    emulator.model.set_device(FLEET[2], outcome="REJECTED")
    project = make_project(folder=EXAMPLES / "unlock-then-deploy", config={"devices": json.dumps(FLEET)})
    output = project.up(expect_ok=False).output
    assert f"device {FLEET[2]}" in output and "ended REJECTED" in output
    assert not list(project.workdir.glob("release-*.json"))


@pytest.mark.parametrize("emulator", [FAST], indirect=True)
def test_canary_reboot(make_project, emulator):
    project = make_project(folder=EXAMPLES / "canary-reboot", config={"devices": json.dumps(FLEET)})
    outputs = project.up().outputs
    assert outputs["canary"] == "SUCCEEDED"
    assert outputs["fleetCounts"] == {"SUCCEEDED": 3} and outputs["fleetFailed"] == []
    tasks = emulator.model.tasks()
    assert [task["targets"] for task in tasks] == [FLEET[:1], FLEET[1:]]
    project.destroy()


@pytest.mark.parametrize("emulator", [FAST], indirect=True)
def test_canary_that_fails_stops_the_fleet_reboot(make_project, emulator):
    emulator.model.set_device(FLEET[0], outcome="FAILED")
    project = make_project(folder=EXAMPLES / "canary-reboot", config={"devices": json.dumps(FLEET)})
    output = project.up(expect_ok=False).output
    assert f"device {FLEET[0]}" in output and "ended FAILED" in output
    assert [task["targets"] for task in emulator.model.tasks()] == [FLEET[:1]]  # the fleet was never touched


@pytest.mark.parametrize("emulator", [FAST], indirect=True)
def test_staged_reboot(make_project, emulator):
    project = make_project(folder=EXAMPLES / "staged-reboot", config={"devices": json.dumps(FLEET)})
    outputs = project.up().outputs
    assert outputs["counts"] == {"SUCCEEDED": 4} and outputs["untouched"] == []
    assert [(wave["devices"], wave["status"]) for wave in outputs["waves"]] == [
        (FLEET[:1], "passed"), (FLEET[1:2], "passed"), (FLEET[2:], "passed")]
    assert [task["targets"] for task in emulator.model.tasks()] == [FLEET[:1], FLEET[1:2], FLEET[2:]]
    project.destroy()


def yaml_gate_config() -> dict[str, str]:
    return {"canary": FLEET[0], "fleet": ",".join(FLEET[1:])}


@pytest.mark.parametrize("emulator", [FAST], indirect=True)
def test_yaml_gate_through_the_plugin(make_project, emulator):
    project = make_project(folder=EXAMPLES / "yaml-gate", config=yaml_gate_config())
    outputs = project.up().outputs
    assert outputs["canary"] == "SUCCEEDED"
    assert outputs["fleetCounts"] == {"SUCCEEDED": 3}
    assert [task["targets"] for task in emulator.model.tasks()] == [FLEET[:1], FLEET[1:]]
    assert {r["type"] for r in project.export()["resources"]} >= {
        "snowdm:index:Task", "snowdm:index:TaskExecution", "snowdm:index:FleetGate"}
    project.destroy()


@pytest.mark.parametrize("emulator", [FAST], indirect=True)
def test_a_failing_canary_stops_the_staged_reboot(make_project, emulator):
    emulator.model.set_device(FLEET[0], outcome="FAILED")
    project = make_project(folder=EXAMPLES / "staged-reboot", config={"devices": json.dumps(FLEET)})
    output = project.up(expect_ok=False).output
    assert "rollout stopped at wave 1/3" in output and f"{FLEET[0]} (task " in output
    assert f"Untouched devices (3, the command was never sent to them): {', '.join(FLEET[1:])}." in output
    assert [task["targets"] for task in emulator.model.tasks()] == [FLEET[:1]]  # the rest was never touched


@pytest.mark.parametrize("emulator", [FAST], indirect=True)
def test_yaml_gate_whose_canary_fails_leaves_the_fleet_alone(make_project, emulator):
    emulator.model.set_device(FLEET[0], outcome="FAILED")
    project = make_project(folder=EXAMPLES / "yaml-gate", config=yaml_gate_config())
    output = project.up(expect_ok=False).output
    assert f"device {FLEET[0]}" in output and "ended FAILED" in output
    assert [task["targets"] for task in emulator.model.tasks()] == [FLEET[:1]]
