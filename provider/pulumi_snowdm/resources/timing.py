"""The waiting inputs every gate takes (timeoutSeconds, pollIntervalSeconds ...) and the WaitPolicy they describe.

TaskExecution and FleetGate wait the same way, so their timing inputs share one table: names, defaults and bounds
are stated once here, and `check_timing` reports WaitPolicy's own cross-field rules under the resources' input names.
"""

from __future__ import annotations

from typing import Any, Mapping

from pulumi_snowdm._core.errors import InputError
from pulumi_snowdm._core.wait.policy import WaitPolicy
from pulumi_snowdm.resources.inputs import InputCheck
from pulumi_snowdm.resources.naming import camel

WEEK = 7 * 24 * 3600
# Input name -> (WaitPolicy field, lowest, highest); the defaults are WaitPolicy's own.
_BOUNDS = {
    "timeoutSeconds": ("timeout_seconds", 1, WEEK),
    "queuedTimeoutSeconds": ("queued_timeout_seconds", 1, WEEK),
    "notFoundGraceSeconds": ("not_found_grace_seconds", 0, 3600),
    "pollIntervalSeconds": ("initial_delay_seconds", 0.1, 600),
    "maxPollIntervalSeconds": ("max_delay_seconds", 0.1, 3600),
    "heartbeatSeconds": ("heartbeat_seconds", 1, 3600),
}
# Input name -> (WaitPolicy field, default, lowest, highest).
TIMING = {name: (field, float(getattr(WaitPolicy(), field)), low, high)
          for name, (field, low, high) in _BOUNDS.items()}


def wait_policy(props: Mapping[str, Any]) -> WaitPolicy:
    """The WaitPolicy the gate's inputs describe (defaults for what is unset)."""
    return WaitPolicy(**{field: props.get(name, default) for name, (field, default, _, _) in TIMING.items()})


def check_timing(check: InputCheck) -> None:
    """Check every timing input on its own, then together (a maximum poll interval below the first one ...)."""
    before = {failure.property for failure in check.failures}
    defaults = {name: default for name, (_, default, _, _) in TIMING.items()}
    first = check.news.get("pollIntervalSeconds")
    if isinstance(first, (int, float)) and not isinstance(first, bool) and check.news.get("maxPollIntervalSeconds") is None:
        # Left unset, the largest delay is never below the first one the user asked for.
        defaults["maxPollIntervalSeconds"] = max(defaults["maxPollIntervalSeconds"], first)
    for name, (_, _, low, high) in TIMING.items():
        check.seconds(name, defaults[name], low, high)
    timing_failed = {failure.property for failure in check.failures} - before
    if timing_failed or not all(isinstance(check.inputs.get(name), (int, float)) for name in TIMING):
        return
    try:
        wait_policy(check.inputs)
    except InputError as error:
        # WaitPolicy names its own fields; say it with the resource's input names.
        prop, problem = error.prop, error.problem
        for name, (field, *_) in TIMING.items():
            prop, problem = (name if prop == camel(field) else prop), problem.replace(camel(field), name)
        check.fail(prop, f"'{prop}' {problem}")
