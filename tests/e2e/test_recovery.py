"""README's recovery after an interrupted `pulumi up`, for every example, with the commands exactly as README
prints them: a CI job killed while the gates wait, then `pulumi cancel --yes`, `pulumi refresh --yes
--clear-pending-creates` and `pulumi up`. The rerun passes, previews cleanly, and sends no command twice.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from test_interruptions import duplicates, interrupted_up, pending_operations

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / "Pulumi.yaml").exists())
DEVICES = [f"smd-demo-{n:04d}" for n in range(4)]
# Executions take 40 device seconds, 10 wall seconds at 4x: long enough to kill `pulumi up` while gates wait.
SCENARIO = {"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 40},
                         "devices": {device: {} for device in DEVICES}},
            "time_scale": 4}
# Device time once `pulumi up` is killed: executions end within a wall second.
AFTER_THE_KILL = 40


def example_config(name: str) -> dict[str, str]:
    """The stack config an example needs for DEVICES: yaml-gate takes a canary and the rest, the others a list."""
    if name == "yaml-gate":
        return {"canary": DEVICES[0], "fleet": ",".join(DEVICES[1:])}
    return {"devices": json.dumps(DEVICES)}


def readme_recovery() -> list[list[str]]:
    """The commands of README's "After an interrupted `pulumi up`" section, without their comments."""
    section = (ROOT / "README.md").read_text().split("## After an interrupted `pulumi up`")[1]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S).group(1)
    return [line.split("#")[0].split() for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_the_documented_recovery_works_for_every_example(make_project, emulator, example):
    recovery = readme_recovery()
    assert [command[:2] for command in recovery] == [["pulumi", "cancel"], ["pulumi", "refresh"], ["pulumi", "up"]]
    project = make_project(folder=example, config=example_config(example.name))
    interrupted_up(project, emulator, "gates-waiting", "sigkill")
    emulator.clock.time_scale = AFTER_THE_KILL  # the recovery does not depend on how long devices take

    for command in recovery:
        # `pulumi up` asks before it deploys; a CI job answers with --yes.
        arguments = command[1:] + (["--yes"] if command[1] == "up" else [])
        done = project.cli(*arguments, check=False)
        assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stdout + done.stderr

    assert duplicates(emulator.model.tasks()) == []
    assert pending_operations(project) == []
    project.preview(expect_no_changes=True)
