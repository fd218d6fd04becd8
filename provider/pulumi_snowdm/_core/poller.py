"""The one wait loop for a single execution: observe, judge with the acceptor table, report, back off, repeat.

Time is injected (clock, sleep, random source) so tests run in milliseconds and callers decide what "sleep" means:
`fleet_watch` passes a sleep that wakes early when the shared snapshot changes. The caller owns the deadline:
pass a `Deadline` to share one across steps, or let the policy's timeout make one.

On a failing state the loop raises ExecutionFailed itself, with the message from the caller's `explain_failure`
(which may call DescribeDevice). Raising here rather than returning a verdict keeps every caller from having to
remember to check one: the function returns only a passing execution.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable

from pulumi_snowdm._core import acceptors
from pulumi_snowdm._core.acceptors import Verdict
from pulumi_snowdm._core.errors import ExecutionFailed, InputError, NotFound, ServiceUnavailable, WaitTimedOut
from pulumi_snowdm._core.times import duration, iso

Clock = Callable[[], float]


class Deadline:
    """A moment on a clock, `seconds` after creation; loops read it, only its owner makes it."""

    def __init__(self, seconds: float, clock: Clock = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self.started = clock()
        self.at = self.started + seconds

    def remaining(self) -> float:
        """Seconds left, never below zero."""
        return max(0.0, self.at - self._clock())

    def expired(self) -> bool:
        """True once the clock has reached the deadline."""
        return self._clock() >= self.at

    def elapsed(self) -> float:
        """Seconds since the deadline was made."""
        return self._clock() - self.started


@dataclasses.dataclass(frozen=True)
class WaitPolicy:
    """How long to wait and how often to look. All values are seconds except `backoff` and `jitter` (a fraction).

    `queued_timeout_seconds` bounds time in QUEUED on its own: a device that never picks a task up is usually
    offline, and saying so after 15 minutes beats a generic timeout after 30.
    """

    timeout_seconds: float = 1800
    queued_timeout_seconds: float = 900
    not_found_grace_seconds: float = 60
    initial_delay_seconds: float = 2
    max_delay_seconds: float = 20
    backoff: float = 1.5
    jitter: float = 0.2
    heartbeat_seconds: float = 30

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
                raise InputError(_camel(field.name), f"must be a number, got {value!r}")
        positive = ("timeout_seconds", "queued_timeout_seconds", "initial_delay_seconds",
                    "max_delay_seconds", "heartbeat_seconds")
        for name in positive:
            if getattr(self, name) <= 0:
                raise InputError(_camel(name), f"must be greater than 0, got {getattr(self, name)!r}")
        if self.not_found_grace_seconds < 0:
            raise InputError("notFoundGraceSeconds", f"must be 0 or more, got {self.not_found_grace_seconds!r}")
        if self.max_delay_seconds < self.initial_delay_seconds:
            raise InputError("maxDelaySeconds", "must be at least initialDelaySeconds")
        if self.backoff < 1:
            raise InputError("backoff", f"must be 1 or more, got {self.backoff!r}")
        if not 0 <= self.jitter < 1:
            raise InputError("jitter", f"must be a fraction from 0 up to (not including) 1, got {self.jitter!r}")


class Backoff:
    """Delays from `initial_delay_seconds`, growing by `backoff`, jittered by +-`jitter`, capped at the maximum.

    Jitter spreads the polls of many gates started together so they do not hit the service in step.
    """

    def __init__(self, policy: WaitPolicy, rng: random.Random) -> None:
        self._policy = policy
        self._rng = rng
        self._base = policy.initial_delay_seconds

    def next(self) -> float:
        """The next delay, then grow the base for the one after."""
        policy = self._policy
        spread = self._rng.uniform(-policy.jitter, policy.jitter)
        delay = min(policy.max_delay_seconds, max(0.0, self._base * (1 + spread)))
        self._base = min(policy.max_delay_seconds, self._base * policy.backoff)
        return delay

    def reset(self) -> None:
        """Start again from the initial delay (after a state change, when more change is likely soon)."""
        self._base = self._policy.initial_delay_seconds


def wait_for_execution(
    observe: Callable[[], dict],
    policy: WaitPolicy,
    *,
    describe: str,
    report: Callable[[str], None],
    accept_canceled: bool = False,
    explain_failure: Callable[[dict], str] | None = None,
    deadline: Deadline | None = None,
    clock: Clock = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> dict:
    """Wait until the execution `observe()` returns passes; return that execution dict.

    `observe()` returns a DescribeExecution-shaped dict or raises NotFound. Until the execution is first seen,
    NotFound is retried for `not_found_grace_seconds` (it can appear a little after CreateTask), then re-raised;
    once seen, NotFound is re-raised at once (the task was deleted). ServiceUnavailable (throttling or 5xx that
    outlasted botocore's retries) counts as a missed look: the wait goes on until its deadline. `describe` names the execution in progress
    lines and errors ("task st-1 on smd-1"). Raises ExecutionFailed on a failing state and WaitTimedOut on the
    deadline or when QUEUED outlasts `queued_timeout_seconds`. Any other exception from observe propagates.
    """
    deadline = deadline or Deadline(policy.timeout_seconds, clock)
    watch = _ExecutionWait(policy, describe, report, deadline, clock)
    backoff = Backoff(policy, rng or random.Random())
    while True:
        try:
            execution = observe()
        except NotFound as error:
            watch.missing(error)
        except ServiceUnavailable as error:
            watch.unavailable(error)
        else:
            if watch.seen(execution):
                backoff.reset()
            judged = acceptors.verdict(execution.get("state", ""), accept_canceled=accept_canceled)
            if judged.passed:
                return execution
            if judged is Verdict.FAIL:
                explain = explain_failure or _plain_failure(describe)
                raise ExecutionFailed(explain(execution))
            watch.check_timeouts(judged)
        watch.heartbeat()
        sleep(watch.cap(backoff.next()))


class _ExecutionWait:
    """The bookkeeping of one wait: what was seen when, timeouts, and the progress lines."""

    def __init__(self, policy: WaitPolicy, describe: str, report, deadline: Deadline, clock: Clock) -> None:
        self.policy = policy
        self.describe = describe
        self.report = report
        self.deadline = deadline
        self.clock = clock
        self.started = clock()
        self.last: dict | None = None
        self.queued_since: float | None = None
        self.next_heartbeat = self.started + policy.heartbeat_seconds
        self.warned: set[str] = set()
        self.unavailable_streak = 0

    def elapsed(self) -> str:
        return duration(self.clock() - self.started)

    def missing(self, error: NotFound) -> None:
        """NotFound: tolerated only before the first sighting and within the grace period."""
        if self.last is not None or self.clock() - self.started >= self.policy.not_found_grace_seconds:
            raise error
        if self.deadline.expired():
            raise WaitTimedOut(f"{self.describe}: the execution did not appear within {duration(self.deadline.seconds)}")

    def unavailable(self, error: ServiceUnavailable) -> None:
        """A look that failed for the service's sake: say so once per streak, then keep waiting."""
        if not self.unavailable_streak:
            self.report(f"{self.describe}: the service is busy ({error}); still waiting")
        self.unavailable_streak += 1
        if self.deadline.expired():
            raise WaitTimedOut(f"{self.describe}: the service stayed unavailable until the deadline "
                               f"({duration(self.deadline.seconds)}): {error}")

    def seen(self, execution: dict) -> bool:
        """Record an observation; report and return True when the state changed."""
        self.unavailable_streak = 0
        state = execution.get("state", "")
        previous = self.last.get("state") if self.last else None
        self.last = execution
        if state == previous:
            return False
        now = self.clock()
        if not acceptors.known(state) and state not in self.warned:
            self.warned.add(state)
            self.report(f"warning: {self.describe}: unknown execution state {state!r}; waiting until it changes "
                        f"or the deadline passes")
        if previous is None:
            self.report(f"{self.describe}: {state} ({acceptors.phrase(state)})")
        else:
            self.report(f"{self.describe}: {previous} -> {state} after {self.elapsed()}")
        self.queued_since = now if acceptors.verdict(state) is Verdict.WAIT_QUEUED else None
        self.next_heartbeat = now + self.policy.heartbeat_seconds
        return True

    def check_timeouts(self, judged: Verdict) -> None:
        now = self.clock()
        if judged is Verdict.WAIT_QUEUED and now - self.queued_since >= self.policy.queued_timeout_seconds:
            raise WaitTimedOut(
                f"{self.describe}: still QUEUED after {duration(now - self.queued_since)} "
                f"({self._last_seen()}): the device may be offline or may not have remote management enabled. "
                f"Check the device, then rerun `pulumi up` to wait again; the task stays queued meanwhile"
            )
        if self.deadline.expired():
            raise WaitTimedOut(
                f"{self.describe}: no final state after {self.elapsed()} (deadline {duration(self.deadline.seconds)}); "
                f"{self._last_seen()}. The execution goes on without the gate: rerun `pulumi up` to wait again, "
                f"or raise the gate's timeout"
            )

    def heartbeat(self) -> None:
        now = self.clock()
        if now < self.next_heartbeat:
            return
        self.next_heartbeat = now + self.policy.heartbeat_seconds
        if self.last is None:
            self.report(f"{self.describe}: execution not found yet after {self.elapsed()} "
                        f"(it can appear shortly after the task is created)")
        else:
            self.report(f"{self.describe}: still {self.last.get('state')} after {self.elapsed()}")

    def cap(self, delay: float) -> float:
        """Never sleep past the deadline, the next heartbeat, the queued limit or the end of the grace period."""
        now = self.clock()
        limits = [delay, self.deadline.remaining(), self.next_heartbeat - now]
        if self.queued_since is not None:
            limits.append(self.queued_since + self.policy.queued_timeout_seconds - now)
        if self.last is None:
            grace_end = self.started + self.policy.not_found_grace_seconds - now
            if grace_end > 0:
                limits.append(grace_end)
        return max(0.0, min(limits))

    def _last_seen(self) -> str:
        last = self.last or {}
        return (f"last seen {last.get('state')} (execution {last.get('executionId')}, "
                f"started {iso(last.get('startedAt')) or 'unknown'}, "
                f"last updated {iso(last.get('lastUpdatedAt')) or 'unknown'})")


def _plain_failure(describe: str) -> Callable[[dict], str]:
    def explain(execution: dict) -> str:
        state = execution.get("state")
        return f"{describe}: execution {execution.get('executionId')} ended {state} ({acceptors.phrase(state)})"
    return explain


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)
