"""One finder per object: read it from the service, or raise NotFound (read -> gone, delete -> done).

Every botocore error goes through `client.translate`, so callers see only the error tree of `errors.py`.
Results are the service's answers without `ResponseMetadata`; timestamps stay datetimes (see `times.iso`).
"""

from __future__ import annotations

import botocore.exceptions

from pulumi_snowdm._core.client import translate
from pulumi_snowdm._core.errors import SnowdmError

# What a boto3 call raises besides our own errors; every one goes through `translate`.
BOTO_ERRORS = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)


def find_execution(client, task_id: str, device_id: str) -> dict:
    """DescribeExecution: one device's execution of one task (executionId, state, startedAt, lastUpdatedAt ...)."""
    return _call(client, "DescribeExecution", f"for task {task_id} on device {device_id}",
                 client.describe_execution, taskId=task_id, managedDeviceId=device_id)


def find_task(client, task_id: str) -> dict:
    """DescribeTask: the task's state, targets, timestamps and tags."""
    return _call(client, "DescribeTask", task_id, client.describe_task, taskId=task_id)


def find_device(client, device_id: str) -> dict:
    """DescribeDevice: deviceState, lastReachedOutAt, software and the rest of what the service knows."""
    return _call(client, "DescribeDevice", device_id,
                 client.describe_device, managedDeviceId=device_id)


def device_or_none(client, device_id: str) -> dict | None:
    """DescribeDevice for a failure message, or None: a failure is still explained when the device can't be read."""
    try:
        return find_device(client, device_id)
    except SnowdmError:
        return None


def list_executions(client, task_id: str) -> list[dict]:
    """ListExecutions, every page: summaries with executionId, managedDeviceId, state and taskId."""
    try:
        pages = client.get_paginator("list_executions").paginate(taskId=task_id)
        return [summary for page in pages for summary in page.get("executions", [])]
    except BOTO_ERRORS as error:
        raise translate(error, "ListExecutions", task_id, client=client) from None


def _call(client, operation: str, ids: str, method, **params) -> dict:
    try:
        answer = method(**params)
    except BOTO_ERRORS as error:
        raise translate(error, operation, ids, client=client) from None
    answer.pop("ResponseMetadata", None)
    return answer
