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

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from pulumi_snowdm._core.operations import task as operations
from pulumi_snowdm._core.spec import TASK
from pulumi_snowdm._core.task_actions import Command
from pulumi_snowdm.resources.declared import check_result, diff_result, input_check, registration_props
from pulumi_snowdm.resources.naming import SnakeCaseProperties
from pulumi_snowdm.resources.provider import SdmProvider, stack_scope, with_provider


class TaskProvider(SdmProvider):
    """Dynamic provider of Task: the shared operations of `_core.operations.task`."""

    def check(self, _olds: dict, news: dict):
        check = input_check(TASK, news)
        operations.check(check)
        self.settings()  # a bad region or endpoint fails preview, before any call
        return check_result(check)

    def create(self, props: dict) -> CreateResult:
        return CreateResult(*operations.create(self.context(), props))

    def read(self, id_: str, props: dict) -> ReadResult:
        outputs = operations.read(self.context(), id_, props)
        return ReadResult("", {}) if outputs is None else ReadResult(id_, outputs)

    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        return diff_result(TASK, olds, news, given=operations.user_inputs(news))

    def update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        return UpdateResult(operations.update(self.context(), id_, olds, news))

    def delete(self, id_: str, props: dict) -> None:
        operations.delete(self.context(), id_, props)


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
