"""The errors pulumi-snowdm raises, in one small tree.

    SnowdmError                 base of everything below; catch this to catch them all
    ├── InputError              a resource input breaks a rule (names the property, says what is allowed)
    ├── ConfigurationError      region/profile/endpoint/credentials settings are unusable
    ├── NotFound                the service says the object does not exist (read -> gone, delete -> done)
    ├── AccessError             the service refused the call (403) or the credentials are wrong
    ├── ServiceUnavailable      throttling, 5xx or a dropped connection outlasted botocore's retries (waits go on)
    ├── ExecutionFailed         an execution ended in a state the gate does not accept
    ├── FleetFailed             a fleet gate's threshold was not met
    ├── WaitTimedOut            a deadline passed before the execution (or fleet) reached a final state
    └── WaitCanceled            the host canceled the wait (the engine's Cancel, a Ctrl-C)

Messages read "what failed (which ids): why, and what to do". They are what `pulumi up` prints, so they never
contain credentials.
"""

from __future__ import annotations

import json
from typing import Any


class SnowdmError(Exception):
    """Base class of every error pulumi-snowdm raises on purpose.

    `partial` is what an operation had done when it failed, as (id, outputs), for a host that can record it (the
    plugin's partial state); None when nothing was done or nothing is worth keeping.
    """

    partial: tuple[str, dict[str, Any]] | None = None


class InputError(SnowdmError, ValueError):
    """A resource input is invalid; raised by check before any API call. `than` is the other input a rule
    between two compares `prop` with ("must be at least" `than`), kept apart so each host can name it."""

    def __init__(self, prop: str, problem: str, than: str | None = None) -> None:
        self.prop = prop
        self.problem = problem
        self.than = than
        super().__init__(f"invalid input '{prop}': {problem}" + (f" '{than}'" if than else ""))


class ConfigurationError(SnowdmError):
    """Provider settings (region, profile, endpoint, credentials) cannot be used."""


class NotFound(SnowdmError):
    """The service answered ResourceNotFoundException for an object."""

    def __init__(self, kind: str, ids: str, said: str | None = None) -> None:
        self.kind = kind
        self.ids = ids
        super().__init__(said or f"{kind} {ids} was not found")


class AccessError(SnowdmError):
    """The service refused a call: wrong credentials or a denied permission."""


class ServiceUnavailable(SnowdmError):
    """The service stayed busy or unreachable through botocore's retries; a wait treats it as a missed look."""


class ExecutionFailed(SnowdmError):
    """An execution reached a final state the gate does not accept (FAILED, REJECTED, TIMED_OUT, CANCELED)."""


class FleetFailed(SnowdmError):
    """A fleet gate ended without the number of successful executions it requires."""


class WaitTimedOut(SnowdmError):
    """A wait reached its deadline; the message carries what was seen last."""


def shown(value: Any) -> str:
    """A value as the user wrote it: 7 for 7.0 (the engine sends every number as a float), '' for an empty string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return repr(value)
    try:
        return json.dumps(value)
    except TypeError:
        return repr(value)


class WaitCanceled(SnowdmError):
    """The host canceled a wait (the engine's Cancel, a Ctrl-C); what was created stays findable by client token."""
