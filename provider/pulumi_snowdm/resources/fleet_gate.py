"""FleetGate: one gate over every execution of one or more tasks, passing once enough of them succeed.

Give it `task_ids` (tasks made elsewhere), or `devices` and a `command`: then it creates the tasks itself, in shards
of at most 10 devices with a client token per shard (see fleet_tasks.py), so a retried create never sends the
command twice. It waits through the process's shared per-task watches (`_core.fleet_wait`): one ListExecutions page
per 10 devices per round, whatever the fleet size, and only one provider thread for the whole fleet.

The threshold (`min_succeeded`): every execution by default, a count, or a percentage such as "95%". The gate passes
as soon as it is met; it fails once it is unreachable (at the first such failure with `fail_fast`, otherwise when
nothing is still running), naming the failing devices with their state and what DescribeDevice says. An execution
QUEUED past `queued_timeout_seconds`, or an expected device that has no execution after the grace period, counts
as failed.

Outputs are what the API answered (see fleet_record.py). refresh lists the executions again: tasks gone are dropped
(all gone: the gate leaves the state), and a threshold that can no longer be met fails the refresh with the same
message as create. Changing the tasks, devices, command, description or run_id replaces the gate; other changes
(threshold, timing) only update state, without any API call, and new tags are applied to the tasks the gate made.
Destroying a gate that created its tasks cancels their executions still QUEUED; a gate over given task_ids leaves
them alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Mapping, Sequence

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from pulumi_snowdm._core.client import sdm_client
from pulumi_snowdm._core.diagnosis import explain_fleet_failure
from pulumi_snowdm._core.errors import FleetFailed, NotFound
from pulumi_snowdm._core.finders import device_or_none, find_task, list_executions
from pulumi_snowdm._core.fleet_wait import Decision, FleetOutcome, FleetRule, judge_fleet, wait_for_devices
from pulumi_snowdm._core.patience import patiently
from pulumi_snowdm._core.task_actions import retag
from pulumi_snowdm._core.threshold import parse_threshold
from pulumi_snowdm.resources.fleet_record import OUTPUTS, execution_records, fleet_outputs
from pulumi_snowdm.resources.fleet_tasks import cancel_shards, create_shard_tasks
from pulumi_snowdm._core.spec import FLEET_GATE, TIMING_FIELDS
from pulumi_snowdm.resources.declared import check_result, diff_result, given_inputs, input_check, registration_props
from pulumi_snowdm.resources.naming import SnakeCaseProperties
from pulumi_snowdm.resources.progress import report
from pulumi_snowdm.resources.provider import SdmProvider, stack_scope, with_provider
from pulumi_snowdm.resources.task import Command
from pulumi_snowdm.resources.timing import check_timing, wait_policy

# Inputs that apply only when the gate creates the tasks (given `devices`).
DEVICE_INPUTS = ("command", "description", "tags", "runId")
# Ids longer than this become a hash: the engine shows ids in every diff and log line.
MAX_JOINED_ID = 256
# Failing devices whose DescribeDevice goes into a failure message (the message lists at most this many).
EXPLAINED_DEVICES = 10
LOOKUP_WORKERS = 8


def fleet_id(task_ids: Sequence[str]) -> str:
    """The gate's id: its task ids joined, or a hash of them when that would be long."""
    joined = ",".join(task_ids)
    if len(joined) <= MAX_JOINED_ID:
        return joined
    return "fleet-" + hashlib.sha256(joined.encode()).hexdigest()[:32]


class FleetGateProvider(SdmProvider):
    """Dynamic provider of FleetGate: creates sharded tasks (or takes given ones) and judges all executions."""

    def check(self, _olds: dict, news: dict):
        check = input_check(FLEET_GATE, news)
        check.check_all(skip=("command", *TIMING_FIELDS))
        given = [name for name in ("taskIds", "devices") if news.get(name) is not None]
        if not given:
            check.fail("taskIds", f"or '{check.label('devices')}' is required: give '{check.label('taskIds')}' to "
                                  f"gate existing tasks, or '{check.label('devices')}' and "
                                  f"'{check.label('command')}' to have the gate create them")
        elif len(given) == 2:
            check.fail("devices", f"and '{check.label('taskIds')}' exclude each other: give "
                                  f"'{check.label('taskIds')}' to gate existing tasks, or "
                                  f"'{check.label('devices')}' and '{check.label('command')}' to have the gate "
                                  f"create them")
        if news.get("devices") is not None:
            check.check("command", required=True)
        else:
            for name in DEVICE_INPUTS:
                if news.get(name) is not None:
                    check.fail(name, f"applies only with '{check.label('devices')}' (when the gate creates the "
                                     f"tasks); with '{check.label('taskIds')}' leave it unset")
        _check_reachable(check)
        check_timing(check)
        self.settings()  # a bad region or endpoint fails preview, before any call
        return check_result(check)

    def create(self, props: dict) -> CreateResult:
        settings = self.settings()
        client = sdm_client(settings)
        describe = _describe(props)
        if props.get("devices"):
            task_ids = create_shard_tasks(client, props, report, describe)
        else:
            task_ids = list(props["taskIds"])
        tasks = _lookup(lambda task_id: patiently(lambda: find_task(client, task_id), describe=f"task {task_id}",
                                                  report=report), task_ids)
        device_ids = [device for task in tasks for device in task.get("targets") or []]
        outcome = wait_for_devices(
            settings, task_ids, device_ids, wait_policy(props),
            rule=_rule(props), describe=describe, report=report,
            explain_failure=_explainer(client, describe, bool(props.get("devices"))),
        )
        report(f"{describe}: passed: {outcome.progress()}")
        return CreateResult(fleet_id(task_ids), self._outputs(client, props, task_ids, outcome, describe))

    def read(self, id_: str, props: dict) -> ReadResult:
        client = self.client()
        describe = _describe(props)
        view, targets, task_ids = {}, [], []
        for task_id in props.get("taskIds") or []:
            try:
                task = find_task(client, task_id)
                listed = list_executions(client, task_id)
            except NotFound:
                report(f"{describe}: task {task_id} is gone; dropped from the gate")
                continue
            task_ids.append(task_id)
            targets += task.get("targets") or []
            view.update({(task_id, summary["managedDeviceId"]): summary for summary in listed})
        if not task_ids:
            return ReadResult("", {})
        # A refresh fails only when the threshold can no longer be met, whatever is still running.
        outcome = judge_fleet(view, dataclasses.replace(_rule(props), fail_fast=True), device_ids=targets)
        if outcome.decision is Decision.FAIL:
            raise FleetFailed(_explainer(client, describe, bool(props.get("devices")))(outcome))
        return ReadResult(id_, self._outputs(client, props, task_ids, outcome, describe))

    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        return diff_result(FLEET_GATE, olds, news, given=_given)

    def update(self, _id: str, olds: dict, news: dict) -> UpdateResult:
        # Only the threshold, timing or tags changed: the fleet is the same, so its outputs stay as they were.
        old_tags, new_tags = dict(olds.get("tags") or {}), dict(news.get("tags") or {})
        if news.get("devices") and old_tags != new_tags:
            client = self.client()
            for task_id in olds.get("taskIds") or []:
                retag(client, find_task(client, task_id)["taskArn"], old_tags, new_tags)
            report(f"{_describe(news)}: retagged its {len(olds.get('taskIds') or [])} task(s)")
        return UpdateResult({**{k: olds.get(k) for k in OUTPUTS}, **given_inputs(FLEET_GATE, news)})

    def delete(self, _id: str, props: dict) -> None:
        describe = _describe(props)
        if not props.get("devices"):
            report(f"{describe}: gates given tasks, so leaves them as they are")
            return
        cancel_shards(self.client(), props.get("taskIds") or [], report, describe)

    def _outputs(self, client, props, task_ids, outcome: FleetOutcome, describe: str) -> dict[str, Any]:
        records = execution_records(client, outcome, with_times=props.get("executionTimes", True) is not False,
                                    report=report, describe=describe)
        return {**given_inputs(FLEET_GATE, props), **fleet_outputs(outcome, task_ids, records)}


def _rule(props: Mapping[str, Any]) -> FleetRule:
    return FleetRule(parse_threshold(props.get("minSucceeded")), bool(props.get("failFast")),
                     bool(props.get("acceptCanceled")))


def _describe(props: Mapping[str, Any]) -> str:
    name = (props.get("scope") or "").rsplit("/", 1)[-1]
    return f"fleet gate {name}" if name else "fleet gate"


def _explainer(client, describe: str, creates_tasks: bool):
    """The failure message: the judged fleet plus DescribeDevice of the first failing devices."""
    def explain(outcome: FleetOutcome) -> str:
        failing = list(dict.fromkeys(entry.device_id for entry in outcome.failing()))[:EXPLAINED_DEVICES]
        devices = dict(zip(failing, _lookup(lambda device_id: device_or_none(client, device_id), failing)))
        return explain_fleet_failure(outcome, devices, describe=describe, creates_tasks=creates_tasks,
                                     limit=EXPLAINED_DEVICES)
    return explain


def _lookup(find, ids: Sequence[str]) -> list:
    """`find` of every id, a few at a time, in order; the first error is raised."""
    if not ids:
        return []
    with ThreadPoolExecutor(max_workers=min(LOOKUP_WORKERS, len(ids))) as pool:
        return list(pool.map(find, ids))


def _check_reachable(check) -> None:
    """A count above the number of devices could never be met."""
    threshold, devices = check.inputs.get("minSucceeded"), check.inputs.get("devices")
    if check.failed("minSucceeded") or check.unknown(threshold) or not isinstance(devices, list):
        return
    count = parse_threshold(threshold).count
    if count is not None and count > len(devices):
        check.fail("minSucceeded", f"is {count}, more than the {len(devices)} device(s): it could never be met")


def _given(props: Mapping[str, Any], key: str) -> Any:
    """An input as the user gave it: with `devices`, the taskIds in state are an output, not an input."""
    if key == "taskIds" and props.get("devices") is not None:
        return None
    return props.get(key)


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
