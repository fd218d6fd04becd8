"""Invalid inputs get 400 ValidationException naming the field; the cases are generated from the model's constraints.

boto3 checks some constraints itself, so these clients run with parameter_validation=False: the emulator must
catch every violation, as the real service does.
"""

from __future__ import annotations

import re

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from pulumi_snowdm._core.service_model import service_model

TASK_ARN = "arn:aws:snow-device-management:us-west-2:123456789012:task/st-aaaaaaaaaaaaaaa"
DEVICE = "smd-demo-0000"

VALID_INPUTS = {
    "CancelTask": {"taskId": "st-1"},
    "CreateTask": {"targets": [DEVICE], "command": {"reboot": {}}},
    "DescribeDevice": {"managedDeviceId": DEVICE},
    "DescribeDeviceEc2Instances": {"managedDeviceId": DEVICE, "instanceIds": ["i-1"]},
    "DescribeExecution": {"taskId": "st-1", "managedDeviceId": DEVICE},
    "DescribeTask": {"taskId": "st-1"},
    "ListDeviceResources": {"managedDeviceId": DEVICE},
    "ListDevices": {},
    "ListExecutions": {"taskId": "st-1"},
    "ListTagsForResource": {"resourceArn": TASK_ARN},
    "ListTasks": {},
    "TagResource": {"resourceArn": TASK_ARN, "tags": {"a": "b"}},
    "UntagResource": {"resourceArn": TASK_ARN, "tagKeys": ["a"]},
}
_PATTERN_BREAKERS = ("-", " ", "\u00e9", "\n")


def _string_violations(shape):
    meta = shape.metadata
    if meta.get("max") is not None:
        yield f"longer than {meta['max']}", "x" * (meta["max"] + 1)
    if meta.get("min"):
        yield f"shorter than {meta['min']}", ""
    if meta.get("pattern"):
        pattern = re.compile(meta["pattern"])
        breaker = next(text for text in _PATTERN_BREAKERS if not pattern.fullmatch(text))
        yield f"not matching {meta['pattern']}", breaker * max(1, meta.get("min") or 1)
    if getattr(shape, "enum", None):
        yield "not in the enum", "NOT_A_STATE"


def _violations(shape):
    meta = shape.metadata
    if shape.type_name == "string":
        yield from _string_violations(shape)
    elif shape.type_name in ("integer", "long"):
        if meta.get("max") is not None:
            yield f"above {meta['max']}", meta["max"] + 1
        if meta.get("min") is not None:
            yield f"below {meta['min']}", meta["min"] - 1
    elif shape.type_name == "list":
        if meta.get("max") is not None:
            yield f"more than {meta['max']} items", [DEVICE] * (meta["max"] + 1)
        if meta.get("min"):
            yield f"fewer than {meta['min']} items", []
    elif shape.type_name == "structure" and meta.get("union"):
        yield "no union member", {}
        yield "every union member", {name: {} for name in shape.members}


def _cases():
    model = service_model()
    for operation in model.operation_names:
        for member, shape in model.operation_model(operation).input_shape.members.items():
            for why, value in _violations(shape):
                yield pytest.param(operation, member, value, id=f"{operation}.{member} {why}")


CASES = list(_cases())


def test_the_table_covers_every_kind_of_constraint():
    ids = " ".join(case.id for case in CASES)
    for expected in ("longer than", "shorter than", "not matching", "not in the enum", "above", "below",
                     "more than 10 items", "fewer than 1 items", "no union member", "every union member"):
        assert expected in ids
    assert len(CASES) > 30


@pytest.fixture
def unchecked_client(make_sdm_client, emulator):
    return make_sdm_client(emulator, parameter_validation=False, retries={"total_max_attempts": 1})


@pytest.mark.parametrize(("operation", "member", "value"), CASES)
def test_each_constraint_violation_is_a_400_naming_the_field(unchecked_client, operation, member, value):
    params = {**VALID_INPUTS[operation], member: value}
    with pytest.raises(ClientError) as caught:
        getattr(unchecked_client, xform_name(operation))(**params)
    error = caught.value.response
    assert error["Error"]["Code"] == "ValidationException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert re.search(rf"(^|; ){re.escape(member)}\b", error["Error"]["Message"]), error["Error"]["Message"]


@pytest.mark.parametrize(
    ("operation", "params", "field"),
    [
        ("CreateTask", {"command": {"reboot": {}}}, "targets"),
        ("CreateTask", {"targets": [DEVICE]}, "command"),
        ("TagResource", {"resourceArn": TASK_ARN}, "tags"),
        ("UntagResource", {"resourceArn": TASK_ARN}, "tagKeys"),
        ("ListExecutions", {}, "taskId"),
        ("DescribeDeviceEc2Instances", {"managedDeviceId": DEVICE}, "instanceIds"),
    ],
)
def test_missing_required_members_are_named(unchecked_client, operation, params, field):
    with pytest.raises(ClientError) as caught:
        getattr(unchecked_client, xform_name(operation))(**params)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert f"{field}: is required" in caught.value.response["Error"]["Message"]


def test_all_problems_of_one_request_are_reported_together(unchecked_client):
    with pytest.raises(ClientError) as caught:
        unchecked_client.create_task(targets=[], command={}, description="bad-description")
    message = caught.value.response["Error"]["Message"]
    assert "targets: must have 1 to 10 items, got 0" in message
    assert "command: exactly one of reboot, unlock must be set" in message
    assert "description: must match [A-Za-z0-9 _.,!#]*" in message


def test_non_sdm_arns_are_rejected_and_unknown_ones_not_found(unchecked_client):
    with pytest.raises(ClientError) as caught:
        unchecked_client.list_tags_for_resource(resourceArn="arn:aws:s3:::bucket")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "resourceArn" in caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as caught:
        unchecked_client.list_tags_for_resource(resourceArn=TASK_ARN)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_duplicate_targets_are_rejected(unchecked_client):
    with pytest.raises(ClientError) as caught:
        unchecked_client.create_task(targets=[DEVICE, DEVICE], command={"reboot": {}})
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "targets" in caught.value.response["Error"]["Message"]
