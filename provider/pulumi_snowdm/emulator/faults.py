"""Faults on demand: throttling, server errors, latency and dropped connections for a share of API calls.

Rates are fractions of calls (0 to 1). With a `seed` the sequence of decisions is reproducible (for calls made in
the same order). `operations` limits faults to the named SDM operations. The control plane never gets faults.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections.abc import Mapping
from typing import Any

from pulumi_snowdm.emulator.errors import InternalServerException, ServiceError, ThrottlingException

_RATES = ("throttle_rate", "error_rate", "drop_rate", "latency_spike_rate")
_SECONDS = ("latency", "latency_spike")


@dataclasses.dataclass(frozen=True)
class FaultSettings:
    """What share of calls fail how; all zero means no faults."""

    throttle_rate: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    latency: float = 0.0
    latency_spike_rate: float = 0.0
    latency_spike: float = 1.0
    seed: int | None = None
    operations: frozenset[str] | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultSettings:
        """Check and read a `faults` block; ValueError names the bad key."""
        fields = [field.name for field in dataclasses.fields(cls)]
        unknown = [key for key in data if key not in fields]
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r}; allowed keys are {', '.join(fields)}")
        _check_ranges(data)
        _check_seed_and_operations(data)
        operations = data.get("operations")
        values = {key: data[key] for key in fields if key in data}
        if operations is not None:
            values["operations"] = frozenset(operations)
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        if self.operations is not None:
            data["operations"] = sorted(self.operations)
        return data


@dataclasses.dataclass(frozen=True)
class FaultDecision:
    """What to do to one call: wait `delay` seconds, then drop it, fail it with `error`, or serve it."""

    delay: float = 0.0
    drop: bool = False
    error: ServiceError | None = None


NO_FAULT = FaultDecision()


class FaultInjector:
    """Draws a FaultDecision per API call from the current settings (thread-safe)."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(settings or FaultSettings())

    @property
    def settings(self) -> FaultSettings:
        return self._settings

    def configure(self, settings: FaultSettings) -> None:
        with self._lock:
            self._settings = settings
            self._random = random.Random(settings.seed)
            self._active = any(getattr(settings, key) for key in _RATES) or settings.latency > 0

    def decide(self, operation: str) -> FaultDecision:
        if not self._active:
            return NO_FAULT
        settings = self._settings
        if settings.operations is not None and operation not in settings.operations:
            return NO_FAULT
        with self._lock:
            return self._draw(operation)

    def _draw(self, operation: str) -> FaultDecision:
        """One call's fate, from the seeded random source (lock held, so a seed replays the same sequence)."""
        settings = self._settings
        draw = self._random.random
        delay = settings.latency
        if settings.latency_spike_rate and draw() < settings.latency_spike_rate:
            delay += settings.latency_spike
        if settings.drop_rate and draw() < settings.drop_rate:
            return FaultDecision(delay=delay, drop=True)
        if settings.throttle_rate and draw() < settings.throttle_rate:
            return FaultDecision(delay=delay, error=ThrottlingException("Rate exceeded"))
        if settings.error_rate and draw() < settings.error_rate:
            return FaultDecision(
                delay=delay,
                error=InternalServerException(f"{operation} failed with an injected internal error; retry it"),
            )
        return FaultDecision(delay=delay) if delay else NO_FAULT


def _check_ranges(data: Mapping[str, Any]) -> None:
    for key in _RATES:
        value = data.get(key, 0.0)
        if not is_number(value) or not 0 <= value <= 1:
            raise ValueError(f"{key}: must be a fraction from 0 to 1, got {value!r}")
    for key in _SECONDS:
        value = data.get(key, 0.0)
        if not is_number(value) or not 0 <= value <= 60:
            raise ValueError(f"{key}: must be seconds from 0 to 60, got {value!r}")


def _check_seed_and_operations(data: Mapping[str, Any]) -> None:
    seed = data.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise ValueError(f"seed: must be an integer, got {seed!r}")
    operations = data.get("operations")
    if operations is not None and not (isinstance(operations, list) and all(isinstance(n, str) for n in operations)):
        raise ValueError("operations: must be a list of operation names")


def is_number(value: Any) -> bool:
    """An int or float, not a bool: what the scenario's numeric settings accept."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)
