"""TaskExecution's operations: wait for one device's execution of a task and judge its final state.

create waits through the process's shared listing of the task (`_core.wait.listing`): SUCCEEDED passes; FAILED,
REJECTED, TIMED_OUT and CANCELED (unless acceptCanceled) fail with the device's diagnosis. With wait=false it
records the state it finds. DescribeExecution is read once at the end, for the timestamps. When the first look
does not find the execution, a DescribeTask tells a task that does not exist (fail at once) from an execution not
listed yet (the grace period applies). Outputs are what DescribeExecution answered, never the inputs.

read looks again: gone drops the gate, a failing final state fails with the same message as create. update only
waits when an unfinished state was recorded and the gate now waits; delete only forgets the gate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from pulumi_snowdm._core.context import Context
from pulumi_snowdm._core.diagnosis import explain_execution_failure
from pulumi_snowdm._core.errors import ExecutionFailed, NotFound, SnowdmError
from pulumi_snowdm._core.finders import device_or_none, find_execution
from pulumi_snowdm._core.input_checks import InputCheck
from pulumi_snowdm._core.spec import TASK_EXECUTION, TIMING_FIELDS
from pulumi_snowdm._core.task_actions import existing_tasks
from pulumi_snowdm._core.times import iso
from pulumi_snowdm._core.wait import acceptors
from pulumi_snowdm._core.wait.acceptors import StateVerdict
from pulumi_snowdm._core.wait.loop import DescribeSource, ExecutionGate
from pulumi_snowdm._core.wait.policy import WaitPolicy
from pulumi_snowdm._core.wait_inputs import check_timing, wait_policy

SPEC = TASK_EXECUTION
# The outputs an update in place keeps: the execution is the same.
OUTPUTS = ("executionId", "state", "startedAt", "lastUpdatedAt")


def execution_outputs(execution: Mapping[str, Any]) -> dict[str, Any]:
    """The gate's outputs from a DescribeExecution answer, never from the inputs."""
    return {
        "executionId": execution.get("executionId"),
        "state": execution.get("state"),
        "startedAt": iso(execution.get("startedAt")),
        "lastUpdatedAt": iso(execution.get("lastUpdatedAt")),
        "managedDeviceId": execution.get("managedDeviceId"),
        "taskId": execution.get("taskId"),
    }


def gate_id(task_id: str, device_id: str) -> str:
    return f"{task_id}/{device_id}"


def import_inputs(id_: str) -> dict[str, Any]:
    """The inputs of a gate imported by its id, `<taskId>/<managedDeviceId>`."""
    task_id, _, device_id = id_.partition("/")
    return {"taskId": task_id, "managedDeviceId": device_id}


def check(check: InputCheck) -> None:
    check.check_all(skip=tuple(TIMING_FIELDS))
    check_timing(check)


def create(ctx: Context, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    execution = _wait(ctx, props) if props.get("wait", True) else _first_look(ctx, props)
    return gate_id(props["taskId"], props["managedDeviceId"]), _outputs(props, execution)


def read(ctx: Context, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The gate's outputs as they are now; None when the execution is gone."""
    task_id, _, device_id = id_.partition("/")
    client = ctx.client()
    # A refresh reads what is there now: gone at once drops the gate; a busy service is outlasted.
    policy = dataclasses.replace(wait_policy(props), not_found_grace_seconds=0)
    try:
        execution = _look(ctx, task_id, device_id, policy)
    except NotFound:
        return None
    _judge(ctx, client, execution, bool(props.get("acceptCanceled")))
    return _outputs({**props, "taskId": task_id, "managedDeviceId": device_id}, execution)


def update(ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    # Only waiting settings changed: the execution is the same. A gate that recorded an unfinished state
    # (wait=False) and now waits must wait, though; otherwise its outputs stay as they were.
    if news.get("wait", True) and not acceptors.verdict(olds.get("state") or "").final:
        return _outputs(news, _wait(ctx, news))
    return {**{k: olds.get(k) for k in OUTPUTS}, **SPEC.inputs_in(news)}


def input_reader(news: Mapping[str, Any]) -> None:
    """A diff reads the inputs as state holds them: no output shares a name with an input."""
    return None


def delete(ctx: Context, id_: str, props: Mapping[str, Any]) -> None:
    """An execution cannot be deleted; the gate is only removed from state."""


def _label(task_id: str, device_id: str) -> str:
    return f"task {task_id} on {device_id}"


def _wait(ctx: Context, props: Mapping[str, Any]) -> dict:
    """Wait through the process's shared listing of the task: gates of one task share its ListExecutions."""
    client = ctx.client()
    task_id, device_id = props["taskId"], props["managedDeviceId"]
    policy = wait_policy(props)
    label = _label(task_id, device_id)

    def explain(summary: dict) -> str:
        # The listing has no timestamps: read the full record, and the device's story, for the message.
        return explain_execution_failure(_execution(client, summary), device_or_none(client, device_id), ctx.wording)

    gate = ExecutionGate(task_id, device_id, accept_canceled=bool(props.get("acceptCanceled")), explain=explain,
                         confirm_task=_task_check(ctx, client, task_id, label))
    ctx.wait_on_tasks([task_id], [device_id], gate, policy, label=label, events=ctx.lines(label, single=True))
    # Outputs carry startedAt and lastUpdatedAt, which only DescribeExecution gives. The gate has passed: a
    # busy service must not turn that into a failed deployment.
    return _look(ctx, task_id, device_id, policy)


def _first_look(ctx: Context, props: Mapping[str, Any]) -> dict:
    """wait=False: the state as it is now, allowing the grace period for an execution not there yet."""
    client = ctx.client()
    task_id, device_id = props["taskId"], props["managedDeviceId"]
    label = _label(task_id, device_id)
    execution = _look(ctx, task_id, device_id, wait_policy(props),
                      confirm_task=_task_check(ctx, client, task_id, label))
    ctx.say(f"{label}: recorded {execution['state']} without waiting (wait=False)")
    return execution


def _judge(ctx: Context, client, execution: dict, accept_canceled: bool) -> None:
    """Fail a refresh that finds the execution in a failing final state, as create would have."""
    if acceptors.verdict(execution.get("state", ""), accept_canceled=accept_canceled) is StateVerdict.FAIL:
        device = device_or_none(client, execution["managedDeviceId"])
        raise ExecutionFailed(explain_execution_failure(execution, device, ctx.wording))


def _task_check(ctx: Context, client, task_id: str, label: str):
    """DescribeTask, when an execution is not there at first: a missing task fails at once, naming `task_id`."""
    return lambda: existing_tasks(client, [task_id], prop="taskId", label=label, say=ctx.say,
                                  wording=ctx.wording)


def _look(ctx: Context, task_id: str, device_id: str, policy: WaitPolicy, confirm_task=None) -> dict:
    """DescribeExecution through the wait loop: NotFound within the policy's grace and a busy service are waited
    out."""
    client = ctx.client()
    label = _label(task_id, device_id)
    source = DescribeSource(lambda: find_execution(client, task_id, device_id), task_id, device_id)
    gate = ExecutionGate(task_id, device_id, confirm_task=confirm_task)
    decided = ctx.wait(source, gate, policy, label=label, events=ctx.lines(label, single=True, states=False),
                       until_seen=True)
    return decided.view[(task_id, device_id)]


def _execution(client, summary: dict) -> dict:
    """DescribeExecution for a listed execution, or the listing itself if that read fails."""
    try:
        return find_execution(client, summary["taskId"], summary["managedDeviceId"])
    except SnowdmError:
        return summary


def _outputs(props: Mapping[str, Any], execution: Mapping[str, Any]) -> dict[str, Any]:
    return {**SPEC.inputs_in(props), **execution_outputs(execution)}
