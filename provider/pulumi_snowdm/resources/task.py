"""Task: the work itself, an `unlock` or `reboot` sent to 1 to 10 managed devices.

Creating a task reboots or unlocks real devices, so a create must never run twice for one resource. CreateTask gets
a client token derived from the stack, the resource name and the inputs: a create retried after a crash, a killed
`pulumi up` or a failed deployment sends the same token, and the service answers with the task it already made.
To run the same command on the same devices again on purpose, change `run_id` (or the name or description).

Given `existing_task_id`, the resource adopts that task instead of creating one (`pulumi import` does not work for
dynamic resources), and destroying it leaves the task alone. Tag changes update in place; any other change
replaces the task. Destroying a created task cancels its executions still QUEUED and says how many; executions
already picked up by a device run to their end, as the service allows nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from pulumi_snowdm._core.errors import NotFound
from pulumi_snowdm._core.finders import find_task
from pulumi_snowdm._core.spec import TASK
from pulumi_snowdm._core.task_actions import Command, cancel_queued, client_token, create_task, retag
from pulumi_snowdm._core.times import iso
from pulumi_snowdm._core.wait.policy import outlast_busy_service
from pulumi_snowdm.resources.declared import check_result, diff_result, given_inputs, input_check, registration_props
from pulumi_snowdm.resources.naming import SnakeCaseProperties
from pulumi_snowdm.resources.progress import report
from pulumi_snowdm.resources.provider import SdmProvider, stack_scope, with_provider

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


class TaskProvider(SdmProvider):
    """Dynamic provider of Task: CreateTask with a derived client token, DescribeTask, tags, CancelTask."""

    def check(self, _olds: dict, news: dict):
        check = input_check(TASK, news)
        adopted = check.check("existingTaskId")
        check.check_all(skip=("existingTaskId", "command", "targets"))
        check.check("command", required=adopted is None)
        check.check("targets", required=adopted is None)
        given = [name for name in ADOPTED_OUTPUTS if news.get(name) is not None]
        if adopted is not None and given:
            check.fail("existingTaskId", f"adopts a task as it is: leave {', '.join(map(check.label, given))} unset")
        self.settings()  # a bad region or endpoint fails preview, before any call
        return check_result(check)

    def create(self, props: dict) -> CreateResult:
        client = self.client()
        if props.get("existingTaskId"):
            task = outlast_busy_service(lambda: find_task(client, props["existingTaskId"]),
                                        label=f"task {props['existingTaskId']}", report=report)
            report(f"task {task['taskId']}: adopted ({task.get('state')})")
        else:
            # Both calls are safe to repeat while the service is busy: the client token returns the same task.
            created = outlast_busy_service(
                lambda: create_task(client, token=client_token(props["scope"], props), command=props["command"],
                                    targets=props["targets"], description=props.get("description"),
                                    tags=props.get("tags")),
                label=f"CreateTask for {', '.join(props['targets'])}", report=report)
            task = outlast_busy_service(lambda: find_task(client, created), label=f"task {created}", report=report)
            report(f"task {created}: {props['command']} sent to {len(props['targets'])} device(s)")
        return CreateResult(task["taskId"], {**given_inputs(TASK, props), **task_outputs(task)})

    def read(self, id_: str, props: dict) -> ReadResult:
        try:
            task = find_task(self.client(), id_)
        except NotFound:
            return ReadResult("", {})
        return ReadResult(id_, {**given_inputs(TASK, props), **task_outputs(task)})

    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        return diff_result(TASK, olds, news, given=_user_inputs(news))

    def update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        client = self.client()
        if news.get("tags") is not None or news.get("existingTaskId") is None:  # an adopted task's tags: if set
            retag(client, olds["taskArn"], dict(olds.get("tags") or {}), dict(news.get("tags") or {}))
        return UpdateResult({**given_inputs(TASK, news), **task_outputs(find_task(client, id_))})

    def delete(self, id_: str, props: dict) -> None:
        if props.get("existingTaskId"):
            report(f"task {id_}: adopted, so left as it is")
            return
        queued = cancel_queued(self.client(), id_)
        if not queued:
            report(f"task {id_}: nothing left QUEUED, nothing to cancel")
            return
        report(f"task {id_}: canceled the {len(queued)} execution(s) still QUEUED ({', '.join(queued)})")


def _user_inputs(news: Mapping[str, Any]):
    """Reads inputs as the user gave them. An adopted task's command, targets and description in state are what
    DescribeTask answered, not inputs; its tags are left alone unless the program sets them."""
    if news.get("existingTaskId") is None:
        return None
    not_given = (*ADOPTED_OUTPUTS, *(("tags",) if news.get("tags") is None else ()))
    return lambda props, name: None if name in not_given else props.get(name)


class Task(SnakeCaseProperties, Resource, module="snowdm", name="Task"):
    """An SDM task: `unlock` or `reboot` on 1 to 10 managed devices, created once, or adopted by id."""

    SPEC = TASK

    task_id: pulumi.Output[str]
    task_arn: pulumi.Output[str]
    state: pulumi.Output[str]
    targets: pulumi.Output[list]
    created_at: pulumi.Output[str]
    last_updated_at: pulumi.Output[str | None]
    completed_at: pulumi.Output[str | None]
    description: pulumi.Output[str | None]
    tags: pulumi.Output[dict]

    def __init__(
        self,
        resource_name: str,
        *,
        command: pulumi.Input[Command | str] | None = None,
        targets: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        description: pulumi.Input[str] | None = None,
        tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        existing_task_id: pulumi.Input[str] | None = None,
        run_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = {**locals(), "command": command.value if isinstance(command, Command) else command}
        super().__init__(TaskProvider(), resource_name,
                         registration_props(TASK, arguments, scope=stack_scope(resource_name)), with_provider(opts))
