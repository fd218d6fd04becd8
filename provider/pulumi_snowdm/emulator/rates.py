"""Request-rate quotas: a token bucket per operation, answering 429 ThrottlingException past the rate, as AWS does.

    {"ListExecutions": 20, "*": 50}                       requests per second; burst = one second's worth
    {"ListExecutions": {"rate": 20, "burst": 5}}          a burst of its own (at least 1)

A named operation has its own bucket; `*` gives every other operation a bucket each (AWS counts each API on its
own). Rates are per wall-clock second, whatever the scenario's time_scale: they limit calls, not device time.
The same text form serves the `--rates` flag: `ListExecutions=20,*=50`, or `ListExecutions=20/5` for a burst.
Throttled answers are counted per operation.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from pulumi_snowdm._core.service_model import service_model
from pulumi_snowdm.emulator.faults import is_number

EVERY_OPERATION = "*"


@dataclasses.dataclass(frozen=True)
class Rate:
    """Requests per second and the burst a full bucket allows."""

    rate: float
    burst: float


def parse_rates(block: Any, where: str = "rates") -> dict[str, Rate]:
    """Check a `rates` block ({operation or "*": rate or {"rate", "burst"}}); ValueError names the bad key."""
    if not isinstance(block, Mapping):
        raise ValueError(f"{where}: must be an object like {{\"ListExecutions\": 20, \"*\": 50}}")
    known = service_model().operation_names
    rates = {}
    for name, value in block.items():
        if name != EVERY_OPERATION and name not in known:
            raise ValueError(f"{where}.{name}: not an operation; use {EVERY_OPERATION} or one of {', '.join(known)}")
        rates[name] = _rate(value, f"{where}.{name}")
    return rates


def parse_rates_text(text: str) -> dict[str, Rate]:
    """The `--rates` form: `ListExecutions=20,*=50`, a burst after a slash (`ListExecutions=20/5`)."""
    block: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, equals, value = item.partition("=")
        rate, _, burst = value.partition("/")
        try:
            block[name.strip()] = {"rate": float(rate), **({"burst": float(burst)} if burst else {})}
        except ValueError:
            raise ValueError(f"{item!r}: use OPERATION=RATE or OPERATION=RATE/BURST, like ListExecutions=20") from None
        if not equals:
            raise ValueError(f"{item!r}: use OPERATION=RATE or OPERATION=RATE/BURST, like ListExecutions=20")
    return parse_rates(block, "--rates")


def rates_to_dict(rates: Mapping[str, Rate]) -> dict[str, dict[str, float]]:
    return {name: dataclasses.asdict(rate) for name, rate in rates.items()}


def _rate(value: Any, where: str) -> Rate:
    if is_number(value):
        value = {"rate": value}
    if not isinstance(value, Mapping) or set(value) - {"rate", "burst"}:
        raise ValueError(f"{where}: must be requests per second, or an object with 'rate' and optionally 'burst'")
    rate: Any = value.get("rate")
    if not is_number(rate) or not 0 < rate <= 1_000_000:
        raise ValueError(f"{where}: the rate must be requests per second above 0, got {rate!r}")
    burst: Any = value.get("burst", max(1.0, rate))
    if not is_number(burst) or burst < 1:
        raise ValueError(f"{where}: the burst must be a number of requests of at least 1, got {burst!r}")
    return Rate(float(rate), float(burst))


class RateLimiter:
    """Token buckets per operation from the current rates; `admit(operation)` is False when the call is throttled."""

    def __init__(self, rates: Mapping[str, Rate] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.throttled: collections.Counter[str] = collections.Counter()
        self.configure(rates or {})

    @property
    def rates(self) -> dict[str, Rate]:
        return dict(self._rates)

    def configure(self, rates: Mapping[str, Rate]) -> None:
        """New rates, with full buckets; the throttled counts stay."""
        with self._lock:
            self._rates = dict(rates)
            self._buckets: dict[str, tuple[float, float]] = {}  # operation -> (tokens, when counted)

    def admit(self, operation: str) -> bool:
        rate = self._rates.get(operation) or self._rates.get(EVERY_OPERATION)
        if rate is None:
            return True
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.get(operation, (rate.burst, now))
            tokens = min(rate.burst, tokens + (now - then) * rate.rate)
            admitted = tokens >= 1
            self._buckets[operation] = (tokens - 1 if admitted else tokens, now)
            if not admitted:
                self.throttled[operation] += 1
            return admitted

    def reset_counts(self) -> None:
        with self._lock:
            self.throttled.clear()
