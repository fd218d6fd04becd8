"""Access errors end to end: wrong credentials and denied calls fail saying which call, where, and what to check.

Preview cannot tell wrong credentials from right ones: `check` makes no API call (on purpose: previews must work
before the tasks they gate exist, and without reaching the service), and SigV4 keys can only be judged by the
service. So preview passes and `pulumi up` fails at the first call, naming it. A call the account is not allowed to
make (403 AccessDeniedException) fails the same way, naming the permission to grant.
"""

from __future__ import annotations

import pytest

from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY

pytestmark = pytest.mark.e2e

REGION = "us-west-2"
SCENARIO = {
    "scenario": {
        "default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 4},
        "devices": {"smd-ok": {}, "smd-other": {}},
    },
    "time_scale": 4,
}

# A Task the program creates, and a gate on a task made beforehand (as a pipeline step would).
PROGRAM = '''
import pulumi
import pulumi_snowdm as snowdm

config = pulumi.Config()
snowdm.Task("unlock", command="unlock", targets=["smd-other"])
snowdm.TaskExecution("gate", task_id=config.require("taskId"), managed_device_id="smd-ok",
                     poll_interval_seconds=0.5, timeout_seconds=60)
'''


def access_project(make_project, sdm_client):
    task_id = sdm_client.create_task(command={"unlock": {}}, targets=["smd-ok"])["taskId"]
    return make_project(PROGRAM, config={"taskId": task_id}), task_id


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip().startswith("error:")]


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_wrong_credentials_then_a_denied_call_fail_up_naming_the_call_endpoint_and_what_to_do(
        make_project, sdm_client, emulator):
    project, task_id = access_project(make_project, sdm_client)
    right = {name: project.env[name] for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    project.env.update({"AWS_ACCESS_KEY_ID": "AKIAE2EWRONGKEY00001", "AWS_SECRET_ACCESS_KEY": "wrong-secret-0001"})
    emulator.reset_calls()

    assert project.preview().ok
    assert sum(emulator.calls.values()) == 0  # preview made no call, so it could not have judged the keys

    output = project.up(expect_ok=False).output
    assert "Traceback" not in output
    assert "wrong-secret-0001" not in output
    create = next(line for line in error_lines(output) if "CreateTask" in line)
    gate = next(line for line in error_lines(output) if task_id in line)
    for message in (create, gate):
        assert "UnrecognizedClientException" in message
        assert f"region {REGION} at {emulator.url}" in message
        assert "To fix: check the credentials" in message
    # The gate names its own call, not a timeout after waiting in vain.
    assert "ListExecutions" in gate or "DescribeExecution" in gate
    assert emulator.model.tasks()[-1]["targets"] == ["smd-ok"]  # nothing was created with the wrong keys

    # The right keys, but an account not allowed the calls: the same run fails naming the permission to grant.
    project.env.update(right)
    emulator.set_denied(["CreateTask", "ListExecutions", "DescribeExecution"])

    output = project.up(expect_ok=False).output

    assert "Traceback" not in output
    create = next(line for line in error_lines(output) if "CreateTask" in line)
    assert "AccessDeniedException" in create
    assert "allow snow-device-management:CreateTask" in create
    assert f"region {REGION} at {emulator.url}" in create
    gate = next(line for line in error_lines(output) if task_id in line)
    assert "AccessDeniedException" in gate and "allow snow-device-management:" in gate
    assert DEFAULT_SECRET_ACCESS_KEY not in output and DEFAULT_ACCESS_KEY_ID + "/" not in output
    assert emulator.model.tasks()[-1]["targets"] == ["smd-ok"]
