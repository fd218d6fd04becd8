"""FleetGate's operations: create the tasks in shards of 10 (or take given ones) and judge every execution.

A gate given devices sends its command to each device at most once per run scope (`_core.run_scope`: the stack, the
gate's name, the command and runId): before sending it finds the scope's tasks at the service, so a rerun after a
failure, a kill or an edit of the device list sends only to devices never sent to. Adding devices is an update that
sends to the new ones; removing devices sends nothing. The gate judges every listed device's execution in scope,
wherever it came from.

The gate waits through the process's shared task listings (`_core.wait`) until the threshold (`minSucceeded`: all by
default, a count or a percentage) is met or unreachable, naming the failing devices with their state and what
DescribeDevice says. A create that fails after sending attaches what it sent as the error's `partial` state (the
plugin records it; its next update carries on). read lists again: tasks gone are dropped (all gone: None), a
threshold that can no longer be met fails. update carries a device gate on when its devices changed or it had not
finished; otherwise it changes no execution (threshold, timing) but applies new tags to tasks the gate made. delete
cancels what is still QUEUED in tasks the gate made; a gate over given taskIds leaves them alone.

With `waves` (and `maxFailures`, `bakeSeconds`) a gate given devices is a staged rollout: the command goes out
wave by wave, each wave judged before the next is sent (`_core.rollout`, which this module only calls).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_snowdm._core.changes import InputReader, same
from pulumi_snowdm._core.context import Context
from pulumi_snowdm._core.diagnosis import describe_failing, explain_fleet_failure
from pulumi_snowdm._core.errors import FleetFailed, InputError, NotFound, SnowdmError
from pulumi_snowdm._core.finders import find_task
from pulumi_snowdm._core.input_checks import InputCheck, check_reachable_threshold
from pulumi_snowdm._core.operations.fleet_outputs import OUTPUTS, execution_records, fleet_outputs
from pulumi_snowdm._core.retries import attempt_records, ended_rule, judge_with_retries, retry_of
from pulumi_snowdm._core.rollout import RolloutAborted, plan_waves, run_rollout
from pulumi_snowdm._core.run_scope import RESERVED_TAG_PREFIX, Sent, deliver_sent, scope_key, send_rest
from pulumi_snowdm._core.shares import parse_promote_to, parse_threshold
from pulumi_snowdm._core.spec import FLEET_GATE, TIMING_FIELDS
from pulumi_snowdm._core.task_actions import PartlySent, cancel_shards, existing_tasks, fan_out, retag_tasks
from pulumi_snowdm._core.wait.loop import LastOutcome, SetGate
from pulumi_snowdm._core.wait.policy import outlast_busy_service
from pulumi_snowdm._core.wait.threshold import FleetOutcome, FleetRule, FleetVerdict, judge_fleet
from pulumi_snowdm._core.wait_inputs import check_timing, wait_policy

SPEC = FLEET_GATE
# Inputs that apply only when the gate creates the tasks (given `devices`).
DEVICE_INPUTS = ("command", "description", "tags", "runId", "waves", "retries", "retryOn", "retryPauseSeconds")
# Inputs that apply only to a staged rollout (given `waves`).
WAVE_INPUTS = ("maxFailures", "bakeSeconds", "promoteTo")
# Inputs that tune retries (given `retries`).
RETRY_INPUTS = ("retryOn", "retryPauseSeconds")
# The outputs only a gate given devices sets (waveReports, abortedWave, wavesDone, nextWave: only a staged rollout;
# attempts: only with retries). A refresh keeps them: they are history, not the current state.
ROLLOUT_OUTPUTS = ("waveReports", "untouchedDevices", "abortedWave", "wavesDone", "nextWave", "attempts")
# Inputs whose change makes a gate given devices carry on (send to devices not sent yet, judge again).
CARRY_ON_INPUTS = ("devices", "waves", "maxFailures", "promoteTo", "retries", "retryOn")
# Ids longer than this become a hash: the engine shows ids in every diff and log line.
MAX_JOINED_ID = 256


def fleet_id(task_ids: Sequence[str]) -> str:
    """The gate's id: its task ids joined, or a hash of them when that would be long."""
    joined = ",".join(task_ids)
    if len(joined) <= MAX_JOINED_ID:
        return joined
    return "fleet-" + hashlib.sha256(joined.encode()).hexdigest()[:32]


def check(check: InputCheck) -> None:
    news = check.news
    check.check_all(skip=("command", *TIMING_FIELDS))
    sources = [name for name in ("taskIds", "devices") if news.get(name) is not None]
    if not sources:
        check.fail("taskIds", f"or '{check.label('devices')}' is required: give '{check.label('taskIds')}' to "
                              f"gate existing tasks, or '{check.label('devices')}' and "
                              f"'{check.label('command')}' to have the gate create them")
    elif len(sources) == 2:
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
    _check_own_tags(check)
    check_reachable_threshold(check)
    check_plan(check)
    check_timing(check)


def check_plan(check: InputCheck) -> None:
    """The rules between the rollout's and the retries' inputs (each one on its own is checked already)."""
    if not check.news.get("retries"):
        for name in RETRY_INPUTS:
            if check.news.get(name) is not None and not check.unknown(check.news.get("retries")):
                check.fail(name, f"applies only with '{check.label('retries')}' above 0; leave it unset or give "
                                 f"'{check.label('retries')}'")
    _check_waves(check)


def create(ctx: Context, props: Mapping[str, Any], *, also: Sequence[str] = ()) -> tuple[str, dict[str, Any]]:
    """Send (given devices) or take the tasks, then wait until the gate decides. `also`: tasks a host recorded
    for this gate before (its state), which count as sent even without the scope's tag."""
    client = ctx.client()
    label = _label(props)
    if props.get("waves"):
        return _roll_out(ctx, client, props, label, also)
    if props.get("devices"):
        return _send_and_judge(ctx, client, props, label, also)
    task_ids = list(props["taskIds"])
    tasks = existing_tasks(client, task_ids, prop="taskIds", label=label, say=ctx.say,
                           wording=ctx.wording)
    device_ids = [device for task in tasks for device in task.get("targets") or []]
    policy = wait_policy(props)
    gate = SetGate(task_ids, device_ids, _rule(props), explain=_explainer(ctx, client, label, False))
    outcome = ctx.wait_on_tasks(task_ids, device_ids, gate, policy, label=label,
                                events=ctx.lines(label, single=False)).outcome
    ctx.say(f"{label}: passed: {outcome.progress()}")
    return fleet_id(task_ids), _outputs(ctx, client, props, task_ids, outcome, label)


def _send_and_judge(ctx: Context, client, props: Mapping[str, Any], label: str,
                    also: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """A gate given devices: send to those never sent in its run scope, then judge each device on its latest
    attempt, retrying as `retries` says (`_core.retries`)."""
    device_ids = list(dict.fromkeys(props["devices"]))
    key, policy = _scope_key(props), wait_policy(props)
    deadline = ctx.deadline(policy)
    seen = LastOutcome(ctx.lines(label, single=False))
    last = {"sent": _send(ctx, client, props, device_ids, label, also)}

    def wait(sent: Sent, final: bool):
        task_ids = sent.task_ids(device_ids)
        rule = _rule(props) if final else ended_rule(bool(props.get("acceptCanceled")))
        gate = SetGate(task_ids, device_ids, rule, explain=_explainer(ctx, client, label, True),
                       current=sent.current(device_ids))
        return ctx.wait_on_tasks(task_ids, device_ids, gate, policy, label=label, events=seen, deadline=deadline)

    def resend(devices: list[str], attempt: int) -> Sent:
        last["sent"] = resend_attempt(ctx, client, props, key, last["sent"], devices, attempt, label)
        return last["sent"]

    try:
        decided, sent = judge_with_retries(last["sent"], device_ids, retry_of(props), wait=wait, resend=resend,
                                           pause=lambda seconds: ctx.pause(min(seconds, deadline.remaining())),
                                           say=ctx.say, label=label)
    except SnowdmError as error:
        if error.partial is None:
            error.partial = _partial(props, last["sent"].task_ids(device_ids), seen.outcome)
        raise
    task_ids = sent.task_ids(device_ids)
    ctx.say(f"{label}: passed: {decided.outcome.progress()}")
    outputs = _outputs(ctx, client, props, task_ids, decided.outcome, label, sent=sent)
    return fleet_id(task_ids), {**outputs, "untouchedDevices": []}


def resend_attempt(ctx: Context, client, props: Mapping[str, Any], key: str, sent: Sent, devices: list[str],
                   attempt: int, label: str, *, wave: int | None = None) -> Sent:
    """Send attempt `attempt` to `devices` (those not sent it yet in the scope); what the scope has sent then. A
    refused shard raises PartlySent with the gate's partial state."""
    try:
        created = send_rest(client, key=key, props=props, devices=devices, sent=sent, wave=wave, attempt=attempt,
                            label=label, say=ctx.say, rerun=ctx.rerun, cancel=ctx.cancel)
    except PartlySent as error:
        task_ids = [*sent.task_ids(props["devices"]), *(task_id for task_id, _ in error.created)]
        error.partial = _partial(props, task_ids, None)
        raise
    return sent.with_created(created)


def _send(ctx: Context, client, props: Mapping[str, Any], devices: list[str], label: str,
          also: Sequence[str]) -> Sent:
    """What the gate's run scope has sent, after sending to the devices of `devices` never sent to."""
    try:
        return deliver_sent(client, key=_scope_key(props), props=props, devices=devices, also=also, label=label,
                            say=ctx.say, rerun=ctx.rerun, cancel=ctx.cancel)
    except PartlySent as error:
        if error.task_ids:  # nothing sent, nothing to record
            error.partial = _partial(props, error.task_ids, None, untouched=error.unsent)
        raise


def _scope_key(props: Mapping[str, Any]) -> str:
    return scope_key(props.get("scope") or "", props["command"], props.get("runId"))


def _roll_out(ctx: Context, client, props: Mapping[str, Any], label: str,
              also: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """A staged rollout (`_core.rollout`): wave by wave, then the gate's threshold over everyone sent to."""
    try:
        result = run_rollout(ctx, props, wait_policy(props), label=label, final_rule=_rule(props),
                             key=_scope_key(props), also=also)
    except RolloutAborted as error:
        error.partial = _partial(props, error.result.task_ids, None, rollout=error.result.outputs())
        raise
    assert result.outcome is not None  # a rollout that returns has judged everyone sent to
    ctx.say(f"{label}: passed: {result.outcome.progress()}")
    outputs = _outputs(ctx, client, props, result.task_ids, result.outcome, label, sent=result.scope)
    return fleet_id(result.task_ids), {**outputs, **result.outputs()}


def _partial(props: Mapping[str, Any], task_ids: Sequence[str], outcome: FleetOutcome | None, *,
             untouched: Sequence[str] = (), rollout: Mapping[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """What a gate given devices had done when it failed: its tasks, the devices never sent to, the last judged
    set (no call is made for it) and a rollout's reports. Its `required` stays above `succeeded`, so the next
    update carries the gate on."""
    devices = list(dict.fromkeys(props["devices"]))
    if outcome is not None:
        records = execution_records(None, outcome, with_times=False, say=lambda _line: None, label="")
        judged = fleet_outputs(outcome, list(task_ids), records)
    else:
        judged = {"taskIds": list(task_ids), "counts": {}, "executions": {}, "failedDevices": [], "succeeded": 0,
                  "total": 0, "required": _rule(props).threshold.required_count(len(devices))}
    judged["required"] = max(judged["required"], judged["succeeded"] + 1)
    return fleet_id(task_ids), {**SPEC.inputs_in(props), **judged, "untouchedDevices": list(untouched),
                                **(rollout or {})}


def read(ctx: Context, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The gate's outputs as listed now; None when every task is gone."""
    client = ctx.client()
    label = _label(props)
    tasks = _tasks_still_there(ctx, client, props.get("taskIds") or [], label)
    if not tasks:
        return None
    task_ids = [task["taskId"] for task in tasks]
    targets = [device for task in tasks for device in task.get("targets") or []]
    # A gate given devices judges a retried device on its latest attempt.
    current = Sent(tuple(tasks)).current(targets) if props.get("devices") else None
    rule = _rule(props)
    # One complete look through the same loop as create: a busy service is outlasted, not given up on.
    policy = dataclasses.replace(wait_policy(props), not_found_grace_seconds=0)
    view = ctx.wait_on_tasks(task_ids, targets, SetGate(task_ids, targets, rule, current=current), policy,
                             label=label, events=ctx.lines(label, single=False, states=False), until_seen=True).view
    # A refresh fails only when the threshold can no longer be met, whatever is still running.
    outcome = judge_fleet(view, rule, device_ids=targets, early=True)
    if outcome.verdict is FleetVerdict.FAIL:
        raise FleetFailed(_explainer(ctx, client, label, bool(props.get("devices")))(outcome))
    return _outputs(ctx, client, props, task_ids, outcome, label)


def update(ctx: Context, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    old_tags, new_tags = dict(olds.get("tags") or {}), dict(news.get("tags") or {})
    if news.get("devices") and old_tags != new_tags:
        task_ids = olds.get("taskIds") or []
        retag_tasks(ctx.client(), task_ids, old_tags, new_tags)
        ctx.say(f"{_label(news)}: retagged its {len(task_ids)} task(s)")
    if news.get("devices") and _carries_on(olds, news):
        return create(ctx, news, also=olds.get("taskIds") or [])[1]
    # Only the threshold, timing or tags changed: the fleet is the same, so its outputs stay as they were.
    return {**{k: olds.get(k) for k in (*OUTPUTS, *ROLLOUT_OUTPUTS)}, **SPEC.inputs_in(news)}


def _carries_on(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """Whether an update sends and judges again: the devices (or a rollout's plan) changed, or the gate had not
    finished (a failed create's partial state: devices never sent to, a stopped rollout, too few succeeded)."""
    changed = not all(same(olds.get(name), news.get(name)) for name in CARRY_ON_INPUTS)
    unfinished = bool(olds.get("untouchedDevices")) or olds.get("abortedWave") is not None or \
        (olds.get("succeeded") or 0) < (olds.get("required") or 0)
    return changed or unfinished


def delete(ctx: Context, id_: str, props: Mapping[str, Any]) -> None:
    label = _label(props)
    if not props.get("devices"):
        ctx.say(f"{label}: gates given tasks, so leaves them as they are")
        return
    cancel_shards(ctx.client(), props.get("taskIds") or [], ctx.say, label)


def input_reader(news: Mapping[str, Any]) -> InputReader:
    """How a diff reads the user's inputs: with `devices`, the taskIds in state are an output, not an input."""
    return _read_input


def _read_input(props: Mapping[str, Any], key: str) -> Any:
    if key == "taskIds" and props.get("devices") is not None:
        return None
    return props.get(key)


def _outputs(ctx: Context, client, props, task_ids, outcome: FleetOutcome, label: str, *,
             sent: Sent | None = None) -> dict[str, Any]:
    records = execution_records(client, outcome, with_times=props.get("executionTimes", True) is not False,
                                say=ctx.say, label=label)
    # A refresh keeps the rollout's report of how the waves went: it is history, not the current state.
    rollout = {k: props[k] for k in ROLLOUT_OUTPUTS if props.get(k) is not None}
    outputs = {**SPEC.inputs_in(props), **fleet_outputs(outcome, task_ids, records), **rollout}
    if sent is not None and props.get("retries"):
        devices = [device for device in dict.fromkeys(props["devices"]) if device in sent]
        outputs["attempts"] = attempt_records(client, sent, devices, records)
    return outputs


def _rule(props: Mapping[str, Any]) -> FleetRule:
    return FleetRule(parse_threshold(props.get("minSucceeded")), bool(props.get("failFast")),
                     bool(props.get("acceptCanceled")))


def _label(props: Mapping[str, Any]) -> str:
    name = (props.get("scope") or "").rsplit("/", 1)[-1]
    return f"fleet gate {name}" if name else "fleet gate"


def _tasks_still_there(ctx: Context, client, task_ids: Sequence[str], label: str) -> list[dict]:
    """DescribeTask of every task, outlasting a busy service; a task gone is said and dropped."""
    def task_or_none(task_id: str) -> dict | None:
        try:
            return outlast_busy_service(lambda: find_task(client, task_id), label=f"{label}: task {task_id}",
                                        say=ctx.say)
        except NotFound:
            ctx.say(f"{label}: task {task_id} is gone; dropped from the gate")
            return None
    return [task for task in fan_out(task_or_none, task_ids) if task is not None]


def _explainer(ctx: Context, client, label: str, creates_tasks: bool):
    """The failure message: the judged fleet plus DescribeDevice of the first failing devices."""
    def explain(outcome: FleetOutcome) -> str:
        return explain_fleet_failure(outcome, describe_failing(client, outcome.failing()), describe=label,
                                     creates_tasks=creates_tasks, wording=ctx.wording)
    return explain


def _check_own_tags(check: InputCheck) -> None:
    """The tag keys the gate records its run scope in are not the user's to set."""
    tags = check.news.get("tags")
    if not isinstance(tags, Mapping) or check.unknown(tags):
        return
    reserved = [key for key in tags if isinstance(key, str) and key.startswith(RESERVED_TAG_PREFIX)]
    if reserved:
        check.fail("tags", f"keys starting with {RESERVED_TAG_PREFIX!r} are the gate's own (it records what it sent "
                           f"in them): rename {', '.join(repr(key) for key in reserved)}")


def _check_waves(check: InputCheck) -> None:
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
        planned = plan_waves(devices, waves, check.label("waves"))
    except InputError as error:
        check.fail("waves", error.problem)
        return
    promote = check.news.get("promoteTo")
    if check.failed("promoteTo") or check.unknown(promote):
        return
    wave = parse_promote_to(promote, check.label("promoteTo"))
    if wave is not None and wave > len(planned):
        check.fail("promoteTo", f"is wave {wave}, but '{check.label('waves')}' has {len(planned)} wave(s): give a "
                                f'wave from 1 to {len(planned)}, or "all"')
