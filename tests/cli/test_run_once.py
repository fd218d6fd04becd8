"""`snowdm run` sends each device the command at most once per --run-id, whatever the devices file holds when the job
is rerun: the installed command against the emulator, sends counted from every task the service holds."""

from __future__ import annotations

from collections import Counter

import pytest
from snowdm_command import junit_cases, parse_json

pytestmark = pytest.mark.cli

FLEET = [f"smd-fleet-{n:04d}" for n in range(12)]
SCENARIO = {"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 4},
                         "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"}},
            "time_scale": 20}
FAST_POLL = ("--poll-interval", "0.2s")


def sends(emulator) -> Counter:
    return Counter(device for task in emulator.model.tasks() for device in task["targets"])


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_typo_exits_6_reporting_what_was_sent_and_the_fixed_rerun_sends_nothing_twice(snowdm, emulator, tmp_path):
    good = FLEET[:10]
    devices = tmp_path / "fleet.txt"
    devices.write_text("\ufeff" + "\n".join([*good, "smd-typo-0001  # the typo"]) + "\n", encoding="utf-8")
    junit = tmp_path / "snowdm.xml"
    run = ("run", "--command", "reboot", "--devices-file", str(devices), "--run-id", "build-7", *FAST_POLL,
           "--output", "json", "--junit", str(junit))

    partial = snowdm(*run)
    assert partial.returncode == 6, partial.stderr
    result = parse_json(partial.stdout)
    [task] = emulator.model.tasks()
    assert result["verdict"] == "partial" and result["taskIds"] == [task["taskId"]]
    assert sorted(record["deviceId"] for record in result["executions"]) == good
    assert f"Sent: 1 task(s) to 10 device(s): {task['taskId']}" in result["message"]
    assert "Not sent: 1 device(s) (smd-typo-0001)" in result["message"]
    assert "no managed device smd-typo-0001" in result["message"]
    assert "rerun `snowdm run` with the same --run-id build-7" in result["message"]
    assert sorted(junit_cases(junit)) == good

    devices.write_text("\n".join(good) + "\n", encoding="utf-8")
    again = snowdm(*run)
    assert again.returncode == 0, again.stderr
    assert sends(emulator) == Counter({device: 1 for device in good})
    assert "found 1 task(s) of this run already sent to 10 device(s)" in again.stderr
    assert "nothing sent: all 10 device(s) were already sent the command in this run" in again.stderr
    assert "reboot sent to" not in again.stderr

    grown = snowdm("run", "--command", "reboot", *(f"--device={d}" for d in FLEET), "--run-id", "build-7",
                   *FAST_POLL)
    assert grown.returncode == 0, grown.stderr
    assert "reboot sent to 2 device(s) in 1 task(s) (10 sent before in this run)" in grown.stderr
    assert sends(emulator) == Counter({device: 1 for device in FLEET})


def test_not_found_names_only_the_device_the_service_lacks_and_exits_2_with_nothing_sent(snowdm, tmp_path):
    junit = tmp_path / "snowdm.xml"
    done = snowdm("run", "--command", "reboot", "--device", "smd-demo-0000", "--device", "smd-bogus-9",
                  "--run-id", "r1", "--output", "json", "--junit", str(junit))
    assert done.returncode == 2, done.stderr
    assert "no managed device smd-bogus-9" in done.stderr
    assert "smd-demo-0000, smd-bogus-9 was not found" not in done.stderr
    result = parse_json(done.stdout)
    assert (result["verdict"], result["exitCode"]) == ("error", 2) and junit.exists()


def test_a_devices_file_with_whitespace_inside_an_id_is_refused_naming_the_line(snowdm, emulator, tmp_path):
    devices = tmp_path / "fleet.txt"
    devices.write_text("smd-demo-0000\nsmd-demo 0001\n", encoding="utf-8")
    done = snowdm("run", "--command", "reboot", "--devices-file", str(devices), "--run-id", "r1")
    assert done.returncode == 2
    assert "line 2 holds 'smd-demo 0001'" in done.stderr and "--devices-file" in done.stderr
    assert emulator.calls["CreateTask"] == 0
