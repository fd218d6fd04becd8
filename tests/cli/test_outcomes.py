"""`snowdm run`, `wait` and `status` against the emulator: each exit code from a real cause, and the outputs (JSON,
JUnit, the verdict table, GitHub annotations) checked against what DescribeExecution answers."""

from __future__ import annotations

import re

import pytest

from snowdm_command import junit_cases, parse_json

pytestmark = pytest.mark.cli

DEMO = [f"smd-demo-{n:04d}" for n in range(4)]
FAST_POLL = ("--poll-interval", "0.2s")


def devices(*ids: str) -> list[str]:
    return [argument for device in ids for argument in ("--device", device)]


@pytest.mark.parametrize("emulator", [{"scenario": None, "time_scale": 20}], indirect=True)
def test_a_passing_run_exits_0_and_its_json_and_junit_match_describe_execution(snowdm, emulator, sdm_client,
                                                                              tmp_path):
    junit = tmp_path / "snowdm.xml"
    done = snowdm("run", "--command", "reboot", *devices(*DEMO), "--run-id", "build-1", *FAST_POLL,
                  "--output", "json", "--junit", str(junit))

    assert done.returncode == 0, done.stderr
    result = parse_json(done.stdout)
    assert (result["verdict"], result["exitCode"], result["succeeded"], result["total"]) == ("passed", 0, 4, 4)
    assert result["counts"] == {"SUCCEEDED": 4}
    [task] = emulator.model.tasks()
    assert result["taskIds"] == [task["taskId"]]
    for record in result["executions"]:
        answer = sdm_client.describe_execution(taskId=record["taskId"], managedDeviceId=record["deviceId"])
        assert record["executionId"] == answer["executionId"]
        assert record["state"] == answer["state"] == "SUCCEEDED"
        assert record["startedAt"] == iso(answer["startedAt"])
        assert record["lastUpdatedAt"] == iso(answer["lastUpdatedAt"])
    assert sorted(record["deviceId"] for record in result["executions"]) == DEMO

    cases = junit_cases(junit)
    assert sorted(cases) == DEMO
    assert all(case.find("failure") is None and case.get("classname") == task["taskId"] for case in cases.values())
    executions = {record["deviceId"]: record["executionId"] for record in result["executions"]}
    assert all(executions[device] in case.findtext("system-out") for device, case in cases.items())


def iso(moment) -> str:
    from pulumi_snowdm._core.times import iso as to_iso
    return to_iso(moment)


@pytest.mark.parametrize("emulator", [{"scenario": {"devices": {"smd-good": {}, "smd-bad": {"outcome": "FAILED"}},
                                                    "time_scale": 20}}], indirect=True)
def test_a_failed_device_exits_1_with_its_diagnosis_in_every_output(snowdm, emulator, tmp_path):
    junit = tmp_path / "snowdm.xml"
    done = snowdm("run", "--command", "unlock", *devices("smd-good", "smd-bad"), "--run-id", "r1", *FAST_POLL,
                  "--junit", str(junit), env_changes={"GITHUB_ACTIONS": "true"})

    assert done.returncode == 1, done.stderr
    table = [line for line in done.stdout.splitlines() if "smd-bad" in line and "│" in line]
    assert table and "FAILED" in table[0] and "The command failed on the device" in table[0]
    assert "snowdm run r1: failed: 1 of 2 succeeded, 2 required" in done.stdout
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert annotations[0].startswith("::error title=snowdm%3A smd-bad FAILED::task st-")
    assert "Device smd-bad: " in annotations[0]  # DescribeDevice's story
    assert annotations[-1].startswith("::error title=snowdm run%3A failed::")

    cases = junit_cases(junit)
    failure = cases["smd-bad"].find("failure")
    assert failure.get("type") == "FAILED" and "failed on the device" in failure.text
    assert cases["smd-good"].find("failure") is None


@pytest.mark.parametrize("emulator", [{"scenario": {
    "default": {"run_seconds": 4},
    "devices": {"smd-a": {}, "smd-b": {}, "smd-c": {}, "smd-bad": {"outcome": "REJECTED", "run_seconds": 0.1}},
    "time_scale": 20}}], indirect=True)
def test_a_threshold_passes_with_the_failures_listed(snowdm):
    done = snowdm("run", "--command", "reboot", *devices("smd-a", "smd-b", "smd-c", "smd-bad"), "--run-id", "r1",
                  "--min-succeeded", "75%", *FAST_POLL, "--output", "json")

    assert done.returncode == 0, done.stderr
    result = parse_json(done.stdout)
    assert (result["verdict"], result["succeeded"], result["required"], result["total"]) == ("passed", 3, 3, 4)
    [failed] = [record for record in result["executions"] if record["outcome"] == "failed"]
    assert failed["deviceId"] == "smd-bad" and failed["state"] == "REJECTED"
    assert "refused the command" in failed["diagnosis"]
    assert "smd-bad" in done.stderr and "REJECTED" in done.stderr  # the table, on stderr under --output json


@pytest.mark.parametrize("emulator", [{"scenario": {"default": {"run_seconds": 3600},
                                                    "fleet": {"count": 2, "prefix": "smd-demo-"}},
                                       "time_scale": 1}], indirect=True)
def test_a_deadline_exits_3_and_the_executions_go_on(snowdm, emulator):
    done = snowdm("run", "--command", "reboot", *devices(*DEMO[:2]), "--run-id", "r1", "--timeout", "2s",
                  *FAST_POLL, "--output", "json")

    assert done.returncode == 3, done.stderr
    result = parse_json(done.stdout)
    assert result["verdict"] == "timed_out"
    assert "no decision within --timeout 2s" in result["message"]
    assert {record["state"] for record in result["executions"]} <= {"QUEUED", "IN_PROGRESS"}
    [task] = emulator.model.tasks()
    assert task["state"] == "IN_PROGRESS"  # nothing was canceled


@pytest.mark.parametrize("emulator", [{"scenario": {"devices": {"smd-offline": {"online": False}}},
                                       "time_scale": 20}], indirect=True)
def test_an_offline_device_fails_on_the_queued_timeout(snowdm):
    done = snowdm("run", "--command", "unlock", "--device", "smd-offline", "--run-id", "r1",
                  "--queued-timeout", "1s", "--timeout", "30s", *FAST_POLL, "--output", "json")

    assert done.returncode == 1, done.stderr
    [record] = parse_json(done.stdout)["executions"]
    assert record["state"] == "QUEUED" and record["outcome"] == "failed"
    assert "QUEUED past the queued timeout: the device may be offline" in record["diagnosis"]
    assert "Device smd-offline: " in record["diagnosis"]  # what DescribeDevice says


@pytest.mark.parametrize("subcommand", ["run", "wait"])
def test_wrong_credentials_exit_4_and_nothing_is_created(snowdm, emulator, subcommand):
    args = (["run", "--command", "reboot", "--device", DEMO[0], "--run-id", "r1"] if subcommand == "run" else
            ["wait", "--task-id", "st-0123456789abcde"])
    done = snowdm(*args, "--endpoint-url", emulator.url, env_changes={
        "AWS_SECRET_ACCESS_KEY": "not-the-secret", "AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT": None})

    assert done.returncode == 4, done.stderr
    assert "refused the call (InvalidSignatureException" in done.stderr
    assert "not-the-secret" not in done.stderr
    assert emulator.model.tasks() == []


def test_a_task_that_does_not_exist_exits_2_naming_the_option(snowdm):
    done = snowdm("wait", "--task-id", "st-0123456789abcde")

    assert done.returncode == 2
    assert "task st-0123456789abcde (given as --task-id) was not found" in done.stderr


@pytest.mark.parametrize("emulator", [{"scenario": None, "time_scale": 20}], indirect=True)
def test_wait_and_status_on_a_task_made_elsewhere(snowdm, sdm_client):
    task_id = sdm_client.create_task(command={"unlock": {}}, targets=DEMO[:3])["taskId"]

    waited = snowdm("wait", "--task-id", task_id, "--device", DEMO[1], *FAST_POLL, "--output", "json")
    assert waited.returncode == 0, waited.stderr
    assert [record["deviceId"] for record in parse_json(waited.stdout)["executions"]] == [DEMO[1]]

    status = snowdm("status", "--task-id", task_id)
    assert status.returncode == 0, status.stderr
    rows = [line for line in status.stdout.splitlines() if re.search(r"│ smd-demo-000\d", line)]
    assert len(rows) == 3 and all(task_id in row for row in rows)

    stranger = snowdm("wait", "--task-id", task_id, "--device", DEMO[3])
    assert stranger.returncode == 2
    assert f"'--device': {DEMO[3]} is not a target" in stranger.stderr
