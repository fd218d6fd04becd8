"""Staged rollouts: a command sent to a device list wave by wave, each wave judged before the next is sent.

`waves` are cumulative sizes, counts or percentages of the device list, cut in the order given: `[1, "10%", "100%"]`
is one canary, then up to a tenth of the fleet, then everyone. A wave's tasks (shards of 10, `_core.task_actions`)
are created only once every execution of the previous wave has ended and, after `bakeSeconds`, one more look at the
passed waves still finds the failures within bounds. `maxFailures` (a count, or a percentage of the devices sent to
so far: Systems Manager's MaxErrors) bounds the failures: past it no further wave starts, the executions of the
failing wave still QUEUED are canceled (IoT Jobs' abort: those already running finish) and `RolloutAborted` carries
a report per wave. The final threshold (`minSucceeded`) still applies over everyone the command was sent to.

`promoteTo` stops after that wave (its bake included) and passes, the later waves reported `held`: a later run with
a higher value carries the rollout on from there, sending no wave twice (a promotion per approved pipeline run);
a lower value sends nothing and says so. With `retries` (`_core.retries`) a wave's failed devices are sent the
command again before the wave is judged, each on its latest attempt.

Every wave waits through the one wait engine (`_core.wait`): a wave is a wait over its own tasks with a rule derived
from maxFailures, and a bake is a pause, then one `until_seen` look. What was sent is found at the service
(`_core.run_scope`: every task carries its run scope and its wave), so a rerun after an interrupted or failed
deployment, with the device list or the waves edited or not, adopts what was sent, judges it and carries on: no
device is sent the command twice in one run scope. Wave sizes are cumulative counts of devices sent: wave n sends to
the next devices never sent to, in list order, until `end` of them were sent; a device already sent keeps the wave
it went out in, in the reports. This module needs no Pulumi; a host
(the dynamic FleetGate, the plugin, a CLI) gives it an operation `Context`: settings, where progress goes, its own
deadline and cancel token, which end the rollout's waits and bakes as they end any other wait.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_snowdm._core.context import Context
from pulumi_snowdm._core.diagnosis import describe_failing, failing_lines
from pulumi_snowdm._core.errors import FleetFailed, InputError, WaitTimedOut
from pulumi_snowdm._core.retries import ended_rule, judge_with_retries, retry_of
from pulumi_snowdm._core.run_scope import Sent, find_sent, send_rest
from pulumi_snowdm._core.shares import Threshold, parse_max_failures, parse_promote_to, parse_waves
from pulumi_snowdm._core.task_actions import cancel_queued, existing_tasks, fan_out
from pulumi_snowdm._core.times import duration, iso
from pulumi_snowdm._core.wait.loop import SetGate
from pulumi_snowdm._core.wait.policy import WaitPolicy
from pulumi_snowdm._core.wait.threshold import FleetOutcome, FleetRule, FleetVerdict, judge_fleet

# Untouched devices listed in an abort message.
NAMED_UNTOUCHED = 200


# --- sizes: what the inputs mean ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Wave:
    """One wave: devices[start:end] of the rollout's device list, numbered from 1."""

    number: int
    start: int
    end: int
    devices: tuple[str, ...]


def plan_waves(devices: Sequence[str], value: Any, prop: str = "waves") -> list[Wave]:
    """Cut the device list into waves; InputError (naming `prop`) when a wave would be empty or out of range."""
    sizes = parse_waves(value, prop)
    total = len(devices)
    if len(sizes) > total:
        raise InputError(prop, f"has {len(sizes)} waves for {total} device(s): more waves than devices")
    waves, start = [], 0
    for number, size in enumerate(sizes, 1):
        end = size.rounded_down(total)
        if end > total:
            raise InputError(prop, f"wave {number} ({size.shown()}) is above the {total} device(s)")
        if end <= start:
            what = "is smaller than" if end < start else "adds no device to"
            raise InputError(prop, f"wave {number} ({size.shown()} = {end} of {total} devices) {what} the "
                                   f"{start} before it: sizes are cumulative and must grow")
        waves.append(Wave(number, start, end, tuple(devices[start:end])))
        start = end
    if start < total:
        raise InputError(prop, f"ends at {sizes[-1].shown()} ({start} of {total} devices): the last wave must reach "
                               f'every device (end with "100%")')
    return waves


# --- reports ----------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class WaveReport:
    """What became of one wave: the devices it sent to (or that went out in it before), its tasks, its judged
    executions and when it started and ended."""

    wave: Wave
    of: int
    devices: list[str] = dataclasses.field(default_factory=list)
    status: str = "not started"  # passed, aborted, held (after promoteTo: not yet sent)
    planned: list[str] = dataclasses.field(default_factory=list)  # not sent yet: what it would send next
    task_ids: list[str] = dataclasses.field(default_factory=list)
    outcome: FleetOutcome | None = None
    started_at: str | None = None
    ended_at: str | None = None

    @property
    def label(self) -> str:
        return f"wave {self.wave.number}/{self.of}"

    def output(self) -> dict[str, Any]:
        return {"wave": self.wave.number, "status": self.status, "devices": [*self.devices, *self.planned],
                "tasks": list(self.task_ids), "counts": self.outcome.counts() if self.outcome else {},
                "startedAt": self.started_at, "endedAt": self.ended_at}

    def line(self) -> str:
        size = f"{len(self.devices) + len(self.planned)} device(s)"
        tasks = f", task(s) {', '.join(self.task_ids)}" if self.task_ids else ""
        if self.outcome is None:
            return f"{self.label} ({size}{tasks}): {self.status}"
        return (f"{self.label} ({size}{tasks}): {self.status}: {self.outcome.progress()}; started "
                f"{self.started_at}, ended {self.ended_at}")


@dataclasses.dataclass
class RolloutResult:
    """Every wave's report, the wave that aborted (if any), and the final judgement over everyone sent to."""

    reports: list[WaveReport]
    devices: tuple[str, ...]
    aborted_wave: int | None = None
    outcome: FleetOutcome | None = None
    scope: Sent = Sent()  # what the run scope has sent, every attempt

    @property
    def task_ids(self) -> list[str]:
        return list(dict.fromkeys(task for report in self.reports for task in report.task_ids))

    @property
    def waves_done(self) -> int:
        """How many waves passed, from the first."""
        done = 0
        for report in self.reports:
            if report.status != "passed":
                break
            done += 1
        return done

    @property
    def sent(self) -> list[str]:
        return [device for report in self.reports for device in report.devices]

    @property
    def untouched(self) -> list[str]:
        sent = set(self.sent)
        return [device for device in self.devices if device not in sent]

    def outputs(self) -> dict[str, Any]:
        """The FleetGate outputs of a rollout: waveReports, untouchedDevices, abortedWave."""
        done = self.waves_done
        return {"waveReports": [report.output() for report in self.reports], "untouchedDevices": self.untouched,
                "abortedWave": self.aborted_wave, "wavesDone": done,
                "nextWave": done + 1 if done < len(self.reports) and self.aborted_wave is None else None}


class RolloutAborted(FleetFailed):
    """A wave's failures passed maxFailures: no further wave was sent; `result` holds the per-wave report."""

    def __init__(self, message: str, result: RolloutResult) -> None:
        super().__init__(message)
        self.result = result


# --- running it -------------------------------------------------------------------------------------------------


class _WaveFailed(Exception):
    """A wave's rule failed (internal: the rollout turns it into an abort)."""

    def __init__(self, outcome: FleetOutcome) -> None:
        super().__init__("wave failed")
        self.outcome = outcome


class _WaveGate(SetGate):
    """A wave's wait: its failure is the rollout's to explain, after it canceled what is queued."""

    def failure(self, run, outcome: FleetOutcome) -> Exception:
        return _WaveFailed(outcome)


def run_rollout(ctx: Context, props: Mapping[str, Any], policy: WaitPolicy, *, label: str, final_rule: FleetRule,
                key: str, also: Sequence[str] = ()) -> RolloutResult:
    """Send `props["command"]` to `props["devices"]` wave by wave, up to `promoteTo`; the result once those waves
    passed. What the run scope `key` had sent before (found at the service, plus the tasks `also`) is judged, never
    sent again.

    Raises RolloutAborted when a wave passes maxFailures, FleetFailed when `final_rule` fails over everyone sent to,
    WaitTimedOut at the deadline (`policy.timeout_seconds` or the host's, for the whole rollout), WaitCanceled once
    the host's cancel token is set.
    """
    client = ctx.client()
    run = _Rollout(ctx, client, props, policy, label, find_sent(client, key, also=also, label=label, say=ctx.say), key)
    last = run.promoted()
    for index in range(last):
        if index and run.bake and run.to_send(index) and index - 1 in run.sent_now:
            run.bake_then_look(index)  # a wave sent in an earlier run was baked there
        run.send_and_judge(index)
    if last < len(run.waves):
        run.hold(last)
    run.result.scope = run.sent
    outcome = judge_fleet(run.view, final_rule, device_ids=run.result.sent)
    run.result.outcome = outcome
    if outcome.verdict is FleetVerdict.FAIL:
        raise FleetFailed(run.final_failure(outcome))
    return run.result


class _Rollout:
    """The bookkeeping of one rollout: the plan, the failure budget, every wave's report and what was seen."""

    def __init__(self, ctx: Context, client, props: Mapping[str, Any], policy: WaitPolicy, label: str, sent: Sent,
                 key: str) -> None:
        self.ctx, self.props, self.policy, self.label = ctx, props, policy, label
        self.client = client
        self.sent, self.key = sent, key
        self.devices = list(dict.fromkeys(props["devices"]))
        self.waves = plan_waves(self.devices, props["waves"])
        self.budget = parse_max_failures(props.get("maxFailures"))
        self.bake = float(props.get("bakeSeconds") or 0)
        self.accept_canceled = bool(props.get("acceptCanceled"))
        self.deadline = ctx.deadline(policy)
        self.result = RolloutResult([WaveReport(wave, len(self.waves)) for wave in self.waves], tuple(self.devices))
        for device in self.devices:  # a device sent before keeps its wave (outside any wave: the first)
            if device in sent:
                number = min(max(sent.wave_of(device) or 1, 1), len(self.waves))
                self.result.reports[number - 1].devices.append(device)
        self.view: dict = {}
        self.retry = retry_of(props)
        self.sent_now: set[int] = set()  # the waves (indexes) this run sent to

    def promoted(self) -> int:
        """How many waves this run goes through: up to promoteTo, and at least every wave sent before."""
        asked = parse_promote_to(self.props.get("promoteTo"))
        last = len(self.waves) if asked is None else min(asked, len(self.waves))
        reached = max((report.wave.number for report in self.result.reports if report.devices), default=0)
        if reached > last:
            self.ctx.say(f"{self.label}: promote_to {asked} is below wave {reached}, which this run already sent "
                         f"to: nothing more is sent; waves 1 to {reached} are judged")
            return reached
        return last

    def hold(self, last: int) -> None:
        """After promoteTo: bake the last wave sent now, then report the later waves as held (not yet sent)."""
        if self.bake and last - 1 in self.sent_now:
            self.bake_then_look(last)
        self.plan_after(last - 1)
        for report in self.result.reports[last:]:
            report.status = "held"
        untouched = len(self.result.untouched)
        self.ctx.say(f"{self.label}: promoted to wave {last}/{len(self.waves)}; waves {last + 1} to "
                     f"{len(self.waves)} not yet sent ({untouched} device(s)): raise promote_to to carry on")

    def allowed(self) -> int:
        """Failures allowed among the devices sent to so far."""
        return self.budget.rounded_down(len(self.result.sent))

    def to_send(self, index: int) -> list[str]:
        """The devices wave `index` sends to: the next never sent to, in list order, up to the wave's size."""
        sent = set(self.result.sent)
        room = self.waves[index].end - len(sent)
        return [device for device in self.devices if device not in sent][:max(0, room)]

    def failed_so_far(self) -> int:
        """Failures among the executions of the passed waves, as last seen (a bake may have seen more)."""
        return judge_fleet(self.view, FleetRule(accept_canceled=self.accept_canceled)).tally.failed

    def send_and_judge(self, index: int) -> None:
        wave, report = self.waves[index], self.result.reports[index]
        wave_label = f"{self.label}: {report.label}"
        pending = self.to_send(index)
        if pending and self.deadline.expired():  # a bake may have run to the deadline: send nothing past it
            raise self.ctx.timed_out(self.policy, WaitTimedOut(
                f"{self.label}: the deadline ({duration(self.deadline.seconds)}) passed before {report.label} was "
                f"sent; no further wave was sent. To carry on, {self.ctx.rerun} (what was sent is found and judged, "
                f"never sent twice), or raise {self.ctx.wording.quoted('timeoutSeconds')}"))
        created = send_rest(self.client, key=self.key, props=self.props, devices=pending, sent=self.sent,
                            wave=wave.number, label=wave_label, say=self.ctx.say, rerun=self.ctx.rerun,
                            cancel=self.ctx.cancel) \
            if pending else []
        self.sent = self.sent.with_created(created)
        if pending:
            self.sent_now.add(index)
        report.devices += pending
        report.task_ids = self.sent.task_ids(report.devices)
        if not report.devices:
            report.status = "passed"
            self.ctx.say(f"{wave_label}: no device: the devices of its size were sent in earlier waves")
            return
        allowance = max(0, self.allowed() - self.failed_so_far())
        rule = FleetRule(Threshold(count=max(0, len(report.devices) - allowance)) if allowance else Threshold(),
                         fail_fast=True, accept_canceled=self.accept_canceled, until_ended=True)
        try:
            decided = self.judge_wave(report, rule, wave_label)
        except _WaveFailed as failed:
            self.abort(index, failed.outcome)
        self.view.update(decided.view)
        report.outcome, report.status = decided.outcome, "passed"
        self.read_times(report)
        self.ctx.say(f"{wave_label}: passed: {decided.outcome.progress()}")

    def judge_wave(self, report: WaveReport, rule: FleetRule, wave_label: str):
        """Wait on the wave by `rule`, each device on its latest attempt, after retrying its failed devices."""
        def wait(sent: Sent, final: bool):
            self.sent = sent
            report.task_ids = sent.task_ids(report.devices)
            return self._wait(report.task_ids, report.devices, rule if final else ended_rule(self.accept_canceled),
                              wave_label)

        def resend(devices: list[str], attempt: int) -> Sent:
            created = send_rest(self.client, key=self.key, props=self.props, devices=devices, sent=self.sent,
                                wave=report.wave.number, attempt=attempt, label=wave_label,
                                say=self.ctx.say, rerun=self.ctx.rerun, cancel=self.ctx.cancel)
            self.sent = self.sent.with_created(created)
            return self.sent

        decided, self.sent = judge_with_retries(
            self.sent, report.devices, self.retry, wait=wait, resend=resend,
            pause=lambda seconds: self.ctx.pause(min(seconds, self.deadline.remaining())), say=self.ctx.say,
            label=wave_label)
        return decided

    def read_times(self, report: WaveReport) -> None:
        """When the ended wave started (its first task created) and ended (its last task completed, else last
        updated), from one DescribeTask per task: the service's clock, right for a wave adopted by a rerun too.
        ListExecutions has no times, and CreateTask answers none."""
        tasks = existing_tasks(self.client, report.task_ids, prop="devices", label=f"{self.label}: "
                               f"{report.label}", say=self.ctx.say,
                               wording=self.ctx.wording)
        created = [task["createdAt"] for task in tasks if task.get("createdAt") is not None]
        ended = [moment for task in tasks if (moment := task.get("completedAt") or task.get("lastUpdatedAt"))]
        report.started_at = iso(min(created)) if created else None
        report.ended_at = iso(max(ended)) if ended else None

    def bake_then_look(self, index: int) -> None:
        """Wait bakeSeconds after wave `index` - 1 passed, then look once more at every passed wave."""
        self.ctx.say(f"{self.label}: baking {self.bake:g}s before wave {index + 1}/{len(self.waves)}")
        self.ctx.pause(min(self.bake, self.deadline.remaining()))
        task_ids = [task for report in self.result.reports[:index] for task in report.task_ids]
        devices = [device for report in self.result.reports[:index] for device in report.devices]
        policy = dataclasses.replace(self.policy, not_found_grace_seconds=0)
        decided = self._wait(task_ids, devices, FleetRule(accept_canceled=self.accept_canceled),
                             f"{self.label}: bake after wave {index}/{len(self.waves)}", until_seen=True,
                             policy=policy)
        self.view.update(decided.view)
        outcome = judge_fleet(decided.view, FleetRule(accept_canceled=self.accept_canceled), device_ids=devices)
        if outcome.tally.failed > self.allowed():
            self.abort(index - 1, outcome, after_bake=True)

    def _wait(self, task_ids, devices, rule: FleetRule, label: str, *, until_seen: bool = False,
              policy: WaitPolicy | None = None):
        policy = policy or self.policy
        gate = _WaveGate(task_ids, devices, rule, current=self.sent.current(devices))
        return self.ctx.wait_on_tasks(task_ids, devices, gate, policy, label=label,
                                      events=self.ctx.lines(label, single=False), until_seen=until_seen,
                                      deadline=self.deadline)

    def abort(self, index: int, outcome: FleetOutcome, *, after_bake: bool = False) -> None:
        """Stop at wave `index`: cancel its executions still QUEUED, look once more, raise RolloutAborted."""
        report = self.result.reports[index]
        wave_label = f"{self.label}: {report.label}"
        canceled = [device for queued in fan_out(lambda task: cancel_queued(self.client, task),
                                                 report.task_ids) for device in queued]
        if canceled:
            self.ctx.say(f"{wave_label}: canceled {len(canceled)} execution(s) still QUEUED")
        rule = FleetRule(accept_canceled=self.accept_canceled)
        view = self.view
        if not after_bake:  # one more look, for the states the cancel left
            policy = dataclasses.replace(self.policy, not_found_grace_seconds=0)
            view = self._wait(report.task_ids, report.devices, rule, wave_label, until_seen=True,
                              policy=policy).view
        devices = set(report.devices)
        final = judge_fleet({key: summary for key, summary in view.items() if key[1] in devices}, rule,
                            device_ids=report.devices)
        report.outcome, report.status = final, "aborted"
        self.read_times(report)
        self.plan_after(index)
        self.result.aborted_wave = report.wave.number
        self.result.scope = self.sent
        raise RolloutAborted(self.abort_message(report, outcome, canceled, after_bake), self.result)

    def plan_after(self, index: int) -> None:
        """What each wave after `index` would send next, after a stop or a promotion (its report's `planned`)."""
        sent = set(self.result.sent)
        unsent = [device for device in self.devices if device not in sent]
        count = len(sent)
        for wave, report in zip(self.waves[index + 1:], self.result.reports[index + 1:], strict=True):
            report.planned, unsent = unsent[:max(0, wave.end - count)], unsent[max(0, wave.end - count):]
            count += len(report.planned)

    def abort_message(self, report: WaveReport, outcome: FleetOutcome, canceled: list[str],
                      after_bake: bool) -> str:
        failing = outcome.failing()
        sent = len(self.result.sent)
        when = f"the bake after {report.label}" if after_bake else report.label
        words = self.ctx.wording
        lines = [f"{self.label}: rollout stopped at {when}: {len(failing)} device(s) failed, more than "
                 f"{words.name('maxFailures')} {self.budget.shown()} allows ({self.allowed()} of the {sent} device(s) "
                 f"sent to so far). No further wave was sent."]
        lines += self.failing_lines(failing)
        if canceled:
            lines.append(f"Canceled {len(canceled)} execution(s) of {report.label} still QUEUED "
                         f"({', '.join(canceled[:NAMED_UNTOUCHED])}); executions already running finish on their "
                         f"own.")
        lines.append("Waves:")
        lines += [f"  - {r.line()}" for r in self.result.reports]
        untouched = self.result.untouched
        if untouched:
            more = f" ... and {len(untouched) - NAMED_UNTOUCHED} more" if len(untouched) > NAMED_UNTOUCHED else ""
            lines.append(f"Untouched devices ({len(untouched)}, the command was never sent to them): "
                         f"{', '.join(untouched[:NAMED_UNTOUCHED])}{more}.")
        lines.append(f"To fix: check the failing devices. To go on anyway, raise {words.quoted('maxFailures')} and "
                     f"{words.rerun}: what was sent is found at the service, judged again and never sent twice "
                     f"({words.name('waves')} may be changed too). To send the command again from the start, change "
                     f"{words.quoted('runId')}.")
        return "\n".join(lines)

    def failing_lines(self, failing) -> list[str]:
        return failing_lines(failing, describe_failing(self.client, failing))

    def final_failure(self, outcome: FleetOutcome) -> str:
        tally, words = outcome.tally, self.ctx.wording
        lines = [f"{self.label}: every wave passed, but {tally.succeeded} of {tally.total} executions succeeded, "
                 f"{outcome.required} required ({words.name('minSucceeded')} {outcome.rule.threshold.describe()}): "
                 f"{outcome.progress()}."]
        lines += self.failing_lines(outcome.failing())
        lines.append("Waves:")
        lines += [f"  - {r.line()}" for r in self.result.reports]
        lines.append(f"To fix: the executions have ended, so a rerun fails the same way; lower "
                     f"{words.quoted('minSucceeded')} to accept them, or change {words.quoted('runId')} to send the "
                     f"command again.")
        return "\n".join(lines)
