"""The installed `snowdm` speaks to its own users: advice names its options and the AWS variables, never Pulumi
config, for every way the settings or the service can let a command down before any execution is judged."""

from __future__ import annotations

import re

import pytest

# Pulumi, or a `snowdm:<key>` setting of stack config (the command's own "snowdm: error:" prefix is not one).
PULUMI_WORDS = re.compile(r"pulumi|snowdm:\w", re.IGNORECASE)


@pytest.mark.parametrize("args, env, says", [
    (("status", "--task-id", "st-1"), {"AWS_DEFAULT_REGION": None},
     ["no region is set", "--region <region> (or AWS_REGION)", "--profile (or AWS_PROFILE)"]),
    (("status", "--task-id", "st-1", "--region", "bogus"), {},
     ["--region is 'bogus', which is not a region name", "--region <region> (or AWS_REGION)"]),
    (("status", "--task-id", "st-1"), {"AWS_REGION": "bogus"},
     ["AWS_REGION is 'bogus', which is not a region name", "--region <region> (or AWS_REGION)"]),
    (("status", "--task-id", "st-1"), {"AWS_SECRET_ACCESS_KEY": "not-the-emulators-secret"},
     ["refused the call", "--profile (or AWS_PROFILE)", "--endpoint-url (or AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT)"]),
    (("wait", "--task-id", "st-missing", "--timeout", "5s"), {},
     ["task st-missing (given as --task-id) was not found", "check `--task-id` names an existing task",
      "--region <region> (or AWS_REGION)", "--endpoint-url"]),
], ids=["no region", "bad --region", "bad AWS_REGION", "refused credentials", "missing task"])
def test_advice_names_only_cli_options_and_aws_variables(snowdm, emulator, args, env, says):
    done = snowdm(*args, env_changes=env)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    for words in says:
        assert words in output, output
    assert not PULUMI_WORDS.findall(output), output
