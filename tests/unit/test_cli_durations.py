"""`snowdm` durations as typed on a command line, and the exit code each kind of error ends the command with."""

from __future__ import annotations

import pytest

from pulumi_snowdm._core.errors import AccessError, FleetFailed, NotFound, SnowdmError, WaitTimedOut
from pulumi_snowdm.cli.durations import parse_duration
from pulumi_snowdm.cli.exits import BadUsage, ExitCode, exit_code


@pytest.mark.parametrize(("text", "seconds"), [
    ("90s", 90), ("15m", 900), ("2h", 7200), ("1h30m", 5400), ("1h30m15s", 5415), ("2m30s", 150), ("0.5s", 0.5),
    ("0s", 0),
])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


# One grammar: what README and --help show. Bare numbers, other units, upper case, fractions of minutes or hours,
# parts out of order or repeated are refused.
@pytest.mark.parametrize("text", ["", "s", "soon", "15 m", "-5s", "1h-30m", "2w", "1.5.2s", "m15", "90", "0",
                                  "15M", "1ms", "500ms", "1d", "1.5h", "0.5m", "30m1h", "1m1m", " 2m ", "1h 30m"])
def test_not_durations(text):
    assert parse_duration(text) is None


def _wrapped(cause: Exception) -> SnowdmError:
    try:
        try:
            raise cause
        except SnowdmError:
            raise SnowdmError("0 of 1 task(s) were created") from None  # as existing_tasks does: context kept
    except SnowdmError as error:
        return error


@pytest.mark.parametrize(("error", "code"), [
    (BadUsage(["invalid option '--timeout' ..."]), ExitCode.USAGE),
    (FleetFailed("x"), ExitCode.FAILED),
    (WaitTimedOut("x"), ExitCode.DEADLINE),
    (AccessError("x"), ExitCode.ACCESS),
    (_wrapped(AccessError("refused")), ExitCode.ACCESS),
    (_wrapped(NotFound("task", "st-1")), ExitCode.USAGE),
    (SnowdmError("ServiceQuotaExceededException: too many open tasks"), ExitCode.SERVICE),
])
def test_exit_codes_follow_the_cause(error, code):
    assert exit_code(error) is code
