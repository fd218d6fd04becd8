"""Retries of failed devices: a device whose execution ended in a retried state is sent the command again, as
AWS IoT Jobs' jobExecutionsRetryConfig does, up to `retries` times (at most 10).

Each retry is a further attempt in the run scope (`_core.run_scope`: its tasks carry ATTEMPT_TAG, in shards of 10),
so a rerun or an interrupted run never sends an attempt twice: what was sent per attempt is found at the service.
A round waits until every device's latest execution has ended, pauses `retryPauseSeconds`, then sends the next
attempt to the devices whose latest one ended in a state of `retryOn` (FAILED and TIMED_OUT by default; REJECTED
and CANCELED only when asked). A device is judged on its latest attempt: thresholds, maxFailures and a wave's
verdict count devices, not attempts. This module needs no Pulumi; the host's wait and send come in as callables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pulumi_snowdm._core.errors import InputError, NotFound, SnowdmError, shown
from pulumi_snowdm._core.finders import find_execution
from pulumi_snowdm._core.run_scope import Sent
from pulumi_snowdm._core.shares import Threshold
from pulumi_snowdm._core.task_actions import fan_out
from pulumi_snowdm._core.wait.loop import WaitResult
from pulumi_snowdm._core.wait.threshold import FleetRule

RETRYABLE = ("FAILED", "TIMED_OUT", "REJECTED", "CANCELED")
DEFAULT_ON = ("FAILED", "TIMED_OUT")
# Devices named in a "retry n/N" progress line.
NAMED = 10

Say = Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class Retry:
    """How many times a device is sent the command again (0: never), after which end states, after what pause."""

    times: int = 0
    on: tuple[str, ...] = DEFAULT_ON
    pause_seconds: float = 0.0


def parse_retry_on(value: Any, prop: str = "retryOn") -> tuple[str, ...]:
    """The `retryOn` input: a non-empty list of end states out of RETRYABLE."""
    if isinstance(value, str):  # the CLI and stack config give "FAILED,TIMED_OUT"
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, (list, tuple)) or not value:
        raise InputError(prop, f"must be a non-empty list of end states out of {', '.join(RETRYABLE)}, "
                               f"got {shown(value)}")
    wrong = [item for item in value if item not in RETRYABLE]
    if wrong:
        raise InputError(prop, f"{shown(wrong[0])} is not a retried end state: use {', '.join(RETRYABLE)}")
    return tuple(dict.fromkeys(value))


def retry_of(props: Mapping[str, Any]) -> Retry:
    """The retry policy of checked inputs (retries, retryOn, retryPauseSeconds)."""
    on = props.get("retryOn")
    return Retry(int(props.get("retries") or 0), parse_retry_on(on) if on is not None else DEFAULT_ON,
                 float(props.get("retryPauseSeconds") or 0))


def ended_rule(accept_canceled: bool) -> FleetRule:
    """A rule that passes once every execution has ended, whatever the states: a round before a retry."""
    return FleetRule(Threshold(count=0), accept_canceled=accept_canceled, until_ended=True)


def due(view: Mapping[tuple[str, str], dict], sent: Sent, devices: Iterable[str], retry: Retry) -> dict[int, list[str]]:
    """{attempt: devices} to send next: each device whose latest execution ended in a retried state and that has
    attempts left."""
    current = sent.current(devices)
    groups: dict[int, list[str]] = {}
    for device, task_id in current.items():
        attempt = sent.latest(device)
        state = (view.get((task_id, device)) or {}).get("state")
        if attempt <= retry.times and state in retry.on:
            groups.setdefault(attempt + 1, []).append(device)
    return groups


def judge_with_retries(sent: Sent, devices: Sequence[str], retry: Retry, *,
                       wait: Callable[[Sent, bool], WaitResult], resend: Callable[[list[str], int], Sent],
                       pause: Callable[[float], None], say: Say, label: str) -> tuple[WaitResult, Sent]:
    """Judge `devices` on their latest attempts, retrying as `retry` says. `wait(sent, final)` waits on the
    devices' current executions: until each has ended (final False), or by the caller's own rule (final True,
    which raises the caller's failure). `resend(devices, attempt)` sends an attempt and returns the scope's
    tasks then. Returns the final decision and what the scope has sent."""
    devices = list(dict.fromkeys(devices))
    while any(0 < sent.latest(device) <= retry.times for device in devices):
        groups = due(wait(sent, False).view, sent, devices, retry)
        if not groups:
            break
        if retry.pause_seconds:
            say(f"{label}: pausing {retry.pause_seconds:g}s before the retry")
            pause(retry.pause_seconds)
        for attempt, group in sorted(groups.items()):
            named = ", ".join(group[:NAMED]) + (" ..." if len(group) > NAMED else "")
            say(f"{label}: retry {attempt - 1}/{retry.times} for {len(group)} device(s) ({named})")
            sent = resend(group, attempt)
    return wait(sent, True), sent


def attempt_records(client, sent: Sent, devices: Iterable[str],
                    executions: Mapping[str, Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The `attempts` output: per device, each attempt's taskId, executionId and state, oldest first. The latest
    attempt is the device's record in `executions`; earlier ones are read with DescribeExecution."""
    earlier = [(device, attempt, task["taskId"]) for device in devices
               for attempt, task in sorted(sent.attempts.get(device, {}).items())
               if attempt < sent.latest(device)]

    def read(item: tuple[str, int, str]) -> dict[str, Any]:
        device, attempt, task_id = item
        try:
            execution = find_execution(client, task_id, device)
        except (NotFound, SnowdmError):
            execution = {}
        return {"attempt": attempt, "taskId": task_id, "executionId": execution.get("executionId"),
                "state": execution.get("state")}

    records: dict[str, list[dict[str, Any]]] = {}
    for item, record in zip(earlier, fan_out(read, earlier), strict=True):
        records.setdefault(item[0], []).append(record)
    for device in devices:
        latest = sent.latest(device)
        if not latest:
            continue
        last = executions.get(device) or {}
        records.setdefault(device, []).append({"attempt": latest, "taskId": sent.current([device])[device],
                                               "executionId": last.get("executionId"), "state": last.get("state")})
    return records
