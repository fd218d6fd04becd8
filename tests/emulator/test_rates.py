"""Request-rate quotas: a token bucket per operation answering 429 ThrottlingException past the rate, set from the
scenario, the Python API, the control API or `snowdm-emulator --rates`; throttled answers are counted."""

from __future__ import annotations

import json
import urllib.request

import boto3
import pytest

from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator
from pulumi_snowdm.emulator.scenario import ScenarioError, load_scenario

from test_cli_and_scenarios import run_cli, running


def answers(client, count: int, call) -> tuple[int, int]:
    """(accepted, throttled) of `count` calls made at once."""
    accepted = throttled = 0
    for _ in range(count):
        try:
            call(client)
            accepted += 1
        except client.exceptions.ThrottlingException as error:
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 429
            throttled += 1
    return accepted, throttled


def list_tasks(client):
    return client.list_tasks()


@pytest.mark.parametrize("emulator", [{"scenario": {"rates": {"ListTasks": {"rate": 1, "burst": 3}}}}],
                         indirect=True)
def test_a_quota_answers_throttling_past_its_burst_and_counts_it(emulator, make_sdm_client):
    client = make_sdm_client(emulator, retries={"total_max_attempts": 1})
    assert answers(client, 8, list_tasks) == (3, 5)
    client.list_devices()  # another operation has no quota here
    assert emulator.rates.throttled == {"ListTasks": 5}
    assert emulator.calls["ListTasks"] == 8


def test_every_other_operation_gets_a_bucket_of_its_own_from_the_star(make_emulator, make_sdm_client):
    emulator = make_emulator({"rates": {"*": 2, "ListDevices": 100}, "fleet": {"count": 1, "prefix": "smd-demo-"}})
    client = make_sdm_client(emulator, retries={"total_max_attempts": 1})
    assert answers(client, 4, list_tasks) == (2, 2)
    assert answers(client, 4, lambda c: c.list_devices()) == (4, 0)
    assert answers(client, 3, lambda c: c.describe_device(managedDeviceId="smd-demo-0000")) == (2, 1)


def test_the_control_api_reads_and_replaces_the_quotas_and_reset_restores_the_scenarios(make_emulator,
                                                                                           make_sdm_client):
    emulator = make_emulator({"rates": {"ListTasks": 1}})
    client = make_sdm_client(emulator, retries={"total_max_attempts": 1})
    request = urllib.request.Request(f"{emulator.url}/_snowdm/rates", method="PUT",
                                     data=json.dumps({"ListTasks": {"rate": 50, "burst": 10}}).encode())
    with urllib.request.urlopen(request) as answer:
        assert json.load(answer)["rates"] == {"ListTasks": {"rate": 50.0, "burst": 10.0}}
    assert answers(client, 10, list_tasks) == (10, 0)
    emulator.set_rates({})
    assert answers(client, 30, list_tasks) == (30, 0)
    emulator.reset()
    assert answers(client, 3, list_tasks) == (1, 2)
    with urllib.request.urlopen(f"{emulator.url}/_snowdm/rates") as answer:
        assert json.load(answer) == {"rates": {"ListTasks": {"rate": 1.0, "burst": 1.0}}, "throttled": {"ListTasks": 2}}


@pytest.mark.parametrize(("rates", "message"), [
    ({"ListExecution": 5}, "rates.ListExecution: not an operation"),
    ({"ListExecutions": 0}, "rates.ListExecutions: the rate must be requests per second above 0, got 0"),
    ({"ListExecutions": {"rate": 5, "burst": 0.5}}, "the burst must be a number of requests of at least 1"),
    ({"ListExecutions": {"rate": 5, "every": 2}}, "must be requests per second, or an object with 'rate'"),
    ([5], "rates: must be an object like"),
])
def test_bad_rates_name_the_key(rates, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(")):
        load_scenario({"rates": rates})


def test_the_rates_flag_overrides_the_scenario_and_is_checked():
    with running("--rates", "ListTasks=1/2,*=50") as served:
        client = boto3.session.Session().client(
            "snow-device-management", endpoint_url=served.url, region_name="us-west-2",
            aws_access_key_id=DEFAULT_ACCESS_KEY_ID, aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY,
            config=boto3.session.Config(retries={"total_max_attempts": 1}))
        accepted, throttled = answers(client, 6, list_tasks)
        with urllib.request.urlopen(f"{served.url}/_snowdm/rates") as answer:
            rates = json.load(answer)
    assert rates["rates"] == {"ListTasks": {"rate": 1.0, "burst": 2.0}, "*": {"rate": 50.0, "burst": 50.0}}
    assert accepted <= 3 and throttled == rates["throttled"]["ListTasks"] >= 3
    result = run_cli("--rates", "ListTasks=fast")
    assert result.returncode == 2 and "argument --rates: 'ListTasks=fast': use OPERATION=RATE" in result.stderr
    result = run_cli("--rates", "ListTask=5")
    assert result.returncode == 2 and "argument --rates: --rates.ListTask: not an operation" in result.stderr


def test_rates_given_to_the_emulator_win_over_the_scenarios():
    emulator = Emulator(scenario={"rates": {"ListTasks": 1}}, rates={"ListTasks": 7})
    assert emulator.rates.rates["ListTasks"].rate == 7
