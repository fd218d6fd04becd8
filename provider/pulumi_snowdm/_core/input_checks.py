"""Input checks driven by the resource declarations (`_core.spec`): every failure is found before any API call,
names the property the way the user wrote it, shows the value as given and says what is allowed.

Rules about API values (lengths, patterns, enums, list sizes) come from botocore's service model through
`_core.model_constraints`; the others (booleans, bounds of numbers, our own strings, thresholds) from the declaration.
A value still unknown at preview is left for the next check, when the engine knows it; what counts as unknown is
the host's to say, so this module needs no Pulumi.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_snowdm._core.errors import InputError, shown
from pulumi_snowdm._core.model_constraints import input_problems
from pulumi_snowdm._core.retries import parse_retry_on
from pulumi_snowdm._core.shares import parse_max_failures, parse_promote_to, parse_threshold, parse_waves
from pulumi_snowdm._core.spec import Prop, ResourceSpec

Label = Callable[[str], str]


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class InputCheck:
    """Reads one resource's new inputs, filling defaults and collecting every failure before any API call.

    `label` turns a property's camelCase name into the user's own (snake_case for Python programs); `unknown`
    tells a value the engine does not know yet.
    """

    def __init__(self, spec: ResourceSpec, news: Mapping[str, Any], *, label: Label,
                 unknown: Callable[[Any], bool]) -> None:
        self.spec = spec
        self.news = news
        self.label = label
        self.unknown = unknown
        self.inputs: dict[str, Any] = {}
        self.failures: list[tuple[str, str]] = []
        # The same failures unworded: (name, problem), for a host that frames them its own way.
        self.problems: list[tuple[str, str]] = []

    def fail(self, name: str, problem: str) -> None:
        """Record a failure of input `name`; `problem` follows the quoted property name ("must be ...")."""
        joint = " " if problem.startswith(("must", "is ", "lists", "adopts", "applies", "and ", "or ")) else ": "
        self.failures.append((name, f"'{self.label(name)}'{joint}{problem}"))
        self.problems.append((name, problem))

    def value(self, name: str, default: Any = None) -> tuple[bool, Any]:
        """(known, value) of an input, kept for the checked inputs; a scalar default fills an absent one."""
        prop = self.spec.input(name)
        value = self.news.get(name)
        if value is None:
            value = default if default is not None else _scalar_default(prop)
        if value is not None:
            self.inputs[name] = value
        return not self.unknown(value), value

    def check(self, name: str, *, required: bool | None = None, default: Any = None) -> Any:
        """Check one input against its declaration; returns its value (None when absent)."""
        prop = self.spec.input(name)
        known, value = self.value(name, default)
        if not known:
            return value
        if value is None:
            if prop.required if required is None else required:
                self.fail(name, f"is required{_allowed(prop)}")
            return None
        problem = _problem(prop, value, self.label)
        if problem:
            self.fail(name, problem)
        return value

    def check_all(self, *, skip: tuple[str, ...] = ()) -> None:
        """Check every declared input not in `skip` (inputs whose rules depend on others)."""
        for prop in (*self.spec.inputs, *self.spec.internal):
            if prop.name not in skip:
                self.check(prop.name)

    def failed(self, name: str) -> bool:
        return any(prop == name for prop, _ in self.failures)


def _scalar_default(prop: Prop) -> Any:
    return prop.default if prop.kind in ("boolean", "number") else None


def _allowed(prop: Prop) -> str:
    return f": one of {', '.join(prop.choices)}" if prop.choices else ""


def _problem(prop: Prop, value: Any, label: Label) -> str | None:
    """What is wrong with a known, present value of `prop`, worded to follow its quoted name; None if nothing."""
    if prop.choices is not None:
        return None if value in prop.choices else f"must be one of {', '.join(prop.choices)}, got {shown(value)}"
    by_kind = _BY_KIND.get(prop.kind)
    if by_kind is not None:
        return by_kind(prop, value, label)
    if prop.kind in _RULES:
        try:
            _RULES[prop.kind](value, label(prop.name))
        except InputError as error:
            return error.problem
    if prop.max_length is not None:
        if isinstance(value, str) and 1 <= len(value) <= prop.max_length:
            return None
        return f"must be a string of 1 to {prop.max_length} characters, got {shown(value)}"
    if prop.api is not None:
        return _api_problem(prop, value)
    return None


def _boolean_problem(prop: Prop, value: Any, label: Label) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, got {shown(value)}"


def _number_problem(prop: Prop, value: Any, label: Label) -> str | None:
    low, high = prop.bounds or (float("-inf"), float("inf"))
    if is_number(value) and low <= value <= high:
        return None
    return f"must be a number of seconds from {shown(low)} to {shown(high)}, got {shown(value)}"


def _integer_problem(prop: Prop, value: Any, label: Label) -> str | None:
    low, high = prop.bounds or (float("-inf"), float("inf"))
    if is_number(value) and float(value).is_integer() and low <= value <= high:
        return None
    return f"must be a whole number from {shown(low)} to {shown(high)}, got {shown(value)}"


# Kinds whose parser is the rule: a value it reads is valid.
_RULES = {"waves": parse_waves, "failures": parse_max_failures, "wave": parse_promote_to, "states": parse_retry_on}


def _api_problem(prop: Prop, value: Any) -> str | None:
    operation, member = prop.api  # type: ignore[misc]
    problems = "; ".join(_reworded(problem, member) for problem in input_problems(operation, member, value))
    if problems and isinstance(value, str) and len(value) <= 80:
        problems += f" (given: {shown(value)})"
    return problems or None


def _reworded(problem: str, member: str) -> str:
    """`targets[3]: must be ...` -> `item 3 must be ...`; `tags['a']: ...` -> `key 'a' ...`; `x: must` -> `must`."""
    path, _, what = problem.partition(": ")
    rest = path.removeprefix(member)
    if rest.startswith("[") and rest.endswith("]"):
        inner = rest[1:-1]
        return f"{'key' if inner.startswith(chr(39)) else 'item'} {inner} {what}"
    return what


def _ids_problem(prop: Prop, value: Any) -> str | None:
    """A non-empty list of distinct ids, each meeting the declaration's API member."""
    if not isinstance(value, (list, tuple)) or not value:
        return f"must be a non-empty list of ids, got {shown(value)}"
    operation, member = prop.api  # type: ignore[misc]
    problems = [f"item {index} {_reworded(problem, member)}"
                for index, item in enumerate(value) for problem in input_problems(operation, member, item)]
    repeated = sorted({item for item in value if isinstance(item, str) and value.count(item) > 1})
    if repeated:
        problems.append(f"lists {', '.join(repeated)} more than once; list each once")
    return "; ".join(problems) or None


def _threshold_problem(value: Any, name: str) -> str | None:
    try:
        parse_threshold(value, name)
    except InputError as error:
        return error.problem
    return None


def check_reachable_threshold(check: InputCheck) -> None:
    """A `minSucceeded` count above the number of devices given could never be met."""
    threshold, devices = check.inputs.get("minSucceeded"), check.inputs.get("devices")
    if check.failed("minSucceeded") or check.unknown(threshold) or not isinstance(devices, list) or not devices:
        return
    count = parse_threshold(threshold).count
    if count is not None and count > len(devices):
        check.fail("minSucceeded", f"is {count}, more than the {len(devices)} device(s): it could never be met")


# Kinds with a rule of their own (every value of the kind is judged by it alone).
_BY_KIND: dict[str, Callable[[Prop, Any, Label], str | None]] = {
    "boolean": _boolean_problem,
    "number": _number_problem,
    "integer": _integer_problem,
    "threshold": lambda prop, value, label: _threshold_problem(value, label(prop.name)),
    "ids": lambda prop, value, label: _ids_problem(prop, value),
}
