"""TaskExecution: a gate that passes when one device's execution of a task succeeds, and fails the deployment
otherwise.

create waits for the execution to reach a final state (see `_core.wait.loop` for the loop and
`_core.wait.acceptors` for which states pass): SUCCEEDED passes; FAILED, REJECTED, TIMED_OUT and CANCELED (unless
`accept_canceled`) fail the deployment with the device's diagnosis, so nothing that depends on the gate is
deployed. The deadline is an input (`timeout_seconds`), since Pulumi's customTimeouts never reach dynamic
providers, and time in QUEUED has its own bound (an offline device queues forever). With `wait=False` the gate
records the state it finds and passes. Gates of the same task in one deployment share one ListExecutions poll
(`_core.wait.listing`); DescribeExecution is read once at the end, for the timestamps. When the first look does
not find the execution, a DescribeTask tells a task that does not exist (fail at once) from an execution not
listed yet (the grace period applies).

Outputs are what DescribeExecution answered. refresh reads the execution again: gone drops the gate from state, a
failing final state fails the refresh with the same message as create. Deleting a gate only forgets it: an
execution cannot be deleted.
"""

from __future__ import annotations

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from pulumi_snowdm._core.operations import task_execution as operations
from pulumi_snowdm._core.spec import TASK_EXECUTION
from pulumi_snowdm.resources.declared import check_result, diff_result, input_check, registration_props
from pulumi_snowdm.resources.naming import SnakeCaseProperties
from pulumi_snowdm.resources.provider import SdmProvider, with_provider


class TaskExecutionProvider(SdmProvider):
    """Dynamic provider of TaskExecution: the shared operations of `_core.operations.task_execution`."""

    def check(self, _olds: dict, news: dict):
        check = input_check(TASK_EXECUTION, news)
        operations.check(check)
        self.settings()  # a bad region or endpoint fails preview, before any call
        return check_result(check)

    def create(self, props: dict) -> CreateResult:
        return CreateResult(*operations.create(self.context(), props))

    def read(self, id_: str, props: dict) -> ReadResult:
        outputs = operations.read(self.context(), id_, props)
        return ReadResult("", {}) if outputs is None else ReadResult(id_, outputs)

    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        return diff_result(TASK_EXECUTION, olds, news)

    def update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        return UpdateResult(operations.update(self.context(), id_, olds, news))

    def delete(self, id_: str, props: dict) -> None:
        operations.delete(self.context(), id_, props)


class TaskExecution(SnakeCaseProperties, Resource, module="snowdm", name="TaskExecution"):
    """A gate on one device's execution of a task: `pulumi up` waits for it and fails unless it succeeds."""

    SPEC = TASK_EXECUTION

    execution_id: pulumi.Output[str]
    state: pulumi.Output[str]
    started_at: pulumi.Output[str | None]
    last_updated_at: pulumi.Output[str | None]
    managed_device_id: pulumi.Output[str]
    task_id: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        task_id: pulumi.Input[str],
        managed_device_id: pulumi.Input[str],
        wait: pulumi.Input[bool] | None = None,
        accept_canceled: pulumi.Input[bool] | None = None,
        timeout_seconds: pulumi.Input[float] | None = None,
        queued_timeout_seconds: pulumi.Input[float] | None = None,
        not_found_grace_seconds: pulumi.Input[float] | None = None,
        poll_interval_seconds: pulumi.Input[float] | None = None,
        max_poll_interval_seconds: pulumi.Input[float] | None = None,
        heartbeat_seconds: pulumi.Input[float] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TaskExecutionProvider(), resource_name, registration_props(TASK_EXECUTION, locals()),
                         with_provider(opts))
