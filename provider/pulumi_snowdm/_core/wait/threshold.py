"""The judge over a set of executions: how many a gate needs, and where the set stands against that.

The threshold: all of them (the default), a count, or a percentage of the total.

`minSucceeded` is read by `_core.shares.parse_threshold` (a percentage rounds up there).

`judge_fleet` is pure (a view of executions in, a `FleetOutcome` out) so the rules are tested as a table:
- An execution counts as succeeded when SUCCEEDED (or CANCELED with accept_canceled), as failed when its state
  fails, when it stays QUEUED past the queued timeout (its device is likely offline), or when an expected device
  still has no execution after the not-found grace period; anything else is pending.
- The gate passes as soon as the threshold is met: successes are final, so the outcome cannot change.
- It fails when the threshold is unreachable, at once with fail_fast (or when a refresh judges it), otherwise once
  nothing is pending (so the message shows how every execution ended).
- With `device_ids=None` the set is whatever the tasks list. Pass the tasks' targets as `device_ids` when known:
  then an execution listed late cannot be missed by a gate that passes early.
A TaskExecution is a set of one.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping

from pulumi_snowdm._core.shares import Threshold
from pulumi_snowdm._core.wait import acceptors
from pulumi_snowdm._core.wait.acceptors import StateVerdict


@dataclasses.dataclass(frozen=True)
class Tally:
    """Executions of a gate by verdict so far: succeeded (or accepted), still pending, and failed for good."""

    succeeded: int = 0
    pending: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.succeeded + self.pending + self.failed


NOT_LISTED = "NOT_LISTED"  # pseudo-state: an expected device with no execution in any of the tasks


class ExecutionVerdict(enum.Enum):
    """Where one execution stands for the gate: its verdict, from its state (`StateVerdict`) and its time QUEUED."""

    SUCCEEDED = "succeeded"
    ACCEPTED = "accepted"
    PENDING = "pending"
    FAILED = "failed"


class FleetVerdict(enum.Enum):
    """The gate's verdict on the whole set; None (no verdict yet) means keep waiting."""

    PASS = "pass"
    FAIL = "fail"


@dataclasses.dataclass(frozen=True)
class FleetRule:
    """What the gate requires: a threshold (all by default), whether to stop early, whether CANCELED is fine.

    `until_ended` holds a met threshold back until nothing is pending (a rollout's wave passes only once every one
    of its executions has ended).
    """

    threshold: Threshold = Threshold()
    fail_fast: bool = False
    accept_canceled: bool = False
    until_ended: bool = False


# The default rule: every execution must succeed.
ALL_MUST_SUCCEED = FleetRule()


@dataclasses.dataclass(frozen=True)
class FleetEntry:
    """One execution (or one expected device without an execution) as the gate sees it."""

    task_id: str | None
    device_id: str
    state: str
    verdict: ExecutionVerdict
    execution_id: str | None = None
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class FleetOutcome:
    """The judged fleet: every entry, the tally, the successes required and the verdict (None = wait)."""

    entries: tuple[FleetEntry, ...]
    tally: Tally
    required: int
    rule: FleetRule
    verdict: FleetVerdict | None

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
        return [entry for entry in self.entries if entry.verdict is ExecutionVerdict.FAILED]


def judge_fleet(
    view: Mapping[tuple[str, str], dict],
    rule: FleetRule,
    *,
    device_ids: Iterable[str] | None = None,
    stalled: Iterable[tuple[str, str]] = (),
    settled: bool = True,
    early: bool = False,
) -> FleetOutcome:
    """Judge `view` ({(task_id, device_id): summary}). `settled` is False during the not-found grace period.

    `early` fails an unreachable threshold at once, as `fail_fast` does, without claiming the user asked for it
    (a refresh judges what it finds, whatever is still running).
    """
    stalled = set(stalled)
    entries = [_entry(key, summary, rule, key in stalled) for key, summary in sorted(view.items())]
    if device_ids is not None:
        listed = {device for _, device in view}
        for device in sorted(set(device_ids) - listed):
            missing = (ExecutionVerdict.FAILED, "no execution listed for this device")
            verdict, reason = missing if settled else (ExecutionVerdict.PENDING, "")
            entries.append(FleetEntry(None, device, NOT_LISTED, verdict, reason=reason))
    tally = Tally(
        succeeded=sum(entry.verdict in (ExecutionVerdict.SUCCEEDED, ExecutionVerdict.ACCEPTED) for entry in entries),
        pending=sum(entry.verdict is ExecutionVerdict.PENDING for entry in entries),
        failed=sum(entry.verdict is ExecutionVerdict.FAILED for entry in entries),
    )
    required = rule.threshold.required_count(tally.total)
    return FleetOutcome(tuple(entries), tally, required, rule, _fleet_verdict(tally, rule, settled, early))


def _entry(key: tuple[str, str], summary: dict, rule: FleetRule, stalled: bool) -> FleetEntry:
    task_id, device_id = key
    state = summary.get("state", "")
    judged = acceptors.verdict(state, accept_canceled=rule.accept_canceled)
    reason = ""
    if judged is StateVerdict.PASS:
        verdict = ExecutionVerdict.SUCCEEDED
    elif judged is StateVerdict.PASS_ACCEPTED:
        verdict = ExecutionVerdict.ACCEPTED
    elif judged is StateVerdict.FAIL:
        verdict = ExecutionVerdict.FAILED
    elif judged is StateVerdict.WAIT_QUEUED and stalled:
        verdict, reason = ExecutionVerdict.FAILED, "still QUEUED past the queued timeout: the device may be offline"
    else:
        verdict = ExecutionVerdict.PENDING
    return FleetEntry(task_id, device_id, state, verdict, summary.get("executionId"), reason)


def _fleet_verdict(tally: Tally, rule: FleetRule, settled: bool, early: bool) -> FleetVerdict | None:
    if tally.total == 0:
        return FleetVerdict.FAIL if settled else None
    if rule.threshold.met(tally) and not (rule.until_ended and tally.pending):
        return FleetVerdict.PASS
    if rule.threshold.unreachable(tally) and (rule.fail_fast or early or tally.pending == 0):
        return FleetVerdict.FAIL
    return None
