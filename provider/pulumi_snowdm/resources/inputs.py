"""Input checking for the resources' `check`: every rule stated once, failures that name the property.

Rules about API values (lengths, patterns, enums, list sizes) come from botocore's service model through
`_core.constraints`; the rest (booleans, durations) are the resources' own. Values still unknown at preview are
left for the next check, when the engine knows them.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckFailure, CheckResult
from pulumi.output import Unknown

from pulumi_snowdm._core.constraints import input_problems


class InputCheck:
    """Reads one resource's new inputs, filling defaults and collecting every failure before any API call."""

    def __init__(self, news: dict[str, Any]) -> None:
        self.news = news
        self.inputs: dict[str, Any] = {}
        self.failures: list[CheckFailure] = []

    def fail(self, prop: str, reason: str) -> None:
        self.failures.append(CheckFailure(prop, reason))

    def _take(self, prop: str, default: Any = None) -> tuple[bool, Any]:
        """(known, value) of an input, filling the default when it is absent."""
        value = self.news.get(prop)
        if value is None:
            value = default
        if value is not None:
            self.inputs[prop] = value
        return not _unknown(value), value

    def api_value(self, prop: str, operation: str, member: str, required: bool = True) -> Any:
        """An input sent to the API as `member` of `operation`, checked against the service model."""
        known, value = self._take(prop)
        if not known:
            return value
        if value is None:
            if required:
                self.fail(prop, f"'{prop}' is required")
            return None
        for problem in input_problems(operation, member, value):
            self.fail(prop, f"'{prop}': {problem.removeprefix(member + ': ')}")
        return value

    def choice(self, prop: str, allowed: tuple[str, ...], required: bool = True) -> Any:
        """One of a fixed set of names."""
        known, value = self._take(prop)
        if not known:
            return value
        if value is None:
            if required:
                self.fail(prop, f"'{prop}' is required: one of {', '.join(allowed)}")
        elif value not in allowed:
            self.fail(prop, f"'{prop}' must be one of {', '.join(allowed)}, got {value!r}")
        return value

    def text(self, prop: str, max_length: int) -> Any:
        """A free-form string of our own (not sent to the API as such)."""
        known, value = self._take(prop)
        if known and value is not None and (not isinstance(value, str) or not 1 <= len(value) <= max_length):
            self.fail(prop, f"'{prop}' must be a string of 1 to {max_length} characters, got {value!r}")
        return value

    def flag(self, prop: str, default: bool) -> Any:
        known, value = self._take(prop, default)
        if known and not isinstance(value, bool):
            self.fail(prop, f"'{prop}' must be true or false, got {value!r}")
        return value

    def seconds(self, prop: str, default: float, low: float, high: float) -> Any:
        """A duration in seconds within [low, high]; numbers arrive from the engine as floats."""
        known, value = self._take(prop, default)
        if not known:
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            self.fail(prop, f"'{prop}' must be a number of seconds from {low:g} to {high:g}, got {value!r}")
        return value

    def result(self) -> CheckResult:
        return CheckResult(self.inputs, self.failures)


def _unknown(value: Any) -> bool:
    """True for a value the engine does not know yet (preview), at any depth of a list or map."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, (list, tuple)):
        return any(_unknown(item) for item in value)
    if isinstance(value, dict):
        return any(_unknown(item) for item in value.values())
    return False
