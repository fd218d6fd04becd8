"""How many executions a fleet gate needs: all of them (the default), a count, or a percentage of the total.

`minSucceeded` arrives as a Pulumi input: a number (Pulumi sends floats: 7.0 is 7), a string of digits, or a
string like "95%". Percentages round up, so "95%" of 10 executions needs 10, never 9.5 rounded down.
"""

from __future__ import annotations

import dataclasses
import math
import re

from pulumi_snowdm._core.errors import InputError

_PERCENT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*%\s*")
_COUNT = re.compile(r"\s*(\d+)\s*")


@dataclasses.dataclass(frozen=True)
class Tally:
    """Executions of a gate by outcome so far: succeeded (or accepted), still pending, and failed for good."""

    succeeded: int = 0
    pending: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.succeeded + self.pending + self.failed


@dataclasses.dataclass(frozen=True)
class Threshold:
    """The number of successes a gate requires; with neither field set, every execution must succeed."""

    count: int | None = None
    percent: float | None = None

    def required_count(self, total: int) -> int:
        """Successes needed out of `total` executions."""
        if self.count is not None:
            return self.count
        if self.percent is not None:
            # Shave float noise first: 95% of 20 must be 19, not 20 because 20 * 0.95 is 19.000000000000004.
            return math.ceil(round(total * self.percent / 100, 9))
        return total

    def met(self, tally: Tally) -> bool:
        """True once enough executions have succeeded; successes are final, so this cannot turn false again."""
        return tally.total > 0 and tally.succeeded >= self.required_count(tally.total)

    def unreachable(self, tally: Tally) -> bool:
        """True when even if every pending execution succeeded, the gate would still fall short."""
        return tally.succeeded + tally.pending < self.required_count(tally.total)

    def describe(self) -> str:
        """'all', '7' or '95%', for messages."""
        if self.count is not None:
            return str(self.count)
        if self.percent is not None:
            return f"{self.percent:g}%"
        return "all"


def parse_threshold(value: object, prop: str = "minSucceeded") -> Threshold:
    """Read a min-succeeded input: None (all), a whole number >= 1, or a percentage string above 0% up to 100%."""
    if value is None:
        return Threshold()
    if isinstance(value, bool):
        raise InputError(prop, f"must be a whole number or a percentage like \"95%\", got {value!r}")
    if isinstance(value, (int, float)):
        return _count(value, prop)
    if isinstance(value, str):
        percent = _PERCENT.fullmatch(value)
        if percent:
            number = float(percent.group(1))
            if not 0 < number <= 100:
                raise InputError(prop, f"a percentage must be above 0% and at most 100%, got {value!r}")
            return Threshold(percent=number)
        count = _COUNT.fullmatch(value)
        if count:
            return _count(int(count.group(1)), prop)
    raise InputError(prop, f"must be a whole number or a percentage like \"95%\", got {value!r}")


def _count(value: float, prop: str) -> Threshold:
    if value != value or not float(value).is_integer():
        raise InputError(prop, f"a count must be a whole number, got {value!r}")
    if value < 1:
        raise InputError(prop, f"a count must be at least 1 (0 would let the gate pass without waiting), got {value!r}")
    return Threshold(count=int(value))
