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

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from pulumi_snowdm._core.checks import check_reachable_threshold
from pulumi_snowdm._core.client import sdm_client
from pulumi_snowdm._core.diagnosis import explain_fleet_failure
from pulumi_snowdm._core.errors import FleetFailed, InputError, NotFound
from pulumi_snowdm._core.finders import device_or_none, find_task
from pulumi_snowdm._core.rollout import RolloutHost, plan_waves, run_rollout
from pulumi_snowdm._core.spec import FLEET_GATE, TIMING_FIELDS
from pulumi_snowdm._core.task_actions import (
    Command,
    cancel_shards,
    create_shard_tasks,
    existing_tasks,
    fan_out,
    retag_tasks,
)
from pulumi_snowdm._core.wait.listing import LISTINGS, settings_lister
from pulumi_snowdm._core.wait.loop import ListingSource, SetGate, wait_until_decided
from pulumi_snowdm._core.wait.policy import outlast_busy_service
from pulumi_snowdm._core.wait.threshold import Decision, FleetOutcome, FleetRule, judge_fleet, parse_threshold
from pulumi_snowdm.resources.declared import check_result, diff_result, given_inputs, input_check, registration_props
from pulumi_snowdm.resources.fleet_outputs import OUTPUTS, execution_records, fleet_outputs
from pulumi_snowdm.resources.naming import SnakeCaseProperties
from pulumi_snowdm.resources.progress import report, wait_lines
from pulumi_snowdm.resources.provider import SdmProvider, stack_scope, with_provider
from pulumi_snowdm.resources.timing import check_timing, wait_policy

# Inputs that apply only when the gate creates the tasks (given `devices`).
DEVICE_INPUTS = ("command", "description", "tags", "runId", "waves")
# Inputs that apply only to a staged rollout (given `waves`).
WAVE_INPUTS = ("maxFailures", "bakeSeconds")
# The outputs only a staged rollout sets.
ROLLOUT_OUTPUTS = ("waveReports", "untouchedDevices", "abortedWave")
# Ids longer than this become a hash: the engine shows ids in every diff and log line.
MAX_JOINED_ID = 256
# Failing devices whose DescribeDevice goes into a failure message (the message lists at most this many).
EXPLAINED_DEVICES = 10


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
        check_reachable_threshold(check)
        _check_waves(check)
        check_timing(check)
        self.settings()  # a bad region or endpoint fails preview, before any call
        return check_result(check)

    def create(self, props: dict) -> CreateResult:
        settings = self.settings()
        client = sdm_client(settings)
        label = _label(props)
        if props.get("waves"):
            return self._roll_out(client, settings, props, label)
        if props.get("devices"):
            task_ids = create_shard_tasks(client, props, report, label)
        else:
            task_ids = list(props["taskIds"])
        tasks = existing_tasks(client, task_ids, prop="task_ids", label=label, report=report)
        device_ids = [device for task in tasks for device in task.get("targets") or []]
        policy = wait_policy(props)
        creates_tasks = bool(props.get("devices"))
        gate = SetGate(task_ids, device_ids, _rule(props), explain=_explainer(client, label, creates_tasks))
        with LISTINGS.subscribe(settings, task_ids, settings_lister(settings), devices=device_ids,
                                interval=policy.initial_delay_seconds) as subscription:
            outcome = wait_until_decided(ListingSource(subscription), gate, policy, label=label,
                                         events=wait_lines(label, single=False)).outcome
        report(f"{label}: passed: {outcome.progress()}")
        return CreateResult(fleet_id(task_ids), self._outputs(client, props, task_ids, outcome, label))

    def _roll_out(self, client, settings, props: dict, label: str) -> CreateResult:
        """A staged rollout (`_core.rollout`): wave by wave, then the gate's threshold over everyone sent to."""
        host = RolloutHost(client, settings, report, lambda wave: wait_lines(wave, single=False))
        result = run_rollout(host, props, wait_policy(props), label=label, final_rule=_rule(props))
        assert result.outcome is not None  # a rollout that returns has judged everyone sent to
        report(f"{label}: passed: {result.outcome.progress()}")
        outputs = self._outputs(client, props, result.task_ids, result.outcome, label)
        return CreateResult(fleet_id(result.task_ids), {**outputs, **result.outputs()})

    def read(self, id_: str, props: dict) -> ReadResult:
        settings = self.settings()
        client = sdm_client(settings)
        label = _label(props)
        tasks = _tasks_still_there(client, props.get("taskIds") or [], label)
        if not tasks:
            return ReadResult("", {})
        task_ids = [task["taskId"] for task in tasks]
        targets = [device for task in tasks for device in task.get("targets") or []]
        rule = _rule(props)
        # One complete look through the same loop as create: a busy service is outlasted, not given up on.
        policy = dataclasses.replace(wait_policy(props), not_found_grace_seconds=0)
        with LISTINGS.subscribe(settings, task_ids, settings_lister(settings), devices=targets) as subscription:
            view = wait_until_decided(ListingSource(subscription), SetGate(task_ids, targets, rule), policy,
                                      label=label, events=wait_lines(label, single=False, states=False),
                                      until_seen=True).view
        # A refresh fails only when the threshold can no longer be met, whatever is still running.
        outcome = judge_fleet(view, rule, device_ids=targets, early=True)
        if outcome.decision is Decision.FAIL:
            raise FleetFailed(_explainer(client, label, bool(props.get("devices")))(outcome))
        return ReadResult(id_, self._outputs(client, props, task_ids, outcome, label))

    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        return diff_result(FLEET_GATE, olds, news, given=_given)

    def update(self, _id: str, olds: dict, news: dict) -> UpdateResult:
        # Only the threshold, timing or tags changed: the fleet is the same, so its outputs stay as they were.
        old_tags, new_tags = dict(olds.get("tags") or {}), dict(news.get("tags") or {})
        if news.get("devices") and old_tags != new_tags:
            task_ids = olds.get("taskIds") or []
            retag_tasks(self.client(), task_ids, old_tags, new_tags)
            report(f"{_label(news)}: retagged its {len(task_ids)} task(s)")
        return UpdateResult({**{k: olds.get(k) for k in (*OUTPUTS, *ROLLOUT_OUTPUTS)},
                             **given_inputs(FLEET_GATE, news)})

    def delete(self, _id: str, props: dict) -> None:
        label = _label(props)
        if not props.get("devices"):
            report(f"{label}: gates given tasks, so leaves them as they are")
            return
        cancel_shards(self.client(), props.get("taskIds") or [], report, label)

    def _outputs(self, client, props, task_ids, outcome: FleetOutcome, label: str) -> dict[str, Any]:
        records = execution_records(client, outcome, with_times=props.get("executionTimes", True) is not False,
                                    report=report, label=label)
        # A refresh keeps the rollout's report of how the waves went: it is history, not the current state.
        rollout = {k: props[k] for k in ROLLOUT_OUTPUTS if props.get(k) is not None}
        return {**given_inputs(FLEET_GATE, props), **fleet_outputs(outcome, task_ids, records), **rollout}


def _rule(props: Mapping[str, Any]) -> FleetRule:
    return FleetRule(parse_threshold(props.get("minSucceeded")), bool(props.get("failFast")),
                     bool(props.get("acceptCanceled")))


def _label(props: Mapping[str, Any]) -> str:
    name = (props.get("scope") or "").rsplit("/", 1)[-1]
    return f"fleet gate {name}" if name else "fleet gate"


def _tasks_still_there(client, task_ids: Sequence[str], label: str) -> list[dict]:
    """DescribeTask of every task, outlasting a busy service; a task gone is said and dropped."""
    def task_or_none(task_id: str) -> dict | None:
        try:
            return outlast_busy_service(lambda: find_task(client, task_id), label=f"{label}: task {task_id}",
                                        report=report)
        except NotFound:
            report(f"{label}: task {task_id} is gone; dropped from the gate")
            return None
    return [task for task in fan_out(task_or_none, task_ids) if task is not None]


def _explainer(client, label: str, creates_tasks: bool):
    """The failure message: the judged fleet plus DescribeDevice of the first failing devices."""
    def explain(outcome: FleetOutcome) -> str:
        failing = list(dict.fromkeys(entry.device_id for entry in outcome.failing()))[:EXPLAINED_DEVICES]
        devices = dict(zip(failing, fan_out(lambda device_id: device_or_none(client, device_id), failing), strict=True))
        return explain_fleet_failure(outcome, devices, describe=label, creates_tasks=creates_tasks,
                                     limit=EXPLAINED_DEVICES)
    return explain


def _check_waves(check) -> None:
    """Waves cut the device list: no wave may be empty or beyond it; maxFailures and bakeSeconds need waves."""
    waves, devices = check.news.get("waves"), check.inputs.get("devices")
    if waves is None:
        for name in WAVE_INPUTS:
            if check.news.get(name) is not None:
                check.fail(name, f"applies only with '{check.label('waves')}' (a staged rollout); leave it unset or "
                                 f"give '{check.label('waves')}'")
        return
    if check.failed("waves") or check.failed("devices") or check.unknown(waves) or not isinstance(devices, list):
        return
    try:
        plan_waves(devices, waves, check.label("waves"))
    except InputError as error:
        check.fail("waves", error.problem)


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
