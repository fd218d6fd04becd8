"""A gate run from the command line: send the command (`run`), read the tasks, then wait through the product's one
wait engine (`_core.wait`), or take one look (`status`). What ended the wait is returned as a `GateResult`, with the
last judged set of executions, so the command can report per device however it ended.

`run` sends through the same run scope as a FleetGate (`_core.run_scope`): its --run-id and command are the scope,
so a rerun with the same --run-id, whatever the device list now holds, sends only to devices never sent to. A run
whose CreateTask was refused for some devices ends `partial`: the devices sent are looked at once and reported.
With --retry a device is judged on its latest attempt (`_core.retries`); with --waves `run` is a staged rollout on
FleetGate's engine (`_core.rollout`), and the GateResult carries each wave's report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from pulumi_snowdm._core.client import sdm_client
from pulumi_snowdm._core.context import Context
from pulumi_snowdm._core.errors import FleetFailed, WaitCanceled, WaitTimedOut
from pulumi_snowdm._core.retries import ended_rule, judge_with_retries, retry_of
from pulumi_snowdm._core.rollout import RolloutAborted, RolloutResult, run_rollout
from pulumi_snowdm._core.run_scope import Sent, deliver_sent, find_sent, scope_key, send_rest
from pulumi_snowdm._core.settings import ClientSettings
from pulumi_snowdm._core.task_actions import PartlySent, existing_tasks
from pulumi_snowdm._core.times import duration
from pulumi_snowdm._core.wait.cancel import Cancel
from pulumi_snowdm._core.wait.loop import Event, LastOutcome, SetGate, WaitResult
from pulumi_snowdm._core.wait.policy import Deadline, WaitPolicy
from pulumi_snowdm._core.wait.threshold import FleetOutcome, FleetRule, judge_fleet
from pulumi_snowdm.cli.exits import BadUsage
from pulumi_snowdm.cli.inputs import Request
from pulumi_snowdm.cli.interrupts import cancel_on_interrupt, deferred_interrupts
from pulumi_snowdm.cli.reachability import wait_lister

Say = Callable[[str], None]


@dataclasses.dataclass
class GateResult:
    """How a command ended: passed, failed, timed_out, interrupted, partial (some devices sent, the others refused)
    or looked (status), and what was seen last."""

    verdict: str
    label: str
    task_ids: list[str]
    outcome: FleetOutcome | None = None
    message: str = ""
    waves: list[dict] | None = None  # a rollout's wave reports (FleetGate's waveReports)


def label_of(request: Request) -> str:
    """How messages name the command: `snowdm run <run id>`, `snowdm wait`, `snowdm status`."""
    return f"snowdm run {request.run_id}" if request.subcommand == "run" else f"snowdm {request.subcommand}"


def scope(run_id: str) -> str:
    """The run scope of `snowdm run` (with its command): a run id never shares a task with a Pulumi stack."""
    return f"snowdm-cli/{run_id}"


class CommandLineGate(SetGate):
    """The engine's SetGate, keeping the set it failed or timed out on, with messages for a command line."""

    def __init__(self, task_ids: Sequence[str], device_ids: Sequence[str], rule: FleetRule, *, label: str,
                 policy: WaitPolicy, again: str, current: dict[str, str] | None = None) -> None:
        super().__init__(task_ids, device_ids, rule, explain=self._failed, current=current)
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


def run_gate(request: Request, settings: ClientSettings, say: Say, show: Callable[[Event], None]) -> GateResult:
    """`snowdm run` and `snowdm wait`: (send and) read the tasks, wait until the gate decides; never raises
    FleetFailed, WaitTimedOut, KeyboardInterrupt or a partial send, which end as a GateResult."""
    client = sdm_client(settings)
    label = label_of(request)
    gate_result = GateResult("interrupted", label, list(request.task_ids))
    watch = LastOutcome(show)
    try:
        if request.subcommand == "run" and request.plan.get("waves"):
            return _roll_out(request, settings, say, gate_result)
        sent = None
        if request.subcommand == "run":
            with deferred_interrupts(say):
                sent = _send(request, client, say, label, settings.wording.rerun)
            gate_result.task_ids = sent.task_ids(request.devices or ())
        return _wait(request, settings, client, gate_result.task_ids, say, watch, sent)
    except PartlySent as error:
        if not error.task_ids:
            raise  # nothing was sent: the refusal ends the command (a device that does not exist: bad usage)
        reached = [device for device in dict.fromkeys(request.devices or ()) if device not in set(error.unsent)]
        outcome = _look(settings, error.task_ids, reached, label)
        return GateResult("partial", label, error.task_ids, outcome, str(error))
    except KeyboardInterrupt:
        gate_result.outcome = watch.outcome
        resume = (f"rerun with the same --run-id {request.run_id} to resume without sending the command again"
                  if request.subcommand == "run" else "rerun to wait again")
        gate_result.message = f"{label}: interrupted; nothing was left half-done: {resume}"
        return gate_result


def _wait(request: Request, settings: ClientSettings, client, task_ids: list[str], say: Say,
          watch: LastOutcome, sent: Sent | None) -> GateResult:
    """Read the tasks (a missing one fails at once), then wait on their executions through the shared listings;
    `run` judges each device on its latest attempt, retrying as --retry says."""
    label = label_of(request)
    if request.subcommand == "run":  # every listed device, sent now or before in this run
        device_ids = list(dict.fromkeys(request.devices or ()))
    else:
        device_ids = _watched(request, _targets(existing_tasks(client, task_ids, prop="taskIds", label=label,
                                                               say=say, wording=settings.wording)))
    cancel = Cancel()
    ctx = Context(settings, say=say, warn=say, cancel=cancel)
    deadline = Deadline(request.policy.timeout_seconds)
    gates: list[CommandLineGate] = []

    def wait(now: Sent | None, final: bool) -> WaitResult:
        tasks = now.task_ids(device_ids) if now is not None else task_ids
        rule = request.rule if final else ended_rule(request.rule.accept_canceled)
        gate = CommandLineGate(tasks, device_ids, rule, label=label, policy=request.policy,
                               again=settings.wording.rerun, current=now.current(device_ids) if now else None)
        gates.append(gate)
        return ctx.wait_on_tasks(tasks, device_ids, gate, request.policy, label=label, events=watch,
                                 deadline=deadline, lister=wait_lister(settings))

    def resend(devices: list[str], attempt: int) -> Sent:
        assert sent is not None and request.command is not None
        with deferred_interrupts(say):
            created = send_rest(client, key=_key(request), props=_props(request), devices=devices, sent=latest[0],
                                attempt=attempt, label=label, say=say, rerun=settings.wording.rerun)
        latest[0] = latest[0].with_created(created)
        return latest[0]

    latest = [sent or Sent()]
    try:
        with cancel_on_interrupt(cancel):
            if sent is None:
                outcome = wait(None, True).outcome
            else:
                outcome = judge_with_retries(sent, device_ids, retry_of(request.plan), wait=wait, resend=resend,
                                             pause=lambda seconds: cancel.sleep(min(seconds, deadline.remaining())),
                                             say=say, label=label)[0].outcome
    except WaitCanceled:
        raise KeyboardInterrupt from None  # ends as an interrupt anywhere else does (run_gate)
    except FleetFailed as error:
        return GateResult("failed", label, _tasks(latest[0], device_ids, task_ids), gates[-1].last, str(error))
    except WaitTimedOut as error:
        return GateResult("timed_out", label, _tasks(latest[0], device_ids, task_ids), gates[-1].last or watch.outcome,
                      str(error))
    return GateResult("passed", label, _tasks(latest[0], device_ids, task_ids), outcome,
                  f"{label}: passed: {outcome.progress()}")


def _tasks(sent: Sent, devices: Sequence[str], asked: list[str]) -> list[str]:
    return sent.task_ids(devices) if sent.tasks else asked


def _roll_out(request: Request, settings: ClientSettings, say: Say, gate_result: GateResult) -> GateResult:
    """`run --waves`: FleetGate's rollout engine, with this command's progress, interrupts and verdicts."""
    label = gate_result.label
    cancel = Cancel()
    ctx = Context(settings, say=say, warn=say, cancel=cancel)
    devices = list(dict.fromkeys(request.devices or ()))
    props = {**_props(request), "devices": devices, "acceptCanceled": request.rule.accept_canceled, **request.plan}
    try:
        with cancel_on_interrupt(cancel):
            result = run_rollout(ctx, props, request.policy, label=label, final_rule=request.rule, key=_key(request))
    except WaitCanceled:
        raise KeyboardInterrupt from None
    except RolloutAborted as error:
        return _rolled(settings, error.result, "failed", str(error), label)
    except (FleetFailed, WaitTimedOut) as error:
        sent = find_sent(sdm_client(settings), _key(request), label=label, say=lambda _line: None)
        verdict = "failed" if isinstance(error, FleetFailed) else "timed_out"
        outcome = _look(settings, sent.task_ids(devices), [d for d in devices if d in sent], label,
                        sent.current(devices))
        return GateResult(verdict, label, sent.task_ids(devices), outcome, str(error))
    assert result.outcome is not None
    done = result.outputs()
    held = f"; waves {done['nextWave']} to {len(result.reports)} held (--promote-to)" if done["nextWave"] else ""
    return GateResult("passed", label, result.task_ids, result.outcome,
                  f"{label}: passed: {result.outcome.progress()}{held}", [r.output() for r in result.reports])


def _rolled(settings: ClientSettings, result: RolloutResult, verdict: str, message: str, label: str) -> GateResult:
    """An aborted rollout's GateResult: one look at every device sent to, each on its latest attempt."""
    devices = result.sent
    outcome = _look(settings, result.task_ids, devices, label, result.scope.current(devices))
    return GateResult(verdict, label, result.task_ids, outcome, message, [r.output() for r in result.reports])


def look(request: Request, settings: ClientSettings, say: Say) -> GateResult:
    """`snowdm status`: one complete look at the tasks' executions, judged as a refresh judges: all must succeed."""
    client = sdm_client(settings)
    label = label_of(request)
    task_ids = list(request.task_ids)
    targets = _targets(existing_tasks(client, task_ids, prop="taskIds", label=label, say=say,
                                      wording=settings.wording))
    outcome = _look(settings, task_ids, targets, label)
    return GateResult("looked", label, task_ids, outcome, f"{label}: {outcome.progress()}")


def _look(settings: ClientSettings, task_ids: list[str], devices: list[str], label: str,
          current: dict[str, str] | None = None) -> FleetOutcome:
    """One complete look at the devices' executions through the same loop (a busy service is outlasted); with
    `current`, each device on its latest attempt."""
    rule = FleetRule()
    quiet = Context(settings, say=lambda _line: None, warn=lambda _line: None)
    view = quiet.wait_on_tasks(task_ids, devices, SetGate(task_ids, devices, rule, current=current),
                               WaitPolicy(not_found_grace_seconds=0), label=label, events=lambda _event: None,
                               until_seen=True).view
    return judge_fleet(view, rule, device_ids=devices, early=True)


def _send(request: Request, client, say: Say, label: str, rerun: str) -> Sent:
    """What the run scope has sent, after sending to the listed devices never sent to in this run."""
    assert request.devices is not None
    return deliver_sent(client, key=_key(request), props=_props(request), devices=request.devices, label=label,
                        say=say, rerun=rerun)


def _key(request: Request) -> str:
    assert request.run_id is not None and request.command is not None
    return scope_key(scope(request.run_id), request.command, request.run_id)


def _props(request: Request) -> dict:
    return {"command": request.command, "description": request.description}


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


def rerun_of(request: Request) -> str:
    """How the user runs this command again, as advice reads it."""
    if request.subcommand == "run":
        return f"rerun `snowdm run` with the same --run-id {request.run_id}"
    return f"run `snowdm {request.subcommand} " + " ".join(f"--task-id {task}" for task in request.task_ids) + "`"
