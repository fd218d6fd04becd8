"""The exit codes of `snowdm`, stable for scripts, and which error ends the command with which code."""

from __future__ import annotations

import enum
import textwrap

from pulumi_snowdm._core.errors import (
    AccessError,
    ConfigurationError,
    ExecutionFailed,
    FleetFailed,
    InputError,
    NotFound,
    WaitTimedOut,
)


class ExitCode(enum.IntEnum):
    """What the command's exit status means (MEANINGS says it in words)."""

    PASSED = 0
    FAILED = 1
    USAGE = 2
    DEADLINE = 3
    ACCESS = 4
    SERVICE = 5
    PARTLY_SENT = 6
    INTERRUPTED = 130


# The one statement of what each code means: `--help` prints it, README's table repeats it (a test compares them).
# A call the service failed for a reason of its own (a quota, an unexpected error) is not the devices' verdict, so
# it has a code of its own: a pipeline can retry it, where exit 1 says the devices failed.
MEANINGS = {
    ExitCode.PASSED: "the gate passed (status: the look succeeded)",
    ExitCode.FAILED: "the gate failed: too few executions succeeded (a device QUEUED past --queued-timeout counts "
                     "as failed)",
    ExitCode.USAGE: "bad usage or input (an option, a device id, a task that does not exist); nothing was sent",
    ExitCode.DEADLINE: "the deadline (--timeout) passed before the gate decided (the service unreachable until then "
                       "included); the executions go on",
    ExitCode.ACCESS: "access or configuration: credentials refused, no region, an unusable endpoint",
    ExitCode.SERVICE: "the service failed a call for another reason (such as ServiceQuotaExceededException); the "
                      "gate did not decide",
    ExitCode.PARTLY_SENT: "`snowdm run` sent the command to some devices, and a CreateTask was refused for the "
                          "others (a device that does not exist, a quota): the report shows the devices sent and "
                          "their state; once the cause is fixed, a rerun with the same --run-id sends only to the "
                          "devices not sent yet",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C, SIGTERM or SIGHUP); a rerun of `snowdm run` with the same --run-id "
                          "resumes",
}


def _help() -> str:
    lines = ["exit codes:"]
    for code, meaning in MEANINGS.items():
        wrapped = textwrap.wrap(meaning, 110)
        lines.append(f"  {int(code):<4} {wrapped[0]}")
        lines += [f"       {line}" for line in wrapped[1:]]
    return "\n".join(lines)


HELP = _help()


def exit_code(error: BaseException) -> ExitCode:
    """The exit code for an error that ended the command, judged by the first error of a known kind in its chain.

    The chain is read because the task calls wrap their causes (a CreateTask refused for wrong credentials is
    reported with the shards created so far; a task that does not exist, with what to check).
    """
    for cause in _chain(error):
        if isinstance(cause, (AccessError, ConfigurationError)):
            return ExitCode.ACCESS
        if isinstance(cause, (InputError, NotFound)):
            return ExitCode.USAGE
        if isinstance(cause, WaitTimedOut):
            return ExitCode.DEADLINE
        if isinstance(cause, (FleetFailed, ExecutionFailed)):
            return ExitCode.FAILED
    return ExitCode.SERVICE


def _chain(error: BaseException):
    seen = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


class BadUsage(InputError):
    """One or more options are wrong; the message lists every problem, each naming its option as typed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("", "; ".join(problems))
        self.problems = problems
        self.args = ("\n".join(problems),)

    def __str__(self) -> str:
        return self.args[0]
