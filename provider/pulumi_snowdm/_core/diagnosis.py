"""Why a gate failed, in words: the execution's facts, what DescribeDevice says, and what to do next.

DescribeExecution carries no failure reason, so the message pairs the execution (task, device, execution id, state,
timestamps) with the device's own story (deviceState, lastReachedOutAt, software installState) and a hint per state.
Callers fetch the device; these functions only format, and accept None when DescribeDevice was not possible.
"""

from __future__ import annotations

from collections.abc import Mapping

from pulumi_snowdm._core.wait import acceptors
from pulumi_snowdm._core.times import iso

HINTS = {
    "REJECTED": "the device refused the command: it may be locked (unlock it first), not managed remotely by this "
                "account, or busy with another task",
    "TIMED_OUT": "the device did not finish in time: check its network connectivity and that it stayed online",
    "FAILED": "the command failed on the device: check the device's state and its local logs (AWS OpsHub)",
    "CANCELED": "the task was canceled (CancelTask) before the device picked it up",
    "QUEUED": "the device never picked the task up: it may be offline or have remote management disabled",
    "NOT_LISTED": "the tasks list no execution for this device: check it is one of the tasks' targets",
}

NEXT_STEPS = (
    "check the device is online and remote management is enabled, then rerun `pulumi up` to wait again "
    "(a new command run needs a new task: change the Task's run_id)"
)
CANCELED_STEP = "; or set accept_canceled if a canceled task is acceptable"


def explain_execution_failure(execution: Mapping, device: Mapping | None) -> str:
    """The message for a TaskExecution gate whose execution ended in a failing state."""
    state = execution.get("state")
    return (
        f"task {execution.get('taskId')} on device {execution.get('managedDeviceId')}: execution "
        f"{execution.get('executionId')} ended {state} ({acceptors.phrase(state)}); started "
        f"{iso(execution.get('startedAt')) or 'unknown'}, last updated {iso(execution.get('lastUpdatedAt')) or 'unknown'}. "
        f"{_capitalized(HINTS.get(state, 'the service gives no reason for this state'))}. "
        f"{describe_device(device)}. To fix: {NEXT_STEPS}{CANCELED_STEP if state == 'CANCELED' else ''}"
    )


def describe_device(device: Mapping | None) -> str:
    """One sentence of what DescribeDevice says: deviceState, lastReachedOutAt and software installState."""
    if not device:
        return "DescribeDevice gave no details (device not found or not readable)"
    software = device.get("software") or {}
    installed = software.get("installedVersion")
    install = software.get("installState") or "unknown"
    version = f", installed {installed}" if installed else ""
    return (
        f"Device {device.get('managedDeviceId')}: {device.get('deviceState') or 'state unknown'}, "
        f"last reached out {iso(device.get('lastReachedOutAt')) or 'never'}, software {install}{version}"
    )


def explain_fleet_failure(outcome, devices: Mapping[str, Mapping | None], *, describe: str, limit: int = 10) -> str:
    """The message for a FleetGate that cannot meet its threshold, listing up to `limit` failing devices.

    `outcome` is a wait.threshold.FleetOutcome; `devices` maps device ids to DescribeDevice answers (or None) for the
    failing devices the caller chose to look up.
    """
    tally = outcome.tally
    lines = [
        f"{describe}: {tally.succeeded} of {tally.total} executions succeeded, {outcome.required} required "
        f"(minSucceeded {outcome.rule.threshold.describe()}): {outcome.progress()}."
    ]
    if tally.pending:
        lines.append(_early_stop(outcome))
    failing = outcome.failing()
    if failing:
        lines.append("Failing devices:")
    for entry in failing[:limit]:
        task = f"task {entry.task_id}, execution {entry.execution_id}" if entry.task_id else "no execution"
        why = entry.reason or HINTS.get(entry.state, acceptors.phrase(entry.state))
        detail = describe_device(devices[entry.device_id]) if entry.device_id in devices else ""
        lines.append(f"  - {entry.device_id} ({task}): {entry.state}: {why}" + (f". {detail}" if detail else ""))
    if len(failing) > limit:
        lines.append(f"  ... and {len(failing) - limit} more.")
    lines.append(f"To fix: {NEXT_STEPS}.")
    return "\n".join(lines)


def _early_stop(outcome) -> str:
    """Why a fleet with executions still running was judged: failFast when the user set it, else a refresh."""
    pending = outcome.tally.pending
    if outcome.rule.fail_fast:
        return f"Stopped early (failFast): the threshold can no longer be met; {pending} still running."
    return f"The threshold can no longer be met, whatever the {pending} still running do."


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
