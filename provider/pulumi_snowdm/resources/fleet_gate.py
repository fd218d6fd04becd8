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
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from pulumi_snowdm._core.operations import fleet_gate as operations
from pulumi_snowdm._core.spec import FLEET_GATE
from pulumi_snowdm._core.task_actions import Command
from pulumi_snowdm.resources.declared import check_result, diff_result, input_check, registration_props
from pulumi_snowdm.resources.naming import SnakeCaseProperties
from pulumi_snowdm.resources.provider import SdmProvider, stack_scope, with_provider


class FleetGateProvider(SdmProvider):
    """Dynamic provider of FleetGate: the shared operations of `_core.operations.fleet_gate`."""

    def check(self, _olds: dict, news: dict):
        check = input_check(FLEET_GATE, news)
        operations.check(check)
        self.settings()  # a bad region or endpoint fails preview, before any call
        return check_result(check)

    def create(self, props: dict) -> CreateResult:
        return CreateResult(*operations.create(self.context(), props))

    def read(self, id_: str, props: dict) -> ReadResult:
        outputs = operations.read(self.context(), id_, props)
        return ReadResult("", {}) if outputs is None else ReadResult(id_, outputs)

    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        return diff_result(FLEET_GATE, olds, news, given=operations.given)

    def update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        return UpdateResult(operations.update(self.context(), id_, olds, news))

    def delete(self, id_: str, props: dict) -> None:
        operations.delete(self.context(), id_, props)


class FleetGate(SnakeCaseProperties, Resource, module="snowdm", name="FleetGate"):
    """A gate on every execution of a fleet's tasks: `pulumi up` waits until enough succeed, or fails naming why."""

    SPEC = FLEET_GATE

    task_ids: pulumi.Output[list]
    counts: pulumi.Output[dict]
    executions: pulumi.Output[dict]
    failed_devices: pulumi.Output[list]
    succeeded: pulumi.Output[int]
    total: pulumi.Output[int]
    required: pulumi.Output[int]
    wave_reports: pulumi.Output[list]
    untouched_devices: pulumi.Output[list]
    aborted_wave: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        task_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        devices: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        command: pulumi.Input[Command | str] | None = None,
        description: pulumi.Input[str] | None = None,
        tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        run_id: pulumi.Input[str] | None = None,
        waves: pulumi.Input[Sequence[pulumi.Input[int | str]]] | None = None,
        max_failures: pulumi.Input[int | str] | None = None,
        bake_seconds: pulumi.Input[float] | None = None,
        min_succeeded: pulumi.Input[int | str] | None = None,
        fail_fast: pulumi.Input[bool] | None = None,
        accept_canceled: pulumi.Input[bool] | None = None,
        execution_times: pulumi.Input[bool] | None = None,
        timeout_seconds: pulumi.Input[float] | None = None,
        queued_timeout_seconds: pulumi.Input[float] | None = None,
        not_found_grace_seconds: pulumi.Input[float] | None = None,
        poll_interval_seconds: pulumi.Input[float] | None = None,
        max_poll_interval_seconds: pulumi.Input[float] | None = None,
        heartbeat_seconds: pulumi.Input[float] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = {**locals(), "command": command.value if isinstance(command, Command) else command}
        super().__init__(FleetGateProvider(), resource_name,
                         registration_props(FLEET_GATE, arguments, scope=stack_scope(resource_name)),
                         with_provider(opts))
