"""Device time: a clock that runs `time_scale` times faster than wall time and can be stepped by hand.

Durations in scenarios are device seconds, so a 600-second reboot takes one wall second at time_scale=600.
time_scale=0 stops the clock entirely; then only `advance` moves it, which makes tests fully deterministic.
Timestamps shown to clients are device time too, anchored at the wall clock of the moment the clock was made, so the
gaps between startedAt and lastUpdatedAt are the scenario's durations.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Clock:
    """Device seconds since the clock was made; `epoch(t)` turns a device time into a wire timestamp."""

    def __init__(
        self,
        time_scale: float = 1.0,
        *,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        _check_scale(time_scale)
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._anchor_epoch = wall()
        self._base_monotonic = monotonic()
        self._base_device = 0.0
        self._scale = float(time_scale)

    @property
    def time_scale(self) -> float:
        return self._scale

    @time_scale.setter
    def time_scale(self, value: float) -> None:
        _check_scale(value)
        with self._lock:
            # Rebase so that device time already elapsed stays where it is.
            now_monotonic = self._monotonic()
            self._base_device += (now_monotonic - self._base_monotonic) * self._scale
            self._base_monotonic = now_monotonic
            self._scale = float(value)

    def now(self) -> float:
        """Device seconds elapsed since the clock was made (never decreases)."""
        return self._base_device + (self._monotonic() - self._base_monotonic) * self._scale

    def advance(self, device_seconds: float) -> None:
        """Jump device time forward, as if `device_seconds` had passed."""
        if device_seconds < 0:
            raise ValueError(f"advance: device time only moves forward, got {device_seconds}")
        with self._lock:
            self._base_device += device_seconds

    def epoch(self, device_time: float) -> float:
        """The epoch timestamp (seconds, millisecond precision) clients see for a device time."""
        return round(self._anchor_epoch + device_time, 3)


def _check_scale(value: float) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0 or value != value:
        raise ValueError(f"time_scale must be a number >= 0, got {value!r}")
