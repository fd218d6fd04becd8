"""Bad input exits 2 before any API call, with a message naming the option as typed and saying what is allowed."""

from __future__ import annotations

import importlib.metadata

import pytest

pytestmark = pytest.mark.cli

RUN = ["run", "--command", "reboot", "--run-id", "r1"]


@pytest.mark.parametrize(("args", "option", "problem"), [
    ([*RUN, "--device", "smd-demo-0000", "--min-succeeded", "120%"], "'--min-succeeded'",
     "a percentage must be above 0% up to 100%, got '120%'"),
    ([*RUN, "--device", "smd-" + "x" * 61], "'--device'", "item 0 must be 1 to 64 characters, got 65"),
    ([*RUN, "--device", "smd-demo-0000", "--timeout", "0s"], "'--timeout'", "from 1 to 604800, got 0"),
    ([*RUN, "--device", "smd-demo-0000", "--timeout", "soon"], "'--timeout'", "must be a duration like 90s"),
    ([*RUN, "--device", "smd-demo-0000", "--timeout", "90"], "'--timeout'",
     "whole hours, minutes and seconds in that order, each with its unit h, m or s"),
    ([*RUN, "--devices-file", "-"], "'--devices-file'", "must be a non-empty list of ids, got []"),
    ([*RUN], "'--device'", "is required (or '--devices-file')"),
    ([*RUN, "--devices-file", "-", "--device", "smd-demo-0000"], "'--devices-file'",
     "cannot be given with '--device'"),
    ([*RUN, "--device", "smd-demo-0000", "--device", "smd-demo-0000"], "'--device'", "more than once"),
    ([*RUN, "--device", "smd-demo-0000", "--min-succeeded", "2"], "'--min-succeeded'", "more than the 1 device(s)"),
    (["run", "--command", "explode", "--run-id", "r1", "--device", "smd-demo-0000"], "'--command'",
     "must be one of reboot, unlock"),
    (["wait", "--task-id", "st-1", "--poll-interval", "0.05s"], "'--poll-interval'", "from 0.1 to 600, got 0.05"),
    (["wait", "--task-id", "st-" + "0" * 62], "'--task-id'", "item 0 must be 1 to 64 characters, got 65"),
    (["wait", "--task-id", "st-1", "--max-rps", "0"], "'--max-rps'",
     "must be a number of requests per second above 0, got '0'"),
])
def test_bad_input_exits_2_naming_the_option_and_calls_nothing(snowdm, emulator, args, option, problem):
    done = snowdm(*args, stdin="# an empty devices file\n\n")

    assert done.returncode == 2, done.stderr
    assert f"snowdm: error: invalid option {option}: " in done.stderr
    assert problem in done.stderr
    assert not emulator.calls


def test_every_problem_is_told_at_once(snowdm, emulator):
    done = snowdm(*RUN, "--device", "smd-demo-0000", "--min-succeeded", "0", "--queued-timeout", "0s",
                  "--timeout", "2w")

    assert done.returncode == 2
    for option in ("--min-succeeded", "--queued-timeout", "--timeout"):
        assert f"invalid option '{option}': " in done.stderr
    assert not emulator.calls


def test_version_prints_the_installed_version(snowdm, emulator):
    done = snowdm("--version")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"snowdm {importlib.metadata.version('pulumi-snowdm')}"
    assert not emulator.calls


def test_usage_errors_exit_2(snowdm, emulator):
    missing = snowdm("run", "--command", "reboot", "--device", "smd-demo-0000")
    assert missing.returncode == 2 and "the following arguments are required: --run-id" in missing.stderr
    unknown = snowdm("wait", "--task-id", "st-1", "--colour")
    assert unknown.returncode == 2 and "unrecognized arguments: --colour" in unknown.stderr
    assert not emulator.calls


def test_an_endpoint_in_clear_text_to_another_host_is_refused_before_any_call(snowdm, emulator):
    done = snowdm("wait", "--task-id", "st-1", "--endpoint-url", "http://sdm.example.com")

    assert done.returncode == 4
    assert "--endpoint-url uses plain http to sdm.example.com, which is not a loopback host" in done.stderr
    assert not emulator.calls


def test_help_documents_the_exit_codes(snowdm):
    for args in ((), ("wait",), ("run",), ("status",)):
        done = snowdm(*args, "--help")
        assert done.returncode == 0
        for code in ("0    the gate passed", "1    the gate failed", "2    bad usage", "3    the deadline",
                     "4    access or configuration", "5    the service failed a call", "130  interrupted"):
            assert code in done.stdout
