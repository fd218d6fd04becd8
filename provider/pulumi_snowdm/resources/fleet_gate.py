"""FleetGate: one gate over every execution of one or more tasks, passing once enough of them succeed.

Give it `task_ids` (tasks made elsewhere), or `devices` and a `command`: then it creates the tasks itself, in shards
of at most 10 devices with a client token per shard (see `_core.task_actions`), so a retried create never sends the
command twice. It waits through the process's shared task listings (`_core.wait`): one ListExecutions page per 10
devices per round, whatever the fleet size, read by a small fixed pool of threads.

The threshold (`min_succeeded`): every execution by default, a count, or a percentage such as "95%". The gate passes
as soon as it is met; it fails once it is unreachable (at the first such failure with `fail_fast`, otherwise when
nothing is still running), naming the failing devices with their state and what DescribeDevice says. An execution
QUEUED past `queued_timeout_seconds`, or an expected device that has no execution after the grace period, counts
as failed.

With `waves` (and `max_failures`, `bake_seconds`) a gate given devices is a staged rollout: the command goes out
wave by wave, each wave judged before the next is sent (`_core.rollout`, which this resource only translates).

Outputs are what the API answered (see fleet_outputs.py). refresh lists the executions again: tasks gone are dropped
(all gone: the gate leaves the state), and a threshold that can no longer be met fails the refresh with the same
message as create. Changing the tasks, devices, command, description or run_id replaces the gate; other changes
(threshold, timing) only update state, without any API call, and new tags are applied to the tasks the gate made.
Destroying a gate that created its tasks cancels their executions still QUEUED; a gate over given task_ids leaves
them alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
from pulumi import Output
from pulumi.dynamic import Resource

from pulumi_snowdm._core.operations import fleet_gate as operations
from pulumi_snowdm._core.python_registration import SnakeCaseProperties, registration_props
from pulumi_snowdm._core.spec import FLEET_GATE
from pulumi_snowdm._core.task_actions import Command
from pulumi_snowdm.hints import Input
from pulumi_snowdm.resources.provider import SdmProvider, stack_scope, with_provider


class FleetGateProvider(SdmProvider):
    """Dynamic provider of FleetGate: the shared operations of `_core.operations.fleet_gate`."""

    OPERATIONS = operations


class FleetGate(SnakeCaseProperties, Resource, module="snowdm", name="FleetGate"):
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
        arguments = {**locals(), "command": command.value if isinstance(command, Command) else command}
        super().__init__(FleetGateProvider(), resource_name,
                         registration_props(FLEET_GATE, arguments, scope=stack_scope(resource_name)),
                         with_provider(opts))
