"""Every operation, called through real boto3 with valid inputs, answers with the members of its output shape."""

from __future__ import annotations

import datetime

import pytest

from pulumi_snowdm._core.model_constraints import shape_problems
from pulumi_snowdm._core.service_model import service_model

INSTANCE = {
    "instanceId": "s.i-0123456789abcdef0",
    "imageId": "s.ami-0123456789abcdef0",
    "instanceType": "sbe-c.large",
    "state": {"code": 16, "name": "RUNNING"},
    "cpuOptions": {"coreCount": 2, "threadsPerCore": 1},
    "securityGroups": [{"groupId": "s.sg-1", "groupName": "default"}],
    "blockDeviceMappings": [{"deviceName": "/dev/sda", "ebs": {"volumeId": "s.vol-1", "status": "ATTACHED"}}],
    "createdAt": "2024-05-01T10:00:00+00:00",
}
SCENARIO = {
    "devices": {
        "smd-a": {"instances": [INSTANCE], "tags": {"site": "lab"}, "associatedWithJob": "JID-a"},
        "smd-b": {},
    },
    "default": {"queued_seconds": 1, "run_seconds": 1},
}
pytestmark = pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)


def conforms(operation: str, response: dict) -> dict:
    """Assert the parsed response has only output members, of the right types; return it without metadata."""
    body = {key: value for key, value in response.items() if key != "ResponseMetadata"}
    output_shape = service_model().operation_model(operation).output_shape
    if output_shape is None:
        assert body == {}
        return body
    assert shape_problems(output_shape, body, "") == []
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["ResponseMetadata"]["RequestId"]
    return body


def test_every_operation_answers_its_output_shape(sdm_client, emulator):
    created = conforms(
        "CreateTask",
        sdm_client.create_task(
            targets=["smd-a", "smd-b"], command={"reboot": {}}, description="Reboot lab", tags={"team": "edge"}
        ),
    )
    task_id, task_arn = created["taskId"], created["taskArn"]
    assert task_arn == f"arn:aws:snow-device-management:us-west-2:123456789012:task/{task_id}"

    task = conforms("DescribeTask", sdm_client.describe_task(taskId=task_id))
    assert task["targets"] == ["smd-a", "smd-b"]
    assert task["state"] == "IN_PROGRESS"
    assert task["description"] == "Reboot lab"
    assert task["tags"] == {"team": "edge"}
    assert isinstance(task["createdAt"], datetime.datetime)

    execution = conforms("DescribeExecution", sdm_client.describe_execution(taskId=task_id, managedDeviceId="smd-a"))
    assert execution["state"] == "QUEUED" and execution["taskId"] == task_id
    assert execution["executionId"]

    executions = conforms("ListExecutions", sdm_client.list_executions(taskId=task_id))["executions"]
    assert [item["managedDeviceId"] for item in executions] == ["smd-a", "smd-b"]

    tasks = conforms("ListTasks", sdm_client.list_tasks())["tasks"]
    assert [item["taskId"] for item in tasks] == [task_id]

    device = conforms("DescribeDevice", sdm_client.describe_device(managedDeviceId="smd-a"))
    assert device["managedDeviceId"] == "smd-a"
    assert device["managedDeviceArn"].endswith(":managed-device/smd-a")
    assert device["associatedWithJob"] == "JID-a"
    assert device["tags"] == {"site": "lab"}
    assert device["deviceState"] in ("LOCKED", "UNLOCKED", "UNLOCKING")
    for member in ("lastReachedOutAt", "software", "deviceCapacities", "physicalNetworkInterfaces", "deviceType"):
        assert member in device

    devices = conforms("ListDevices", sdm_client.list_devices())["devices"]
    assert [item["managedDeviceId"] for item in devices] == ["smd-a", "smd-b"]
    by_job = conforms("ListDevices", sdm_client.list_devices(jobId="JID-a"))["devices"]
    assert [item["managedDeviceId"] for item in by_job] == ["smd-a"]

    resources = conforms("ListDeviceResources", sdm_client.list_device_resources(managedDeviceId="smd-a"))
    assert resources["resources"] == [
        {
            "resourceType": "AWS::EC2::Instance",
            "id": INSTANCE["instanceId"],
            "arn": f"arn:aws:ec2:us-west-2:123456789012:instance/{INSTANCE['instanceId']}",
        }
    ]
    filtered = sdm_client.list_device_resources(managedDeviceId="smd-a", type="AWS::ECS::Cluster")
    assert filtered["resources"] == []

    instances = conforms(
        "DescribeDeviceEc2Instances",
        sdm_client.describe_device_ec2_instances(managedDeviceId="smd-a", instanceIds=[INSTANCE["instanceId"], "nope"]),
    )["instances"]
    assert len(instances) == 1
    assert instances[0]["instance"]["instanceId"] == INSTANCE["instanceId"]
    assert instances[0]["instance"]["createdAt"] == datetime.datetime(2024, 5, 1, 10, tzinfo=datetime.UTC)

    conforms("TagResource", sdm_client.tag_resource(resourceArn=task_arn, tags={"owner": "ops", "x": "1"}))
    conforms("UntagResource", sdm_client.untag_resource(resourceArn=task_arn, tagKeys=["x", "team"]))
    assert conforms("ListTagsForResource", sdm_client.list_tags_for_resource(resourceArn=task_arn))["tags"] == {
        "owner": "ops"
    }

    canceled = conforms("CancelTask", sdm_client.cancel_task(taskId=task_id))
    assert canceled["taskId"] == task_id

    assert set(emulator.calls) == set(service_model().operation_names)


def test_device_tags_round_trip_through_the_device_arn(sdm_client):
    device_arn = sdm_client.describe_device(managedDeviceId="smd-b")["managedDeviceArn"]
    sdm_client.tag_resource(resourceArn=device_arn, tags={"rack": "r1", "row": "2"})
    sdm_client.untag_resource(resourceArn=device_arn, tagKeys=["row"])
    assert sdm_client.list_tags_for_resource(resourceArn=device_arn)["tags"] == {"rack": "r1"}
    assert sdm_client.describe_device(managedDeviceId="smd-b")["tags"] == {"rack": "r1"}
    listed = {item["managedDeviceId"]: item for item in sdm_client.list_devices()["devices"]}
    assert listed["smd-b"]["tags"] == {"rack": "r1"}


def test_timestamps_have_millisecond_precision(raw, sdm_client):
    task_id = sdm_client.create_task(targets=["smd-a"], command={"unlock": {}})["taskId"]
    body = raw("POST", f"/task/{task_id}").json()
    assert isinstance(body["createdAt"], float)
    assert round(body["createdAt"], 3) == body["createdAt"]
    assert set(body) <= set(service_model().operation_model("DescribeTask").output_shape.members)


def test_region_of_the_request_shows_in_arns(make_sdm_client, emulator):
    east = make_sdm_client(emulator, region="eu-central-1")
    created = east.create_task(targets=["smd-a"], command={"reboot": {}})
    assert created["taskArn"].startswith("arn:aws:snow-device-management:eu-central-1:123456789012:task/st-")
    assert east.describe_device(managedDeviceId="smd-a")["managedDeviceArn"].split(":")[3] == "eu-central-1"
