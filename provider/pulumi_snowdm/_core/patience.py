"""Calls that must not give up while the service is only busy: retried past botocore's own attempts.

botocore retries each call a few times (`snowdm:maxAttempts`). Under sustained throttling a call can still run out
of attempts, and inside a create that would fail a deployment whose work was done: DescribeTask right after
CreateTask, or the final DescribeExecution of a gate that passed. Such calls, and CreateTask itself (safe to repeat:
its client token returns the same task), go through `patiently`, which keeps retrying ServiceUnavailable with
growing, jittered delays until its own deadline. Any other error is raised at once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from pulumi_snowdm._core.errors import ServiceUnavailable

T = TypeVar("T")

PATIENCE_SECONDS = 600.0
FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0


def patiently(
    call: Callable[[], T],
    *,
    describe: str,
    report: Callable[[str], None],
    seconds: float = PATIENCE_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> T:
    """Return `call()`, retrying ServiceUnavailable for up to `seconds`; then raise the last one."""
    rng = rng or random.Random()
    deadline = clock() + seconds
    delay = FIRST_DELAY_SECONDS
    warned = False
    while True:
        try:
            return call()
        except ServiceUnavailable as error:
            remaining = deadline - clock()
            if remaining <= 0:
                raise
            if not warned:
                report(f"{describe}: the service is busy ({error}); trying again for up to {seconds:g}s")
                warned = True
            sleep(min(delay * rng.uniform(0.8, 1.2), remaining))
            delay = min(delay * 2, MAX_DELAY_SECONDS)
