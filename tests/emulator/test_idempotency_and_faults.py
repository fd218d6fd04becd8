"""clientToken idempotency, and each kind of injected fault as a boto3 client sees it."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError

from pulumi_snowdm.emulator.faults import FaultInjector, FaultSettings

REBOOT = {"reboot": {}}


def test_same_token_same_parameters_returns_the_same_task(sdm_client, emulator):
    params = {"targets": ["smd-demo-0000", "smd-demo-0001"], "command": REBOOT, "description": "once",
              "tags": {"a": "b"}, "clientToken": "token-1"}
    first = sdm_client.create_task(**params)
    again = sdm_client.create_task(**params)
    assert (again["taskId"], again["taskArn"]) == (first["taskId"], first["taskArn"])
    assert len(emulator.model.tasks()) == 1
    assert emulator.calls["CreateTask"] == 2


@pytest.mark.parametrize(
    "change",
    [{"targets": ["smd-demo-0001"]}, {"command": {"unlock": {}}}, {"description": "other"}, {"tags": {"a": "c"}}],
)
def test_same_token_other_parameters_is_a_validation_error(sdm_client, emulator, change):
    params = {"targets": ["smd-demo-0000"], "command": REBOOT, "description": "once", "tags": {"a": "b"},
              "clientToken": "token-2"}
    first = sdm_client.create_task(**params)
    with pytest.raises(ClientError) as caught:
        sdm_client.create_task(**{**params, **change})
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    message = caught.value.response["Error"]["Message"]
    assert "clientToken" in message and first["taskId"] in message
    assert len(emulator.model.tasks()) == 1


def test_without_a_token_every_create_is_a_new_task(raw, emulator):
    # boto3 always fills a fresh token; a raw request can leave it out.
    body = b'{"targets": ["smd-demo-0000"], "command": {"reboot": {}}}'
    ids = {raw("POST", "/task", body).json()["taskId"] for _ in range(3)}
    assert len(ids) == 3
    assert len(emulator.model.tasks()) == 3


def test_a_token_of_a_deleted_task_creates_a_new_one(sdm_client, emulator):
    params = {"targets": ["smd-demo-0000"], "command": REBOOT, "clientToken": "token-3"}
    first = sdm_client.create_task(**params)["taskId"]
    emulator.model.delete_task(first)
    assert sdm_client.create_task(**params)["taskId"] != first


@pytest.fixture
def no_retry_client(make_sdm_client, emulator):
    return make_sdm_client(emulator, retries={"mode": "standard", "total_max_attempts": 1})


def test_throttling_is_a_429_throttling_exception(no_retry_client, emulator):
    emulator.set_faults(throttle_rate=1.0)
    with pytest.raises(ClientError) as caught:
        no_retry_client.list_tasks()
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_server_errors_are_500_and_retried_by_standard_mode(make_sdm_client, emulator):
    emulator.set_faults(error_rate=1.0)
    client = make_sdm_client(emulator, retries={"mode": "standard", "total_max_attempts": 2})
    with pytest.raises(ClientError) as caught:
        client.describe_device(managedDeviceId="smd-demo-0000")
    assert caught.value.response["Error"]["Code"] == "InternalServerException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert emulator.calls["DescribeDevice"] == 2


def test_latency_is_added(no_retry_client, emulator):
    emulator.set_faults(latency=0.2)
    began = time.monotonic()
    no_retry_client.list_devices()
    assert time.monotonic() - began >= 0.2


def test_latency_spikes_hit_a_share_of_calls(no_retry_client, emulator):
    emulator.set_faults(latency_spike_rate=1.0, latency_spike=0.15)
    began = time.monotonic()
    no_retry_client.list_devices()
    assert time.monotonic() - began >= 0.15


def test_dropped_connections_reach_the_client(no_retry_client, emulator):
    emulator.set_faults(drop_rate=1.0)
    with pytest.raises(ConnectionClosedError):
        no_retry_client.list_tasks()
    emulator.set_faults()
    assert no_retry_client.list_tasks()["tasks"] == []


def test_faults_can_target_some_operations(no_retry_client, emulator):
    emulator.set_faults(throttle_rate=1.0, operations=["DescribeTask"])
    task_id = no_retry_client.create_task(targets=["smd-demo-0000"], command=REBOOT)["taskId"]
    with pytest.raises(no_retry_client.exceptions.ThrottlingException):
        no_retry_client.describe_task(taskId=task_id)


def test_control_plane_is_never_faulted(raw, emulator):
    emulator.set_faults(throttle_rate=1.0, drop_rate=1.0)
    response = raw("GET", "/_snowdm/calls", sign=False)
    assert response.status == 200


@pytest.mark.parametrize(
    "emulator", [{"faults": {"throttle_rate": 0.5, "seed": 11}, "fleet": {"count": 1}}], indirect=True
)
def test_scenario_faults_with_a_seed_are_reproducible(no_retry_client, emulator):
    def outcomes():
        results = []
        for _ in range(20):
            try:
                no_retry_client.list_devices()
                results.append("ok")
            except no_retry_client.exceptions.ThrottlingException:
                results.append("429")
        return results

    first = outcomes()
    emulator.reset()
    assert outcomes() == first
    assert 0 < first.count("429") < 20


def test_fault_settings_are_checked():
    with pytest.raises(ValueError, match="throttle_rate"):
        FaultSettings.from_dict({"throttle_rate": 2})
    with pytest.raises(ValueError, match="unknown key 'rate'"):
        FaultSettings.from_dict({"rate": 0.1})
    same = [FaultInjector(FaultSettings(error_rate=0.3, seed=5)) for _ in range(2)]
    draws = [[bool(injector.decide("ListTasks").error) for _ in range(50)] for injector in same]
    assert draws[0] == draws[1]
