"""Table-driven tests of _core.model_constraints: every kind of constraint, against the real service model's shapes."""

from __future__ import annotations

import datetime

import pytest
from botocore.model import ShapeResolver

from pulumi_snowdm._core.model_constraints import input_problems, shape_problems
from pulumi_snowdm._core.service_model import service_model


def shape(name: str):
    return service_model().shape_for(name)


@pytest.mark.parametrize(
    ("operation", "member", "value", "expected"),
    [
        ("DescribeTask", "taskId", "st-1", []),
        ("DescribeTask", "taskId", "x" * 64, []),
        ("DescribeTask", "taskId", "x" * 65, ["taskId: must be 1 to 64 characters, got 65"]),
        ("DescribeTask", "taskId", "", ["taskId: must be 1 to 64 characters, got 0"]),
        ("DescribeTask", "taskId", 7, ["taskId: must be a string, got integer"]),
        ("DescribeTask", "taskId", None, ["taskId: is required"]),
        ("CreateTask", "description", "Reboot the lab, now!", []),
        ("CreateTask", "description", "no-dashes", ["description: must match [A-Za-z0-9 _.,!#]*"]),
        ("CreateTask", "description", "ok\n", ["description: must match [A-Za-z0-9 _.,!#]*"]),
        ("CreateTask", "description", None, []),
        ("CreateTask", "description", "d" * 129, ["description: must be 1 to 128 characters, got 129"]),
        ("CreateTask", "clientToken", "token-1~", []),
        ("CreateTask", "clientToken", "has space", ["clientToken: must match [!-~]+"]),
        ("CreateTask", "targets", ["smd-1"], []),
        ("CreateTask", "targets", [], ["targets: must have 1 to 10 items, got 0"]),
        ("CreateTask", "targets", [f"d{i}" for i in range(11)], ["targets: must have 1 to 10 items, got 11"]),
        ("CreateTask", "targets", "smd-1", ["targets: must be a list, got string"]),
        ("CreateTask", "targets", ["ok", 3], ["targets[1]: must be a string, got integer"]),
        ("CreateTask", "command", {"reboot": {}}, []),
        ("CreateTask", "command", {"unlock": {}}, []),
        ("CreateTask", "command", {}, ["command: exactly one of reboot, unlock must be set"]),
        ("CreateTask", "command", {"reboot": {}, "unlock": {}}, ["command: exactly one of reboot, unlock must be set"]),
        (
            "CreateTask",
            "command",
            {"shutdown": {}},
            [
                "command.shutdown: unknown member; allowed members are reboot, unlock",
                "command: exactly one of reboot, unlock must be set",
            ],
        ),
        ("CreateTask", "command", {"reboot": []}, ["command.reboot: must be an object, got list"]),
        ("CreateTask", "tags", {"a": "b"}, []),
        ("CreateTask", "tags", {"a": 1}, ["tags['a']: must be a string, got integer"]),
        ("CreateTask", "tags", ["a"], ["tags: must be a map, got list"]),
        ("ListTasks", "maxResults", 1, []),
        ("ListTasks", "maxResults", 100, []),
        ("ListTasks", "maxResults", 0, ["maxResults: must be between 1 and 100, got 0"]),
        ("ListTasks", "maxResults", 101, ["maxResults: must be between 1 and 100, got 101"]),
        ("ListTasks", "maxResults", True, ["maxResults: must be an integer, got boolean"]),
        ("ListTasks", "maxResults", "5", ["maxResults: must be an integer, got string"]),
        ("ListTasks", "state", "COMPLETED", []),
        ("ListTasks", "state", "DONE", ["state: must be one of IN_PROGRESS, CANCELED, COMPLETED, got 'DONE'"]),
        ("ListExecutions", "nextToken", "YWJj", []),
        ("ListExecutions", "nextToken", "abc!", ["nextToken: must match [a-zA-Z0-9+/=]*"]),
        (
            "ListExecutions",
            "nextToken",
            "a" * 1025,
            ["nextToken: must be 1 to 1024 characters, got 1025"],
        ),
        (
            "ListExecutions",
            "state",
            "queued",
            [
                "state: must be one of QUEUED, IN_PROGRESS, CANCELED, FAILED, SUCCEEDED, REJECTED, TIMED_OUT, "
                "got 'queued'"
            ],
        ),
        ("ListDeviceResources", "type", "t" * 51, ["type: must be 1 to 50 characters, got 51"]),
        ("ListDevices", "jobId", None, []),
        ("DescribeTask", "bogus", "x", ["bogus: is not an input of DescribeTask; inputs are taskId"]),
    ],
)
def test_input_problems(operation, member, value, expected):
    assert input_problems(operation, member, value) == expected


@pytest.mark.parametrize(
    ("shape_name", "value", "expected"),
    [
        ("CreateTaskInput", {"targets": ["a"], "command": {"reboot": {}}}, []),
        (
            "CreateTaskInput",
            {},
            ["command: is required", "targets: is required"],
        ),
        (
            "CreateTaskInput",
            {"targets": ["a"], "command": {"reboot": {}}, "extra": 1},
            ["extra: unknown member; allowed members are clientToken, command, description, tags, targets"],
        ),
        ("CreateTaskInput", [], ["input: must be an object, got list"]),
        (
            "CreateTaskInput",
            {"targets": [], "command": {}, "description": "-" * 200},
            [
                "command: exactly one of reboot, unlock must be set",
                "description: must be 1 to 128 characters, got 200",
                "description: must match [A-Za-z0-9 _.,!#]*",
                "targets: must have 1 to 10 items, got 0",
            ],
        ),
        ("Instance", {"amiLaunchIndex": 0, "cpuOptions": {"coreCount": 2}}, []),
        ("Instance", {"cpuOptions": {"coreCount": "2"}}, ["cpuOptions.coreCount: must be an integer, got string"]),
        ("Instance", {"state": {"name": "WARM"}}, [
            "state.name: must be one of PENDING, RUNNING, SHUTTING_DOWN, TERMINATED, STOPPING, STOPPED, got 'WARM'"
        ]),
        ("Instance", {"createdAt": datetime.datetime(2024, 1, 1)}, []),
        ("Instance", {"createdAt": 1700000000.5}, []),
        ("Instance", {"createdAt": "2024-01-01T00:00:00"}, []),
        ("Instance", {"createdAt": "yesterday"}, [
            "createdAt: must be a timestamp (datetime, epoch seconds or ISO 8601), got string"
        ]),
        ("EbsInstanceBlockDevice", {"deleteOnTermination": "yes"}, [
            "deleteOnTermination: must be a boolean, got string"
        ]),
        ("Capacity", {"total": 10**15, "name": "n" * 101}, ["name: must be at most 100 characters, got 101"]),
        ("CapacityList", [{}] * 101, ["list: must have at most 100 items, got 101"]),
    ],
)
def test_shape_problems(shape_name, value, expected):
    path = "list" if shape_name == "CapacityList" else ""
    assert sorted(shape_problems(shape(shape_name), value, path)) == sorted(expected)


def test_a_zero_minimum_is_no_bound():
    # CapacityNameString is min 0, max 100: a minimum of zero is no bound, so only the maximum is stated.
    assert shape_problems(shape("CapacityNameString"), "x" * 101, "name") == [
        "name: must be at most 100 characters, got 101"
    ]


def test_nested_paths_name_list_items_and_members():
    problems = shape_problems(
        shape("InstanceBlockDeviceMappingList"), [{"ebs": {"status": "GONE"}}], "blockDeviceMappings"
    )
    assert problems == [
        "blockDeviceMappings[0].ebs.status: must be one of ATTACHING, ATTACHED, DETACHING, DETACHED, got 'GONE'"
    ]


def test_shapes_outside_the_sdm_model_work_too():
    resolver = ShapeResolver(
        {
            "Name": {"type": "string", "min": 2, "pattern": "[a-z]+"},
            "Count": {"type": "long", "min": 5},
            "Ratio": {"type": "double"},
            "Small": {"type": "integer", "max": 3},
            "Names": {"type": "list", "member": {"shape": "Name"}, "min": 1},
            "Blob": {"type": "blob"},
        }
    )
    assert shape_problems(resolver.get_shape_by_name("Name"), "A", "n") == [
        "n: must be at least 2 characters, got 1",
        "n: must match [a-z]+",
    ]
    assert shape_problems(resolver.get_shape_by_name("Count"), 4, "c") == ["c: must be at least 5, got 4"]
    assert shape_problems(resolver.get_shape_by_name("Small"), 4, "s") == ["s: must be at most 3, got 4"]
    assert shape_problems(resolver.get_shape_by_name("Ratio"), 0.5, "r") == []
    assert shape_problems(resolver.get_shape_by_name("Ratio"), "0.5", "r") == ["r: must be a number, got string"]
    assert shape_problems(resolver.get_shape_by_name("Names"), [], "l") == ["l: must have at least 1 items, got 0"]
    assert shape_problems(resolver.get_shape_by_name("Blob"), b"x", "b") == []


def test_checks_are_compiled_once_per_shape():
    from pulumi_snowdm._core import model_constraints

    create = service_model().operation_model("CreateTask").input_shape
    value = {"targets": [f"smd-{i}" for i in range(10)], "command": {"reboot": {}}, "description": "a b c"}
    assert shape_problems(create, value, "") == []
    assert model_constraints._checker(create) is model_constraints._checker(create)
