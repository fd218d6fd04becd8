"""An endpoint that stops answering while `snowdm` waits: the wait outlasts it until --timeout, saying the service
cannot be reached, then gives the verdict of the executions; past --timeout it ends with exit 3.

botocore is given 2 attempts per call (AWS_MAX_ATTEMPTS), so each look gives up within a second: an outage of a few
seconds is many failed looks, each of which ended the command with exit 4 before. (By hand, with botocore's default
10 attempts, a 40 s outage is outlasted the same way.)
"""

from __future__ import annotations

import time

import pytest
from snowdm_command import Started, cli_env

pytestmark = pytest.mark.cli

# Device time stands still (time_scale 0) until the test moves it: the execution ends only after the outage.
SLOW = {"scenario": {"devices": {"smd-lab-1": {"queued_seconds": 1, "run_seconds": 60}}}, "time_scale": 0}
RUN = ["run", "--command", "reboot", "--device", "smd-lab-1", "--run-id", "r1", "--poll-interval", "0.2s"]


def _start(emulator, tmp_path, *args: str) -> Started:
    return Started([*RUN, *args], cli_env(emulator, tmp_path, AWS_MAX_ATTEMPTS="2"))


def _outage(emulator):
    """Stop answering: connections to the port are refused until `back()` serves it again, with the same state."""
    port = emulator.port or int(emulator.url.rsplit(":", 1)[1])
    emulator.stop()

    def back():
        emulator.port = port
        emulator.start()
    return back


@pytest.mark.parametrize("emulator", [SLOW], indirect=True)
def test_an_outage_mid_wait_is_outlasted_and_the_verdict_comes_after_it(emulator, tmp_path):
    command = _start(emulator, tmp_path, "--timeout", "60s")
    try:
        command.wait_for_line(r"smd-lab-1 \(task st-\w+\): QUEUED")
        back = _outage(emulator)
        command.wait_for_line(r"the service cannot be reached \(ListExecutions \(task st-\w+\): Could not connect")
        time.sleep(4)  # several more looks fail; each used to end the command
        assert command.process.poll() is None, "the command gave up during the outage"
        back()
        emulator.clock.advance(120)
        code, stdout, stderr = command.finish(timeout=30)
    finally:
        if command.process.poll() is None:
            command.process.kill()
    assert code == 0, stderr
    assert "IN_PROGRESS -> SUCCEEDED" in stderr or "QUEUED -> SUCCEEDED" in stderr
    assert "snowdm run r1: passed: 1/1 SUCCEEDED" in stdout
    assert "is busy" not in stderr


@pytest.mark.parametrize("emulator", [SLOW], indirect=True)
def test_an_outage_past_the_deadline_ends_with_exit_3_naming_it(emulator, tmp_path):
    command = _start(emulator, tmp_path, "--timeout", "3s")
    back = None
    try:
        command.wait_for_line(r"smd-lab-1 \(task st-\w+\): QUEUED")
        back = _outage(emulator)
        code, stdout, stderr = command.finish(timeout=30)
    finally:
        if command.process.poll() is None:
            command.process.kill()
        if back is not None:
            back()
    assert code == 3, stderr
    assert "the service cannot be reached" in stderr
    assert "the service stayed unavailable until the deadline (3s)" in stdout
