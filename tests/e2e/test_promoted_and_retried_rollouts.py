"""Retries and promotion through the real engine: a Python program (the dynamic FleetGate) retries a device that
fails once and fails on one that fails every attempt; a YAML program (the plugin) promotes a rollout one wave per
`pulumi up`, each an update, never a replace. Sends are counted per device and attempt at the service."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from test_edited_reruns import edit, planned

pytestmark = pytest.mark.e2e

FLEET = [f"smd-fleet-{n:04d}" for n in range(6)]
ONCE, ALWAYS = "smd-fleet-0001", "smd-fleet-0004"
SCENARIO = {
    "scenario": {
        "default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 4},
        "fleet": {"count": len(FLEET), "prefix": "smd-fleet-"},
        "devices": {ONCE: {"fail_first": 1}, ALWAYS: {"outcome": "FAILED"}},
    },
    "time_scale": 10,
}
TIMING = {"poll_interval_seconds": 0.3, "max_poll_interval_seconds": 0.5, "heartbeat_seconds": 5,
          "not_found_grace_seconds": 5}

PROGRAM = '''
import pulumi
import pulumi_snowdm as snowdm

config = pulumi.Config()
fleet = snowdm.FleetGate("fleet", devices=config.require_object("devices"), command="reboot", waves=[1, "100%"],
                         max_failures=0, retries=2, **config.require_object("timing"))
pulumi.export("attempts", fleet.attempts)
pulumi.export("executions", fleet.executions)
'''

ROLLOUT_YAML = """\
name: promotion
runtime: yaml
resources:
  fleet:
    type: snowdm:index:FleetGate
    properties:
      devices: {devices}
      command: reboot
      waves: [1, "50%", "100%"]
      promoteTo: {promote}
      retries: 1
      pollIntervalSeconds: 0.3
      maxPollIntervalSeconds: 0.5
outputs:
  waves: ${{fleet.waveReports}}
  done: ${{fleet.wavesDone}}
  next: ${{fleet.nextWave}}
  attempts: ${{fleet.attempts}}
"""


def sends(emulator) -> Counter:
    return Counter((device, int(task["tags"].get("snowdm:attempt", "1"))) for task in emulator.model.tasks()
                   for device in task["targets"])


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_python_a_device_failing_once_passes_on_attempt_2_and_one_failing_always_fails_after_3_sends(
        make_project, emulator):
    devices = FLEET[:3]
    project = make_project(PROGRAM, config={"devices": json.dumps(devices), "timing": json.dumps(TIMING)})
    passed = project.up()
    assert [(a["attempt"], a["state"]) for a in passed.outputs["attempts"][ONCE]] == [(1, "FAILED"),
                                                                                     (2, "SUCCEEDED")]
    assert passed.outputs["executions"][ONCE]["state"] == "SUCCEEDED"
    assert "retry 1/2 for 1 device(s) (smd-fleet-0001)" in passed.output

    project.configure({"devices": json.dumps([*devices, ALWAYS])})
    assert planned(project)["fleet"] == "update"
    failed = project.up(expect_ok=False)
    assert "rollout stopped at wave 2/2" in failed.output and ALWAYS in failed.output
    assert sends(emulator) == Counter({**{(d, 1): 1 for d in [*devices, ALWAYS]}, (ONCE, 2): 1, (ALWAYS, 2): 1,
                                       (ALWAYS, 3): 1})


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_yaml_promotion_wave_by_wave_is_an_update_each_run_and_sends_no_device_twice(yaml_project, emulator):
    devices = [device for device in FLEET if device != ALWAYS]
    project = yaml_project(ROLLOUT_YAML.format(devices=json.dumps(devices), promote=1))
    canary = project.up()
    assert [w["status"] for w in canary.outputs["waves"]] == ["passed", "held", "held"]
    assert (canary.outputs["done"], canary.outputs["next"]) == (1, 2)
    assert set(sends(emulator)) == {(devices[0], 1)}

    edit(project, ROLLOUT_YAML.format(devices=json.dumps(devices), promote=2))
    assert planned(project)["fleet"] == "update"
    second = project.up()
    assert [w["status"] for w in second.outputs["waves"]] == ["passed", "passed", "held"]
    assert len(second.outputs["attempts"][ONCE]) == 2  # ONCE went out in wave 2 and passed on its retry

    edit(project, ROLLOUT_YAML.format(devices=json.dumps(devices), promote='"all"'))
    assert planned(project)["fleet"] == "update"
    done = project.up()
    assert [w["status"] for w in done.outputs["waves"]] == ["passed", "passed", "passed"]
    assert (done.outputs["done"], done.outputs.get("next")) == (3, None)
    assert sends(emulator) == Counter({**{(d, 1): 1 for d in devices}, (ONCE, 2): 1})
    project.preview(expect_no_changes=True)
