"""Counts and percentages of devices, read one way: `minSucceeded`, `maxFailures`, wave sizes and `promoteTo`.

Each arrives as a number (Pulumi sends floats: 7.0 is 7), a string of digits (stack config gives "3"), or, where a
share of the devices is meant, a string like "95%". A `Share` keeps what was given; turning it into a number of
devices rounds the way its use needs, and says so next to it:
- a threshold (`minSucceeded`) rounds UP: "95%" of 10 executions needs 10, never 9.5 rounded down;
- a limit (`maxFailures`, a wave's end) rounds DOWN: "10%" of 15 devices allows 1, never 1.5 rounded up.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any, Protocol

from pulumi_snowdm._core.errors import InputError, shown

_PERCENT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*%\s*")
_COUNT = re.compile(r"\s*(\d+)\s*")


class Counted(Protocol):
    """Executions counted so far (`wait.threshold.Tally`)."""

    @property
    def succeeded(self) -> int: ...

    @property
    def pending(self) -> int: ...

    @property
    def total(self) -> int: ...


@dataclasses.dataclass(frozen=True)
class Share:
    """A count or a percentage of a number of devices, as given (`shown` for messages)."""

    count: int | None = None
    percent: float | None = None

    def rounded_up(self, total: int) -> int:
        """How many of `total` at least: a count as is, a percentage rounded up (a threshold)."""
        if self.count is not None:
            return self.count
        # Shave float noise first: 95% of 20 must be 19, not 20 because 20 * 0.95 is 19.000000000000004.
        return math.ceil(round(total * (self.percent or 0) / 100, 9))

    def rounded_down(self, total: int) -> int:
        """How many of `total` at most: a count as is, a percentage rounded down (a budget, a wave's end)."""
        if self.count is not None:
            return self.count
        return math.floor(round(total * (self.percent or 0) / 100, 9))

    def shown(self) -> str:
        return str(self.count) if self.count is not None else f"{self.percent:g}%"


@dataclasses.dataclass(frozen=True)
class Threshold(Share):
    """The number of successes a gate requires (rounded up); with neither field set, every execution must succeed."""

    def required_count(self, total: int) -> int:
        """Successes needed out of `total` executions."""
        if self.count is None and self.percent is None:
            return total
        return self.rounded_up(total)

    def met(self, tally: Counted) -> bool:
        """True once enough executions have succeeded; successes are final, so this cannot turn false again."""
        return tally.total > 0 and tally.succeeded >= self.required_count(tally.total)

    def unreachable(self, tally: Counted) -> bool:
        """True when even if every pending execution succeeded, the gate would still fall short."""
        return tally.succeeded + tally.pending < self.required_count(tally.total)

    def describe(self) -> str:
        """'all', '7' or '95%', for messages."""
        return "all" if self.count is None and self.percent is None else self.shown()


def read_share(value: Any, *, minimum: int, example: str, why: str = "") -> Share:
    """A whole number >= `minimum`, or a percentage string up to 100% (above 0% when `minimum` is 1 or more);
    ValueError saying what is allowed otherwise. `why` follows the lower bound of a count."""
    if isinstance(value, str) and _COUNT.fullmatch(value):
        value = int(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value or not float(value).is_integer():
            raise ValueError(f"a count must be a whole number, got {shown(value)}")
        if value < minimum:
            raise ValueError(f"a count must be at least {minimum}{why}, got {shown(value)}")
        return Share(count=int(value))
    percent = _PERCENT.fullmatch(value) if isinstance(value, str) else None
    if percent is None:
        raise ValueError(f'must be a whole number or a percentage like "{example}", got {shown(value)}')
    number = float(percent.group(1))
    if number > 100 or (number <= 0 if minimum >= 1 else number < 0):
        raise ValueError(f"a percentage must be {'0%' if minimum <= 0 else 'above 0%'} up to 100%, "
                         f"got {shown(value)}")
    return Share(percent=number)


def parse_threshold(value: Any, prop: str = "minSucceeded") -> Threshold:
    """`minSucceeded`: None (all), a whole number >= 1, or a percentage above 0% up to 100%."""
    if value is None:
        return Threshold()
    try:
        share = read_share(value, minimum=1, example="95%", why=" (0 would let the gate pass without waiting)")
    except ValueError as error:
        raise InputError(prop, str(error)) from None
    return Threshold(share.count, share.percent)


def parse_max_failures(value: Any, prop: str = "maxFailures") -> Share:
    """`maxFailures`: a count >= 0 or a percentage 0% to 100% of the devices sent to (default 0)."""
    if value is None:
        return Share(count=0)
    try:
        return read_share(value, minimum=0, example="10%")
    except ValueError as error:
        raise InputError(prop, str(error)) from None


def parse_waves(value: Any, prop: str = "waves") -> list[Share]:
    """`waves` on its own: a non-empty list of counts >= 1 or percentages above 0% up to 100%."""
    if not isinstance(value, (list, tuple)) or not value:
        raise InputError(prop, f'must be a non-empty list of counts or percentages like [1, "10%", "100%"], '
                               f"got {shown(value)}")
    sizes = []
    for index, item in enumerate(value):
        try:
            sizes.append(read_share(item, minimum=1, example="10%"))
        except ValueError as error:
            raise InputError(prop, f"item {index} {error}") from None
    return sizes


def parse_promote_to(value: Any, prop: str = "promoteTo") -> int | None:
    """`promoteTo`: a wave number from 1, or "all" (None, the default: every wave)."""
    if value is None or value == "all":
        return None
    if isinstance(value, str) and _COUNT.fullmatch(value):
        value = int(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer() and value >= 1:
        return int(value)
    raise InputError(prop, f'must be a wave number from 1, or "all", got {shown(value)}')
