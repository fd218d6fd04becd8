"""Provider settings through the engine: where the region and the endpoint come from, and when they take effect.

- AWS_REGION alone names the region (botocore reads only AWS_DEFAULT_REGION; the provider takes AWS_REGION over).
- A plain-http endpoint to a non-loopback host is refused at preview wherever it is written, a profile's
  `endpoint_url` included; the message names where it came from, and no call is made.
- `pulumi refresh` runs with the provider settings recorded at the last `up`, not the stack config of the moment.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

SCENARIO = {
    "scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 2},
                 "devices": {"smd-ok": {}}},
    "time_scale": 4,
}

PROGRAM = '''
import pulumi
import pulumi_snowdm as snowdm

task = snowdm.Task("unlock", command="unlock", targets=["smd-ok"])
pulumi.export("task_arn", task.task_arn)
'''


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_aws_region_alone_names_the_region_and_wins_over_aws_default_region(make_project):
    # Without AWS_DEFAULT_REGION too, AWS_REGION is the only region there is: tests/unit/test_settings.py.
    project = make_project(PROGRAM)
    project.cli("config", "rm", "snowdm:region")
    project.env["AWS_REGION"] = "ca-central-1"
    project.env["AWS_DEFAULT_REGION"] = "eu-west-1"

    up = project.up()

    # The emulator builds ARNs from the region the request was signed for.
    assert up.outputs["task_arn"].startswith("arn:aws:snow-device-management:ca-central-1:")


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_profile_endpoint_over_plain_http_fails_preview_naming_its_source(make_project, emulator):
    # Every other source of an endpoint (snowdm:endpoint, AWS_ENDPOINT_URL*, a [services] section) is refused by the
    # same check: tests/unit/test_settings.py. This is the refusal reaching a Python program's preview.
    project = make_project(PROGRAM, config={"snowdm:profile": "lab"})
    project.cli("config", "rm", "snowdm:endpoint")
    with open(project.env["AWS_CONFIG_FILE"], "w") as config:
        config.write("[profile lab]\nendpoint_url = http://10.1.2.3:4599\n")
    emulator.reset_calls()

    output = project.preview(expect_ok=False).output

    assert "endpoint_url of AWS profile 'lab'" in output
    assert project.env["AWS_CONFIG_FILE"] in output
    assert "plain http to 10.1.2.3, which is not a loopback host" in output
    assert "Traceback" not in output
    # Refused while checking inputs: preview makes no API call, so nothing went to 10.1.2.3 (nor anywhere).
    assert "could not connect" not in output
    assert sum(emulator.calls.values()) == 0


def provider_inputs(project) -> dict:
    """The inputs of the explicit pulumi-snowdm provider, as the last `up` recorded them in state."""
    resources = project.export()["resources"]
    return next(r["inputs"] for r in resources if r["type"] == "pulumi:providers:pulumi-python")


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_refresh_uses_the_settings_recorded_at_the_last_up(make_project, make_emulator, emulator):
    project = make_project(PROGRAM, config={"snowdm:maxAttempts": "3"})
    project.up()
    elsewhere = make_emulator(SCENARIO["scenario"])
    project.configure({"snowdm:endpoint": elsewhere.url, "snowdm:maxAttempts": "7"})
    emulator.reset_calls()

    project.refresh()

    assert emulator.calls["DescribeTask"] >= 1  # the endpoint of the last up
    assert sum(elsewhere.calls.values()) == 0  # not the one in stack config now
    assert provider_inputs(project)["snowdm:maxAttempts"] == "3"

    project.configure({"snowdm:endpoint": emulator.url})  # back where the task is, keeping maxAttempts 7
    project.up()
    assert provider_inputs(project)["snowdm:maxAttempts"] == "7"  # an up records the new settings
