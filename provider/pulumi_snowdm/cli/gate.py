"""A gate run from the command line: send the command (`run`), read the tasks, then wait through the product's one
wait engine (`_core.wait`), or take one look (`status`). What ended the wait is returned as an `Ending`, with the last
judged set of executions, so the command can report per device however it ended.

`run` sends through the same run scope as a FleetGate (`_core.run_scope`): its --run-id and command are the scope,
so a rerun with the same --run-id, whatever the device list now holds, sends only to devices never sent to. A run
whose CreateTask was refused for some devices ends `partial`: the devices sent are looked at once and reported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from pulumi_snowdm._core.client import sdm_client
from pulumi_snowdm._core.errors import FleetFailed, WaitCanceled, WaitTimedOut
from pulumi_snowdm._core.run_scope import deliver, scope_key
from pulumi_snowdm._core.settings import ClientSettings
from pulumi_snowdm._core.task_actions import PartlySent, existing_tasks
from pulumi_snowdm._core.times import duration
from pulumi_snowdm._core.wait.cancel import Cancel
from pulumi_snowdm._core.wait.listing import LISTINGS, settings_lister
from pulumi_snowdm._core.wait.loop import Event, LastOutcome, ListingSource, SetGate, wait_until_decided
from pulumi_snowdm._core.wait.policy import WaitPolicy
from pulumi_snowdm._core.wait.threshold import FleetOutcome, FleetRule, judge_fleet
from pulumi_snowdm.cli.exits import BadUsage
from pulumi_snowdm.cli.inputs import Request
from pulumi_snowdm.cli.interrupts import cancel_on_interrupt, deferred_interrupts
from pulumi_snowdm.cli.reachability import wait_lister

Say = Callable[[str], None]


@dataclasses.dataclass
class Ending:
    """How a command ended: passed, failed, timed_out, interrupted, partial (some devices sent, the others refused)
    or looked (status), and what was seen last."""

    verdict: str
    label: str
    task_ids: list[str]
    outcome: FleetOutcome | None = None
    message: str = ""


def label_of(request: Request) -> str:
    """How messages name the command: `snowdm run <run id>`, `snowdm wait`, `snowdm status`."""
    return f"snowdm run {request.run_id}" if request.subcommand == "run" else f"snowdm {request.subcommand}"


def scope(run_id: str) -> str:
    """The run scope of `snowdm run` (with its command): a run id never shares a task with a Pulumi stack."""
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


def run_gate(request: Request, settings: ClientSettings, say: Say, show: Callable[[Event], None]) -> Ending:
    """`snowdm run` and `snowdm wait`: (send and) read the tasks, wait until the gate decides; never raises
    FleetFailed, WaitTimedOut, KeyboardInterrupt or a partial send, which end as an Ending."""
    client = sdm_client(settings)
    label = label_of(request)
    ending = Ending("interrupted", label, list(request.task_ids))
    watch = LastOutcome(show)
    try:
        if request.subcommand == "run":
            with deferred_interrupts(say):
                ending.task_ids = _send(request, client, say, label)
        return _wait(request, settings, client, ending.task_ids, say, watch)
    except PartlySent as error:
        if not error.task_ids:
            raise  # nothing was sent: the refusal ends the command (a device that does not exist: bad usage)
        sent = [device for device in dict.fromkeys(request.devices or ()) if device not in set(error.unsent)]
        outcome = _look(settings, error.task_ids, sent, label)
        return Ending("partial", label, error.task_ids, outcome, str(error))
    except KeyboardInterrupt:
        ending.outcome = watch.outcome
        resume = (f"rerun with the same --run-id {request.run_id} to resume without sending the command again"
                  if request.subcommand == "run" else "rerun to wait again")
        ending.message = f"{label}: interrupted; nothing was left half-done: {resume}"
        return ending


def _wait(request: Request, settings: ClientSettings, client, task_ids: list[str], say: Say,
          watch: LastOutcome) -> Ending:
    """Read the tasks (a missing one fails at once), then wait on their executions through the shared listings."""
    label = label_of(request)
    if request.subcommand == "run":  # every listed device, sent now or before in this run
        device_ids = list(dict.fromkeys(request.devices or ()))
    else:
        device_ids = _watched(request, _targets(existing_tasks(client, task_ids, prop="--task-id", label=label,
                                                               report=say)))
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
            return Ending("timed_out", label, task_ids, gate.last or watch.outcome, str(error))
    return Ending("passed", label, task_ids, outcome, f"{label}: passed: {outcome.progress()}")


def look(request: Request, settings: ClientSettings, say: Say) -> Ending:
    """`snowdm status`: one complete look at the tasks' executions, judged as a refresh judges: all must succeed."""
    client = sdm_client(settings)
    label = label_of(request)
    task_ids = list(request.task_ids)
    targets = _targets(existing_tasks(client, task_ids, prop="--task-id", label=label, report=say))
    outcome = _look(settings, task_ids, targets, label)
    return Ending("looked", label, task_ids, outcome, f"{label}: {outcome.progress()}")


def _look(settings: ClientSettings, task_ids: list[str], devices: list[str], label: str) -> FleetOutcome:
    """One complete look at the devices' executions through the same loop (a busy service is outlasted)."""
    rule = FleetRule()
    with LISTINGS.subscribe(settings, task_ids, settings_lister(settings), devices=devices) as subscription:
        view = wait_until_decided(ListingSource(subscription), SetGate(task_ids, devices, rule),
                                  WaitPolicy(not_found_grace_seconds=0), label=label, events=lambda _event: None,
                                  until_seen=True).view
    return judge_fleet(view, rule, device_ids=devices, early=True)


def _send(request: Request, client, say: Say, label: str) -> list[str]:
    """The run scope's tasks for the listed devices, after sending to those never sent to in this run."""
    assert request.run_id is not None and request.devices is not None and request.command is not None
    return deliver(client, key=scope_key(scope(request.run_id), request.command, request.run_id),
                   props={"command": request.command, "description": request.description},
                   devices=request.devices, label=label, say=say, rerun=_again(request, []))


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
