"""Each host's words in `_core`'s messages: the dynamic resources speak Python (snake_case, `pulumi config`), the
plugin its schema's camelCase and stack config, the CLI its --options and the AWS variables; the same failure
reads differently for each, and no host's words leak into another's."""

from __future__ import annotations

import argparse

import botocore.exceptions
import pytest

from pulumi_snowdm._core.client import translate
from pulumi_snowdm._core.diagnosis import explain_execution_failure, explain_fleet_failure
from pulumi_snowdm._core.errors import SnowdmError
from pulumi_snowdm._core.input_checks import InputCheck
from pulumi_snowdm._core.name_case import snake
from pulumi_snowdm._core.settings import ClientSettings, check_region
from pulumi_snowdm._core.shares import parse_threshold
from pulumi_snowdm._core.spec import FLEET_GATE
from pulumi_snowdm._core.wait.threshold import FleetRule, judge_fleet
from pulumi_snowdm._core.wait_inputs import check_timing
from pulumi_snowdm._core.wording import PYTHON
from pulumi_snowdm.cli import inputs
from pulumi_snowdm.plugin import config

CLI = inputs.wording("rerun `snowdm run` with the same --run-id r1")
HOSTS = {"python": PYTHON, "yaml": config.WORDING, "cli": CLI}
LABELS = {"python": snake, "yaml": lambda name: name, "cli": inputs.option_of}

# What each host's users read, for the same failure.
EXPECTED = {
    "python": {"flag": "set `accept_canceled=True`", "threshold": "(min_succeeded 95%)", "run": "run_id",
               "rerun": "rerun `pulumi up`", "region": "`pulumi config set snowdm:region <region>`"},
    "yaml": {"flag": "set `acceptCanceled: true`", "threshold": "(minSucceeded 95%)", "run": "runId",
             "rerun": "rerun `pulumi up`", "region": "`snowdm:region` in the stack config"},
    "cli": {"flag": "set --accept-canceled", "threshold": "(--min-succeeded 95%)", "run": "--run-id",
            "rerun": "rerun `snowdm run` with the same --run-id r1", "region": "--region <region> (or AWS_REGION)"},
}
FOREIGN = {
    "python": ("acceptCanceled", "minSucceeded", "--"),
    "yaml": ("accept_canceled", "min_succeeded", "--", "aws:region"),
    "cli": ("pulumi", "snowdm:", "accept_canceled", "acceptCanceled", "min_succeeded", "minSucceeded", "aws:"),
}


def _fleet_failure(host: str) -> str:
    view = {("st-1", f"smd-{n}"): {"executionId": f"e-{n}", "managedDeviceId": f"smd-{n}", "taskId": "st-1",
                                   "state": "CANCELED" if n == 0 else "SUCCEEDED"} for n in range(3)}
    outcome = judge_fleet(view, FleetRule(parse_threshold("95%")), device_ids=[d for _, d in view])
    return explain_fleet_failure(outcome, {}, describe="gate", creates_tasks=True, wording=HOSTS[host])


@pytest.mark.parametrize("host", HOSTS)
def test_a_fleet_failure_names_properties_as_the_host_writes_them(host):
    text = _fleet_failure(host)
    expected = EXPECTED[host]
    assert expected["flag"] + " if a canceled task is acceptable" in text
    assert expected["threshold"] in text
    assert f"change this FleetGate's {expected['run']}" in text
    assert not [word for word in FOREIGN[host] if word in text], text


@pytest.mark.parametrize("host", HOSTS)
def test_a_device_still_queued_is_waited_on_again_the_host_s_way(host):
    execution = {"taskId": "st-1", "managedDeviceId": "smd-1", "executionId": "e-1", "state": "QUEUED"}
    text = explain_execution_failure(execution, None, HOSTS[host])
    assert f"then {EXPECTED[host]['rerun']}: the gate waits again" in text


@pytest.mark.parametrize("host", HOSTS)
def test_configuration_advice_names_where_the_host_s_users_set_things(host):
    settings = ClientSettings(wording=HOSTS[host])
    no_region = str(translate(botocore.exceptions.NoRegionError(), "creating the client", "", settings))
    with pytest.raises(SnowdmError) as bad_region:
        check_region("bogus", "AWS_REGION", HOSTS[host])
    for text in (no_region, str(bad_region.value)):
        assert EXPECTED[host]["region"] in text
        assert not [word for word in FOREIGN[host] if word in text.replace("AWS_REGION", "")], text


@pytest.mark.parametrize("host", HOSTS)
def test_a_rule_between_two_timing_inputs_names_both_as_the_host_writes_them(host):
    label = LABELS[host]
    check = InputCheck(FLEET_GATE, {"pollIntervalSeconds": 30, "maxPollIntervalSeconds": 10}, label=label,
                       unknown=lambda _: False)
    check_timing(check)
    first, most = label("pollIntervalSeconds"), label("maxPollIntervalSeconds")
    assert (most, f"'{most}' must be at least '{first}'") in [(label(n), text) for n, text in check.failures]


def test_the_cli_settings_carry_the_cli_s_words():
    args = argparse.Namespace(region=None, profile=None, endpoint_url=None, max_rps=None)
    settings = inputs.client_settings(args, {"AWS_REGION": "eu-west-1"}, "run `snowdm wait --task-id st-1`")
    assert settings.wording.name("minSucceeded") == "--min-succeeded"
    assert settings.wording.name("timeoutSeconds") == "--timeout"
    assert settings.wording.rerun == "run `snowdm wait --task-id st-1`"
    assert config.settings({"region": "eu-west-1"}, {}).wording == config.WORDING
