"""Credentials never reach state, engine output or logs, wherever they come from.

Credentials come from the environment (key, secret and session token), from a profile in an AWS credentials file
(named by AWS_PROFILE or `snowdm:profile`), and sit in stack config as secrets the way a program that also uses
pulumi-aws has them (`aws:accessKey`, `aws:secretKey`, `aws:token`). Every operation runs through the CLI with the
engine's most verbose logging on stderr, flowed to the plugins (`--logtostderr --logflow -v=9`), and the test greps
the engine's output, those logs, and `pulumi stack export --show-secrets` for every secret value.

The programs hold only pulumi-snowdm resources on purpose: any dynamic resource on the default `pulumi-python`
provider (a user's own, say) makes the engine keep the whole stack config, secrets included (encrypted), in that
provider's state, where `--show-secrets` shows it. pulumi-snowdm's resources use an explicit provider that carries
only `snowdm:*`, `aws:region` and `aws:profile`.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e

ENV_KEY = ("AKIAE2EENVKEY0000001", "env-secret-do-not-store-000001", "env-session-token-do-not-store-000001")
PROFILE_KEY = ("AKIAE2EPROFILEKEY001", "profile-secret-do-not-store-001", "profile-session-token-do-not-store-01")
CONFIG_KEY = ("AKIAE2ECONFIGKEY0002", "config-secret-do-not-store-0002", "config-session-token-do-not-store-02")
PROFILE = "snowdm-e2e"

SCENARIO = {
    "scenario": {
        "default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 4},
        "devices": {"smd-ok": {}},
        # The emulator accepts the environment's and the profile's keys; the config's keys are never used.
        "credentials": {ENV_KEY[0]: ENV_KEY[1], PROFILE_KEY[0]: PROFILE_KEY[1]},
    },
    "time_scale": 4,
}

PROGRAM = '''
import pulumi
import pulumi_snowdm as snowdm

task = snowdm.Task("unlock", command="unlock", targets=["smd-ok"])
gate = snowdm.TaskExecution("gate", task_id=task.task_id, managed_device_id="smd-ok", poll_interval_seconds=0.5)
pulumi.export("state", gate.state)
'''

VERBOSE = ("--logtostderr", "--logflow", "-v=9")


def secret_project(make_project):
    """The program with the pulumi-aws style credentials in its stack config, as secrets."""
    project = make_project(PROGRAM)
    project.configure({"aws:accessKey": CONFIG_KEY[0], "aws:secretKey": CONFIG_KEY[1], "aws:token": CONFIG_KEY[2]},
                      secret=("aws:accessKey", "aws:secretKey", "aws:token"))
    return project


def use_environment_keys(project) -> None:
    project.env.update(zip(("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"), ENV_KEY, strict=True))


def use_profile(project, tmp_path, how: str) -> None:
    """Keys only in a profile of the test's own AWS files, chosen by AWS_PROFILE or by `snowdm:profile`."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        project.env.pop(name, None)
    (tmp_path / "aws-credentials").write_text(
        f"[{PROFILE}]\naws_access_key_id = {PROFILE_KEY[0]}\naws_secret_access_key = {PROFILE_KEY[1]}\n"
        f"aws_session_token = {PROFILE_KEY[2]}\n")
    (tmp_path / "aws-config").write_text(f"[profile {PROFILE}]\nregion = us-west-2\n")
    if how == "AWS_PROFILE":
        project.env["AWS_PROFILE"] = PROFILE
    else:
        project.configure({"snowdm:profile": PROFILE})


def run_verbose(project):
    """`pulumi up` then `pulumi refresh` with every log on; all they printed, and the state with secrets shown."""
    printed = []
    for operation in (["up", "--yes", "--skip-preview"], ["refresh", "--yes"]):
        result = project.cli(*operation, *VERBOSE, check=False)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        printed += [result.stdout, result.stderr]
    exported = project.cli("stack", "export", "--show-secrets").stdout
    return "\n".join(printed), exported


def gate_state(exported: str) -> str:
    resources = json.loads(exported)["deployment"]["resources"]
    return next(r["outputs"]["state"] for r in resources if r["type"].endswith("snowdm:TaskExecution"))


def assert_nowhere(secrets, printed: str, exported: str) -> None:
    for secret in secrets:
        assert secret not in exported, f"{secret[:8]}... is in the exported state"
        assert secret not in printed, f"{secret[:8]}... is in the engine's output or logs"


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_environment_and_config_credentials_stay_out_of_state_output_and_logs(make_project, emulator):
    project = secret_project(make_project)
    use_environment_keys(project)

    printed, exported = run_verbose(project)

    assert gate_state(exported) == "SUCCEEDED"
    assert emulator.calls["CreateTask"] == 1  # the environment's keys were the ones used
    # The logs really are the verbose ones (the engine's gRPC traffic with the plugins is in them).
    assert "RegisterResource" in printed
    assert_nowhere(ENV_KEY + CONFIG_KEY, printed, exported)


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
@pytest.mark.parametrize("how", ["AWS_PROFILE", "snowdm:profile"])
def test_profile_credentials_stay_out_of_state_output_and_logs(make_project, emulator, tmp_path, how):
    project = secret_project(make_project)
    use_profile(project, tmp_path, how)

    printed, exported = run_verbose(project)

    assert gate_state(exported) == "SUCCEEDED"
    assert emulator.calls["CreateTask"] == 1  # the profile's keys were the ones used
    assert_nowhere(PROFILE_KEY + CONFIG_KEY, printed, exported)
