"""The one "wait until decided" loop: look, judge the set, tell what changed, pause, look again.

Every wait of the product runs here: a TaskExecution (a set of one execution), a FleetGate (every execution of its
tasks), the first look of `wait=False` and the looks of a refresh (`until_seen`: return once everything expected
was seen, judged or not). What differs is stated by the caller:
- a `Source` gives looks ({(task_id, device_id): summary} plus per-task errors) and the pause between them
  (`ListingSource` reads the shared ListExecutions snapshots and wakes early on news; `DescribeSource` calls
  DescribeExecution); the pause is the only place the product sleeps between looks at an execution;
- a `Gate` gives the rule and the errors it raises (`ExecutionGate` for one device, `SetGate` for a set);
- `cancel` (a `Cancel` token) ends the wait between looks, and wakes its pause at once;
- `events` receives progress as `Event`s (a state change, a heartbeat, a busy service, an unknown state) for the
  host to render: the dynamic provider prints lines, other hosts may draw them their own way.

Rules every wait shares: NotFound is tolerated for `not_found_grace_seconds` until something of the task was seen
(an execution can appear a little after CreateTask), ServiceUnavailable is a missed look until the deadline, a
state the acceptors table does not know is warned about once and waited on, and time in QUEUED has its own limit.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from pulumi_snowdm._core.diagnosis import execution_times, explain_fleet_failure
from pulumi_snowdm._core.errors import (
    ExecutionFailed,
    FleetFailed,
    NotFound,
    ServiceUnavailable,
    WaitCanceled,
    WaitTimedOut,
)
from pulumi_snowdm._core.times import duration
from pulumi_snowdm._core.wait import acceptors
from pulumi_snowdm._core.wait.acceptors import StateVerdict
from pulumi_snowdm._core.wait.cancel import Cancel
from pulumi_snowdm._core.wait.listing import Subscription
from pulumi_snowdm._core.wait.pace import PaceNote
from pulumi_snowdm._core.wait.policy import Backoff, Clock, Deadline, Sleep, WaitPolicy
from pulumi_snowdm._core.wait.threshold import (
    ALL_MUST_SUCCEED,
    NOT_LISTED,
    ExecutionVerdict,
    FleetOutcome,
    FleetRule,
    FleetVerdict,
    judge_fleet,
)
from pulumi_snowdm._core.wording import PYTHON, Wording

Key = tuple[str, str]
View = dict[Key, dict]


# --- events: what a host renders -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StatesChanged:
    """Some executions changed state (or were first seen); `changes` holds (key, previous or None, state)."""

    outcome: FleetOutcome
    changes: tuple[tuple[Key, str | None, str], ...]
    elapsed: float


@dataclasses.dataclass(frozen=True)
class Heartbeat:
    """Nothing changed for a heartbeat interval; `outcome` is the last judged set, `busy` why the last look failed
    (None when it did not)."""

    outcome: FleetOutcome | None
    elapsed: float
    busy: ServiceUnavailable | None = None


@dataclasses.dataclass(frozen=True)
class ServiceBusy:
    """A look failed because the service stayed busy; said once per streak of such looks."""

    error: ServiceUnavailable


@dataclasses.dataclass(frozen=True)
class Throttled:
    """The service throttled `answers` of this process's ListExecutions calls since the last such event (at most one
    per heartbeat interval): the wait goes on, paced at `rate` requests per second within the `budget`."""

    answers: int
    rate: float
    budget: float


@dataclasses.dataclass(frozen=True)
class UnknownState:
    """An execution is in a state the acceptors table does not know; said once per state."""

    state: str


Event = StatesChanged | Heartbeat | ServiceBusy | Throttled | UnknownState


class LastOutcome:
    """Passes a wait's events on, keeping the last judged set: what a wait that failed, timed out or was
    interrupted had seen."""

    def __init__(self, events: Callable[[Event], None]) -> None:
        self.events = events
        self.outcome: FleetOutcome | None = None

    def __call__(self, event: Event) -> None:
        if isinstance(event, (StatesChanged, Heartbeat)) and event.outcome is not None:
            self.outcome = event.outcome
        self.events(event)


@dataclasses.dataclass(frozen=True)
class WaitResult:
    """How a wait ended: the judged set and the summaries it was judged from."""

    outcome: FleetOutcome
    view: View


# --- sources: where looks come from ----------------------------------------------------------------------------


@dataclasses.dataclass
class Look:
    """One look: what is listed now, the tasks whose listing failed this time (their last view stays), and the pace
    of the calls behind it (None: not paced)."""

    view: View
    errors: dict[str, Exception]
    pacing: PaceNote | None = None


class Source(Protocol):
    """Looks at executions, and pauses between looks."""

    def look(self) -> Look: ...

    def pause(self, seconds: float) -> None: ...

    def interrupt(self) -> None: ...


class ListingSource:
    """Looks through a Subscription to the shared ListExecutions snapshots; a pause wakes early on news."""

    def __init__(self, subscription: Subscription) -> None:
        self._subscription = subscription

    def look(self) -> Look:
        return Look(self._subscription.view(), self._subscription.errors(), self._subscription.pacing())

    def pause(self, seconds: float) -> None:
        self._subscription.sleep(seconds)

    def interrupt(self) -> None:
        self._subscription.interrupt()


class DescribeSource:
    """Looks at one execution with `describe()` (DescribeExecution: a dict, or NotFound / ServiceUnavailable)."""

    def __init__(self, describe: Callable[[], dict], task_id: str, device_id: str, sleep: Sleep | None = None) -> None:
        self._describe = describe
        self._key = (task_id, device_id)
        self._woken = threading.Event()
        self._sleep = sleep or self._woken.wait
        self._view: View = {}

    def look(self) -> Look:
        try:
            self._view = {self._key: self._describe()}
        except (NotFound, ServiceUnavailable) as error:
            return Look(dict(self._view), {self._key[0]: error})
        return Look(dict(self._view), {})

    def pause(self, seconds: float) -> None:
        if not self._woken.is_set():
            self._sleep(seconds)

    def interrupt(self) -> None:
        self._woken.set()


# --- gates: the rule and the errors of one kind of wait ----------------------------------------------------------


class ExecutionGate:
    """One device's execution of one task: a set of one, passing on SUCCEEDED (or accepted CANCELED).

    `explain(summary)` writes the failure message (it may call DescribeDevice); the default is one plain line.
    `confirm_task()`, called once if the first look does not find the execution, raises when the task does not
    exist (DescribeTask): a missing task fails at once, while an execution not listed yet gets the grace period.
    """

    def __init__(self, task_id: str, device_id: str, *, accept_canceled: bool = False,
                 explain: Callable[[dict], str] | None = None,
                 confirm_task: Callable[[], object] | None = None) -> None:
        self.task_ids = [task_id]
        self.device_ids = [device_id]
        self.key = (task_id, device_id)
        self.rule = FleetRule(fail_fast=True, accept_canceled=accept_canceled)
        self._explain = explain
        self._confirm_task = confirm_task

    def select(self, view: View) -> View:
        """The whole listing: a set of one."""
        return view

    def before_judging(self, look: Look) -> None:
        """The first clear look without the execution (not a busy service): make sure its task exists, once."""
        busy = any(isinstance(error, ServiceUnavailable) for error in look.errors.values())
        if self._confirm_task is not None and self.key not in look.view and not busy:
            confirm, self._confirm_task = self._confirm_task, None
            confirm()

    def check(self, run: _Run, outcome: FleetOutcome) -> None:
        """Once seen, an execution that is no longer listed was deleted with its task: say so at once."""
        if self.key in run.seen and outcome.entries[0].state == NOT_LISTED:
            raise NotFound("execution", f"for task {self.key[0]} on device {self.key[1]}")

    def failure(self, run: _Run, outcome: FleetOutcome) -> Exception:
        entry = outcome.entries[0]
        if entry.state == NOT_LISTED:
            return NotFound("execution", f"for task {self.key[0]} on device {self.key[1]}")
        if entry.reason:  # QUEUED past its own limit
            since = run.queued_since.get(self.key, run.started)
            return WaitTimedOut(
                f"{run.label}: still QUEUED after {duration(run.clock() - since)} ({self._last_seen(run)}): the "
                f"device may be offline or may not have remote management enabled. Check the device, then "
                f"{run.wording.rerun} to wait again; the task stays queued meanwhile")
        summary = run.view[self.key]
        if self._explain is not None:
            return ExecutionFailed(self._explain(summary))
        state = str(summary.get("state"))
        return ExecutionFailed(f"{run.label}: execution {summary.get('executionId')} ended {state} "
                               f"({acceptors.phrase(state)})")

    def timeout(self, run: _Run, outcome: FleetOutcome | None) -> Exception:
        if self.key not in run.seen:
            return WaitTimedOut(f"{run.label}: the execution did not appear within {duration(run.deadline.seconds)}")
        return WaitTimedOut(
            f"{run.label}: no final state after {run.elapsed_text()} (deadline {duration(run.deadline.seconds)}); "
            f"{self._last_seen(run)}. The execution goes on without the gate: {run.wording.rerun} to wait "
            f"again, or raise {run.wording.quoted('timeoutSeconds')}")

    def _last_seen(self, run: _Run) -> str:
        last = run.view.get(self.key) or {}
        return f"execution {last.get('executionId')} was last seen {last.get('state')}, {execution_times(last)}"


class SetGate:
    """Every execution of `task_ids` (limited to `device_ids` unless None), judged together against `rule`.

    `explain(outcome)` writes the failure message (it may call DescribeDevice); the default lists the devices.
    `current` ({device: task}) judges a device retried (`_core.retries`) on the execution of its latest attempt only.
    """

    def __init__(self, task_ids: Iterable[str], device_ids: Iterable[str] | None, rule: FleetRule = ALL_MUST_SUCCEED,
                 *, explain: Callable[[FleetOutcome], str] | None = None,
                 current: Mapping[str, str] | None = None) -> None:
        self.task_ids = list(dict.fromkeys(task_ids))
        self.device_ids = None if device_ids is None else list(device_ids)
        self.rule = rule
        self._explain = explain
        self.current = dict(current or {})

    def select(self, view: View) -> View:
        """The executions judged: of a device with a `current` task, only that task's."""
        current = self.current
        if not current:
            return view
        return {key: summary for key, summary in view.items() if current.get(key[1], key[0]) == key[0]}

    def before_judging(self, look: Look) -> None:
        """Nothing to confirm: the caller read the tasks (for their targets) before the wait."""

    def check(self, run: _Run, outcome: FleetOutcome) -> None:
        """Nothing beyond the rule: a device no longer listed counts as not listed."""

    def failure(self, run: _Run, outcome: FleetOutcome) -> Exception:
        if self._explain is not None:
            return FleetFailed(self._explain(outcome))
        return FleetFailed(explain_fleet_failure(outcome, {}, describe=run.label, creates_tasks=False,
                                                     wording=run.wording))

    def timeout(self, run: _Run, outcome: FleetOutcome | None) -> Exception:
        line = outcome.progress() if outcome is not None else "no executions listed yet"
        return WaitTimedOut(
            f"{run.label}: threshold not reached after {run.elapsed_text()} (deadline {duration(run.deadline.seconds)})"
            f": {line}. The executions go on without the gate: {run.wording.rerun} to wait "
            f"again, or raise {run.wording.quoted('timeoutSeconds')}")


Gate = ExecutionGate | SetGate


# --- the loop ------------------------------------------------------------------------------------------------------


def wait_until_decided(
    source: Source,
    gate: Gate,
    policy: WaitPolicy,
    *,
    label: str,
    events: Callable[[Event], None],
    until_seen: bool = False,
    deadline: Deadline | None = None,
    cancel: Cancel | None = None,
    clock: Clock = time.monotonic,
    rng: random.Random | None = None,
    wording: Wording = PYTHON,
) -> WaitResult:
    """Look until `gate`'s rule decides (or, with `until_seen`, until every expected execution was seen).

    Returns the passing set (or, with `until_seen`, the set as seen, for the caller to judge). Raises the gate's
    failure (ExecutionFailed, FleetFailed, NotFound), WaitTimedOut at the deadline or when QUEUED outlasts its limit
    (one execution), WaitCanceled once `cancel` is set, NotFound when a task stays unknown past the grace period, or
    any other error of a look.
    `label` names the wait in errors ("task st-1 on smd-1", "fleet gate canary"); `wording` is the host's, for the
    advice they end with.
    """
    run = _Run(gate, policy, label, events, deadline or Deadline(policy.timeout_seconds, clock), clock, wording)
    backoff = Backoff(policy, rng or random.Random())
    unhook = cancel.hook(source.interrupt) if cancel is not None else None
    try:
        while True:
            run.check_cancel(cancel)
            outcome = run.judge(source.look())
            if run.changed:
                backoff.reset()
            if outcome is not None and run.decided(outcome, until_seen):
                return WaitResult(outcome, run.view)
            run.check_deadline()
            run.heartbeat()
            source.pause(run.cap(backoff.next()))
    finally:
        if unhook is not None:
            unhook()


class _Run:
    """The bookkeeping of one wait: what was seen when, the grace, the deadline, and the events."""

    def __init__(self, gate: Gate, policy: WaitPolicy, label: str, events: Callable[[Event], None],
                 deadline: Deadline, clock: Clock, wording: Wording) -> None:
        self.gate, self.policy, self.label, self.events = gate, policy, label, events
        self.wording = wording
        self.deadline, self.clock = deadline, clock
        self.started = clock()
        self.next_heartbeat = self.started + policy.heartbeat_seconds
        self.view: View = {}
        self.seen: set[Key] = set()
        self.seen_tasks: set[str] = set()
        self.states: dict[Key, str] | None = None
        self.queued_since: dict[Key, float] = {}
        self.warned: set[str] = set()
        self.busy: ServiceUnavailable | None = None
        self.settled = False
        self.changed = False
        self.outcome: FleetOutcome | None = None
        self.errors: dict[str, Exception] = {}
        self.throttles_told: int | None = None
        self.next_throttle_warning = self.started

    def elapsed_text(self) -> str:
        return duration(self.clock() - self.started)

    def judge(self, look: Look) -> FleetOutcome | None:
        """Judge one look; None when the look saw nothing to judge (the service was busy, nothing listed yet)."""
        now = self.clock()
        self.changed = False
        self.settled = now - self.started >= self.policy.not_found_grace_seconds
        self.errors = look.errors
        self._tell_throttling(look.pacing, now)
        self._take_errors(look.errors)
        self.gate.before_judging(look)
        if self.busy is not None and not look.view:
            return None
        gate = self.gate
        view = gate.select(look.view)
        self.view = view
        self.seen.update(view)
        self.seen_tasks.update(task for task, _ in look.view)
        stalled = self._track_queued(now)
        outcome = judge_fleet(view, gate.rule, device_ids=gate.device_ids, stalled=stalled,
                              settled=self.settled and not look.errors)
        self._tell_changes(outcome, now)
        gate.check(self, outcome)
        self.outcome = outcome
        return outcome

    def decided(self, outcome: FleetOutcome, until_seen: bool) -> bool:
        """True when the wait is over with `outcome`; raises the gate's failure when it failed."""
        if until_seen:
            return self.complete(outcome)
        if outcome.verdict is FleetVerdict.FAIL:
            raise self.gate.failure(self, outcome)
        return outcome.verdict is FleetVerdict.PASS

    def complete(self, outcome: FleetOutcome) -> bool:
        """True when the last look had no error and every expected execution has been listed (or the grace ran out)."""
        return not self.errors and not any(entry.state == NOT_LISTED and entry.verdict is ExecutionVerdict.PENDING
                                           for entry in outcome.entries)

    def _take_errors(self, errors: Mapping[str, Exception]) -> None:
        busy = None
        for task, error in errors.items():
            if isinstance(error, ServiceUnavailable):
                busy = error
            elif not (isinstance(error, NotFound) and not self.settled and task not in self.seen_tasks):
                raise error
        if busy is not None and self.busy is None:
            self.events(ServiceBusy(busy))
        self.busy = busy

    def _tell_throttling(self, pacing: PaceNote | None, now: float) -> None:
        """Throttled answers since the wait began, told at most once per heartbeat interval."""
        if pacing is None:
            return
        if self.throttles_told is None:
            self.throttles_told = pacing.throttled  # throttling before this wait is not its news
        elif pacing.throttled > self.throttles_told and now >= self.next_throttle_warning:
            self.events(Throttled(pacing.throttled - self.throttles_told, pacing.rate, pacing.budget))
            self.throttles_told = pacing.throttled
            self.next_throttle_warning = now + self.policy.heartbeat_seconds

    def _track_queued(self, now: float) -> set[Key]:
        for key, summary in self.view.items():
            if acceptors.verdict(summary.get("state", "")) is StateVerdict.WAIT_QUEUED:
                self.queued_since.setdefault(key, now)
            else:
                self.queued_since.pop(key, None)
        limit = self.policy.queued_timeout_seconds
        return {key for key, since in self.queued_since.items() if now - since >= limit}

    def _tell_changes(self, outcome: FleetOutcome, now: float) -> None:
        states = {(entry.task_id or "", entry.device_id): entry.state for entry in outcome.entries}
        before = self.states or {}
        changes = tuple((key, before.get(key), state) for key, state in states.items() if before.get(key) != state)
        self.changed = bool(changes) or self.states is None
        self._warn_unknown(state for _, _, state in changes)
        if self.changed:
            self.events(StatesChanged(outcome, changes, now - self.started))
            self.next_heartbeat = now + self.policy.heartbeat_seconds
        self.states = states

    def _warn_unknown(self, states: Iterable[str]) -> None:
        for state in states:
            if state != NOT_LISTED and not acceptors.known(state) and state not in self.warned:
                self.warned.add(state)
                self.events(UnknownState(state))

    def check_cancel(self, cancel: Cancel | None) -> None:
        if cancel is None or not cancel.is_set():
            return
        last = self.outcome.progress() if self.outcome is not None else "nothing seen yet"
        raise WaitCanceled(f"{self.label}: wait canceled after {self.elapsed_text()} ({cancel.reason}); last seen: "
                           f"{last}. What was sent goes on without the gate: {self.wording.rerun} to wait again "
                           f"(the same client tokens find the tasks already created, so no command is sent twice)")

    def check_deadline(self) -> None:
        if not self.deadline.expired():
            return
        if self.busy is not None:
            raise WaitTimedOut(f"{self.label}: the service stayed unavailable until the deadline "
                               f"({duration(self.deadline.seconds)}): {self.busy}")
        raise self.gate.timeout(self, self.outcome)

    def heartbeat(self) -> None:
        now = self.clock()
        if now >= self.next_heartbeat:
            self.next_heartbeat = now + self.policy.heartbeat_seconds
            self.events(Heartbeat(self.outcome, now - self.started, self.busy))

    def cap(self, delay: float) -> float:
        """Never pause past the deadline, the next heartbeat, a queued limit or the end of the grace period."""
        now = self.clock()
        limits = [delay, self.deadline.remaining(), self.next_heartbeat - now]
        limit = self.policy.queued_timeout_seconds
        limits += [since + limit - now for since in self.queued_since.values() if since + limit > now]
        grace_end = self.started + self.policy.not_found_grace_seconds - now
        if grace_end > 0:
            limits.append(grace_end)
        return max(0.0, min(limits))
