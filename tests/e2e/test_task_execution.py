"""TaskExecution end to end: real Pulumi engine, real boto3 over HTTP, the emulator as SDM.

Each test creates a task with boto3 (as a pipeline step would), then deploys a program that gates on one device's
execution and deploys a marker resource that depends on the gate: the marker file exists only if the gate passed.
"""

from __future__ import annotations

import pytest

from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY

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
            "smd-rejected": {"outcome": "REJECTED"},
            "smd-timed-out": {"outcome": "TIMED_OUT"},
            "smd-offline": {"online": False},
            "smd-slow": {"run_seconds": 3600},
            "smd-slow-too": {"run_seconds": 3600},
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
    wait=config.get_bool("wait"),
    accept_canceled=config.get_bool("acceptCanceled"),
    queued_timeout_seconds=config.get_float("queuedTimeout"),
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


def gate_project(make_project, tmp_path, task_id: str, device: str, **config: str):
    marker = tmp_path / f"marker-{device}"
    marker.parent.mkdir(parents=True, exist_ok=True)
    project = make_project(GATE_PROGRAM, config={"taskId": task_id, "device": device, "marker": str(marker),
                                                 **config})
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
@pytest.mark.parametrize("device, state, hint", [
    ("smd-failed", "FAILED", "LOCKED"),
    ("smd-rejected", "REJECTED", "refused the command"),
    ("smd-timed-out", "TIMED_OUT", "did not finish in time"),
])
def test_gate_fails_the_deployment_and_nothing_depending_on_it_deploys(
        make_project, sdm_client, tmp_path, device, state, hint):
    task_id = create_task(sdm_client, device)
    project, marker = gate_project(make_project, tmp_path, task_id, device)

    result = project.up(expect_ok=False)

    execution = sdm_client.describe_execution(taskId=task_id, managedDeviceId=device)
    assert execution["state"] == state
    message = result.output
    for fact in (f"task {task_id}", f"device {device}", execution["executionId"], f"ended {state}", "started ",
                 "last updated ", f"Device {device}:", "last reached out", hint):
        assert fact in message, fact
    assert "Traceback" not in message  # our errors reach users as their message alone
    assert not marker.exists()
    assert resources_of(project, "snowdm:TaskExecution") == []


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_canceled_fails_unless_accepted(make_project, sdm_client, tmp_path):
    task_id = create_task(sdm_client, "smd-offline")
    sdm_client.cancel_task(taskId=task_id)
    assert sdm_client.describe_execution(taskId=task_id, managedDeviceId="smd-offline")["state"] == "CANCELED"

    refused, marker = gate_project(make_project, tmp_path, task_id, "smd-offline")
    output = refused.up(expect_ok=False).output
    assert "ended CANCELED" in output
    # A Python program's advice names its properties as Python writes them.
    assert "set `accept_canceled=True` if a canceled task is acceptable" in output and "change run_id" in output
    assert "acceptCanceled" not in output and "runId" not in output
    assert not marker.exists()

    accepted, marker = gate_project(make_project, tmp_path / "accepted", task_id, "smd-offline",
                                    acceptCanceled="true")
    assert accepted.up().outputs["state"] == "CANCELED"
    assert marker.exists()


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_an_offline_device_fails_after_the_queued_timeout(make_project, sdm_client, tmp_path):
    task_id = create_task(sdm_client, "smd-offline")
    project, marker = gate_project(make_project, tmp_path, task_id, "smd-offline", queuedTimeout="3")
    output = project.up(expect_ok=False).output
    assert "still QUEUED after" in output and "may be offline" in output
    assert not marker.exists()


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
@pytest.mark.parametrize("task_id", ["st-bad id/with?chars", "st-0123456789abcdef0"])
def test_a_missing_task_fails_at_once_saying_so(make_project, emulator, tmp_path, task_id):
    # Without telling "no such task" from "not listed yet", the gate kept looking through the whole 60 s
    # not-found grace period; now its first look that misses asks DescribeTask and stops.
    project, marker = gate_project(make_project, tmp_path, task_id, "smd-ok")
    output = project.up(expect_ok=False).output
    assert emulator.calls["DescribeTask"] >= 1
    assert emulator.calls["ListExecutions"] + emulator.calls["DescribeExecution"] <= 3, dict(emulator.calls)
    assert f"task {task_id} (given as task_id) was not found" in output
    assert "check `task_id` names an existing task" in output
    assert "not found yet" not in output and "Traceback" not in output
    assert not marker.exists()


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_refresh_tells_the_truth(make_project, sdm_client, emulator, tmp_path):
    task_id = create_task(sdm_client, "smd-ok")
    project, _ = gate_project(make_project, tmp_path, task_id, "smd-ok")
    project.up()

    # Failed out of band: refresh fails with the same message as create would.
    emulator.model.set_execution_state(task_id, "smd-ok", "FAILED")
    output = project.refresh(expect_ok=False).output
    assert f"task {task_id} on device smd-ok" in output and "ended FAILED" in output

    # Gone: refresh drops the gate from state.
    emulator.model.delete_task(task_id)
    project.refresh()
    assert resources_of(project, "snowdm:TaskExecution") == []


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_wait_false_records_the_state_and_refresh_shows_the_final_one(make_project, sdm_client, emulator, tmp_path):
    task_id = create_task(sdm_client, "smd-slow")
    project, marker = gate_project(make_project, tmp_path, task_id, "smd-slow", wait="false")
    result = project.up()
    assert result.outputs["state"] in ("QUEUED", "IN_PROGRESS")
    assert marker.exists()

    emulator.clock.advance(4000)
    project.refresh()
    assert resources_of(project, "snowdm:TaskExecution")[0]["outputs"]["state"] == "SUCCEEDED"


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_gate_that_did_not_wait_waits_once_told_to(make_project, sdm_client, emulator, tmp_path):
    task_id = create_task(sdm_client, "smd-slow-too")
    project, _ = gate_project(make_project, tmp_path, task_id, "smd-slow-too", wait="false")
    assert project.up().outputs["state"] in ("QUEUED", "IN_PROGRESS")

    emulator.clock.advance(4000)
    project.configure({"wait": "true"})
    result = project.up()
    assert result.changes.get("update") == 1
    assert result.outputs["state"] == "SUCCEEDED"


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_throttling_and_server_errors_do_not_change_verdicts(make_project, sdm_client, emulator, tmp_path):
    passing = create_task(sdm_client, "smd-ok")
    failing = create_task(sdm_client, "smd-failed")
    emulator.set_faults(throttle_rate=0.3, error_rate=0.05, seed=11)

    ok, ok_marker = gate_project(make_project, tmp_path / "ok", passing, "smd-ok")
    assert ok.up().outputs["state"] == "SUCCEEDED"
    assert ok_marker.exists()

    bad, bad_marker = gate_project(make_project, tmp_path / "bad", failing, "smd-failed")
    assert "ended FAILED" in bad.up(expect_ok=False).output
    assert not bad_marker.exists()
    assert emulator.calls  # the faults really were met
    assert emulator.faults.settings.throttle_rate == 0.3


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_bad_input_fails_preview_naming_the_property_without_calling_the_service(make_project, emulator, tmp_path):
    project, _ = gate_project(make_project, tmp_path, "t" * 65, "smd-ok")
    emulator.reset_calls()
    output = project.preview(expect_ok=False).output
    assert "'task_id' must be 1 to 64 characters, got 65" in output
    assert "property taskId value" not in output  # named as the program wrote it, not by the engine's path
    assert sum(emulator.calls.values()) == 0


AWS_CONFIG_KEY_ID = "AKIAE2ECONFIGKEY0001"
AWS_CONFIG_SECRET = "config-secret-do-not-store-0001"

ONLY_GATE = """
import pulumi
import pulumi_snowdm as snowdm

config = pulumi.Config()
gate = snowdm.TaskExecution("gate", task_id=config.require("taskId"), managed_device_id="smd-ok",
                            poll_interval_seconds=0.5)
pulumi.export("state", gate.state)
"""


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_no_credentials_in_state_or_output(make_project, sdm_client, tmp_path):
    task_id = create_task(sdm_client, "smd-ok")
    # Keys in the environment (the stack's env holds the emulator's), and keys in stack config as a program that
    # also uses pulumi-aws would have them: neither may reach state, even decrypted, nor the engine's output.
    project = make_project(ONLY_GATE, config={"taskId": task_id})
    project.configure({"aws:accessKey": AWS_CONFIG_KEY_ID, "aws:secretKey": AWS_CONFIG_SECRET},
                      secret=("aws:accessKey", "aws:secretKey"))
    result = project.up()
    assert result.outputs["state"] == "SUCCEEDED"

    exported = project.cli("stack", "export", "--show-secrets").stdout
    assert task_id in exported
    for secret in (DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, AWS_CONFIG_KEY_ID, AWS_CONFIG_SECRET):
        assert secret not in exported
        assert secret not in result.output
