"""Orchestration of task calls: client tokens (stable forever), shards, the bounded fan-out, retag's error names,
and the DescribeTask that tells a missing task apart."""

import threading
import time
import types

import botocore.exceptions
import pytest

from pulumi_snowdm._core.errors import NotFound, SnowdmError
from pulumi_snowdm._core.task_actions import client_token, existing_tasks, fan_out, retag
from pulumi_snowdm._core.wording import PYTHON


def test_client_tokens_never_change_for_the_same_scope_and_inputs():
    # Existing stacks hold tasks made with these tokens: a change would send the command again on the next retry.
    inputs = {"command": "unlock", "targets": ["smd-1", "smd-2"], "description": "d", "tags": {"a": "b"},
              "runId": "r1", "scope": "ignored"}
    assert client_token("proj/dev/unlock", inputs) == "pulumi-snowdm-07362d8c6223a77892a5ebc9c4b6f7a28154fe839ce59231"


def test_fan_out_keeps_order_bounds_concurrency_and_raises_the_first_error():
    running, peak, lock = [0], [0], threading.Lock()

    def call(n):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        return n * 2

    assert fan_out(call, range(20), workers=3) == [n * 2 for n in range(20)]
    assert peak[0] <= 3
    assert fan_out(call, []) == []

    def failing(n):
        if n == 2:
            raise NotFound("task", f"st-{n}")
        return n
    with pytest.raises(NotFound, match="st-2"):
        fan_out(failing, range(5))


class TagClient:
    """Just enough of a client for retag: the named call fails with an AccessDenied answer."""

    meta = types.SimpleNamespace(region_name="us-west-2", endpoint_url="http://127.0.0.1:1")

    def __init__(self, failing):
        self.failing = failing
        self.calls = []

    def _call(self, name, **params):
        self.calls.append(name)
        if name == self.failing:
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "no"},
                 "ResponseMetadata": {"HTTPStatusCode": 403}}, name)

    def untag_resource(self, **params):
        self._call("UntagResource", **params)

    def tag_resource(self, **params):
        self._call("TagResource", **params)


@pytest.mark.parametrize("failing", ["UntagResource", "TagResource"])
def test_retag_names_the_call_that_failed(failing):
    with pytest.raises(SnowdmError) as caught:
        retag(TagClient(failing), "arn:task", {"gone": "1", "kept": "1"}, {"kept": "2"})
    assert str(caught.value).startswith(f"{failing} ")


class TaskClient:
    """DescribeTask answers from a dict of known task ids."""

    meta = TagClient.meta

    def __init__(self, known):
        self.known = known

    def describe_task(self, taskId):
        if taskId not in self.known:
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "ResourceNotFoundException", "Message": "no such task"},
                 "ResponseMetadata": {"HTTPStatusCode": 400}}, "DescribeTask")
        return {"taskId": taskId, "targets": self.known[taskId]}


def test_a_missing_task_is_named_with_the_input_and_what_to_check():
    client = TaskClient({"st-1": ["smd-1"]})
    assert existing_tasks(client, ["st-1"], prop="taskIds", label="gate", say=print,
                          wording=PYTHON)[0]["targets"] == ["smd-1"]
    with pytest.raises(SnowdmError) as caught:
        existing_tasks(client, ["st-1", "st-nope"], prop="taskIds", label="fleet gate g", say=print,
                       wording=PYTHON)
    text = str(caught.value)
    assert text.startswith("fleet gate g: task st-nope (given as task_ids) was not found")
    assert "check `task_ids` names an existing task" in text and "snowdm:region" in text
