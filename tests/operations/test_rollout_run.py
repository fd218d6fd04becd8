"""The rollout engine on its own, as any host (the FleetGate resource, a CLI) runs it: `run_rollout` over real boto3
and the in-process emulator, no Pulumi. Device time runs 40x wall time; the bake's sleep is recorded, not slept,
except where a cancel or a host's deadline must end it.
"""

from __future__ import annotations

import threading
import time

import pytest

from pulumi_snowdm._core.context import HostTimeout
from pulumi_snowdm._core.errors import WaitCanceled, WaitTimedOut
from pulumi_snowdm._core.rollout import RolloutAborted, run_rollout
from pulumi_snowdm._core.run_scope import scope_key
from pulumi_snowdm._core.shares import parse_threshold
from pulumi_snowdm._core.wait.cancel import Cancel
from pulumi_snowdm._core.wait.policy import WaitPolicy
from pulumi_snowdm._core.wait.threshold import FleetRule
from pulumi_snowdm.plugin import config

FLEET = [f"smd-fleet-{n:04d}" for n in range(30)]
FAILING = ["smd-fleet-0004", "smd-fleet-0005"]
SCENARIO = {"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 2, "run_seconds": 20},
                         "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
                         "devices": {device: {"outcome": "FAILED", "run_seconds": 5} for device in FAILING}},
            "time_scale": 40}
KEY = scope_key("unit/rollout", "reboot", None)
POLICY = WaitPolicy(timeout_seconds=60, initial_delay_seconds=0.2, max_delay_seconds=0.5, not_found_grace_seconds=5)


def props(**extra):
    return {"devices": FLEET, "command": "reboot", "scope": "unit/rollout", "waves": [1, "20%", "100%"], **extra}


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_an_abort_then_a_rerun_with_a_higher_limit_adopts_the_waves_sent_and_finishes(host, emulator):
    with pytest.raises(RolloutAborted) as aborted:
        run_rollout(host, props(bakeSeconds=3), POLICY, label="rollout", final_rule=FleetRule(), key=KEY)
    result = aborted.value.result
    assert result.aborted_wave == 2 and result.untouched == FLEET[6:]
    assert [report.status for report in result.reports] == ["passed", "aborted", "not started"]
    assert host.slept == [3]
    assert sorted(d for t in emulator.model.tasks() for d in t["targets"]) == FLEET[:6]

    # Two failures are acceptable after all: the rerun sends nothing twice and carries on from wave 2.
    calls = emulator.calls["CreateTask"]
    again = run_rollout(host, props(bakeSeconds=3, maxFailures=2), POLICY, label="rollout",
                        final_rule=FleetRule(parse_threshold("90%")), key=KEY)
    tasks = emulator.model.tasks()
    assert len(tasks) == 5 and sorted(d for t in tasks for d in t["targets"]) == FLEET
    assert emulator.calls["CreateTask"] - calls == 3  # waves 1 and 2 found in the run scope, 3 new
    assert again.aborted_wave is None and again.untouched == []
    assert (again.outcome.tally.succeeded, again.outcome.tally.failed) == (28, 2)
    assert [report.outcome.counts() for report in again.reports] == [
        {"SUCCEEDED": 1}, {"SUCCEEDED": 3, "FAILED": 2}, {"SUCCEEDED": 24}]
    assert any(line.startswith("rollout: wave 3/3: passed: 24/24 SUCCEEDED") for line in host.said)


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_cancel_during_the_bake_ends_the_rollout_at_once_and_sends_no_further_wave(make_host, emulator):
    canceled = make_host(sleep=None, cancel=Cancel())
    timer = threading.Timer(1.5, canceled.cancel.set, args=("interrupted (Ctrl-C)",))
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(WaitCanceled, match=r"interrupted \(Ctrl-C\)"):
            run_rollout(canceled, props(bakeSeconds=60), POLICY, label="rollout", final_rule=FleetRule(), key=KEY)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 3.5  # not the 60 s bake
    assert [task["targets"] for task in emulator.model.tasks()] == [FLEET[:1]]


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_a_host_deadline_inside_the_bake_sends_no_further_wave_and_names_itself(make_host, emulator):
    # A host deadline is the plugin's (customTimeouts): the plugin's users write timeoutSeconds.
    bounded = make_host(wording=config.WORDING, sleep=None, host_timeout=HostTimeout(2, "customTimeouts.create"))
    with pytest.raises(WaitTimedOut) as timed_out:
        run_rollout(bounded, props(bakeSeconds=60), POLICY, label="rollout", final_rule=FleetRule(), key=KEY)
    message = str(timed_out.value)
    assert "passed before wave 2/3 was sent; no further wave was sent" in message
    assert "ended by customTimeouts.create (2s), sooner than timeoutSeconds (1m00s)" in message
    assert [task["targets"] for task in emulator.model.tasks()] == [FLEET[:1]]
