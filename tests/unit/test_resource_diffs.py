"""diff and update of the resources: what replaces, what updates in place, and what changes nothing.

Replacing a Task reboots or unlocks devices again, so these rules are worth pinning down one by one.
"""

import pytest

from pulumi_snowdm.resources.task import TaskProvider
from pulumi_snowdm.resources.task_execution import TaskExecutionProvider

GATE = {"taskId": "st-1", "managedDeviceId": "smd-1", "wait": True, "acceptCanceled": False,
        "timeoutSeconds": 1800, "__provider": "old-serialized-provider",
        "executionId": "se-1", "state": "SUCCEEDED", "startedAt": "2024-05-01T12:00:00Z"}


@pytest.mark.parametrize("change, changes, replaces", [
    ({}, False, []),
    ({"__provider": "a-newer-serialized-provider"}, False, []),
    ({"state": "FAILED"}, False, []),  # an output, not an input
    ({"timeoutSeconds": 60}, True, []),
    ({"acceptCanceled": True}, True, []),
    ({"taskId": "st-2"}, True, ["taskId"]),
    ({"managedDeviceId": "smd-2"}, True, ["managedDeviceId"]),
])
def test_task_execution_diff(change, changes, replaces):
    result = TaskExecutionProvider().diff("st-1/smd-1", GATE, {**GATE, **change})
    assert result.changes is changes
    assert result.replaces == replaces


def test_task_execution_update_keeps_the_outputs():
    outs = TaskExecutionProvider().update("st-1/smd-1", GATE, {**GATE, "timeoutSeconds": 60}).outs
    assert outs["timeoutSeconds"] == 60
    assert (outs["executionId"], outs["state"], outs["startedAt"]) == ("se-1", "SUCCEEDED", "2024-05-01T12:00:00Z")


TASK = {"command": "reboot", "targets": ["smd-1", "smd-2"], "description": "Reboot", "tags": {"team": "edge"},
        "scope": "p/s/reboot", "__provider": "old", "taskId": "st-1", "state": "IN_PROGRESS"}


@pytest.mark.parametrize("change, changes, replaces", [
    ({"__provider": "new"}, False, []),
    ({"targets": ["smd-1", "smd-2"]}, False, []),
    ({"tags": {"team": "edge", "ticket": "CHG-1"}}, True, []),
    ({"tags": {}}, True, []),
    ({"command": "unlock"}, True, ["command"]),
    ({"targets": ["smd-1"]}, True, ["targets"]),
    ({"description": "Again"}, True, ["description"]),
    ({"runId": "2"}, True, ["runId"]),
])
def test_task_diff(change, changes, replaces):
    result = TaskProvider().diff("st-1", TASK, {**TASK, **change})
    assert result.changes is changes
    assert result.replaces == replaces
