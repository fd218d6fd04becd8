"""The result of a command, per device: what DescribeExecution answered at the end, and why a device failed.

Every output (the verdict table, `--output json`, `--junit`, GitHub annotations) is written from one `Result`, so
they always agree. Times come from DescribeExecution, read once per device when the wait ended (ListExecutions has
none); after an interrupt nothing more is called, and the records are the last listing's. A failing device's
diagnosis is the state's hint plus what DescribeDevice says (for the first few failing devices).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pulumi_snowdm._core.diagnosis import describe_device, describe_failing, reason
from pulumi_snowdm._core.operations.fleet_outputs import execution_records
from pulumi_snowdm._core.wait.threshold import ExecutionVerdict, FleetEntry, FleetOutcome
from pulumi_snowdm.cli.exits import ExitCode
from pulumi_snowdm.cli.gate import GateResult

EXIT_CODES = {"passed": ExitCode.PASSED, "looked": ExitCode.PASSED, "failed": ExitCode.FAILED,
              "timed_out": ExitCode.DEADLINE, "interrupted": ExitCode.INTERRUPTED, "partial": ExitCode.PARTLY_SENT}


@dataclasses.dataclass(frozen=True)
class DeviceResult:
    """One device's execution as the command ends: ids, state, times, where it stands for the gate, and why."""

    device_id: str
    task_id: str | None
    execution_id: str | None
    state: str
    started_at: str | None
    last_updated_at: str | None
    verdict: str  # the device's ExecutionVerdict (`outcome` in the JSON, which keeps its published name)
    diagnosis: str | None = None

    @property
    def failed(self) -> bool:
        return self.verdict == ExecutionVerdict.FAILED.value

    def as_json(self) -> dict[str, Any]:
        return {"deviceId": self.device_id, "taskId": self.task_id, "executionId": self.execution_id,
                "state": self.state, "startedAt": self.started_at, "lastUpdatedAt": self.last_updated_at,
                "outcome": self.verdict, "diagnosis": self.diagnosis}


@dataclasses.dataclass(frozen=True)
class Result:
    """The whole command's result."""

    command: str
    verdict: str
    exit_code: ExitCode
    message: str
    task_ids: tuple[str, ...]
    counts: dict[str, int]
    succeeded: int
    total: int
    required: int | None
    devices: tuple[DeviceResult, ...]
    waves: tuple[dict[str, Any], ...] = ()  # `run --waves`: each wave's report, as FleetGate's waveReports

    def wave_lines(self) -> list[str]:
        """One line per wave: its status, devices and their executions by state."""
        lines = []
        for wave in self.waves:
            counts = ", ".join(f"{number} {state}" for state, number in wave["counts"].items())
            lines.append(f"wave {wave['wave']}/{len(self.waves)}: {wave['status']}, {len(wave['devices'])} "
                         f"device(s){': ' + counts if counts else ''}")
        return lines

    @property
    def failing(self) -> list[DeviceResult]:
        return [device for device in self.devices if device.failed]

    def as_json(self) -> dict[str, Any]:
        return {"command": self.command, "verdict": self.verdict, "exitCode": int(self.exit_code),
                "message": self.message, "taskIds": list(self.task_ids), "counts": self.counts,
                "succeeded": self.succeeded, "total": self.total, "required": self.required,
                "executions": [device.as_json() for device in self.devices],
                **({"waves": list(self.waves)} if self.waves else {})}


def result_of(gate_result: GateResult, client, say) -> Result:
    """The Result of `gate_result`, reading DescribeExecution (and DescribeDevice for failures) unless interrupted."""
    outcome = gate_result.outcome
    rows = _rows(outcome, client, say, gate_result.label, calls=gate_result.verdict != "interrupted") if outcome else ()
    return Result(
        command=gate_result.label.split(" ")[1], verdict=gate_result.verdict, exit_code=EXIT_CODES[gate_result.verdict],
        message=gate_result.message, task_ids=tuple(gate_result.task_ids),
        counts=outcome.counts() if outcome else {},
        succeeded=outcome.tally.succeeded if outcome else 0,
        total=outcome.tally.total if outcome else 0,
        required=outcome.required if outcome else None,
        devices=rows,
        waves=tuple(gate_result.waves or ()),
    )


def _rows(outcome: FleetOutcome, client, say, label: str, *, calls: bool) -> tuple[DeviceResult, ...]:
    """A row per judged entry; with `calls`, times from DescribeExecution and failures' DescribeDevice."""
    records = execution_records(client, outcome, with_times=calls, say=say, label=label)
    failing = [entry for entry in outcome.entries if entry.verdict is ExecutionVerdict.FAILED]
    devices = describe_failing(client, failing) if calls else {}
    pairs = zip(outcome.entries, records.values(), strict=False)
    return tuple(_device(entry, record, devices) for entry, record in pairs)


def _device(entry: FleetEntry, record: dict, devices: dict) -> DeviceResult:
    diagnosis = None
    if entry.verdict is ExecutionVerdict.FAILED:
        hint = reason(entry)
        diagnosis = hint[:1].upper() + hint[1:] + "."
        if entry.device_id in devices:
            diagnosis += f" {describe_device(devices[entry.device_id])}."
    state = record.get("state") or entry.state
    return DeviceResult(entry.device_id, record.get("taskId"), record.get("executionId"), state,
                        record.get("startedAt"), record.get("lastUpdatedAt"), entry.verdict.value, diagnosis)
