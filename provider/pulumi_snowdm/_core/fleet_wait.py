"""Waiting on a fleet: every execution of one or more tasks, judged together against a threshold.

`judge_fleet` is pure (a view of executions in, a `FleetOutcome` out) so the rules are tested as a table;
`wait_for_devices` is the loop around it, reading the shared snapshots of `fleet_watch` instead of calling the API.

Rules:
- An execution counts as succeeded when SUCCEEDED (or CANCELED with accept_canceled), as failed when its state
  fails, when it stays QUEUED past `queued_timeout_seconds` (its device is likely offline), or when an expected
  device still has no execution after `not_found_grace_seconds`; anything else is pending.
- The gate passes as soon as the threshold is met: successes are final, so the outcome cannot change, and the
  executions still running go on without holding the deployment.
- It fails when the threshold is unreachable, at once with fail_fast, otherwise once nothing is pending (so the
  message shows how every execution ended).
- With `device_ids=None` the fleet is whatever the tasks list. Pass the tasks' targets as `device_ids` when known:
  then an execution listed late cannot be missed by a gate that passes early.
"""

from __future__ import annotations

import dataclasses
import enum
import random
import time
from collections.abc import Callable, Iterable, Mapping

from pulumi_snowdm._core import acceptors
from pulumi_snowdm._core.acceptors import Verdict
from pulumi_snowdm._core.diagnosis import explain_fleet_failure
from pulumi_snowdm._core.errors import FleetFailed, NotFound, ServiceUnavailable, WaitTimedOut
from pulumi_snowdm._core.fleet_watch import WATCHES, Lister, WatchRegistry, settings_lister
from pulumi_snowdm._core.poller import Backoff, Clock, Deadline, WaitPolicy
from pulumi_snowdm._core.threshold import Tally, Threshold
from pulumi_snowdm._core.times import duration

NOT_LISTED = "NOT_LISTED"  # pseudo-state: an expected device with no execution in any of the tasks


class Outcome(enum.Enum):
    """Where one execution stands for the gate."""

    SUCCEEDED = "succeeded"
    ACCEPTED = "accepted"
    PENDING = "pending"
    FAILED = "failed"


class Decision(enum.Enum):
    """The gate's verdict; None (no decision) means keep waiting."""

    PASS = "pass"
    FAIL = "fail"


@dataclasses.dataclass(frozen=True)
class FleetRule:
    """What the gate requires: a threshold (all by default), whether to stop early, whether CANCELED is fine."""

    threshold: Threshold = Threshold()
    fail_fast: bool = False
    accept_canceled: bool = False


@dataclasses.dataclass(frozen=True)
class FleetEntry:
    """One execution (or one expected device without an execution) as the gate sees it."""

    task_id: str | None
    device_id: str
    state: str
    outcome: Outcome
    execution_id: str | None = None
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class FleetOutcome:
    """The judged fleet: every entry, the tally, the successes required and the decision (None = wait)."""

    entries: tuple[FleetEntry, ...]
    tally: Tally
    required: int
    rule: FleetRule
    decision: Decision | None

    def counts(self) -> dict[str, int]:
        """Entries per state, in display order (successes, in flight, failures, then anything unknown)."""
        order = acceptors.display_order() + [NOT_LISTED]
        found: dict[str, int] = {}
        for entry in self.entries:
            found[entry.state] = found.get(entry.state, 0) + 1
        ranked = sorted(found, key=lambda state: order.index(state) if state in order else len(order))
        return {state: found[state] for state in ranked}

    def progress(self) -> str:
        """A line such as '7/10 SUCCEEDED, 2 IN_PROGRESS, 1 QUEUED (need 9)'."""
        if not self.entries:
            return "no executions listed yet"
        counts = self.counts()
        parts = [f"{counts.pop('SUCCEEDED', 0)}/{self.tally.total} SUCCEEDED"]
        parts += [f"{number} {state}" for state, number in counts.items()]
        need = "" if self.rule.threshold == Threshold() else f" (need {self.required})"
        return ", ".join(parts) + need

    def failing(self) -> list[FleetEntry]:
        """Entries that count against the threshold."""
        return [entry for entry in self.entries if entry.outcome is Outcome.FAILED]


def judge_fleet(
    view: Mapping[tuple[str, str], dict],
    rule: FleetRule,
    *,
    device_ids: Iterable[str] | None = None,
    stalled: Iterable[tuple[str, str]] = (),
    settled: bool = True,
) -> FleetOutcome:
    """Judge `view` ({(task_id, device_id): summary}). `settled` is False during the not-found grace period."""
    stalled = set(stalled)
    entries = [_entry(key, summary, rule, key in stalled) for key, summary in sorted(view.items())]
    if device_ids is not None:
        listed = {device for _, device in view}
        for device in sorted(set(device_ids) - listed):
            outcome, reason = (Outcome.FAILED, "no execution listed for this device") if settled else (Outcome.PENDING, "")
            entries.append(FleetEntry(None, device, NOT_LISTED, outcome, reason=reason))
    tally = Tally(
        succeeded=sum(entry.outcome in (Outcome.SUCCEEDED, Outcome.ACCEPTED) for entry in entries),
        pending=sum(entry.outcome is Outcome.PENDING for entry in entries),
        failed=sum(entry.outcome is Outcome.FAILED for entry in entries),
    )
    required = rule.threshold.required_count(tally.total)
    return FleetOutcome(tuple(entries), tally, required, rule, _decide(tally, rule, settled))


def _entry(key: tuple[str, str], summary: dict, rule: FleetRule, stalled: bool) -> FleetEntry:
    task_id, device_id = key
    state = summary.get("state", "")
    judged = acceptors.verdict(state, accept_canceled=rule.accept_canceled)
    reason = ""
    if judged is Verdict.PASS:
        outcome = Outcome.SUCCEEDED
    elif judged is Verdict.PASS_ACCEPTED:
        outcome = Outcome.ACCEPTED
    elif judged is Verdict.FAIL:
        outcome = Outcome.FAILED
    elif judged is Verdict.WAIT_QUEUED and stalled:
        outcome, reason = Outcome.FAILED, "still QUEUED past the queued timeout: the device may be offline"
    else:
        outcome = Outcome.PENDING
    return FleetEntry(task_id, device_id, state, outcome, summary.get("executionId"), reason)


def _decide(tally: Tally, rule: FleetRule, settled: bool) -> Decision | None:
    if tally.total == 0:
        return Decision.FAIL if settled else None
    if rule.threshold.met(tally):
        return Decision.PASS
    if rule.threshold.unreachable(tally) and (rule.fail_fast or tally.pending == 0):
        return Decision.FAIL
    return None


def wait_for_devices(
    settings,
    task_ids: Iterable[str],
    device_ids: Iterable[str] | None,
    policy: WaitPolicy,
    *,
    rule: FleetRule = FleetRule(),
    describe: str,
    report: Callable[[str], None],
    explain_failure: Callable[[FleetOutcome], str] | None = None,
    lister: Lister | None = None,
    registry: WatchRegistry = WATCHES,
    deadline: Deadline | None = None,
    clock: Clock = time.monotonic,
    rng: random.Random | None = None,
) -> FleetOutcome:
    """Wait until the executions of `task_ids` (limited to `device_ids` unless None) meet `rule`.

    `settings` (a ClientSettings) picks the shared watch and, without `lister`, the client that lists. Returns the
    passing outcome; raises FleetFailed (message from `explain_failure`), WaitTimedOut at the deadline, NotFound if a
    task is still unknown after the grace period, or the listing's error.
    """
    task_ids = list(dict.fromkeys(task_ids))
    device_ids = None if device_ids is None else list(device_ids)
    deadline = deadline or Deadline(policy.timeout_seconds, clock)
    backoff = Backoff(policy, rng or random.Random())
    started = clock()
    queued_since: dict[tuple[str, str], float] = {}
    last_line = None
    next_heartbeat = started + policy.heartbeat_seconds
    with registry.watch(settings, task_ids, lister or settings_lister(settings), devices=device_ids,
                        interval=policy.initial_delay_seconds) as watcher:
        while True:
            now = clock()
            settled = now - started >= policy.not_found_grace_seconds
            _raise_listing_errors(watcher.errors(), settled)
            view = watcher.view()
            stalled = _track_queued(view, queued_since, now, policy)
            outcome = judge_fleet(view, rule, device_ids=device_ids, stalled=stalled, settled=settled)
            line = outcome.progress()
            if line != last_line:
                report(f"{describe}: {line}")
                last_line, next_heartbeat = line, now + policy.heartbeat_seconds
                backoff.reset()
            if outcome.decision is Decision.PASS:
                return outcome
            if outcome.decision is Decision.FAIL:
                raise FleetFailed((explain_failure or _plain_failure(describe))(outcome))
            if deadline.expired():
                raise WaitTimedOut(
                    f"{describe}: threshold not reached after {duration(now - started)} "
                    f"(deadline {duration(deadline.seconds)}): {line}. The executions go on without the gate: "
                    f"rerun `pulumi up` to wait again, or raise the gate's timeout"
                )
            if now >= next_heartbeat:
                report(f"{describe}: still waiting after {duration(now - started)}: {line}")
                next_heartbeat = now + policy.heartbeat_seconds
            limits = [backoff.next(), deadline.remaining(), next_heartbeat - now]
            if not settled:
                limits.append(started + policy.not_found_grace_seconds - now)
            watcher.sleep(max(0.0, min(limits)))


def _raise_listing_errors(errors: Mapping[str, Exception], settled: bool) -> None:
    for error in errors.values():
        # A task can be unknown to ListExecutions for a moment after CreateTask: that is an empty task until then.
        if isinstance(error, NotFound) and not settled:
            continue
        # Throttling or 5xx that outlasted botocore's retries: this round saw nothing new; the deadline still holds.
        if isinstance(error, ServiceUnavailable):
            continue
        raise error


def _track_queued(view, queued_since: dict, now: float, policy: WaitPolicy) -> set[tuple[str, str]]:
    for key, summary in view.items():
        if acceptors.verdict(summary.get("state", "")) is Verdict.WAIT_QUEUED:
            queued_since.setdefault(key, now)
        else:
            queued_since.pop(key, None)
    return {key for key, since in queued_since.items() if now - since >= policy.queued_timeout_seconds}


def _plain_failure(describe: str) -> Callable[[FleetOutcome], str]:
    def explain(outcome: FleetOutcome) -> str:
        return explain_fleet_failure(outcome, {}, describe=describe, creates_tasks=False)
    return explain
