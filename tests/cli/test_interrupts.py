"""Ctrl-C (SIGINT) and SIGTERM during a wait: the command stops promptly, prints what it knows, exits 130 and
leaves nothing half-done; `snowdm run` again with the same --run-id resumes on the same tasks, one per shard."""

from __future__ import annotations

import signal
import time

import pytest
from snowdm_command import parse_json, wait_until

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
