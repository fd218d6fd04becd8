"""The dynamic host's side of the resource declarations (`_core.spec`): checks, diffs and registration props, in
the shapes `pulumi.dynamic` wants (registration props are `_core.python_registration`'s, shared with `native.py`).

Python users write snake_case names, so check failures name properties that way. A failure is reported to the
engine without a property path: the engine would print the camelCase path and its own rendering of the value
("value {}" for an empty string), where our message already names the input and shows the value as given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckFailure, CheckResult, DiffResult
from pulumi.output import Unknown

from pulumi_snowdm._core.changes import InputReader, plan_change
from pulumi_snowdm._core.input_checks import InputCheck
from pulumi_snowdm._core.name_case import snake
from pulumi_snowdm._core.spec import ResourceSpec


def unknown(value: Any) -> bool:
    """True for a value the engine does not know yet (preview), at any depth of a list or map."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, (list, tuple)):
        return any(unknown(item) for item in value)
    if isinstance(value, Mapping):
        return any(unknown(item) for item in value.values())
    return False


def input_check(spec: ResourceSpec, news: Mapping[str, Any]) -> InputCheck:
    """A check of a Python program's inputs: failures name properties in snake_case."""
    return InputCheck(spec, news, label=snake, unknown=unknown)


def check_result(check: InputCheck) -> CheckResult:
    return CheckResult(check.inputs, [CheckFailure("", reason) for _, reason in check.failures])


def diff_result(spec: ResourceSpec, olds: Mapping[str, Any], news: Mapping[str, Any],
                read_input: InputReader | None = None) -> DiffResult:
    change = plan_change(spec, olds, news, unknown=unknown, read_input=read_input)
    return DiffResult(changes=bool(change.changed), replaces=list(change.replaces), delete_before_replace=False)
