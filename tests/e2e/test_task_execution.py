"""TaskExecution end to end: real Pulumi engine, real boto3 over HTTP, the emulator as SDM.

Each test creates a task with boto3 (as a pipeline step would), then deploys a program that gates on one device's
execution and deploys a marker resource that depends on the gate: the marker file exists only if the gate passed.
What the gate decides for each state, refresh, wait=false and updates are proven below the engine, in
tests/operations/test_task_execution_operations.py; here is the engine's side: outputs in state, progress in its
output, a failure that fails `pulumi up` with the message, and bad input failing preview.
"""

from __future__ import annotations

import pytest

from programs import MARKER

pytestmark = pytest.mark.e2e

# Device time runs 4x wall time: a 4-second run takes a second.
SCENARIO = {
    "scenario": {
        "default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 4},
        "devices": {
            "smd-ok": {},
            "smd-steady": {"run_seconds": 40},  # 10 s: still running when `up` starts, even on a busy machine
            "smd-failed": {"outcome": "FAILED", "deviceState": "LOCKED"},
        },
    },
    "time_scale": 4,
}

GATE_PROGRAM = MARKER + '''
from pathlib import Path

import pulumi

import pulumi_snowdm as snowdm

config = pulumi.Config()
gate = snowdm.TaskExecution(
    "gate",
    task_id=config.require("taskId"),
    managed_device_id=config.require("device"),
    poll_interval_seconds=0.5,
    max_poll_interval_seconds=1,
    heartbeat_seconds=2,
)


Marker("app", config.require("marker"), opts=pulumi.ResourceOptions(depends_on=[gate]))
for name in ("execution_id", "state", "started_at", "last_updated_at", "managed_device_id", "task_id"):
    pulumi.export(name, getattr(gate, name))
'''


def create_task(sdm_client, device: str, command: str = "unlock") -> str:
    return sdm_client.create_task(command={command: {}}, targets=[device])["taskId"]


def gate_project(make_project, tmp_path, task_id: str, device: str):
    marker = tmp_path / f"marker-{device}"
    project = make_project(GATE_PROGRAM, config={"taskId": task_id, "device": device, "marker": str(marker)})
    return project, marker


def resources_of(project, type_suffix: str) -> list[dict]:
    return [r for r in project.export().get("resources", []) if r["type"].endswith(type_suffix)]


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_gate_passes_with_outputs_from_the_service(make_project, sdm_client, tmp_path):
    project, marker = gate_project(make_project, tmp_path, "st-not-created-yet", "smd-steady")
    preview = project.preview()  # check only: no call reaches the service, so the task may not exist yet
    assert "pulumi-python:dynamic/snowdm:TaskExecution" in preview.output

    task_id = create_task(sdm_client, "smd-steady")
    project.configure({"taskId": task_id})
    result = project.up()
    described = sdm_client.describe_execution(taskId=task_id, managedDeviceId="smd-steady")
    assert result.outputs["state"] == "SUCCEEDED" == described["state"]
    assert result.outputs["execution_id"] == described["executionId"]
    assert result.outputs["task_id"] == task_id
    assert result.outputs["managed_device_id"] == "smd-steady"
    assert result.outputs["started_at"].startswith(described["startedAt"].strftime("%Y-%m-%dT%H:%M:%S"))
    assert result.outputs["last_updated_at"].startswith(
        described["lastUpdatedAt"].strftime("%Y-%m-%dT%H:%M:%S"))
    assert marker.read_text() == "deployed"
    # Progress while waiting, in the engine's own output.
    assert f"snowdm: task {task_id} on smd-steady: " in result.output
    assert "-> SUCCEEDED after" in result.output
    gate = resources_of(project, "snowdm:TaskExecution")[0]
    assert gate["id"] == f"{task_id}/smd-steady"

    assert project.preview().changes.get("update", 0) == 0
    project.refresh()
    assert resources_of(project, "snowdm:TaskExecution")[0]["outputs"]["state"] == "SUCCEEDED"
    project.destroy()
    assert resources_of(project, "snowdm:TaskExecution") == []


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_gate_fails_the_deployment_and_nothing_depending_on_it_deploys(make_project, sdm_client, tmp_path):
    device, state, hint = "smd-failed", "FAILED", "LOCKED"
    task_id = create_task(sdm_client, device)
    project, marker = gate_project(make_project, tmp_path, task_id, device)

    result = project.up(expect_ok=False)

    execution = sdm_client.describe_execution(taskId=task_id, managedDeviceId=device)
    assert execution["state"] == state
    message = result.output
    for fact in (f"task {task_id}", f"device {device}", execution["executionId"], f"ended {state}", "started ",
                 "last updated ", f"Device {device}:", "last reached out", hint):
        assert fact in message, fact
    # The dynamic provider's advice names properties as a Python program writes them.
    assert "change run_id" in message and "runId" not in message
    assert "Traceback" not in message  # our errors reach users as their message alone
    assert not marker.exists()
    assert resources_of(project, "snowdm:TaskExecution") == []


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_bad_input_fails_preview_naming_the_property_without_calling_the_service(make_project, emulator, tmp_path):
    project, _ = gate_project(make_project, tmp_path, "t" * 65, "smd-ok")
    emulator.reset_calls()
    output = project.preview(expect_ok=False).output
    assert "'task_id' must be 1 to 64 characters, got 65" in output
    assert "property taskId value" not in output  # named as the program wrote it, not by the engine's path
    assert sum(emulator.calls.values()) == 0
