"""The waiting inputs every gate takes (timeoutSeconds, pollIntervalSeconds ...) and the WaitPolicy they describe.

Their names, defaults and bounds are declared in `_core.spec` (TIMING); this module turns a gate's inputs into the
wait engine's WaitPolicy and reports WaitPolicy's own cross-field rules under the inputs' names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_snowdm._core.errors import InputError
from pulumi_snowdm._core.input_checks import InputCheck, is_number
from pulumi_snowdm._core.name_case import camel
from pulumi_snowdm._core.spec import TIMING, TIMING_FIELDS
from pulumi_snowdm._core.wait.policy import WaitPolicy


def wait_policy(props: Mapping[str, Any]) -> WaitPolicy:
    """The WaitPolicy the gate's inputs describe (defaults for what is unset)."""
    return WaitPolicy(**{TIMING_FIELDS[p.name]: props.get(p.name, p.default) for p in TIMING})


def check_timing(check: InputCheck) -> None:
    """Check every timing input on its own, then together (a maximum poll interval below the first one ...)."""
    for prop in TIMING:
        check.check(prop.name, default=_default(check, prop.name))
    if not any(check.failed(p.name) for p in TIMING) and all(is_number(check.inputs.get(p.name)) for p in TIMING):
        _check_together(check)


def _default(check: InputCheck, name: str) -> float | None:
    """Left unset, the largest delay is never below the first one the user asked for."""
    first = check.news.get("pollIntervalSeconds")
    if name != "maxPollIntervalSeconds" or not is_number(first) or check.news.get(name) is not None:
        return None
    return max(check.spec.input(name).default, first)


def _check_together(check: InputCheck) -> None:
    """WaitPolicy's rules between fields, said with the inputs' names (WaitPolicy names its own fields)."""
    try:
        wait_policy(check.inputs)
    except InputError as error:
        names = {camel(field): name for name, field in TIMING_FIELDS.items()}
        than = f" '{check.label(names.get(error.than, error.than))}'" if error.than else ""
        check.fail(names.get(error.prop, error.prop), error.problem + than)
