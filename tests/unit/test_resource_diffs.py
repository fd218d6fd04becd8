"""diff and update of the resources: what replaces, what updates in place, and what changes nothing (a FleetGate's
through both provider hosts: the dynamic resource and the plugin's Diff).

Replacing a Task reboots or unlocks devices again, so these rules are worth pinning down one by one.
"""

import pytest
from pulumi.output import Unknown
from pulumi.runtime.proto import provider_pb2

from pulumi_snowdm._core.wait.cancel import Cancel
from pulumi_snowdm.plugin.engine_log import EngineLog
from pulumi_snowdm.plugin.service import SnowdmProvider
from pulumi_snowdm.plugin.wire import to_struct
from pulumi_snowdm.resources.fleet_gate import FleetGateProvider
from pulumi_snowdm.resources.task import TaskProvider
from pulumi_snowdm.resources.task_execution import TaskExecutionProvider

GATE = {"taskId": "st-1", "managedDeviceId": "smd-1", "wait": True, "acceptCanceled": False,
        "timeoutSeconds": 1800, "__provider": "old-serialized-provider",
        "executionId": "se-1", "state": "SUCCEEDED", "startedAt": "2024-05-01T12:00:00Z"}


@pytest.mark.parametrize("change, changes, replaces", [
    ({}, False, []),
    ({"__provider": "a-newer-serialized-provider"}, False, []),
    ({"state": "FAILED"}, False, []),  # an output, not an input
    ({"timeoutSeconds": 60}, True, []),
    ({"acceptCanceled": True}, True, []),
    ({"wait": False}, True, []),  # a gate told to wait (or not) is updated in place: the execution is the same
    ({"taskId": "st-2"}, True, ["taskId"]),
    ({"managedDeviceId": "smd-2"}, True, ["managedDeviceId"]),
])
def test_task_execution_diff(change, changes, replaces):
    result = TaskExecutionProvider().diff("st-1/smd-1", GATE, {**GATE, **change})
    assert result.changes is changes
    assert result.replaces == replaces


def test_task_execution_update_keeps_the_outputs():
    outs = TaskExecutionProvider().update("st-1/smd-1", GATE, {**GATE, "timeoutSeconds": 60}).outs
    assert outs["timeoutSeconds"] == 60
    assert (outs["executionId"], outs["state"], outs["startedAt"]) == ("se-1", "SUCCEEDED", "2024-05-01T12:00:00Z")


TASK = {"command": "reboot", "targets": ["smd-1", "smd-2"], "description": "Reboot", "tags": {"team": "edge"},
        "scope": "p/s/reboot", "__provider": "old", "taskId": "st-1", "state": "IN_PROGRESS"}


@pytest.mark.parametrize("change, changes, replaces", [
    ({"__provider": "new"}, False, []),
    ({"targets": ["smd-1", "smd-2"]}, False, []),
    ({"tags": {"team": "edge", "ticket": "CHG-1"}}, True, []),
    ({"tags": {}}, True, []),
    ({"command": "unlock"}, True, ["command"]),
    ({"targets": ["smd-1"]}, True, ["targets"]),
    ({"description": "Again"}, True, ["description"]),
    ({"runId": "2"}, True, ["runId"]),
])
def test_task_diff(change, changes, replaces):
    result = TaskProvider().diff("st-1", TASK, {**TASK, **change})
    assert result.changes is changes
    assert result.replaces == replaces


# ---- what a rerun of an unchanged program, and preview, send ---------------------------------------------------

def test_an_absent_optional_input_equals_its_default():
    created = {**TASK, "tags": {}}
    news = {k: v for k, v in created.items() if k not in ("tags", "taskId", "state")}
    assert TaskProvider().diff("st-1", created, news).changes is False
    gate = {**GATE, "timeoutSeconds": 1800.0, "wait": True}
    news = {"taskId": "st-1", "managedDeviceId": "smd-1", "__provider": "new"}
    assert TaskExecutionProvider().diff("st-1/smd-1", gate, news).changes is False


def test_numbers_from_the_engine_equal_the_same_whole_number():
    assert TaskExecutionProvider().diff("st-1/smd-1", {**GATE, "timeoutSeconds": 60},
                                        {**GATE, "timeoutSeconds": 60.0}).changes is False


@pytest.mark.parametrize("change, replaces", [
    ({"taskId": Unknown()}, ["taskId"]),
    ({"timeoutSeconds": Unknown()}, []),
])
def test_an_unknown_input_at_preview_is_a_change_and_never_a_crash(change, replaces):
    result = TaskExecutionProvider().diff("st-1/smd-1", GATE, {**GATE, **change})
    assert result.changes is True
    assert result.replaces == replaces


def test_a_fleet_gate_over_a_task_whose_id_is_unknown_is_replaced():
    olds = {"taskIds": ["st-1"], "scope": "p/s/f", "counts": {"SUCCEEDED": 1}}
    news = {"taskIds": [Unknown()], "scope": "p/s/f"}
    result = FleetGateProvider().diff("st-1", olds, news)
    assert (result.changes, result.replaces) == (True, ["taskIds"])


FLEET = {"devices": ["smd-1", "smd-2"], "command": "reboot", "scope": "p/s/f", "__provider": "old",
         "taskIds": ["st-1"], "counts": {"SUCCEEDED": 2}, "succeeded": 2, "required": 2}


@pytest.mark.parametrize("change", [{"minSucceeded": "90%"}, {"tags": {"ticket": "CHG-7"}}, {"devices": ["smd-1"]}])
def test_a_fleet_gate_given_devices_updates_in_place(change):
    result = FleetGateProvider().diff("st-1", FLEET, {**FLEET, **change})
    assert (result.changes, result.replaces) == (True, [])


ADOPTED = {"existingTaskId": "st-9", "scope": "p/s/adopt", "__provider": "old", "taskId": "st-9",
           "command": None, "targets": ["smd-7"], "description": "Made elsewhere", "tags": {"owner": "ops"}}


def test_an_adopted_task_is_stable_across_runs():
    news = {"existingTaskId": "st-9", "scope": "p/s/adopt", "__provider": "new"}
    assert TaskProvider().diff("st-9", ADOPTED, news).changes is False


def test_an_adopted_task_takes_tags_only_when_the_program_sets_them():
    news = {"existingTaskId": "st-9", "scope": "p/s/adopt", "tags": {"owner": "edge"}}
    result = TaskProvider().diff("st-9", ADOPTED, news)
    assert (result.changes, result.replaces) == (True, [])


# ---- a FleetGate with devices: the edits users make between reruns --------------------------------------------

ROLLOUT = {"devices": ["smd-1", "smd-2", "smd-3"], "command": "reboot", "scope": "p/s/fleet", "waves": [1, "100%"],
           "promoteTo": 1, "retries": 1, "__provider": "old",
           "taskIds": ["st-1"], "wavesDone": 1, "nextWave": 2, "untouchedDevices": ["smd-2", "smd-3"]}
FLEET_URN = "urn:pulumi:s::p::snowdm:index:FleetGate::fleet"


def fleet_gate_diffs(news) -> tuple[tuple[bool, list[str]], tuple[bool, list[str]]]:
    """(changes, replaces) of the dynamic FleetGate and of the plugin's, for the same olds and news."""
    dynamic = FleetGateProvider().diff("fleet", ROLLOUT, news)
    olds = {k: v for k, v in ROLLOUT.items() if k != "__provider"}
    plugin = SnowdmProvider(EngineLog(None), Cancel()).Diff(provider_pb2.DiffRequest(
        urn=FLEET_URN, type="snowdm:index:FleetGate", olds=to_struct(olds),
        news=to_struct({k: v for k, v in news.items() if k != "__provider"})), None)
    return ((dynamic.changes, dynamic.replaces),
            (plugin.changes == provider_pb2.DiffResponse.DIFF_SOME, list(plugin.replaces)))


@pytest.mark.parametrize("change", [
    {"devices": ["smd-1", "smd-2", "smd-3", "smd-4"]},
    {"devices": ["smd-3", "smd-1"]},
    {"waves": [2, "100%"]},
    {"maxFailures": 1},
    {"promoteTo": 2},
    {"promoteTo": "all"},
    {"minSucceeded": "50%"},
    {"retries": 2},
    {"bakeSeconds": 30},
], ids=lambda change: "-".join(map(str, change.items())))
def test_a_fleet_gate_edited_between_reruns_is_updated_in_place_by_both_hosts(change):
    inputs = {k: v for k, v in ROLLOUT.items() if k not in ("taskIds", "wavesDone", "nextWave", "untouchedDevices")}
    assert fleet_gate_diffs({**inputs, **change, "__provider": "new"}) == ((True, []), (True, []))


def test_a_fleet_gate_rerun_unchanged_is_no_change_and_a_new_command_or_run_id_replaces_it():
    inputs = {k: v for k, v in ROLLOUT.items() if k not in ("taskIds", "wavesDone", "nextWave", "untouchedDevices")}
    assert fleet_gate_diffs({**inputs, "__provider": "new"}) == ((False, []), (False, []))
    assert fleet_gate_diffs({**inputs, "command": "unlock"}) == ((True, ["command"]), (True, ["command"]))
    assert fleet_gate_diffs({**inputs, "runId": "2"}) == ((True, ["runId"]), (True, ["runId"]))
