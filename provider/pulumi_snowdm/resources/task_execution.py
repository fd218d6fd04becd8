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
from pulumi import Output
from pulumi.dynamic import Resource

from pulumi_snowdm._core.operations import task_execution as operations
from pulumi_snowdm._core.python_registration import SnakeCaseProperties, registration_props
from pulumi_snowdm._core.spec import TASK_EXECUTION
from pulumi_snowdm.hints import Input
from pulumi_snowdm.resources.provider import SdmProvider, with_provider


class TaskExecutionProvider(SdmProvider):
    """Dynamic provider of TaskExecution: the shared operations of `_core.operations.task_execution`."""

    OPERATIONS = operations


class TaskExecution(SnakeCaseProperties, Resource, module="snowdm", name="TaskExecution"):
    """A gate on one device's execution of a task: create waits until the execution ends; SUCCEEDED passes, FAILED,
    REJECTED, TIMED_OUT and CANCELED (unless accept_canceled) fail the deployment with the device's diagnosis.
    Refresh reads the execution again. The id is <task_id>/<managed_device_id>.

    Outputs (attributes, each a pulumi.Output):
        execution_id: The execution's id, as DescribeExecution answered.
        state: One of QUEUED, IN_PROGRESS, CANCELED, FAILED, SUCCEEDED, REJECTED, TIMED_OUT.
        started_at: When the execution started (ISO-8601 UTC).
        last_updated_at: When the execution last changed (ISO-8601 UTC).
        managed_device_id: The device's id, as DescribeExecution answered.
        task_id: The task's id, as DescribeExecution answered.
    """

    SPEC = TASK_EXECUTION

    execution_id: Output[str]
    state: Output[str]
    started_at: Output[str | None]
    last_updated_at: Output[str | None]
    managed_device_id: Output[str]
    task_id: Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        task_id: Input[str],
        managed_device_id: Input[str],
        wait: Input[bool] | None = None,
        accept_canceled: Input[bool] | None = None,
        timeout_seconds: Input[float] | None = None,
        queued_timeout_seconds: Input[float] | None = None,
        not_found_grace_seconds: Input[float] | None = None,
        poll_interval_seconds: Input[float] | None = None,
        max_poll_interval_seconds: Input[float] | None = None,
        heartbeat_seconds: Input[float] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare a TaskExecution; inputs are checked at preview, before any call to the service.

        Args:
            resource_name: The resource's name, unique in the stack.
            task_id: The task's id. Required.
            managed_device_id: The device's id. Required.
            wait: Wait for a final state; False records the current state at once. Default True.
            accept_canceled: Treat CANCELED as passing. Default False.
            timeout_seconds: Deadline of the whole wait, in seconds. Pulumi's customTimeouts do not reach dynamic
                providers, so this input is the deadline. Default 1800, from 1 to 604800.
            queued_timeout_seconds: How long an execution may stay QUEUED before the gate fails saying the device
                may be offline. Default 900, from 1 to 604800.
            not_found_grace_seconds: How long a missing execution of an existing task is waited for right after the
                task was created. Default 60, from 0 to 3600.
            poll_interval_seconds: First delay between looks; grows with backoff and jitter. Default 2, from 0.1 to
                600.
            max_poll_interval_seconds: Largest delay between looks; at least poll_interval_seconds. Default 20, from
                0.1 to 3600.
            heartbeat_seconds: Interval of the 'still waiting' progress line. Default 30, from 1 to 3600.
            opts: Pulumi resource options (depends_on, protect, provider, ...).
        """
        super().__init__(TaskExecutionProvider(), resource_name, registration_props(TASK_EXECUTION, locals()),
                         with_provider(opts))
