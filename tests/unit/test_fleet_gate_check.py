"""FleetGate's check, as a table: each bad input fails naming its property; good inputs get their defaults.

check makes no API call, so it runs here directly; tests/e2e/test_fleet_gate.py shows a failure through preview.
"""

import pytest
from pulumi.output import Unknown

from pulumi_snowdm._core.name_case import snake
from pulumi_snowdm._core.operations.fleet_gate import fleet_id
from pulumi_snowdm._core.run_scope import scope_key, shard_token
from pulumi_snowdm._core.task_actions import shards
from pulumi_snowdm.resources.fleet_gate import FleetGateProvider

from check_failures import by_input

DEVICES = [f"smd-{n:02d}" for n in range(25)]
BY_DEVICES = {"devices": DEVICES, "command": "reboot", "scope": "p/s/fleet"}
BY_TASKS = {"taskIds": ["st-1", "st-2"], "scope": "p/s/fleet"}


def failures(news):
    result = FleetGateProvider().check({}, news)
    return {prop: "; ".join(reasons) for prop, reasons in by_input(result).items()}, result.inputs


@pytest.mark.parametrize("news, prop, words", [
    ({"scope": "p/s/fleet"}, "taskIds", "or 'devices' is required"),
    ({**BY_DEVICES, "taskIds": ["st-1"]}, "devices", "exclude each other"),
    ({**BY_DEVICES, "devices": []}, "devices", "non-empty list"),
    ({**BY_DEVICES, "devices": "smd-01"}, "devices", "non-empty list"),
    ({**BY_DEVICES, "devices": ["smd-1", "d" * 65]}, "devices", "item 1 must be 1 to 64"),
    ({**BY_DEVICES, "devices": ["smd-1", 7]}, "devices", "string"),
    ({**BY_DEVICES, "devices": ["smd-1", "smd-2", "smd-1"]}, "devices", "smd-1 more than once"),
    ({**BY_TASKS, "taskIds": ["t" * 65]}, "taskIds", "item 0 must be 1 to 64"),
    ({**BY_TASKS, "taskIds": ["st-1", "st-1"]}, "taskIds", "more than once"),
    ({"devices": DEVICES, "scope": "p/s/fleet"}, "command", "required"),
    ({**BY_DEVICES, "command": "shutdown"}, "command", "one of reboot, unlock"),
    ({**BY_DEVICES, "description": "no-dashes"}, "description", "match"),
    ({**BY_DEVICES, "runId": ""}, "runId", "1 to 128"),
    ({**BY_TASKS, "command": "reboot"}, "command", "only with 'devices'"),
    ({**BY_TASKS, "description": "x"}, "description", "only with 'devices'"),
    ({**BY_TASKS, "tags": {"a": "b"}}, "tags", "only with 'devices'"),
    ({**BY_TASKS, "waves": [1, "100%"]}, "waves", "only with 'devices'"),
    ({**BY_DEVICES, "waves": [1, 30]}, "waves", "wave 2 (30) is above the 25 device(s)"),
    ({**BY_DEVICES, "waves": [1, "150%"]}, "waves", "item 1 a percentage must be above 0% up to 100%"),
    ({**BY_DEVICES, "waves": [1, "100%"], "maxFailures": "x"}, "maxFailures", "a percentage like"),
    ({**BY_DEVICES, "waves": [1, "100%"], "bakeSeconds": -1}, "bakeSeconds", "from 0 to 604800"),
    ({**BY_DEVICES, "maxFailures": 1}, "maxFailures", "only with 'waves'"),
    ({**BY_DEVICES, "bakeSeconds": 5}, "bakeSeconds", "only with 'waves'"),
    ({**BY_DEVICES, "promoteTo": 1}, "promoteTo", "only with 'waves'"),
    ({**BY_DEVICES, "waves": [1, "100%"], "promoteTo": 3}, "promoteTo", "is wave 3, but 'waves' has 2 wave(s)"),
    ({**BY_DEVICES, "waves": [1, "100%"], "promoteTo": "next"}, "promoteTo", 'a wave number from 1, or "all"'),
    ({**BY_DEVICES, "waves": [1, "100%"], "promoteTo": 0}, "promoteTo", 'a wave number from 1, or "all"'),
    ({**BY_DEVICES, "retries": 11}, "retries", "whole number from 0 to 10, got 11"),
    ({**BY_DEVICES, "retries": 1.5}, "retries", "whole number from 0 to 10"),
    ({**BY_DEVICES, "retries": 2, "retryOn": ["FAILED", "QUEUED"]}, "retryOn", "'QUEUED' is not a retried end state"),
    ({**BY_DEVICES, "retries": 2, "retryOn": []}, "retryOn", "non-empty list of end states"),
    ({**BY_DEVICES, "retryOn": ["FAILED"]}, "retryOn", "only with 'retries' above 0"),
    ({**BY_DEVICES, "retries": 1, "retryPauseSeconds": 4000}, "retryPauseSeconds", "from 0 to 3600"),
    ({**BY_TASKS, "retries": 1}, "retries", "only with 'devices'"),
    ({**BY_TASKS, "runId": "2"}, "runId", "only with 'devices'"),
    ({**BY_DEVICES, "minSucceeded": 0}, "minSucceeded", "at least 1"),
    ({**BY_DEVICES, "minSucceeded": 2.5}, "minSucceeded", "whole number"),
    ({**BY_DEVICES, "minSucceeded": "0%"}, "minSucceeded", "above 0%"),
    ({**BY_DEVICES, "minSucceeded": "101%"}, "minSucceeded", "up to 100%"),
    ({**BY_DEVICES, "minSucceeded": "most"}, "minSucceeded", "percentage like"),
    ({**BY_DEVICES, "minSucceeded": True}, "minSucceeded", "percentage like"),
    ({**BY_DEVICES, "minSucceeded": 26}, "minSucceeded", "more than the 25 device(s)"),
    ({**BY_DEVICES, "failFast": "yes"}, "failFast", "true or false"),
    ({**BY_DEVICES, "acceptCanceled": 1}, "acceptCanceled", "true or false"),
    ({**BY_DEVICES, "executionTimes": "no"}, "executionTimes", "true or false"),
    ({**BY_DEVICES, "timeoutSeconds": 0}, "timeoutSeconds", "from 1 to 604800"),
    ({**BY_TASKS, "pollIntervalSeconds": 30, "maxPollIntervalSeconds": 10}, "maxPollIntervalSeconds", "at least"),
])
def test_rejects(news, prop, words):
    found, _ = failures(news)
    assert prop in found, found
    assert words in found[prop], found[prop]
    assert f"'{snake(prop)}'" in found[prop]


@pytest.mark.parametrize("news", [
    BY_DEVICES,
    BY_TASKS,
    {**BY_DEVICES, "minSucceeded": "95%", "failFast": True, "description": "Reboot for 2024.06", "runId": "2"},
    {**BY_DEVICES, "minSucceeded": 25.0},
    {**BY_TASKS, "minSucceeded": "7"},
    {**BY_DEVICES, "devices": Unknown()},
    {**BY_DEVICES, "devices": ["smd-1", Unknown()]},
    {**BY_TASKS, "taskIds": Unknown(), "minSucceeded": Unknown()},
])
def test_accepts(news):
    assert failures(news)[0] == {}


def test_fills_defaults_and_keeps_the_scope():
    _, inputs = failures(dict(BY_DEVICES))
    assert inputs["scope"] == "p/s/fleet"
    assert (inputs["failFast"], inputs["acceptCanceled"], inputs["executionTimes"]) == (False, False, True)
    assert inputs["timeoutSeconds"] == 1800 and "minSucceeded" not in inputs


def test_shards_hold_at_most_ten_devices_in_order():
    assert [len(group) for group in shards(DEVICES)] == [10, 10, 5]
    assert sum(shards(DEVICES), []) == DEVICES


def test_shard_tokens_follow_the_shard_and_the_scope_not_the_rest_of_the_list():
    props = {"command": "reboot"}
    tags = {"snowdm:run-scope": "k"}
    token = shard_token("k", props, tags, DEVICES[:10])
    assert token == shard_token("k", dict(props, devices=DEVICES + ["smd-99"], waves=[1, "100%"]), tags, DEVICES[:10])
    assert len(token) <= 64 and " " not in token
    others = {shard_token("k", props, tags, DEVICES[:9]), shard_token("other", props, tags, DEVICES[:10]),
              shard_token("k", {"command": "unlock"}, tags, DEVICES[:10]),
              shard_token("k", dict(props, description="d"), tags, DEVICES[:10]),
              shard_token("k", props, {**tags, "snowdm:wave": "2"}, DEVICES[:10])}
    assert token not in others and len(others) == 5


def test_a_run_scope_is_the_scope_the_command_and_the_run_id():
    # Tasks in the service carry this key: it must never change for the same scope, command and run id.
    assert scope_key("proj/dev/fleet", "reboot", "r1") == "4ec275550c9d1eb5b558d962e2dd4b1cf62c8d9b"
    keys = {scope_key("proj/dev/fleet", "reboot", None), scope_key("proj/dev/fleet", "unlock", "r1"),
            scope_key("proj/dev/fleet", "reboot", "r2"), scope_key("proj/dev/other", "reboot", "r1")}
    assert scope_key("proj/dev/fleet", "reboot", "r1") not in keys and len(keys) == 4
    assert scope_key("proj/dev/fleet", "reboot", None) == scope_key("proj/dev/fleet", "reboot", "")


def test_fleet_id_joins_short_lists_and_hashes_long_ones():
    assert fleet_id(["st-1", "st-2"]) == "st-1,st-2"
    long = fleet_id([f"st-{n:016d}" for n in range(100)])
    assert long.startswith("fleet-") and len(long) == 38
