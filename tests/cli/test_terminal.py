"""Progress on stderr: timestamped plain lines when stderr is not a terminal (CI logs), and a live view with counts
by state and a progress bar under a pseudo-terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time

import pytest
from snowdm_command import ANSI, SNOWDM, cli_env

pytestmark = pytest.mark.cli

DEMO = [f"smd-demo-{n:04d}" for n in range(4)]
RUN = ["run", "--command", "reboot", *[arg for device in DEMO for arg in ("--device", device)], "--run-id", "r1",
       "--poll-interval", "0.2s"]


@pytest.mark.parametrize("emulator", [{"scenario": None, "time_scale": 20}], indirect=True)
def test_without_a_terminal_progress_is_plain_timestamped_lines(snowdm):
    done = snowdm(*RUN)

    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stderr + done.stdout
    lines = done.stderr.splitlines()
    assert lines and all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ snowdm run r1: ", line) for line in lines)
    assert any(line.endswith("snowdm run r1: reboot sent to 4 device(s) in 1 task(s)") for line in lines)
    assert lines[-1].endswith("snowdm run r1: 4/4 SUCCEEDED")
    assert "snowdm run r1: passed: 4/4 SUCCEEDED" in done.stdout


FAILING_LAST_DEVICE = {"fleet": {"count": 4, "prefix": "smd-demo-"},
                       "devices": {"smd-demo-0003": {"outcome": "FAILED", "run_seconds": 1}}}


@pytest.mark.parametrize("emulator", [{"scenario": FAILING_LAST_DEVICE, "time_scale": 20}], indirect=True)
def test_under_a_pseudo_terminal_progress_is_a_live_view_with_counts(emulator, tmp_path):
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    env = cli_env(emulator, tmp_path, TERM="xterm-256color")
    process = subprocess.Popen([SNOWDM, *RUN, "--min-succeeded", "3"], env=env, stdout=subprocess.PIPE,
                               stderr=terminal, stdin=subprocess.DEVNULL)
    os.close(terminal)
    shown = _read_until_closed(controller, timeout=30)
    stdout = process.stdout.read().decode()
    assert process.wait(timeout=10) == 0, shown

    screen = ANSI.sub("", shown)
    assert "\x1b[" in shown  # drawn in place, not logged line by line
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ snowdm", screen)
    assert "snowdm run r1: reboot sent to 4 device(s) in 1 task(s)" in screen
    final = screen.rsplit("snowdm run r1", 1)[-1]
    assert re.search(r"3/4 .*SUCCEEDED 3 · FAILED 1 \(need 3\)", final), final
    assert "━" in screen  # the progress bar
    assert "smd-demo-0003" in stdout and "FAILED" in stdout


def _read_until_closed(controller: int, timeout: float) -> str:
    """Everything written to the terminal until the process closes it."""
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.2)
            if ready:
                try:
                    data = os.read(controller, 65536)
                except OSError:  # EIO: the other side is closed
                    break
                if not data:
                    break
                chunks.append(data)
    finally:
        os.close(controller)
    return b"".join(chunks).decode(errors="replace")


ONE_FAILS = {"devices": {"smd-ok": {}, "smd-bad": {"outcome": "FAILED", "deviceState": "LOCKED"}}}
TABLE_RUN = ["run", "--command", "reboot", "--device", "smd-ok", "--device", "smd-bad", "--run-id", "r1",
             "--poll-interval", "0.2s"]


def _copyable(emulator, sdm_client, devices=("smd-ok", "smd-bad")) -> list[str]:
    """Every id and timestamp the table can show for `devices`, as DescribeExecution answers them."""
    from pulumi_snowdm._core.times import iso

    values = []
    for task in emulator.model.tasks():
        values.append(task["taskId"])
        for device in devices:
            answer = sdm_client.describe_execution(taskId=task["taskId"], managedDeviceId=device)
            values += [device, answer["executionId"], iso(answer["startedAt"]), iso(answer["lastUpdatedAt"])]
    return values


@pytest.mark.parametrize("emulator", [{"scenario": ONE_FAILS, "time_scale": 20}], indirect=True)
@pytest.mark.parametrize("columns", [80, 120])
def test_the_verdict_table_fits_a_terminal_without_breaking_ids_or_times(emulator, sdm_client, tmp_path, columns):
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    process = subprocess.Popen([SNOWDM, *TABLE_RUN], env=cli_env(emulator, tmp_path, TERM="xterm-256color"),
                               stdout=terminal, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(terminal)
    shown = _read_until_closed(controller, timeout=30)
    assert process.wait(timeout=10) == 1, process.stderr.read()

    lines = ANSI.sub("", shown).replace("\r", "").splitlines()
    assert lines and all(len(line) <= columns for line in lines), "\n".join(lines)
    joined = "".join(lines)
    for value in _copyable(emulator, sdm_client):
        # A value shown at all is shown whole, on one line: never split, never folded.
        assert (value in joined) == any(value in line for line in lines), (value, "\n".join(lines))
    rows = {device: next(i for i, line in enumerate(lines) if f"│ {device} " in line)
            for device in ("smd-ok", "smd-bad")}
    assert "FAILED" in lines[rows["smd-bad"]] and "SUCCEEDED" in lines[rows["smd-ok"]]
    under = " ".join(line.strip("│ ") for line in lines[rows["smd-bad"] + 1:])
    assert "The command failed on the device" in under  # the diagnosis, on the lines under its row
    assert "snowdm run r1: failed: 1 of 2 succeeded, 2 required" in " ".join(lines)
    if columns == 80:
        assert "(left out for the terminal's width: last updated, task;" in " ".join(lines)


@pytest.mark.parametrize("emulator", [{"scenario": ONE_FAILS, "time_scale": 20}], indirect=True)
def test_a_piped_verdict_has_one_line_per_row_and_an_unwrapped_verdict(snowdm, emulator, sdm_client):
    done = snowdm(*TABLE_RUN)

    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    [bad] = [line for line in lines if "│ smd-bad " in line]
    assert "FAILED" in bad and "Device smd-bad: LOCKED" in bad and bad.endswith("│")
    assert all(value in bad for value in _copyable(emulator, sdm_client, devices=("smd-bad",)))
    assert "snowdm run r1: failed: 1 of 2 succeeded, 2 required: 1/2 SUCCEEDED, 1 FAILED" in lines
