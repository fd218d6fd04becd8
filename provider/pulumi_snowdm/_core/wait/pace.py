"""The process's pace for ListExecutions: a request budget shared by every wait, adapting down when throttled.

AWS enforces a request rate per account and operation. A wait's round is one ListExecutions page per task, so a
large fleet polled often asks for more than an account allows; left to botocore, each throttled call is retried on
its own and the engine's pace is set by retry storms. Instead every ListExecutions attempt of a client (retries
included) takes a slot from the client's `Pace` before it is sent (botocore's `before-send` event, in the calling
thread), and every answer is reported back (`response-received`):
- slots are spaced `1 / rate` apart, process-wide for one ClientSettings, however many gates and worker threads
  ask: the budget (`snowdm:maxRequestsPerSecond`, the CLI's `--max-rps`) is the most the rate may be;
- a throttled answer cuts the rate to `BETA` times what the service was accepting (at most once per `COOL_DOWN`),
  as botocore's adaptive mode does for one client, but for every call of the round; the rate then grows back, fast
  up to the level the service last accepted and slowly past it, never above the budget;
- throttled answers are counted, so a wait can warn once about them instead of failing or storming.

Calls are made in FIFO order of asking, so the order the listing workers take tasks in (most likely to have
changed first) is the order they are sent in.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time
from collections.abc import Callable
from typing import Any

from pulumi_snowdm._core.service_model import SERVICE_NAME
from pulumi_snowdm._core.settings import ClientSettings

BETA = 0.7  # botocore's adaptive mode cuts by the same factor
COOL_DOWN = 1.0  # seconds after a cut during which further throttled answers (of calls already sent) cut nothing
FLOOR = 1.0  # the rate never drops below this (or the budget, if lower): a wait always makes progress
WINDOW = 2.0  # seconds of accepted answers that measure what the service accepts
RECOVER = 0.10  # growth per second below the accepted level, as a share of it
PROBE = 0.02  # growth per second above it

OPERATION = "ListExecutions"
THROTTLING = frozenset({"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"})


@dataclasses.dataclass(frozen=True)
class PaceNote:
    """What a wait tells about the pace: throttled answers so far, the current rate and the budget (per second)."""

    throttled: int
    rate: float
    budget: float


class Pace:
    """Slots for calls, `1 / rate` apart; the rate starts at `budget`, is cut on throttling and grows back.

    Time is injected: `clock` and `sleep` (tests pass fake ones).
    """

    def __init__(self, budget: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.budget = float(budget)
        self.rate = self.budget
        self.calls = 0
        self.throttled = 0
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next = float("-inf")  # the earliest moment of the next slot
        self._accepted: collections.deque[float] = collections.deque()
        self._first_accepted: float | None = None
        self._level: float | None = None  # what the service accepted when it last throttled
        self._cut_at = float("-inf")
        self._grown_at = clock()

    def take(self) -> None:
        """Block until this call's slot comes (FIFO: a slot is reserved at once)."""
        with self._lock:
            now = self._clock()
            self._grow(now)
            slot = max(now, self._next)
            self._next = slot + 1.0 / self.rate
            self.calls += 1
        if slot > now:
            self._sleep(slot - now)

    def answered(self, throttled: bool) -> None:
        """Record one answer: an accepted one measures the service, a throttled one cuts the rate."""
        with self._lock:
            now = self._clock()
            if not throttled:
                self._accepted.append(now)
                if self._first_accepted is None:
                    self._first_accepted = now
                while self._accepted and self._accepted[0] < now - WINDOW:
                    self._accepted.popleft()
                return
            self.throttled += 1
            if now - self._cut_at < COOL_DOWN:
                return
            accepted = self._accepted_rate(now)
            self._level = min(self.rate, accepted) if accepted else self.rate
            self.rate = max(min(FLOOR, self.budget), BETA * self._level)
            self._cut_at = self._grown_at = now

    def note(self) -> PaceNote:
        with self._lock:
            return PaceNote(self.throttled, self.rate, self.budget)

    def _accepted_rate(self, now: float) -> float | None:
        """Accepted answers per second over the last WINDOW (or since the first answer, if sooner, but over one second
        at least: a quota's burst must not pass for its rate)."""
        if self._first_accepted is None:
            return None
        span = min(WINDOW, max(1.0, now - self._first_accepted))
        recent = sum(1 for at in self._accepted if at >= now - span)
        return recent / span if recent else None

    def _grow(self, now: float) -> None:
        """Grow the rate for the time since the last growth (not counting the cool-down after a cut)."""
        start = max(self._grown_at, self._cut_at + COOL_DOWN)
        self._grown_at = now
        if now <= start or self.rate >= self.budget:
            return
        level = self._level or self.budget
        seconds = now - start
        if self.rate < level:
            recovering = min(seconds, (level - self.rate) / (RECOVER * level))
            self.rate += RECOVER * level * recovering
            seconds -= recovering
        self.rate = min(self.budget, self.rate + PROBE * level * seconds)


_paces: dict[ClientSettings, Pace] = {}
_paces_lock = threading.Lock()


def pace_for(settings: ClientSettings) -> Pace:
    """The process's Pace for `settings` (a ClientSettings: one budget per account, region and endpoint as set)."""
    with _paces_lock:
        pace = _paces.get(settings)
        if pace is None:
            pace = _paces[settings] = Pace(settings.max_requests_per_second)
        return pace


def pace_calls(client: Any, pace: Pace) -> None:
    """Make every ListExecutions attempt of `client` (botocore's retries too) take a slot of `pace` and report back."""
    events = client.meta.events
    events.register(f"before-send.{SERVICE_NAME}.{OPERATION}", lambda **_: pace.take())

    def answered(response_dict=None, parsed_response=None, **_: Any) -> None:
        error = (parsed_response or {}).get("Error", {}).get("Code")
        status = (response_dict or {}).get("status_code")
        if response_dict is not None or parsed_response is not None:
            pace.answered(throttled=error in THROTTLING or status == 429)

    events.register(f"response-received.{SERVICE_NAME}.{OPERATION}", answered)
