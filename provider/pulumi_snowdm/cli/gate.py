"""A gate run from the command line: create the tasks (`run`), read them, then wait through the product's one wait
engine (`_core.wait`), or take one look (`status`). What ended the wait is returned as an `Ending`, with the last
judged set of executions, so the command can report per device however it ended.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from pulumi_snowdm._core.client import sdm_client
from pulumi_snowdm._core.errors import FleetFailed, SnowdmError, WaitCanceled, WaitTimedOut
from pulumi_snowdm._core.settings import ClientSettings
from pulumi_snowdm._core.task_actions import create_shard_tasks, existing_tasks
from pulumi_snowdm._core.times import duration
from pulumi_snowdm._core.wait.cancel import Cancel
from pulumi_snowdm._core.wait.listing import LISTINGS, settings_lister
from pulumi_snowdm._core.wait.loop import Event, Heartbeat, ListingSource, SetGate, StatesChanged, wait_until_decided
from pulumi_snowdm._core.wait.policy import WaitPolicy
from pulumi_snowdm._core.wait.threshold import FleetOutcome, FleetRule, judge_fleet
from pulumi_snowdm.cli.exits import BadUsage
from pulumi_snowdm.cli.inputs import Request
from pulumi_snowdm.cli.interrupts import cancel_on_interrupt, deferred_interrupts
from pulumi_snowdm.cli.reachability import wait_lister

Say = Callable[[str], None]


@dataclasses.dataclass
class Ending:
    """How a command ended: passed, failed, timed_out, interrupted or looked (status), and what was seen last."""

    verdict: str
    label: str
    task_ids: list[str]
    outcome: FleetOutcome | None = None
    message: str = ""


def label_of(request: Request) -> str:
    """How messages name the command: `snowdm run <run id>`, `snowdm wait`, `snowdm status`."""
    return f"snowdm run {request.run_id}" if request.subcommand == "run" else f"snowdm {request.subcommand}"


def scope(run_id: str) -> str:
    """What the client tokens of `snowdm run` are scoped to: a run id never shares a task with a Pulumi stack."""
    return f"snowdm-cli/{run_id}"


class CommandLineGate(SetGate):
    """The engine's SetGate, keeping the set it failed or timed out on, with messages for a command line."""

    def __init__(self, task_ids: Sequence[str], device_ids: Sequence[str], rule: FleetRule, *, label: str,
                 policy: WaitPolicy, again: str) -> None:
        super().__init__(task_ids, device_ids, rule, explain=self._failed)
        self.label, self.policy, self.again = label, policy, again
        self.last: FleetOutcome | None = None

    def _failed(self, outcome: FleetOutcome) -> str:
        self.last = outcome
        tally = outcome.tally
        return (f"{self.label}: failed: {tally.succeeded} of {tally.total} succeeded, {outcome.required} required: "
                f"{outcome.progress()}")

    def timeout(self, run, outcome: FleetOutcome | None) -> Exception:
        self.last = outcome
        seen = outcome.progress() if outcome is not None else "no executions listed yet"
        return WaitTimedOut(f"{self.label}: no decision within --timeout {duration(self.policy.timeout_seconds)}: "
                            f"{seen}. The executions go on: {self.again} to wait again, or raise --timeout")


class Watch:
    """Passes the engine's events on to the progress view, keeping the last judged set (for an interrupt)."""

    def __init__(self, show: Callable[[Event], None]) -> None:
        self.show = show
        self.last: FleetOutcome | None = None

    def __call__(self, event: Event) -> None:
        if isinstance(event, (StatesChanged, Heartbeat)) and event.outcome is not None:
            self.last = event.outcome
        self.show(event)


def run_gate(request: Request, settings: ClientSettings, say: Say, show: Callable[[Event], None]) -> Ending:
    """`snowdm run` and `snowdm wait`: (create and) read the tasks, wait until the gate decides; never raises
    FleetFailed, WaitTimedOut or KeyboardInterrupt, which end as an Ending."""
    client = sdm_client(settings)
    label = label_of(request)
    ending = Ending("interrupted", label, list(request.task_ids))
    watch = Watch(show)
    try:
        if request.subcommand == "run":
            assert request.run_id is not None and request.devices is not None  # `run` requires both
            props = {"scope": scope(request.run_id), "devices": list(request.devices), "command": request.command,
                     "description": request.description, "runId": request.run_id}
            with deferred_interrupts(say):
                ending.task_ids = _create(client, props, say, label)
        return _wait(request, settings, client, ending.task_ids, say, watch)
    except KeyboardInterrupt:
        ending.outcome = watch.last
        resume = (f"rerun with the same --run-id {request.run_id} to resume without sending the command again"
                  if request.subcommand == "run" else "rerun to wait again")
        ending.message = f"{label}: interrupted; nothing was left half-done: {resume}"
        return ending


def _wait(request: Request, settings: ClientSettings, client, task_ids: list[str], say: Say, watch: Watch) -> Ending:
    """Read the tasks (a missing one fails at once), then wait on their executions through the shared listings."""
    label = label_of(request)
    tasks = existing_tasks(client, task_ids, prop="--task-id", label=label, report=say)
    device_ids = _watched(request, _targets(tasks))
    gate = CommandLineGate(task_ids, device_ids, request.rule, label=label, policy=request.policy,
                           again=_again(request, task_ids))
    cancel = Cancel()
    with LISTINGS.subscribe(settings, task_ids, wait_lister(settings), devices=device_ids,
                            interval=request.policy.initial_delay_seconds) as subscription:
        try:
            with cancel_on_interrupt(cancel):
                outcome = wait_until_decided(ListingSource(subscription), gate, request.policy, label=label,
                                             events=watch, cancel=cancel).outcome
        except WaitCanceled:
            raise KeyboardInterrupt from None  # ends as an interrupt anywhere else does (run_gate)
        except FleetFailed as error:
            return Ending("failed", label, task_ids, gate.last, str(error))
        except WaitTimedOut as error:
            return Ending("timed_out", label, task_ids, gate.last or watch.last, str(error))
    return Ending("passed", label, task_ids, outcome, f"{label}: passed: {outcome.progress()}")


def look(request: Request, settings: ClientSettings, say: Say) -> Ending:
    """`snowdm status`: one complete look at the tasks' executions through the same loop (a busy service is
    outlasted), judged as a refresh judges: all must succeed."""
    client = sdm_client(settings)
    label = label_of(request)
    task_ids = list(request.task_ids)
    targets = _targets(existing_tasks(client, task_ids, prop="--task-id", label=label, report=say))
    policy = WaitPolicy(not_found_grace_seconds=0)
    rule = FleetRule()
    with LISTINGS.subscribe(settings, task_ids, settings_lister(settings), devices=targets) as subscription:
        view = wait_until_decided(ListingSource(subscription), SetGate(task_ids, targets, rule), policy,
                                  label=label, events=lambda _event: None, until_seen=True).view
    outcome = judge_fleet(view, rule, device_ids=targets, early=True)
    return Ending("looked", label, task_ids, outcome, f"{label}: {outcome.progress()}")


def _create(client, props: dict, say: Say, label: str) -> list[str]:
    """The shards' tasks; a failure says how to resume from the command line."""
    try:
        return create_shard_tasks(client, props, say, label)
    except SnowdmError as error:
        again = f"rerun `snowdm run` with the same --run-id {props['runId']}"
        raise SnowdmError(str(error).replace("rerun `pulumi up`", again)) from error


def _targets(tasks: list[dict]) -> list[str]:
    """The devices of the tasks, as DescribeTask answered, each once."""
    return list(dict.fromkeys(device for task in tasks for device in task.get("targets") or []))


def _watched(request: Request, targets: list[str]) -> list[str]:
    """The devices the gate judges: --device (which must be targets of the tasks), else every target."""
    if request.subcommand != "wait" or request.devices is None:
        return targets
    strangers = [device for device in request.devices if device not in targets]
    if strangers:
        raise BadUsage([f"invalid option '--device': {', '.join(strangers)} is not a target of the task(s) "
                        f"{', '.join(request.task_ids)} (their targets: {', '.join(targets) or 'none'})"])
    return list(request.devices)


def _again(request: Request, task_ids: list[str]) -> str:
    if request.subcommand == "run":
        return f"rerun `snowdm run` with the same --run-id {request.run_id}"
    return "run `snowdm wait " + " ".join(f"--task-id {task}" for task in task_ids) + "`"
