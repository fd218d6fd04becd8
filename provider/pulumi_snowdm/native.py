"""Typed Python classes for the provider plugin's resources (`snowdm:index:Task`, `TaskExecution`, `FleetGate`).

    import pulumi_snowdm.native as snowdm
    task = snowdm.Task("unlock", command="unlock", targets=["smd-..."])
    gate = snowdm.TaskExecution("unlocked", task_id=task.task_id, managed_device_id="smd-...",
                                opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="20m")))

The same arguments and attributes as the dynamic resources of `import pulumi_snowdm` (both are locked to the
declarations in `_core.spec` by tests/unit/test_schema.py), but served by the plugin `pulumi-resource-snowdm` of this
release (installed from its archive, downloaded from its server, or found on PATH): customTimeouts, Cancel, progress
on the resource's own row and `pulumi import` work.
Settings are the stack config `snowdm:region`, `snowdm:endpoint` ... (or an explicit `Provider`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi import Output

from pulumi_snowdm._core.python_registration import SnakeCaseProperties, registration_props
from pulumi_snowdm._core.release import PLUGIN_DOWNLOAD_URL, VERSION
from pulumi_snowdm._core.schema import PACKAGE
from pulumi_snowdm._core.spec import FLEET_GATE, TASK, TASK_EXECUTION, ResourceSpec
from pulumi_snowdm._core.task_actions import Command
from pulumi_snowdm.hints import Input

__all__ = ["Command", "FleetGate", "Provider", "Task", "TaskExecution"]

# The plugin of this release, downloaded by the engine from its server when not installed (as generated SDKs do).
_PLUGIN = pulumi.ResourceOptions(version=VERSION, plugin_download_url=PLUGIN_DOWNLOAD_URL)


class _PluginResource(SnakeCaseProperties, pulumi.CustomResource):
    """A resource of the plugin: snake_case arguments and attributes, camelCase on the wire."""

    SPEC: ResourceSpec

    def __init__(self, resource_name: str, arguments: Mapping[str, Any],
                 opts: pulumi.ResourceOptions | None) -> None:
        super().__init__(f"{PACKAGE}:index:{self.SPEC.name}", resource_name, registration_props(self.SPEC, arguments),
                         pulumi.ResourceOptions.merge(_PLUGIN, opts))

    @classmethod
    def get(cls, resource_name: str, id: Input[str], opts: pulumi.ResourceOptions | None = None):
        """The resource of this id as the plugin reads it (`<taskId>/<managedDeviceId>` for a TaskExecution)."""
        resource = cls.__new__(cls)
        props = {p.python_name: None for p in cls.SPEC.outputs}
        pulumi.CustomResource.__init__(resource, f"{PACKAGE}:index:{cls.SPEC.name}", resource_name, props,
                                       pulumi.ResourceOptions.merge(_PLUGIN, opts).merge(pulumi.ResourceOptions(id=id)))
        return resource


def _command(command: Any) -> Any:
    return command.value if isinstance(command, Command) else command


class Task(_PluginResource):
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
        super().__init__(resource_name, {**locals(), "command": _command(command)}, opts)


class TaskExecution(_PluginResource):
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
        super().__init__(resource_name, locals(), opts)


class FleetGate(_PluginResource):
    """One gate over every execution of one or more tasks (task_ids), or over a device list of any length for which
    it creates the tasks itself in shards of 10 (devices + command), sending each device the command at most
    once per run (the stack, the gate's name, the command and run_id), whatever the list holds when it is rerun.
    By default all must succeed; min_succeeded lowers the bar; fail_fast stops at the first failure that makes
    it unreachable. Waiting reads each task's executions with ListExecutions, shared with every other gate of
    the same task.

    Outputs (attributes, each a pulumi.Output):
        task_ids: The tasks waited on.
        counts: Executions by state.
        executions: Per device: executionId, state, startedAt, lastUpdatedAt and taskId.
        failed_devices: Devices whose executions failed.
        succeeded: How many executions succeeded.
        total: How many executions were waited on.
        required: How many had to succeed.
        wave_reports: With waves, per wave: wave (its number), status (passed, aborted or not started; held: not
            yet sent, after promote_to), devices, tasks (task ids), counts (executions by state), startedAt and
            endedAt (ISO-8601 UTC, as DescribeTask tells).
        untouched_devices: With devices: devices the command was never sent to (a stopped rollout's later waves,
            a failed create's refused shards).
        aborted_wave: With waves: the number of the wave that stopped the rollout, if any (a stopped rollout
            fails the deployment; its message holds the same report).
        waves_done: With waves: how many waves have passed, from the first.
        next_wave: With waves: the wave a higher promote_to sends next (null once every wave was sent, or after
            an abort).
        attempts: With retries, per device: its attempts, oldest first, each with attempt (its number), taskId,
            executionId and state.
    """

    SPEC = FLEET_GATE

    task_ids: Output[list]
    counts: Output[dict]
    executions: Output[dict]
    failed_devices: Output[list]
    succeeded: Output[int]
    total: Output[int]
    required: Output[int]
    wave_reports: Output[list]
    untouched_devices: Output[list]
    aborted_wave: Output[int]
    waves_done: Output[int]
    next_wave: Output[int]
    attempts: Output[dict]

    def __init__(
        self,
        resource_name: str,
        *,
        task_ids: Input[Sequence[Input[str]]] | None = None,
        devices: Input[Sequence[Input[str]]] | None = None,
        command: Input[Command | str] | None = None,
        description: Input[str] | None = None,
        tags: Input[Mapping[str, Input[str]]] | None = None,
        run_id: Input[str] | None = None,
        waves: Input[Sequence[Input[int | str]]] | None = None,
        max_failures: Input[int | str] | None = None,
        bake_seconds: Input[float] | None = None,
        promote_to: Input[int | str] | None = None,
        retries: Input[int] | None = None,
        retry_on: Input[Sequence[Input[str]]] | None = None,
        retry_pause_seconds: Input[float] | None = None,
        min_succeeded: Input[int | str] | None = None,
        fail_fast: Input[bool] | None = None,
        accept_canceled: Input[bool] | None = None,
        execution_times: Input[bool] | None = None,
        timeout_seconds: Input[float] | None = None,
        queued_timeout_seconds: Input[float] | None = None,
        not_found_grace_seconds: Input[float] | None = None,
        poll_interval_seconds: Input[float] | None = None,
        max_poll_interval_seconds: Input[float] | None = None,
        heartbeat_seconds: Input[float] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare a FleetGate; inputs are checked at preview, before any call to the service.

        Args:
            resource_name: The resource's name, unique in the stack.
            task_ids: Wait on every execution of these tasks (exclusive with devices).
            devices: Create tasks for these devices, 10 per task, and wait on them (exclusive with task_ids). A
                change is an update: devices added are sent the command, devices removed are sent nothing, and no
                device is sent it twice in one run.
            command: What the created tasks run, with devices. One of reboot, unlock.
            description: Description of the created tasks, with devices; a change applies to tasks created from then
                on.
            tags: Tags of the created tasks, with devices; changes are applied in place. Keys starting with snowdm:
                are the gate's own.
            run_id: With devices: a new value starts a new run, which sends the command to every device again. 1 to
                128 characters.
            waves: With devices: a staged rollout. Cumulative wave sizes, counts or percentages of the device list
                taken in order, the last reaching every device: [1, "10%", "100%"] is one canary, then up to 10%,
                then all. A wave's tasks are created once every execution of the previous wave has ended and the
                failures stay within max_failures. May change at any time: a device already sent keeps its wave.
            max_failures: With waves: how many failures the rollout tolerates, a count or a percentage like "5%" of
                the devices sent to so far (default 0). Past it no further wave starts and the failing wave's
                executions still QUEUED are canceled.
            bake_seconds: With waves: seconds to wait after a wave passed before the next starts, then look at the
                passed waves again. Default 0, from 0 to 604800.
            promote_to: With waves: the last wave this run sends, a wave number or "all" (the default). The rollout
                stops after that wave and its bake and passes, the later waves reported held. Raising it in a later
                run is an update that carries the rollout on from there, sending no wave twice; lowering it sends
                nothing.
            retries: With devices: how many times a device whose execution ended in a state of retry_on is sent the
                command again, each attempt a new task in shards of 10 that no rerun sends twice. A device is judged
                on its latest attempt: thresholds and max_failures count devices, not attempts. Default 0, from 0 to
                10.
            retry_on: With retries: the end states retried, out of FAILED, TIMED_OUT, REJECTED and CANCELED (default
                FAILED and TIMED_OUT).
            retry_pause_seconds: With retries: seconds to wait after a round of attempts ended, before the failed
                devices are sent the command again. Default 0, from 0 to 3600.
            min_succeeded: How many must succeed: a count, or a percentage like "95%" (default: all).
            fail_fast: Fail as soon as the threshold cannot be met. Default False.
            accept_canceled: Count CANCELED as succeeded. Default False.
            execution_times: Read startedAt/lastUpdatedAt of every execution once at the end (one DescribeExecution
                per device). Default True.
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
        super().__init__(resource_name, {**locals(), "command": _command(command)}, opts)


class Provider(pulumi.ProviderResource):
    """An explicit instance of the plugin with its own settings (the stack config `snowdm:*` sets the default one)."""

    def __init__(
        self,
        resource_name: str,
        *,
        region: Input[str] | None = None,
        profile: Input[str] | None = None,
        endpoint: Input[str] | None = None,
        retry_mode: Input[str] | None = None,
        max_attempts: Input[int] | None = None,
        connect_timeout: Input[float] | None = None,
        read_timeout: Input[float] | None = None,
        max_requests_per_second: Input[float] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        settings = {"region": region, "profile": profile, "endpoint": endpoint, "retryMode": retry_mode,
                    "maxAttempts": max_attempts, "connectTimeout": connect_timeout, "readTimeout": read_timeout,
                    "maxRequestsPerSecond": max_requests_per_second}
        super().__init__(PACKAGE, resource_name, {k: v for k, v in settings.items() if v is not None},
                         pulumi.ResourceOptions.merge(_PLUGIN, opts))
