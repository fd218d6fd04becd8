"""How executions move through their states, one device at a time, derived lazily from device time.

Each device runs its executions in arrival order, one at a time. When an execution reaches the head of its device's
queue it gets a plan from the device's behaviour (QUEUED for queued_seconds, IN_PROGRESS for run_seconds, then the
outcome; REJECTED skips IN_PROGRESS). Reads call `advance(now)`, which applies every planned transition whose time has
come, so no background thread is needed and each transition is stamped with its planned device time.

States only move forward: QUEUED -> IN_PROGRESS -> SUCCEEDED | FAILED | TIMED_OUT, QUEUED -> REJECTED | CANCELED.
An offline device plans nothing, so its head (and everything behind it) stays QUEUED. An execution whose state was set
out of band is `pinned`: it holds that state (and its device) until set again or deleted.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable

from pulumi_snowdm.emulator.scenario import Behaviour, Step

QUEUED = "QUEUED"
IN_PROGRESS = "IN_PROGRESS"
CANCELED = "CANCELED"
FINAL_STATES = frozenset({"CANCELED", "FAILED", "SUCCEEDED", "REJECTED", "TIMED_OUT"})


@dataclasses.dataclass(eq=False)
class Execution:
    """One task's run on one device."""

    task_id: str
    device_id: str
    execution_id: str
    command: str
    created_at: float
    state: str = QUEUED
    started_at: float | None = None
    updated_at: float = 0.0
    plan: list[tuple[float, str]] | None = None
    pinned: bool = False

    def __post_init__(self) -> None:
        self.updated_at = self.created_at

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    def move(self, state: str, at: float) -> None:
        self.state = state
        self.updated_at = at
        if state == IN_PROGRESS and self.started_at is None:
            self.started_at = at


def plan(step: Step, start: float) -> list[tuple[float, str]]:
    """The transitions of an execution that reaches the head of its queue at device time `start`."""
    begin = start + step.queued_seconds
    if step.outcome == "REJECTED":
        return [(begin, "REJECTED")]
    return [(begin, IN_PROGRESS), (begin + step.run_seconds, step.outcome)]


Transition = Callable[[Execution, str], None]


class DeviceQueue:
    """The executions one device still has to run, oldest first; only the head ever runs."""

    def __init__(self) -> None:
        self.pending: deque[Execution] = deque()
        self.free_since = 0.0
        self.started = 0  # executions planned so far (fail_first counts them)

    def add(self, execution: Execution) -> None:
        self.pending.append(execution)

    def advance(self, now: float, behaviour: Behaviour, on_transition: Transition) -> None:
        pending = self.pending
        while pending:
            head = pending[0]
            if not head.final:
                if head.pinned:
                    return
                if head.plan is None:
                    if not behaviour.online:
                        return
                    step = behaviour.step(head.command)
                    if self.started < behaviour.fail_first:
                        step = dataclasses.replace(step, outcome="FAILED")
                    self.started += 1
                    head.plan = plan(step, max(head.created_at, self.free_since))
                steps = head.plan
                while steps and steps[0][0] <= now:
                    at, state = steps.pop(0)
                    head.move(state, at)
                    on_transition(head, state)
                if not head.final:
                    return
            pending.popleft()
            self.free_since = max(self.free_since, head.updated_at)

    def remove(self, execution: Execution, now: float) -> None:
        """Take an execution out of the queue (canceled, deleted or set final); the next one may start now."""
        try:
            was_head = self.pending[0] is execution
            self.pending.remove(execution)
        except (IndexError, ValueError):
            return
        if was_head:
            self.free_since = max(self.free_since, now)

    def replan(self, now: float) -> None:
        """Forget the head's plan if it has not started, so a new behaviour applies to it from `now`."""
        if self.pending:
            head = self.pending[0]
            if head.state == QUEUED and not head.pinned:
                head.plan = None
                self.free_since = max(self.free_since, now)
