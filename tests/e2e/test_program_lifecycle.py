"""The lifecycle Pulumi's own program tests put every resource through, for every program users start from.

A deployment pipeline runs `pulumi up` on the same stack on every commit, so the second run is the normal case.
Each program below, README's snippets exactly as written, each example, and a full form of each resource, goes
through the real engine against the emulator:

  1. preview  2. up  3. preview --expect-no-changes  4. up --expect-no-changes (with its preview)
  5. refresh --expect-no-changes  6. each change of the table: preview plans the documented step for each
     resource, then up  7. destroy

A new example or README snippet is picked up by being there; a new program form is one row of PROGRAMS.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from programs import MARKER

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EDGE = [f"smd-edge-{n:02d}" for n in range(1, 13)]
DEMO = [f"smd-demo-{n:04d}" for n in range(4)]
# Every device the programs name; commands finish in a couple of wall seconds.
SCENARIO = {"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 2, "run_seconds": 20},
                         "devices": {device: {} for device in EDGE + DEMO}},
            "time_scale": 20}
# What README's snippets leave to the reader's own program.
PREAMBLE = f"""
import pulumi
import pulumi_snowdm as snowdm
{MARKER}
SomethingThatNeedsUnlockedDevices = Marker
all_devices = {EDGE!r}
"""
FAST = "poll_interval_seconds=0.5, max_poll_interval_seconds=1"
# The migration recipe's program also names the Task's devices.
NATIVE_PREAMBLE = PREAMBLE + 'devices = ["smd-edge-01", "smd-edge-02"]\n'


@dataclasses.dataclass
class Change:
    """One edit of the program or its config, and the step preview must plan for each named resource."""

    what: str
    edit: Callable[[Path, dict], None]
    plan: dict[str, str]


@dataclasses.dataclass
class Program:
    name: str
    source: str | None = None
    folder: Path | None = None
    config: dict = dataclasses.field(default_factory=dict)
    changes: list[Change] = dataclasses.field(default_factory=list)
    adopt: bool = False  # the program adopts a task made beforehand: {adopted} in the source is its id


def replace_text(old: str, new: str) -> Callable[[Path, dict], None]:
    def edit(workdir: Path, _config: dict) -> None:
        program = workdir / "__main__.py"
        text = program.read_text()
        assert old in text, f"{old!r} is not in the program"
        program.write_text(text.replace(old, new, 1))
    return edit


def set_config(key: str, value: str) -> Callable[[Path, dict], None]:
    def edit(_workdir: Path, config: dict) -> None:
        config[key] = value
    return edit


def readme_snippets() -> list[str]:
    """README's Python snippets that use the package, exactly as written."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    return [block for block in blocks if "snowdm." in block]


SNIPPETS = readme_snippets()
TASK_AND_GATES, FLEET, ROLLOUT, RETRIES, PROMOTION, MIGRATION = SNIPPETS

FULL_TASK_AND_GATE = f"""
import pulumi
import pulumi_snowdm as snowdm

task = snowdm.Task("reboot", command=snowdm.Command.reboot(), targets=["smd-edge-01", "smd-edge-02"],
                   description="Full form", tags={{"team": "edge"}}, run_id="1")
gate = snowdm.TaskExecution("rebooted", task_id=task.task_id, managed_device_id="smd-edge-02", wait=True,
                            accept_canceled=False, timeout_seconds=600, queued_timeout_seconds=300,
                            not_found_grace_seconds=30, {FAST}, heartbeat_seconds=10)
pulumi.export("state", gate.state)
"""

FULL_FLEET_GATE = f"""
import pulumi
import pulumi_snowdm as snowdm

fleet = snowdm.FleetGate("fleet", devices={EDGE!r}, command="reboot", description="Full form",
                         tags={{"team": "edge"}}, run_id="1", min_succeeded=11, fail_fast=True,
                         accept_canceled=False, execution_times=True, timeout_seconds=600,
                         queued_timeout_seconds=300, not_found_grace_seconds=30, {FAST}, heartbeat_seconds=10)
pulumi.export("succeeded", fleet.succeeded)
"""

ADOPTED_TASK_AND_FLEET = f"""
import pulumi
import pulumi_snowdm as snowdm

task = snowdm.Task("adopted", existing_task_id="{{adopted}}")
fleet = snowdm.FleetGate("fleet", task_ids=[task.task_id], {FAST})
pulumi.export("total", fleet.total)
"""

PROGRAMS = [
    Program("readme-task-and-gates", PREAMBLE + TASK_AND_GATES, changes=[
        Change("a tag on the Task", replace_text("targets=devices)", 'targets=devices, tags={"team": "edge"})'),
               {"unlock": "update", "unlocked-smd-edge-01": "replace", "app": "same"}),
        Change("a waiting setting", replace_text("managed_device_id=d)", "managed_device_id=d, timeout_seconds=900)"),
               {"unlock": "same", "unlocked-smd-edge-01": "update"}),
        Change("run_id", replace_text("targets=devices,", 'targets=devices, run_id="2",'),
               {"unlock": "replace", "unlocked-smd-edge-02": "replace"}),
        Change("the targets", replace_text('devices = ["smd-edge-01", "smd-edge-02"]',
                                           'devices = ["smd-edge-01", "smd-edge-02", "smd-edge-03"]'),
               {"unlock": "replace", "unlocked-smd-edge-03": "create"}),
        Change("a rename", replace_text('snowdm.Task("unlock"', 'snowdm.Task("unlock-v2"'),
               {"unlock": "delete", "unlock-v2": "create", "unlocked-smd-edge-01": "replace"}),
    ]),
    Program("readme-fleet-gate", PREAMBLE + FLEET, changes=[
        Change("the threshold", replace_text('min_succeeded="95%"', 'min_succeeded="90%"'),
               {"fleet-rebooted": "update"}),
        Change("a tag", replace_text("fail_fast=True)", 'fail_fast=True, tags={"team": "edge"})'),
               {"fleet-rebooted": "update"}),
        Change("run_id", replace_text("fail_fast=True,", 'fail_fast=True, run_id="2",'),
               {"fleet-rebooted": "replace"}),
    ]),
    Program("readme-retries", PREAMBLE + RETRIES, changes=[
        Change("the retries", replace_text("retries=2", "retries=1"), {"fleet": "update"}),
    ]),
    Program("readme-promotion", PREAMBLE + PROMOTION, changes=[
        Change("the next wave", set_config("promoteTo", "2"), {"fleet-rollout": "update"}),
        Change("every wave", set_config("promoteTo", "all"), {"fleet-rollout": "update"}),
    ]),
    Program("readme-migration-recipe", NATIVE_PREAMBLE + MIGRATION, changes=[
        Change("the threshold", replace_text('command="reboot", opts=moved("FleetGate"))',
                                             'command="reboot", min_succeeded=10, opts=moved("FleetGate"))'),
               {"fleet-rebooted": "update"}),
    ]),
    Program("readme-staged-rollout", PREAMBLE + ROLLOUT, changes=[
        Change("max_failures", replace_text('max_failures="10%"', "max_failures=2"), {"fleet-rollout": "update"}),
        Change("the waves", replace_text('waves=[1, "25%", "100%"]', 'waves=[2, "100%"]'),
               {"fleet-rollout": "update"}),
        Change("run_id", replace_text("bake_seconds=10", 'bake_seconds=10, run_id="2"'),
               {"fleet-rollout": "replace"}),
    ]),
    Program("full-task-and-gate", FULL_TASK_AND_GATE, changes=[
        Change("the tags", replace_text('tags={"team": "edge"}', 'tags={"team": "edge", "ticket": "CHG-1"}'),
               {"reboot": "update", "rebooted": "replace"}),
        Change("accept_canceled", replace_text("accept_canceled=False", "accept_canceled=True"),
               {"reboot": "same", "rebooted": "update"}),
        Change("the description", replace_text('description="Full form"', 'description="Full form again"'),
               {"reboot": "replace", "rebooted": "replace"}),
    ]),
    Program("full-fleet-gate", FULL_FLEET_GATE, changes=[
        Change("the tags", replace_text('tags={"team": "edge"}', 'tags={"team": "ops"}'), {"fleet": "update"}),
        Change("a waiting setting", replace_text("heartbeat_seconds=10", "heartbeat_seconds=20"), {"fleet": "update"}),
        Change("run_id", replace_text('run_id="1"', 'run_id="2"'), {"fleet": "replace"}),
    ]),
    Program("adopted-task-and-fleet-gate-over-it", ADOPTED_TASK_AND_FLEET, adopt=True, changes=[
        Change("a tag on the adopted task", replace_text('existing_task_id="', 'tags={"team": "edge"}, '
                                                                              'existing_task_id="'),
               {"adopted": "update", "fleet": "replace"}),
    ]),
    Program("example-unlock-then-deploy", folder=EXAMPLES / "unlock-then-deploy",
            config={"devices": json.dumps(DEMO[:3])}, changes=[
        Change("the release", set_config("release", "2024.07"), {"edge-release": "update", "unlock-fleet": "same"}),
        Change("a fourth device", set_config("devices", json.dumps(DEMO)),
               {"unlock-fleet": "replace", f"unlocked-{DEMO[3]}": "create", "edge-release": "update"}),
    ]),
    Program("example-canary-reboot", folder=EXAMPLES / "canary-reboot", config={"devices": json.dumps(DEMO)},
            changes=[
        Change("the fleet's threshold", set_config("minSucceeded", "2"), {"fleet-back": "update"}),
    ]),
    Program("example-staged-reboot", folder=EXAMPLES / "staged-reboot", config={"devices": json.dumps(DEMO)},
            changes=[
        Change("max_failures", set_config("maxFailures", "1"), {"staged-reboot": "update"}),
        # An update: the fifth device alone is sent the command (issue 18's run scope).
        Change("a fifth device", set_config("devices", json.dumps(DEMO + EDGE[:1])), {"staged-reboot": "update"}),
    ]),
    # A YAML program through the plugin: the same harness (a folder, its config), edited through config only.
    Program("example-yaml-gate", folder=EXAMPLES / "yaml-gate",
            config={"canary": DEMO[0], "fleet": ",".join(DEMO[1:])}, changes=[
        Change("the fleet's threshold", set_config("minSucceeded", "2"), {"fleet-back": "update"}),
        Change("the canary device", set_config("canary", DEMO[1]),
               {"canary-reboot": "replace", "canary-back": "replace"}),
    ]),
]


def test_every_readme_snippet_and_example_is_in_the_lifecycle():
    sources = [program.source for program in PROGRAMS if program.source]
    assert all(any(snippet in source for source in sources) for snippet in SNIPPETS)
    folders = {program.folder.name for program in PROGRAMS if program.folder}
    assert folders == {p.name for p in EXAMPLES.iterdir() if (p / "Pulumi.yaml").exists()}


def planned_steps(project) -> dict[str, str]:
    """What `pulumi preview --json` plans, by resource name."""
    done = project.cli("preview", "--json")
    steps = json.loads(done.stdout).get("steps", [])
    return {step["urn"].rsplit("::", 1)[-1]: step["op"] for step in steps}


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
@pytest.mark.parametrize("program", PROGRAMS, ids=[program.name for program in PROGRAMS])
def test_lifecycle(make_project, emulator, sdm_client, program):
    config = dict(program.config)
    if program.adopt:
        adopted = sdm_client.create_task(targets=EDGE[:3], command={"unlock": {}}, description="Made elsewhere",
                                         tags={"owner": "ops"})["taskId"]
        program = dataclasses.replace(program, source=program.source.replace("{adopted}", adopted))
    project = make_project(source=program.source, folder=program.folder, config=config)

    outcomes = [
        project.preview(),
        project.up(),
        project.preview(expect_no_changes=True),
        project.up(expect_no_changes=True),
        project.refresh(expect_no_changes=True),
    ]
    for change in program.changes:
        change.edit(project.workdir, config)
        project.configure(config)
        planned = planned_steps(project)
        for name, op in change.plan.items():
            assert planned.get(name, "same") == op, f"{change.what}: planned {planned}"
        outcomes += [project.up(), project.preview(expect_no_changes=True)]
    outcomes.append(project.destroy())

    assert not [outcome.output for outcome in outcomes if "Traceback" in outcome.output]
    assert project.export().get("resources", []) == []
