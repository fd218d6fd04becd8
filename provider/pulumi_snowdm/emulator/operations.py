"""The 13 SDM operations: each takes the checked input members and calls the model, turning pages into nextTokens.

Every operation of the service model must have a handler here; importing the module fails otherwise, so a botocore
upgrade that adds an operation is noticed at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_snowdm._core.service_model import service_model
from pulumi_snowdm.emulator.model import SnowDeviceManagement
from pulumi_snowdm.emulator.pagination import decode_token, encode_token

DEFAULT_PAGE_SIZE = 100

Handler = Callable[[SnowDeviceManagement, dict[str, Any], str], "dict[str, Any] | None"]


def _page(items_key: str, scope: str, page: tuple[list[dict], int | None]) -> dict[str, Any]:
    items, last = page
    output: dict[str, Any] = {items_key: items}
    if last is not None:
        output["nextToken"] = encode_token(scope, last)
    return output


def _limit(params: dict[str, Any]) -> int:
    return params.get("maxResults", DEFAULT_PAGE_SIZE)


def cancel_task(model, params, region):
    return model.cancel_task(params["taskId"])


def create_task(model, params, region):
    return model.create_task(
        targets=params["targets"],
        command=params["command"],
        description=params.get("description"),
        tags=params.get("tags"),
        client_token=params.get("clientToken"),
        region=region,
    )


def describe_device(model, params, region):
    return model.describe_device(params["managedDeviceId"], region)


def describe_device_ec2_instances(model, params, region):
    return model.describe_device_ec2_instances(params["managedDeviceId"], params["instanceIds"])


def describe_execution(model, params, region):
    return model.describe_execution(params["taskId"], params["managedDeviceId"])


def describe_task(model, params, region):
    return model.describe_task(params["taskId"])


def list_device_resources(model, params, region):
    scope = f"resources/{params['managedDeviceId']}"
    page = model.list_device_resources(
        device_id=params["managedDeviceId"],
        resource_type=params.get("type"),
        after=decode_token(params.get("nextToken"), scope),
        limit=_limit(params),
        region=region,
    )
    return _page("resources", scope, page)


def list_devices(model, params, region):
    page = model.list_devices(
        job_id=params.get("jobId"),
        after=decode_token(params.get("nextToken"), "devices"),
        limit=_limit(params),
        region=region,
    )
    return _page("devices", "devices", page)


def list_executions(model, params, region):
    scope = f"executions/{params['taskId']}"
    page = model.list_executions(
        task_id=params["taskId"],
        state=params.get("state"),
        after=decode_token(params.get("nextToken"), scope),
        limit=_limit(params),
    )
    return _page("executions", scope, page)


def list_tags_for_resource(model, params, region):
    return model.list_tags(params["resourceArn"])


def list_tasks(model, params, region):
    page = model.list_tasks(
        state=params.get("state"), after=decode_token(params.get("nextToken"), "tasks"), limit=_limit(params)
    )
    return _page("tasks", "tasks", page)


def tag_resource(model, params, region):
    model.tag_resource(params["resourceArn"], params["tags"])


def untag_resource(model, params, region):
    model.untag_resource(params["resourceArn"], params["tagKeys"])


HANDLERS: dict[str, Handler] = {
    "CancelTask": cancel_task,
    "CreateTask": create_task,
    "DescribeDevice": describe_device,
    "DescribeDeviceEc2Instances": describe_device_ec2_instances,
    "DescribeExecution": describe_execution,
    "DescribeTask": describe_task,
    "ListDeviceResources": list_device_resources,
    "ListDevices": list_devices,
    "ListExecutions": list_executions,
    "ListTagsForResource": list_tags_for_resource,
    "ListTasks": list_tasks,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
}

_missing = set(service_model().operation_names) - set(HANDLERS)
if _missing:
    raise ImportError(f"the emulator has no handler for {', '.join(sorted(_missing))}")
