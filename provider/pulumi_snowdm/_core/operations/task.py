"""Task's operations: CreateTask with a client token derived from the scope and inputs, or adopt an existing task.

Creating a task reboots or unlocks real devices, so a create must never run twice for one resource: a create retried
after a crash, a killed deployment or a failed one sends the same token, and the service answers with the task it
already made. Given existingTaskId, the task is adopted instead, and deleting leaves it alone; an imported task is
an adopted one. Tag changes update in place; any other change replaces. Deleting a created task cancels its
executions still QUEUED and says how many.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_snowdm._core.changes import InputReader
from pulumi_snowdm._core.context import Context
from pulumi_snowdm._core.errors import NotFound
from pulumi_snowdm._core.finders import find_task
from pulumi_snowdm._core.input_checks import InputCheck
from pulumi_snowdm._core.spec import TASK
from pulumi_snowdm._core.task_actions import cancel_queued, client_token, create_task, retag
from pulumi_snowdm._core.times import iso
from pulumi_snowdm._core.wait.policy import outlast_busy_service

SPEC = TASK
# What an adopted task's state holds as outputs only: these inputs are not the user's to give.
ADOPTED_OUTPUTS = ("command", "targets", "description")


def task_outputs(task: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's outputs from a DescribeTask answer."""
    return {
        "taskId": task["taskId"],
        "taskArn": task.get("taskArn"),
        "state": task.get("state"),
        "targets": list(task.get("targets") or []),
        "createdAt": iso(task.get("createdAt")),
        "lastUpdatedAt": iso(task.get("lastUpdatedAt")),
        "completedAt": iso(task.get("completedAt")),
        "description": task.get("description"),
        "tags": dict(task.get("tags") or {}),
    }


def import_inputs(id_: str) -> dict[str, Any]:
    """An imported task is adopted: its only input is its id."""
    return {"existingTaskId": id_}


def check(check: InputCheck) -> None:
    news = check.news
    adopted = check.check("existingTaskId")
    check.check_all(skip=("existingTaskId", "command", "targets"))
    check.check("command", required=adopted is None)
    check.check("targets", required=adopted is None)
    also_set = [name for name in ADOPTED_OUTPUTS if news.get(name) is not None]
    if adopted is not None and also_set:
        check.fail("existingTaskId", f"adopts a task as it is: leave {', '.join(map(check.label, also_set))} unset")


def create(ctx: Context, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    client = ctx.client()
    if props.get("existingTaskId"):
        task = outlast_busy_service(lambda: find_task(client, props["existingTaskId"]),
                                    label=f"task {props['existingTaskId']}", say=ctx.say)
        ctx.say(f"task {task['taskId']}: adopted ({task.get('state')})")
    else:
        # Both calls are safe to repeat while the service is busy: the client token returns the same task.
        created = outlast_busy_service(
            lambda: create_task(client, token=client_token(props["scope"], props), command=props["command"],
                                targets=props["targets"], description=props.get("description"),
                                tags=props.get("tags")),
            label=f"CreateTask for {', '.join(props['targets'])}", say=ctx.say)
        task = outlast_busy_service(lambda: find_task(client, created), label=f"task {created}", say=ctx.say)
        ctx.say(f"task {created}: {props['command']} sent to {len(props['targets'])} device(s)")
    return task["taskId"], {**SPEC.inputs_in(props), **task_outputs(task)}


def read(ctx: Context, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The task's outputs as they are now; None when it is gone."""
    try:
        task = find_task(ctx.client(), id_)
    except NotFound:
        return None
    return {**SPEC.inputs_in(props), **task_outputs(task)}


def update(ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    client = ctx.client()
    if news.get("tags") is not None or news.get("existingTaskId") is None:  # an adopted task's tags: if set
        retag(client, olds["taskArn"], dict(olds.get("tags") or {}), dict(news.get("tags") or {}))
    return {**SPEC.inputs_in(news), **task_outputs(find_task(client, id_))}


def delete(ctx: Context, id_: str, props: Mapping[str, Any]) -> None:
    if props.get("existingTaskId"):
        ctx.say(f"task {id_}: adopted, so left as it is")
        return
    queued = cancel_queued(ctx.client(), id_)
    if not queued:
        ctx.say(f"task {id_}: nothing left QUEUED, nothing to cancel")
        return
    ctx.say(f"task {id_}: canceled the {len(queued)} execution(s) still QUEUED ({', '.join(queued)})")


def input_reader(news: Mapping[str, Any]) -> InputReader | None:
    """Reads inputs as the user gave them. An adopted task's command, targets and description in state are what
    DescribeTask answered, not inputs; its tags are left alone unless the program sets them."""
    if news.get("existingTaskId") is None:
        return None
    not_given = (*ADOPTED_OUTPUTS, *(("tags",) if news.get("tags") is None else ()))
    return lambda props, name: None if name in not_given else props.get(name)
