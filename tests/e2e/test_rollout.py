"""Staged rollouts end to end: a FleetGate with `waves` through the real Pulumi engine, boto3 and the emulator.

100 devices, waves [1, "10%", "100%"]: one canary, nine more, then the other ninety. Device time runs 4x wall time;
an execution takes about a second of wall time. The emulator's own records (task creation and execution update
times, its count of calls) show what the gate sent and when.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from programs import MARKER
from test_interruptions import _end_group, _wait_for_calls, duplicates, pending_operations

pytestmark = pytest.mark.e2e

FLEET = [f"smd-fleet-{n:04d}" for n in range(100)]
WAVES = [1, "10%", "100%"]
# Wave k's devices, as the gate cuts them: [0:1], [1:10], [10:100].
CUTS = [FLEET[:1], FLEET[1:10], FLEET[10:]]
TIME_SCALE = 4
TIMING = {"poll_interval_seconds": 0.3, "max_poll_interval_seconds": 0.5, "heartbeat_seconds": 5,
          "not_found_grace_seconds": 5}


def scenario(devices: dict | None = None, run_seconds: float = 4) -> dict:
    return {
        "scenario": {
            "default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": run_seconds},
            "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
            "devices": devices or {},
        },
        "time_scale": TIME_SCALE,
    }


PROGRAM = MARKER + '''
import json

import pulumi

import pulumi_snowdm as snowdm

config = pulumi.Config()
gates = json.loads(config.require("gates"))
made = [snowdm.FleetGate(name, **args) for name, args in gates.items()]
Marker("app", config.require("marker"), opts=pulumi.ResourceOptions(depends_on=made))
for name in ("task_ids", "counts", "wave_reports", "untouched_devices", "aborted_wave", "failed_devices"):
    pulumi.export(name, getattr(made[0], name))
'''


def rollout(**extra) -> dict:
    return {"devices": FLEET, "command": "reboot", "waves": WAVES, **TIMING, **extra}


def project_of(make_project, tmp_path, gates: dict):
    marker = tmp_path / "marker"
    return make_project(PROGRAM, config={"gates": json.dumps(gates), "marker": str(marker)}), marker


def waves_as_sent(emulator) -> list[list[dict]]:
    """The emulator's tasks grouped by the wave their devices belong to, each with its creation time."""
    grouped: list[list[dict]] = [[] for _ in CUTS]
    for task in emulator.model.tasks():
        described = emulator.model.describe_task(task["taskId"])
        wave = next(k for k, cut in enumerate(CUTS) if task["targets"][0] in cut)
        assert set(task["targets"]) <= set(CUTS[wave]), task
        grouped[wave].append({**task, "createdAt": described["createdAt"]})
    return grouped


def last_update(emulator, tasks: list[dict]) -> float:
    return max(emulator.model.describe_execution(task["taskId"], device)["lastUpdatedAt"]
               for task in tasks for device in task["targets"])


@pytest.mark.parametrize("emulator", [scenario()], indirect=True)
def test_each_wave_starts_after_the_last_one_ended_and_its_bake(make_project, tmp_path, emulator):
    bake = 1.5
    project, marker = project_of(make_project, tmp_path, {"fleet": rollout(bake_seconds=bake)})
    up = project.up()

    assert marker.exists()
    sent = waves_as_sent(emulator)
    assert [sorted(d for t in wave for d in t["targets"]) for wave in sent] == CUTS
    assert [len(wave) for wave in sent] == [1, 1, 9]
    for before, after in zip(sent, sent[1:], strict=False):
        first_create = min(task["createdAt"] for task in after)
        # Emulator time runs TIME_SCALE times wall time; the bake is wall seconds.
        assert first_create >= last_update(emulator, before) + bake * TIME_SCALE, (before, after)

    assert up.outputs["counts"] == {"SUCCEEDED": 100}
    assert up.outputs["untouched_devices"] == [] and up.outputs.get("aborted_wave") is None
    reports = up.outputs["wave_reports"]
    assert [(r["wave"], r["status"], r["devices"], r["counts"]) for r in reports] == [
        (1, "passed", CUTS[0], {"SUCCEEDED": 1}), (2, "passed", CUTS[1], {"SUCCEEDED": 9}),
        (3, "passed", CUTS[2], {"SUCCEEDED": 90})]
    assert all(r["startedAt"] <= r["endedAt"] for r in reports)
    assert sorted(t for r in reports for t in r["tasks"]) == sorted(up.outputs["task_ids"])
    assert "fleet gate fleet: wave 2/3: " in up.output and "fleet gate fleet: wave 3/3: passed" in up.output

    # Nothing changed: nothing is sent again (tests/e2e/test_lifecycle.py shows new waves or max_failures update
    # the gate in place).
    calls = emulator.calls["CreateTask"]
    assert set(project.up().changes) == {"same"}
    assert emulator.calls["CreateTask"] == calls and len(emulator.model.tasks()) == 11


FAILING = ["smd-fleet-0002", "smd-fleet-0004", "smd-fleet-0006"]
SLOW_QUEUE = ["smd-fleet-0007", "smd-fleet-0008", "smd-fleet-0009"]


@pytest.mark.parametrize("emulator", [scenario({
    **{device: {"outcome": "FAILED", "run_seconds": 1} for device in FAILING},
    **{device: {"queued_seconds": 400} for device in SLOW_QUEUE},
})], indirect=True)
def test_failures_past_max_failures_stop_the_rollout_and_cancel_what_is_queued(make_project, tmp_path, emulator):
    project, marker = project_of(make_project, tmp_path, {"fleet": rollout(max_failures=1)})
    failed = project.up(expect_ok=False)

    assert not marker.exists()
    # The third wave was never sent: the emulator holds tasks for the first ten devices only.
    tasks = emulator.model.tasks()
    assert sorted(d for t in tasks for d in t["targets"]) == FLEET[:10]
    executions = {d: s for t in tasks for d, s in t["executions"].items()}
    assert {d: executions[d] for d in SLOW_QUEUE} == {d: "CANCELED" for d in SLOW_QUEUE}
    assert {d: executions[d] for d in FAILING} == {d: "FAILED" for d in FAILING}

    assert "rollout stopped at wave 2/3" in failed.output and "more than max_failures 1" in failed.output
    for device in FAILING:
        assert f"{device} (task " in failed.output
    assert "wave 3/3 (90 device(s)): not started" in failed.output
    untouched = re.search(r"Untouched devices \(90, [^)]*\): ([^.\n]+)\.", failed.output)
    assert untouched and untouched.group(1).split(", ") == FLEET[10:]
    assert "Traceback" not in failed.output


@pytest.mark.parametrize("emulator", [scenario({device: {"outcome": "FAILED", "run_seconds": 1}
                                                for device in FAILING})], indirect=True)
def test_failures_within_max_failures_go_on_and_min_succeeded_still_applies(make_project, tmp_path, emulator):
    project, marker = project_of(make_project, tmp_path, {"fleet": rollout(max_failures=3)})
    failed = project.up(expect_ok=False)

    # Wave 2's 3 failures are within max_failures, so wave 3 goes out; the final threshold is every device.
    assert "every wave passed, but 97 of 100 executions succeeded, 100 required" in failed.output
    assert len(emulator.model.tasks()) == 11 and not marker.exists()

    # A lower threshold and a rerun: the same client tokens adopt every wave, nothing is sent twice.
    project.configure({"gates": json.dumps({"fleet": rollout(max_failures=3, min_succeeded="95%")}),
                       "marker": str(marker)})
    up = project.up()
    assert marker.exists() and len(emulator.model.tasks()) == 11
    assert sorted(up.outputs["failed_devices"]) == FAILING
    assert [r["counts"] for r in up.outputs["wave_reports"]] == [
        {"SUCCEEDED": 1}, {"SUCCEEDED": 6, "FAILED": 3}, {"SUCCEEDED": 90}]


@pytest.mark.parametrize("emulator", [scenario()], indirect=True)
def test_a_failure_seen_during_the_bake_stops_the_rollout_before_the_next_wave(make_project, tmp_path, emulator):
    project, marker = project_of(make_project, tmp_path, {"fleet": rollout(bake_seconds=4)})
    with ThreadPoolExecutor(1) as pool:
        up = pool.submit(project.up, expect_ok=False)
        # The canary passed (the gate read its task's times: the first DescribeTask) and the gate bakes; then the
        # device reports a failure (a problem that shows late).
        wait_for(lambda: emulator.calls["DescribeTask"] >= 1)
        canary = emulator.model.tasks()
        assert canary[0]["executions"] == {FLEET[0]: "SUCCEEDED"}
        emulator.model.set_execution_state(canary[0]["taskId"], FLEET[0], "FAILED")
        failed = up.result()

    assert not marker.exists()
    assert [t["targets"] for t in emulator.model.tasks()] == [FLEET[:1]]
    assert "rollout stopped at the bake after wave 1/3: 1 device(s) failed" in failed.output
    assert f"{FLEET[0]} (task " in failed.output and "wave 2/3 (9 device(s)): not started" in failed.output


def wait_for(found, seconds: float = 60):
    give_up = time.monotonic() + seconds
    while not (result := found()):
        assert time.monotonic() < give_up, "never happened"
        time.sleep(0.1)
    return result


# The four; the other rules (a wave beyond the list, a wave adding nothing, a list short of everyone) are
# in tests/unit/test_rollout.py and tests/unit/test_fleet_gate_check.py: each preview here costs seconds.
BAD = {
    "decreasing": (rollout(waves=[10, 5, "100%"]),
                   "'waves': wave 2 (5 = 5 of 100 devices) is smaller than the 10 before it"),
    "above-100%": (rollout(waves=[1, "150%"]),
                   "'waves': item 1 a percentage must be above 0% up to 100%, got '150%'"),
    "empty": (rollout(waves=[]), "'waves' must be a non-empty list of counts or percentages"),
    "more-waves-than-devices": (rollout(devices=FLEET[:3], waves=[1, 2, 3, "100%"]),
                                "'waves': has 4 waves for 3 device(s): more waves than devices"),
}


@pytest.mark.parametrize("emulator", [scenario()], indirect=True)
@pytest.mark.parametrize("case", BAD)
def test_bad_waves_fail_preview_naming_the_input_without_any_call(make_project, tmp_path, emulator, case):
    gate, message = BAD[case]
    project, _ = project_of(make_project, tmp_path, {"fleet": gate})
    preview = project.preview(expect_ok=False)

    assert message in preview.output
    assert sum(emulator.calls.values()) == 0


@pytest.mark.parametrize("emulator", [scenario(run_seconds=12)], indirect=True)
def test_a_rollout_killed_in_wave_two_recovers_without_sending_twice(make_project, tmp_path, emulator):
    project, marker = project_of(make_project, tmp_path, {"fleet": rollout()})
    command = [str(project._engine / "pulumi"), "up", "--yes", "--skip-preview", "--non-interactive",
               "--stack", project.stack_name, "--color", "never"]
    with open(tmp_path / "killed-up.log", "w") as output:
        process = subprocess.Popen(command, cwd=project.workdir, env={**os.environ, **project.env},
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_for_calls(emulator, process, "CreateTask", 2)  # wave 2's task is sent
            calls = emulator.calls["ListExecutions"]
            _wait_for_calls(emulator, process, "ListExecutions", calls + 2)  # and waited on
            os.killpg(process.pid, signal.SIGKILL)
        finally:
            _end_group(process)
    assert len(emulator.model.tasks()) == 2
    emulator.clock.time_scale = 10 * TIME_SCALE  # the recovery does not depend on how long devices take

    # README's recovery: release the killed run's lock, clear the create it left pending, run again.
    project.cli("cancel", "--yes")
    project.cli("refresh", "--yes", "--clear-pending-creates")
    assert pending_operations(project) == []
    up = project.up()

    assert "Traceback" not in up.output
    tasks = emulator.model.tasks()
    assert duplicates(tasks) == [] and len(tasks) == 11
    assert sorted(d for t in tasks for d in t["targets"]) == FLEET
    state = {r["urn"].rsplit("::", 1)[-1]: r for r in project.export().get("resources", [])}
    gate = state["fleet"]["outputs"]
    assert gate["counts"] == {"SUCCEEDED": 100} and gate["untouchedDevices"] == []
    assert [r["status"] for r in gate["waveReports"]] == ["passed"] * 3
    assert sorted(gate["taskIds"]) == sorted(t["taskId"] for t in tasks)
    assert marker.exists()
