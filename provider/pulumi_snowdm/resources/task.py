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
from pulumi import Output
from pulumi.dynamic import Resource

from pulumi_snowdm._core.operations import task as operations
from pulumi_snowdm._core.python_registration import SnakeCaseProperties, registration_props
from pulumi_snowdm._core.spec import TASK
from pulumi_snowdm._core.task_actions import Command
from pulumi_snowdm.hints import Input
from pulumi_snowdm.resources.provider import SdmProvider, stack_scope, with_provider


class TaskProvider(SdmProvider):
    """Dynamic provider of Task: the shared operations of `_core.operations.task`."""

    OPERATIONS = operations


class Task(SnakeCaseProperties, Resource, module="snowdm", name="Task"):
    """An SDM task: unlock or reboot sent to 1 to 10 managed devices. Created once: retries send the same client
    token, so the command never runs twice for one resource; change run_id to run it again on purpose. Given
    existing_task_id it adopts that task instead (and destroy leaves it). Tag changes update in place; other
    changes replace. Destroy cancels executions still QUEUED.

    Outputs (attributes, each a pulumi.Output):
        task_id: The task's id.
        task_arn: The task's ARN.
        state: IN_PROGRESS, CANCELED or COMPLETED, as DescribeTask answered.
        targets: The task's devices, as DescribeTask answered.
        created_at: When the task was created (ISO-8601 UTC).
        last_updated_at: When the task last changed (ISO-8601 UTC).
        completed_at: When the task completed (ISO-8601 UTC), if it has.
        description: The task's description.
        tags: The task's tags.
    """

    SPEC = TASK

    task_id: Output[str]
    task_arn: Output[str]
    state: Output[str]
    targets: Output[list]
    created_at: Output[str]
    last_updated_at: Output[str | None]
    completed_at: Output[str | None]
    description: Output[str | None]
    tags: Output[dict]

    def __init__(
        self,
        resource_name: str,
        *,
        command: Input[Command | str] | None = None,
        targets: Input[Sequence[Input[str]]] | None = None,
        description: Input[str] | None = None,
        tags: Input[Mapping[str, Input[str]]] | None = None,
        existing_task_id: Input[str] | None = None,
        run_id: Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare a Task; inputs are checked at preview, before any call to the service.

        Args:
            resource_name: The resource's name, unique in the stack.
            command: What the task runs (required unless existing_task_id is set). One of reboot, unlock.
            targets: Managed device ids, 1 to 10 (required unless existing_task_id is set).
            description: 1 to 128 characters of A-Z a-z 0-9 space _ . , ! #.
            tags: Tags of the task; changes are applied in place.
            existing_task_id: Adopt this task instead of creating one.
            run_id: Any text: a new value creates the task again (a new client token). 1 to 128 characters.
            opts: Pulumi resource options (depends_on, protect, provider, ...).
        """
        arguments = {**locals(), "command": command.value if isinstance(command, Command) else command}
        super().__init__(TaskProvider(), resource_name,
                         registration_props(TASK, arguments, scope=stack_scope(resource_name)), with_provider(opts))
