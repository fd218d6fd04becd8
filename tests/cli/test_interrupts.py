"""Ctrl-C (SIGINT) and SIGTERM during a wait: the command stops promptly, prints what it knows, exits 130 and
leaves nothing half-done; `snowdm run` again with the same --run-id resumes on the same tasks, one per shard."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import termios
import threading
import time

import pytest
from snowdm_command import SNOWDM, cli_env, junit_cases, parse_json, wait_until

pytestmark = pytest.mark.cli

FLEET = [f"smd-fleet-{n:04d}" for n in range(12)]  # two shards: 10 + 2


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("emulator", [{"scenario": {"fleet": {"count": 12, "prefix": "smd-fleet-", "run_seconds": 600}},
                                       "time_scale": 1}], indirect=True)
def test_an_interrupted_run_resumes_without_a_second_task(start_snowdm, snowdm, emulator, tmp_path, signum):
    devices = tmp_path / "fleet.txt"
    devices.write_text("# the fleet\n" + "\n".join(FLEET) + "\n")
    args = ["run", "--command", "reboot", "--devices-file", str(devices), "--run-id", "deploy-7",
            "--poll-interval", "0.2s"]
    first = start_snowdm(*args, "--output", "json")
    first.wait_for_line(r"reboot sent to 12 device\(s\) in 2 task\(s\)")
    first.wait_for_line(r"0/12 SUCCEEDED")

    sent = time.monotonic()
    first.process.send_signal(signum)
    code, stdout, stderr = first.finish()
    stopped_after = time.monotonic() - sent

    assert code == 130, stderr
    assert stopped_after < 5
    result = parse_json(stdout)
    assert result["verdict"] == "interrupted" and result["exitCode"] == 130
    assert "rerun with the same --run-id deploy-7 to resume" in result["message"]
    assert sorted(record["deviceId"] for record in result["executions"]) == FLEET  # what it knew
    assert {record["state"] for record in result["executions"]} <= {"QUEUED", "IN_PROGRESS"}
    tasks = emulator.model.tasks()
    assert sorted(task["targets"] for task in tasks) == [FLEET[:10], FLEET[10:]]  # one task per shard

    emulator.clock.advance(3600)  # the devices finish while nobody waits
    again = snowdm(*args, "--output", "json")

    assert again.returncode == 0, again.stderr
    assert emulator.model.tasks() == [{**task, "state": "COMPLETED",
                                       "executions": {device: "SUCCEEDED" for device in task["targets"]}}
                                      for task in tasks]
    assert sorted(parse_json(again.stdout)["taskIds"]) == sorted(result["taskIds"])
    assert sorted(result["taskIds"]) == sorted(task["taskId"] for task in tasks)


@pytest.mark.parametrize("emulator", [{"scenario": {"fleet": {"count": 12, "prefix": "smd-fleet-"},
                                                    "faults": {"latency": 1.5, "operations": ["CreateTask"]}},
                                       "time_scale": 20}], indirect=True)
def test_an_interrupt_while_tasks_are_created_lets_the_calls_in_flight_finish(start_snowdm, snowdm, emulator):
    args = ["run", "--command", "unlock", *[arg for device in FLEET for arg in ("--device", device)],
            "--run-id", "deploy-8", "--poll-interval", "0.2s"]
    first = start_snowdm(*args)
    wait_until(lambda: emulator.calls["CreateTask"] == 2)  # both shards' calls are in flight (1.5 s each)

    first.process.send_signal(signal.SIGINT)
    code, stdout, stderr = first.finish()

    assert code == 130, stderr
    assert "interrupted: finishing the CreateTask calls in flight, then stopping" in stderr
    assert "reboot" not in stderr and "unlock sent to 12 device(s) in 2 task(s)" in stderr
    assert "interrupted; nothing was left half-done" in stdout
    tasks = emulator.model.tasks()
    assert sorted(task["targets"] for task in tasks) == [FLEET[:10], FLEET[10:]]

    again = snowdm(*args)
    assert again.returncode == 0, again.stderr
    assert [task["taskId"] for task in emulator.model.tasks()] == [task["taskId"] for task in tasks]


@pytest.mark.parametrize("emulator", [{"scenario": {"fleet": {"count": 2, "prefix": "smd-fleet-", "run_seconds": 600}},
                                       "time_scale": 1}], indirect=True)
def test_a_run_whose_shell_is_killed_ends_like_ctrl_c(emulator, tmp_path):
    """The shell the command runs in (a CI step's, an SSH session's) is killed: the terminal hangs up and the kernel
    sends SIGHUP to the command. It stops as after Ctrl-C: exit 130, its report and JUnit file written."""
    report, junit, status = tmp_path / "report.json", tmp_path / "junit.xml", tmp_path / "status"
    recorder = tmp_path / "recorder.py"
    recorder.write_text(RECORDER)
    command = (f'"{sys.executable}" "{recorder}" "{status}" "{SNOWDM}" run --command reboot --device smd-fleet-0000 '
               f'--device smd-fleet-0001 --run-id hup-1 --poll-interval 0.2s --output json --junit "{junit}" '
               f'>"{report}"; echo never here')
    terminal, shell = _in_a_terminal_of_its_own(["sh", "-c", command], cli_env(emulator, tmp_path))
    try:
        wait_until(lambda: emulator.calls["ListExecutions"] >= 2, timeout=30)  # it waits on the devices
        shell.kill()  # its terminal hangs up: SIGHUP to the command
        shell.wait()
        wait_until(status.exists, timeout=10)
    finally:
        os.close(terminal)
    assert status.read_text() == "130\n"
    result = parse_json(report.read_text())
    assert result["verdict"] == "interrupted" and result["exitCode"] == 130
    assert "rerun with the same --run-id hup-1 to resume" in result["message"]
    assert sorted(junit_cases(junit)) == ["smd-fleet-0000", "smd-fleet-0001"]
    calls = sum(emulator.calls.values())
    time.sleep(1)
    assert sum(emulator.calls.values()) == calls  # nothing polls any more


@pytest.mark.parametrize("emulator", [{"scenario": {"fleet": {"count": 1, "prefix": "smd-fleet-", "run_seconds": 600}},
                                       "time_scale": 1}], indirect=True)
def test_under_nohup_a_hangup_leaves_the_run_alone(emulator, tmp_path):
    args = ["run", "--command", "reboot", "--device", "smd-fleet-0000", "--run-id", "hup-2", "--poll-interval", "0.2s"]
    ignoring = subprocess.Popen([SNOWDM, *args], env=cli_env(emulator, tmp_path), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))  # as nohup does
    try:
        wait_until(lambda: emulator.calls["ListExecutions"] >= 2, timeout=30)
        ignoring.send_signal(signal.SIGHUP)
        time.sleep(1)
        assert ignoring.poll() is None
        ignoring.send_signal(signal.SIGINT)
        assert ignoring.wait(timeout=10) == 130
    finally:
        ignoring.kill()
        ignoring.communicate()


# Runs a shell command and outlives the terminal's hangup (its own SIGHUP ignored, the command's as usual) to write
# down the command's exit code.
RECORDER = """
import signal, subprocess, sys
signal.signal(signal.SIGHUP, signal.SIG_IGN)
code = subprocess.call(sys.argv[2:], preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL))
open(sys.argv[1], "w").write(f"{code}\\n")
"""


def _in_a_terminal_of_its_own(args: list[str], env: dict[str, str]) -> tuple[int, subprocess.Popen]:
    """Start `args` as the leader of a new session whose controlling terminal is a new pseudo-terminal (read and
    discarded in the background); return the terminal's master side and the process."""
    master, slave = os.openpty()

    def take_the_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(args, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                               preexec_fn=take_the_terminal)
    os.close(slave)
    threading.Thread(target=_drain, args=(master,), daemon=True).start()
    return master, process


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except OSError:
        pass  # hung up, or closed by the test
