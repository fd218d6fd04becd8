"""`snowdm run` with waves, bake, promotion and retries, on FleetGate's engine: the installed command against the
emulator, sends counted per device and attempt from every task the service holds."""

from __future__ import annotations

from collections import Counter

import pytest
from snowdm_command import parse_json

pytestmark = pytest.mark.cli

FLEET = [f"smd-fleet-{n:04d}" for n in range(6)]
ONCE, ALWAYS = "smd-fleet-0001", "smd-fleet-0004"
SCENARIO = {"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 4},
                         "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
                         "devices": {ONCE: {"fail_first": 1}, ALWAYS: {"outcome": "FAILED"}}},
            "time_scale": 20}
FAST_POLL = ("--poll-interval", "0.2s", "--output", "json")


def sends(emulator) -> Counter:
    return Counter((device, int(task["tags"].get("snowdm:attempt", "1"))) for task in emulator.model.tasks()
                   for device in task["targets"])


def run(snowdm, run_id, devices, *options):
    return snowdm("run", "--command", "reboot", *(f"--device={d}" for d in devices), "--run-id", run_id,
                  *FAST_POLL, *options)


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_retries_pass_a_device_failing_once_and_fail_one_failing_every_attempt_after_n_plus_one_sends(
        snowdm, emulator):
    passed = run(snowdm, "r1", FLEET[:3], "--retry", "FAILED,TIMED_OUT:2")
    assert passed.returncode == 0, passed.stderr
    assert "retry 1/2 for 1 device(s) (smd-fleet-0001)" in passed.stderr
    result = parse_json(passed.stdout)
    assert {r["deviceId"]: r["state"] for r in result["executions"]} == {d: "SUCCEEDED" for d in FLEET[:3]}

    failed = run(snowdm, "r2", [ALWAYS], "--retry", "2")
    assert failed.returncode == 1, failed.stderr
    assert [r["state"] for r in parse_json(failed.stdout)["executions"]] == ["FAILED"]
    assert sends(emulator) == Counter({**{(d, 1): 1 for d in [*FLEET[:3], ALWAYS]}, (ONCE, 2): 1, (ALWAYS, 2): 1,
                                       (ALWAYS, 3): 1})


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_waves_promoted_run_by_run_and_an_abort_resumed_with_the_same_run_id_send_no_device_twice(
        snowdm, emulator):
    canary = run(snowdm, "r3", FLEET, "--waves", "1,50%,100%", "--promote-to", "1", "--bake", "2s")
    assert canary.returncode == 0, canary.stderr
    result = parse_json(canary.stdout)
    assert [w["status"] for w in result["waves"]] == ["passed", "held", "held"]
    assert "waves 2 to 3 held (--promote-to)" in result["message"]
    assert set(sends(emulator)) == {(FLEET[0], 1)}

    # The rest of the fleet holds a device that fails: wave 3 aborts, then a higher --max-failures resumes it.
    aborted = run(snowdm, "r3", FLEET, "--waves", "1,50%,100%", "--retry", "1")
    assert aborted.returncode == 1, aborted.stderr
    result = parse_json(aborted.stdout)
    assert [w["status"] for w in result["waves"]] == ["passed", "passed", "aborted"]
    assert "rollout stopped at wave 3/3" in result["message"]
    assert "wave 3/3: aborted, 3 device(s)" in aborted.stderr

    resumed = run(snowdm, "r3", FLEET, "--waves", "1,50%,100%", "--retry", "1", "--max-failures", "1",
                  "--min-succeeded", "5")
    assert resumed.returncode == 0, resumed.stderr
    assert [w["status"] for w in parse_json(resumed.stdout)["waves"]] == ["passed", "passed", "passed"]
    assert sends(emulator) == Counter({**{(d, 1): 1 for d in FLEET}, (ONCE, 2): 1, (ALWAYS, 2): 1})


@pytest.mark.parametrize("options, words", [
    (("--retry", "FAILED:x"), "invalid option '--retry': must be a number of retries N"),
    (("--retry", "QUEUED:2"), "invalid option '--retry': 'QUEUED' is not a retried end state"),
    (("--retry", "11"), "invalid option '--retry': must be a whole number from 0 to 10"),
    (("--waves", "1,100%", "--promote-to", "3"), "invalid option '--promote-to': is wave 3, but '--waves' has 2"),
    (("--max-failures", "1"), "invalid option '--max-failures': applies only with '--waves'"),
    (("--waves", "1,100%", "--bake", "soon"), "invalid option '--bake': must be a duration"),
])
def test_bad_rollout_options_exit_2_naming_the_option_and_send_nothing(snowdm, emulator, options, words):
    done = run(snowdm, "bad", ["smd-demo-0000", "smd-demo-0001"], *options)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr
    assert emulator.calls["CreateTask"] == 0
