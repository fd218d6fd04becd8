"""Unknown ids answer 404 ResourceNotFoundException; paginators see every item exactly once; bad tokens answer 400."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ARN = "arn:aws:snow-device-management:us-west-2:123456789012:{}"


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("describe_task", {"taskId": "st-nope"}),
        ("cancel_task", {"taskId": "st-nope"}),
        ("list_executions", {"taskId": "st-nope"}),
        ("describe_execution", {"taskId": "st-nope", "managedDeviceId": "smd-demo-0000"}),
        ("describe_device", {"managedDeviceId": "smd-nope"}),
        ("describe_device_ec2_instances", {"managedDeviceId": "smd-nope", "instanceIds": ["i-1"]}),
        ("list_device_resources", {"managedDeviceId": "smd-nope"}),
        ("list_tags_for_resource", {"resourceArn": ARN.format("task/st-nope")}),
        ("tag_resource", {"resourceArn": ARN.format("managed-device/smd-nope"), "tags": {"a": "b"}}),
        ("untag_resource", {"resourceArn": ARN.format("task/st-nope"), "tagKeys": ["a"]}),
        ("create_task", {"targets": ["smd-demo-0000", "smd-nope"], "command": {"reboot": {}}}),
    ],
)
def test_unknown_ids_are_404(sdm_client, method, params):
    with pytest.raises(ClientError) as caught:
        getattr(sdm_client, method)(**params)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "nope" in caught.value.response["Error"]["Message"]


def test_execution_of_a_device_the_task_does_not_target_is_404(sdm_client):
    task_id = sdm_client.create_task(targets=["smd-demo-0000"], command={"reboot": {}})["taskId"]
    with pytest.raises(sdm_client.exceptions.ResourceNotFoundException):
        sdm_client.describe_execution(taskId=task_id, managedDeviceId="smd-demo-0001")


def walk(client, operation: str, key: str, **params) -> list:
    pages = client.get_paginator(operation).paginate(**params)
    items = []
    for page in pages:
        assert len(page[key]) <= params.get("PaginationConfig", {}).get("PageSize", 100)
        items.extend(page[key])
    return items


@pytest.mark.parametrize("emulator", [{"fleet": {"count": 23, "prefix": "smd-p-"}}], indirect=True)
@pytest.mark.parametrize("page_size", [1, 4, 23, 50])
def test_list_devices_pages(sdm_client, page_size):
    devices = walk(sdm_client, "list_devices", "devices", PaginationConfig={"PageSize": page_size})
    assert [device["managedDeviceId"] for device in devices] == [f"smd-p-{index:04d}" for index in range(23)]


@pytest.mark.parametrize("emulator", [{"fleet": {"count": 10, "prefix": "smd-p-"}}], indirect=True)
def test_list_executions_and_tasks_page_without_repeats_or_gaps(sdm_client):
    targets = [f"smd-p-{index:04d}" for index in range(10)]
    task_ids = [sdm_client.create_task(targets=targets, command={"reboot": {}})["taskId"] for _ in range(25)]

    executions = walk(sdm_client, "list_executions", "executions", taskId=task_ids[0],
                      PaginationConfig={"PageSize": 3})
    assert [execution["managedDeviceId"] for execution in executions] == targets
    assert len({execution["executionId"] for execution in executions}) == 10

    tasks = walk(sdm_client, "list_tasks", "tasks", PaginationConfig={"PageSize": 4})
    assert [task["taskId"] for task in tasks] == task_ids

    in_progress = walk(sdm_client, "list_tasks", "tasks", state="IN_PROGRESS", PaginationConfig={"PageSize": 7})
    assert [task["taskId"] for task in in_progress] == task_ids
    assert walk(sdm_client, "list_tasks", "tasks", state="COMPLETED") == []

    queued = walk(sdm_client, "list_executions", "executions", taskId=task_ids[-1], state="QUEUED",
                  PaginationConfig={"PageSize": 4})
    assert len(queued) == 10


def test_tasks_created_between_pages_are_neither_repeated_nor_skipped(sdm_client):
    first = [sdm_client.create_task(targets=["smd-demo-0000"], command={"reboot": {}})["taskId"] for _ in range(5)]
    page = sdm_client.list_tasks(maxResults=2)
    later = sdm_client.create_task(targets=["smd-demo-0001"], command={"reboot": {}})["taskId"]
    seen = [task["taskId"] for task in page["tasks"]]
    token = page["nextToken"]
    while token:
        page = sdm_client.list_tasks(maxResults=2, nextToken=token)
        seen += [task["taskId"] for task in page["tasks"]]
        token = page.get("nextToken")
    assert seen == first + [later]


@pytest.mark.parametrize(
    "emulator",
    [{"devices": {"smd-r": {"instances": [{"instanceId": f"s.i-{index:017x}"} for index in range(7)]}}}],
    indirect=True,
)
def test_list_device_resources_pages(sdm_client):
    resources = walk(sdm_client, "list_device_resources", "resources", managedDeviceId="smd-r",
                     PaginationConfig={"PageSize": 2})
    assert [resource["id"] for resource in resources] == [f"s.i-{index:017x}" for index in range(7)]


@pytest.mark.parametrize("token", ["bm90IGEgdG9rZW4=", "AAAA", "====", "ZGV2aWNlcwox"])
def test_invalid_next_tokens_are_400(sdm_client, token):
    # "ZGV2aWNlcwox" is a real ListDevices token shape; ListTasks must refuse it.
    with pytest.raises(ClientError) as caught:
        sdm_client.list_tasks(nextToken=token)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "nextToken" in caught.value.response["Error"]["Message"]


def test_a_token_of_one_task_does_not_page_another(sdm_client):
    targets = [f"smd-demo-{index:04d}" for index in range(4)]
    one, two = (sdm_client.create_task(targets=targets, command={"reboot": {}})["taskId"] for _ in range(2))
    token = sdm_client.list_executions(taskId=one, maxResults=1)["nextToken"]
    with pytest.raises(sdm_client.exceptions.ValidationException):
        sdm_client.list_executions(taskId=two, nextToken=token)
