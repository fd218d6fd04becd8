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

from typing import Any, Mapping, Optional, Sequence

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from pulumi_snowdm._core.errors import NotFound
from pulumi_snowdm._core.finders import find_task
from pulumi_snowdm._core.task_actions import COMMANDS, Command, cancel_queued, client_token, create_task, retag
from pulumi_snowdm._core.wait.policy import outlast_busy_service
from pulumi_snowdm._core.times import iso
from pulumi_snowdm.resources.diffing import given_inputs, input_diff
from pulumi_snowdm.resources.inputs import InputCheck
from pulumi_snowdm.resources.naming import SnakeCaseProperties, snake
from pulumi_snowdm.resources.progress import report
from pulumi_snowdm.resources.provider import SdmProvider, stack_scope, with_provider

INPUTS = ("command", "targets", "description", "tags", "existingTaskId", "runId", "scope")
REPLACING_INPUTS = ("command", "targets", "description", "existingTaskId", "runId", "scope")
OUTPUTS = ("taskId", "taskArn", "state", "targets", "createdAt", "lastUpdatedAt", "completedAt", "description", "tags")


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
        check = InputCheck(news)
        adopted = check.api_value("existingTaskId", "DescribeTask", "taskId", required=False)
        check.choice("command", COMMANDS, required=adopted is None)
        check.api_value("targets", "CreateTask", "targets", required=adopted is None)
        check.api_value("description", "CreateTask", "description", required=False)
        check.api_value("tags", "CreateTask", "tags", required=False)
        check.text("runId", max_length=128)
        check.text("scope", max_length=1024)
        if adopted is not None and any(news.get(k) is not None for k in ("command", "targets", "description")):
            check.fail("existingTaskId", "'existingTaskId' adopts a task as it is: leave command, targets and "
                                         "description unset")
        self.settings()  # a bad region or endpoint fails preview, before any call
        return check.result()

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
        return CreateResult(task["taskId"], {**given_inputs(props, INPUTS), **task_outputs(task)})

    def read(self, id_: str, props: dict) -> ReadResult:
        try:
            task = find_task(self.client(), id_)
        except NotFound:
            return ReadResult("", {})
        return ReadResult(id_, {**given_inputs(props, INPUTS), **task_outputs(task)})

    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        return input_diff(olds, news, INPUTS, REPLACING_INPUTS)

    def update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        client = self.client()
        retag(client, olds["taskArn"], dict(olds.get("tags") or {}), dict(news.get("tags") or {}))
        return UpdateResult({**given_inputs(news, INPUTS), **task_outputs(find_task(client, id_))})

    def delete(self, id_: str, props: dict) -> None:
        if props.get("existingTaskId"):
            report(f"task {id_}: adopted, so left as it is")
            return
        queued = cancel_queued(self.client(), id_)
        if not queued:
            report(f"task {id_}: nothing left QUEUED, nothing to cancel")
            return
        report(f"task {id_}: canceled the {len(queued)} execution(s) still QUEUED ({', '.join(queued)})")


class Task(SnakeCaseProperties, Resource, module="snowdm", name="Task"):
    """An SDM task: `unlock` or `reboot` on 1 to 10 managed devices, created once, or adopted by id."""

    PROPERTIES = (*INPUTS, *OUTPUTS)

    task_id: pulumi.Output[str]
    task_arn: pulumi.Output[str]
    state: pulumi.Output[str]
    targets: pulumi.Output[list]
    created_at: pulumi.Output[str]
    last_updated_at: pulumi.Output[Optional[str]]
    completed_at: pulumi.Output[Optional[str]]
    description: pulumi.Output[Optional[str]]
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
        props = {
            "command": command.value if isinstance(command, Command) else command,
            "targets": targets,
            "description": description,
            "tags": tags,
            "existingTaskId": existing_task_id,
            "runId": run_id,
            "scope": stack_scope(resource_name),
            **{k: None for k in OUTPUTS if k not in ("targets", "description", "tags")},
        }
        super().__init__(TaskProvider(), resource_name, {snake(k): v for k, v in props.items()},
                         with_provider(opts))
