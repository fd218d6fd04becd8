"""The recovery users make, through the real engine: an edited rerun never sends a device the command twice.

Each test counts the command's sends per device at the service (the targets of every task the emulator holds) after
the path a person takes where the hosts differ: a Python program's list edited after a killed `pulumi up` (the
dynamic provider keeps no state of it), a YAML program's typo (the plugin records the failed create as partial
state). The same edits without the engine (a typo dropped, a device added, a stopped rollout re-cut) are in
tests/operations/test_run_scope.py; that each edit is an update on both hosts, in tests/unit/test_resource_diffs.py.
"""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from test_interruptions import interrupted_up, pending_operations

pytestmark = pytest.mark.e2e

FLEET = [f"smd-fleet-{n:04d}" for n in range(12)]
TYPO = "smd-typo-0001"
SCENARIO = {
    "scenario": {
        "default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 4},
        "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
        "devices": {"smd-fleet-0002": {"outcome": "FAILED"}, "smd-fleet-0003": {"outcome": "FAILED"}},
    },
    "time_scale": 8,
}
TIMING = {"poll_interval_seconds": 0.3, "max_poll_interval_seconds": 0.5, "heartbeat_seconds": 5,
          "not_found_grace_seconds": 5}

PROGRAM = '''
import pulumi
import pulumi_snowdm as snowdm

config = pulumi.Config()
fleet = snowdm.FleetGate("fleet", devices=config.require_object("devices"), command="reboot",
                         min_succeeded="80%", **config.require_object("timing"))
pulumi.export("task_ids", fleet.task_ids)
pulumi.export("counts", fleet.counts)
'''

GATE_YAML = """\
name: edited-reruns
runtime: yaml
resources:
  fleet:
    type: snowdm:index:FleetGate
    properties:
      devices: {devices}
      command: reboot
      minSucceeded: 80%
      pollIntervalSeconds: 0.3
      maxPollIntervalSeconds: 0.5
outputs:
  waves: ${{fleet.waveReports}}
  counts: ${{fleet.counts}}
  untouched: ${{fleet.untouchedDevices}}
"""


def gate_yaml(devices) -> str:
    return GATE_YAML.format(devices=json.dumps(devices))


def edit(project, text: str) -> None:
    (project.workdir / "Pulumi.yaml").write_text(text)


def sends(emulator) -> Counter:
    return Counter(device for task in emulator.model.tasks() for device in task["targets"])


def python_gate(make_project, devices, **config):
    return make_project(PROGRAM, config={"devices": json.dumps(devices), "timing": json.dumps(TIMING), **config})


BIG = [f"smd-fleet-{n:04d}" for n in range(60)]
BIG_SCENARIO = {**SCENARIO, "scenario": {**SCENARIO["scenario"], "fleet": {"count": len(BIG), "prefix": "smd-fleet-"}}}


@pytest.mark.parametrize("emulator", [BIG_SCENARIO], indirect=True)
def test_python_a_kill_while_shards_are_created_then_an_edited_list_sends_each_device_once(make_project, emulator):
    project = python_gate(make_project, BIG[:55])  # 6 shards, at most 4 created at once
    # CreateTask is answered after 3 seconds, and its task is made even if the caller is gone by then.
    emulator.set_faults(latency=3.0, operations=["CreateTask"])
    interrupted_up(project, emulator, "creating-tasks", "sigkill")
    emulator.set_faults()
    # The service finishes what the dead run had sent (the window a rerun must not start in: see README).
    wait_until(lambda: len(emulator.model.tasks()) == emulator.calls["CreateTask"])
    before = sends(emulator)
    assert 0 < len(before) < 55  # killed part way: some shards sent, some not
    project.cli("cancel", "--yes")
    project.cli("refresh", "--yes", "--clear-pending-creates")
    assert pending_operations(project) == []

    edited = [*reversed(BIG[1:55]), BIG[55], BIG[56]]  # one dropped, two added, the order changed
    project.configure({"devices": json.dumps(edited)})
    project.up()
    counts = sends(emulator)
    assert max(counts.values()) == 1 and set(counts) == set(BIG[:57])
    project.preview(expect_no_changes=True)


def wait_until(done, seconds: float = 30) -> None:
    give_up = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < give_up, "never happened"
        time.sleep(0.1)


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_yaml_a_typo_is_recorded_as_partial_state_and_the_next_up_carries_it_on(yaml_project, emulator):
    good = FLEET[:10]
    project = yaml_project(gate_yaml([*good, TYPO]))
    failed = project.up(expect_ok=False)
    assert f"Not sent: 1 device(s) ({TYPO})" in failed.output
    [gate] = [r for r in project.export()["resources"] if r["type"] == "snowdm:index:FleetGate"]
    [task] = emulator.model.tasks()
    assert gate["outputs"]["taskIds"] == [task["taskId"]] and gate["outputs"]["untouchedDevices"] == [TYPO]

    edit(project, gate_yaml(good))
    passed = project.up()
    assert sends(emulator) == Counter({device: 1 for device in good})
    assert passed.outputs["counts"] == {"SUCCEEDED": 8, "FAILED": 2} and passed.outputs["untouched"] == []
    project.preview(expect_no_changes=True)
