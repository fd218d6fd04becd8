"""Finders: answers without ResponseMetadata, every page of ListExecutions, NotFound on 404 (botocore Stubber)."""

import datetime

import pytest
from botocore.stub import Stubber

from pulumi_snowdm._core.client import sdm_client
from pulumi_snowdm._core.errors import AccessError, NotFound
from pulumi_snowdm._core.finders import find_device, find_execution, find_task, list_executions
from pulumi_snowdm._core.settings import ClientSettings

WHEN = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def stubbed():
    client = sdm_client(ClientSettings(region="us-east-1", endpoint="http://127.0.0.1:3"))
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def summary(device, state="QUEUED"):
    return {"executionId": f"e-{device}", "managedDeviceId": device, "state": state, "taskId": "st-1"}


def test_list_executions_reads_every_page(stubbed):
    client, stub = stubbed
    stub.add_response("list_executions", {"executions": [summary("smd-1"), summary("smd-2")], "nextToken": "abc"},
                      {"taskId": "st-1"})
    stub.add_response("list_executions", {"executions": [summary("smd-3")]}, {"taskId": "st-1", "nextToken": "abc"})
    assert [e["managedDeviceId"] for e in list_executions(client, "st-1")] == ["smd-1", "smd-2", "smd-3"]


def test_find_execution_drops_response_metadata(stubbed):
    client, stub = stubbed
    answer = {**summary("smd-1", "IN_PROGRESS"), "startedAt": WHEN, "lastUpdatedAt": WHEN}
    stub.add_response("describe_execution", dict(answer), {"taskId": "st-1", "managedDeviceId": "smd-1"})
    assert find_execution(client, "st-1", "smd-1") == answer


@pytest.mark.parametrize(
    "call, method, words",
    [
        (lambda c: find_execution(c, "st-1", "smd-1"), "describe_execution",
         "execution for task st-1 on device smd-1 was not found"),
        (lambda c: find_task(c, "st-1"), "describe_task", "task st-1 was not found"),
        (lambda c: find_device(c, "smd-1"), "describe_device", "device smd-1 was not found"),
        (lambda c: list_executions(c, "st-1"), "list_executions", "task st-1 was not found"),
    ],
)
def test_not_found(stubbed, call, method, words):
    client, stub = stubbed
    stub.add_client_error(method, "ResourceNotFoundException", "no such thing", 404)
    with pytest.raises(NotFound, match=words):
        call(client)


def test_access_denied_names_the_call(stubbed):
    client, stub = stubbed
    stub.add_client_error("describe_task", "AccessDeniedException", "not allowed", 403)
    with pytest.raises(AccessError, match="DescribeTask \\(task st-1\\)"):
        find_task(client, "st-1")
