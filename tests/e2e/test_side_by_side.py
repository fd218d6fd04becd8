"""Many gates wait at once, and waiting never starves the engine's other calls (resources/sdk_hooks.py).

Without the larger worker pool, the dynamic-provider process serves 4 calls at once: four waiting gates hold all of
them, and an unrelated resource declared after twenty gates could not even be checked until gates finished.
"""

from __future__ import annotations

import json

import pytest

from programs import MARKER

pytestmark = pytest.mark.e2e

DEVICES = [f"smd-side-{i:04d}" for i in range(20)]
# Every execution takes 100 device seconds = 10 wall seconds: longer than the engine needs to start on a busy
# machine, so the gates really are waiting when the unrelated resource comes up.
SCENARIO = {"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 0, "run_seconds": 100},
                         "fleet": {"count": 20, "prefix": "smd-side-"}},
            "time_scale": 10}

PROGRAM = MARKER + '''
import pulumi

import pulumi_snowdm as snowdm

config = pulumi.Config()
tasks = config.require_object("tasks")
gates = [snowdm.TaskExecution(f"gate-{device}", task_id=task, managed_device_id=device, poll_interval_seconds=0.5)
         for device, task in tasks.items()]


Marker("unrelated")
pulumi.export("states", [gate.state for gate in gates])
'''


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_twenty_gates_wait_together_and_an_unrelated_resource_does_not_wait_for_them(
        make_project, sdm_client, emulator):
    tasks = {}
    for shard in (DEVICES[:10], DEVICES[10:]):
        task_id = sdm_client.create_task(command={"reboot": {}}, targets=shard)["taskId"]
        tasks.update({device: task_id for device in shard})
    project = make_project(PROGRAM, config={"tasks": json.dumps(tasks)})

    events = []
    # The engine itself runs at most --parallel steps at once (4 x cores by default): give it room for all 21.
    result = project.up(parallel=32, on_event=events.append)

    assert result.outputs["states"] == ["SUCCEEDED"] * 20
    finished = [e.res_outputs_event.metadata.urn for e in sorted(events, key=lambda e: e.sequence)
                if e.res_outputs_event is not None]
    first_gate = next(i for i, urn in enumerate(finished) if "snowdm:TaskExecution" in urn)
    unrelated = next(i for i, urn in enumerate(finished) if urn.endswith("::unrelated"))
    assert unrelated < first_gate, finished
    # All twenty waited side by side: each device ran once, and the gates shared one listing per task per round.
    assert emulator.calls["DescribeExecution"] == 20
