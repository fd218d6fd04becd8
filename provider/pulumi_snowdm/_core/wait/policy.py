"""How long to wait and how often to look: Clock, Deadline, WaitPolicy, Backoff, and outlasting a busy service.

Time is injected everywhere (a clock, a sleep, a random source) so tests run in microseconds of real time. The
backoff that spaces the looks of a wait also spaces the retries of a call the service keeps refusing as busy
(`outlast_busy_service`): one rule for "try again later", with jitter so many callers do not retry in step.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable
from typing import TypeVar

from pulumi_snowdm._core.errors import InputError, ServiceUnavailable
from pulumi_snowdm._core.name_case import camel

Clock = Callable[[], float]
Sleep = Callable[[float], None]
T = TypeVar("T")


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


_POSITIVE = ("timeout_seconds", "queued_timeout_seconds", "initial_delay_seconds", "max_delay_seconds",
             "heartbeat_seconds")


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
            _require_number(field.name, getattr(self, field.name))
        for name in _POSITIVE:
            if getattr(self, name) <= 0:
                raise InputError(camel(name), f"must be greater than 0, got {getattr(self, name)!r}")
        _require_relations(self)


def _require_number(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise InputError(camel(name), f"must be a number, got {value!r}")


def _require_relations(policy: WaitPolicy) -> None:
    """The rules between fields, and the fields that are not plain positive durations."""
    if policy.not_found_grace_seconds < 0:
        raise InputError("notFoundGraceSeconds", f"must be 0 or more, got {policy.not_found_grace_seconds!r}")
    if policy.max_delay_seconds < policy.initial_delay_seconds:
        raise InputError("maxDelaySeconds", "must be at least", than="initialDelaySeconds")
    if policy.backoff < 1:
        raise InputError("backoff", f"must be 1 or more, got {policy.backoff!r}")
    if not 0 <= policy.jitter < 1:
        raise InputError("jitter", f"must be a fraction from 0 up to (not including) 1, got {policy.jitter!r}")


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


# Retries of a call the service calls busy: from 1 s, doubling up to 30 s, for up to 10 minutes.
BUSY_RETRIES = WaitPolicy(timeout_seconds=600, initial_delay_seconds=1, max_delay_seconds=30, backoff=2, jitter=0.2)


def outlast_busy_service(
    call: Callable[[], T],
    *,
    label: str,
    say: Callable[[str], None],
    policy: WaitPolicy = BUSY_RETRIES,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    rng: random.Random | None = None,
) -> T:
    """Return `call()`, retrying ServiceUnavailable until `policy.timeout_seconds` pass; then raise the last one.

    For calls that must not give up while the service is only busy (botocore's own attempts ran out under sustained
    throttling): CreateTask (safe to repeat: its client token returns the same task) and the DescribeTask reads
    around it. Any other error is raised at once. `label` names the call in the one line said per wait.
    """
    deadline = Deadline(policy.timeout_seconds, clock)
    backoff = Backoff(policy, rng or random.Random())
    warned = False
    while True:
        try:
            return call()
        except ServiceUnavailable as error:
            if deadline.expired():
                raise
            if not warned:
                say(f"{label}: the service is busy ({error}); trying again for up to {policy.timeout_seconds:g}s")
                warned = True
            sleep(min(backoff.next(), deadline.remaining()))
