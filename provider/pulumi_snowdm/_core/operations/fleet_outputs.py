"""What a FleetGate records in its outputs: counts, failing devices and one record per device, from API answers.

`counts`, `failedDevices`, `succeeded`, `total` and `required` are the judged fleet (from ListExecutions) at the
moment the gate decided. `executions` maps each device to its execution. ListExecutions has no timestamps, so with
`executionTimes` (the default) each execution is read once more with DescribeExecution when the gate has decided,
a few at a time: one call per device per create or refresh, against one ListExecutions page per 10 devices in every
poll round (see bench/fleet_gate.py for the measured cost). Such a record may show a later state than the counts
(an execution that finished after a gate with a lower threshold passed). Without `executionTimes`, `startedAt` and
`lastUpdatedAt` stay null and the records come from the listing alone.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pulumi_snowdm._core.errors import NotFound, SnowdmError
from pulumi_snowdm._core.finders import find_execution
from pulumi_snowdm._core.task_actions import fan_out
from pulumi_snowdm._core.times import iso
from pulumi_snowdm._core.wait.threshold import FleetEntry, FleetOutcome

OUTPUTS = ("taskIds", "counts", "executions", "failedDevices", "succeeded", "total", "required")


def fleet_outputs(outcome: FleetOutcome, task_ids: list[str], executions: dict[str, dict]) -> dict[str, Any]:
    """The gate's outputs from a judged fleet and its execution records."""
    return {
        "taskIds": list(task_ids),
        "counts": outcome.counts(),
        "executions": executions,
        "failedDevices": list(dict.fromkeys(entry.device_id for entry in outcome.failing())),
        "succeeded": outcome.tally.succeeded,
        "total": outcome.tally.total,
        "required": outcome.required,
    }


def execution_records(client, outcome: FleetOutcome, *, with_times: bool, say, label: str) -> dict[str, dict]:
    """{deviceId: record}; a device that appears in more than one task is keyed `taskId/deviceId` instead."""
    entries = outcome.entries
    described = _described(client, entries, say, label) if with_times else {}
    shared = {device for device, seen in Counter(entry.device_id for entry in entries).items() if seen > 1}
    records = {}
    for entry in entries:
        key = f"{entry.task_id}/{entry.device_id}" if entry.device_id in shared else entry.device_id
        records[key] = _record(entry, described.get((entry.task_id, entry.device_id)))
    return records


def _record(entry: FleetEntry, execution: dict | None) -> dict[str, Any]:
    execution = execution or {}
    return {
        "executionId": execution.get("executionId", entry.execution_id),
        "state": execution.get("state", entry.state),
        "startedAt": iso(execution.get("startedAt")),
        "lastUpdatedAt": iso(execution.get("lastUpdatedAt")),
        "taskId": execution.get("taskId", entry.task_id),
    }


def _described(client, entries, say, label: str) -> dict[tuple, dict]:
    """DescribeExecution of every listed entry; an execution that cannot be read keeps its listed record."""
    keys = [(entry.task_id, entry.device_id) for entry in entries if entry.task_id is not None]
    unreadable: list[str] = []

    def read(key: tuple) -> dict | None:
        try:
            return find_execution(client, *key)
        except NotFound:
            return None
        except SnowdmError as error:
            unreadable.append(f"{key[1]} ({error})")
            return None

    found = dict(zip(keys, fan_out(read, keys), strict=True))
    if unreadable:
        say(f"warning: {label}: no timestamps for {len(unreadable)} execution(s), DescribeExecution failed: "
               f"{unreadable[0]}{' ...' if len(unreadable) > 1 else ''}")
    return {key: execution for key, execution in found.items() if execution is not None}
