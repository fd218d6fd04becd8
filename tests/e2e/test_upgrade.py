"""Releases keep stacks quiet: a stack's state recorded with the previous release (0.1.0), imported under this
code, previews empty. The state (upgrade/state-0.1.0.json, made by upgrade/record.sh running the 0.1.0 code) holds a
Task, two TaskExecution gates and a FleetGate through the dynamic resources, and the same through the plugin.

A release that would replace, update or re-create any of them (a new required input, a default that changed, a
diff that reads new inputs against old outputs, a provider whose new version asks for replacement) fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness import Project

pytestmark = pytest.mark.e2e

REGION = "us-west-2"
HERE = Path(__file__).resolve().parent / "upgrade"


def test_a_stack_recorded_with_0_1_0_previews_empty(tmp_path, engine, stack_env, emulator):
    # The recording took its endpoint from the environment, so none is in the stack config or the providers' state.
    env = {**stack_env, "AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT": emulator.url}
    project = Project.from_folder(tmp_path, engine, env, HERE / "program")
    project.stack_name = "upgrade"  # the recorded stack's name, as its URNs say
    project.configure({"snowdm:region": REGION})
    project.cli("stack", "import", "--file", str(HERE / "state-0.1.0.json"))
    recorded = {r["urn"] for r in project.export()["resources"]}

    preview = project.preview(expect_no_changes=True, diff=True)

    # --expect-no-changes already fails on any step; the summary also says every resource was looked at (all but the
    # default provider, which the summary does not count).
    summary = preview.output[preview.output.rindex("Resources:"):]
    assert re.match(rf"Resources:\s+{len(recorded) - 1} unchanged\b", summary), summary
    assert {r["urn"] for r in project.export()["resources"]} == recorded
    assert emulator.calls.get("CreateTask", 0) == 0 and emulator.model.tasks() == []
