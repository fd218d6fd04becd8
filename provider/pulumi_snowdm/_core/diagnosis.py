"""Why a gate failed, in words: the execution's facts, what DescribeDevice says, and what to do next.

DescribeExecution carries no failure reason, so the message pairs the execution (task, device, execution id, state,
timestamps) with the device's own story (deviceState, lastReachedOutAt, software installState) and a hint per state.
`describe_failing` fetches the devices a message names (the first NAMED_FAILURES failing ones); the other functions
only format, and accept None when DescribeDevice was not possible. Every failing-devices list (a FleetGate's, a
rollout's, the CLI's table) is written here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_snowdm._core.finders import device_or_none
from pulumi_snowdm._core.task_actions import fan_out
from pulumi_snowdm._core.times import iso
from pulumi_snowdm._core.wait import acceptors
from pulumi_snowdm._core.wording import PYTHON, Wording

HINTS = {
    "REJECTED": "the device refused the command: it may be locked (unlock it first), not managed remotely by this "
                "account, or busy with another task",
    "TIMED_OUT": "the device did not finish in time: check its network connectivity and that it stayed online",
    "FAILED": "the command failed on the device: check the device's state and its local logs (AWS OpsHub)",
    "CANCELED": "the task was canceled (CancelTask) before the device picked it up",
    "QUEUED": "the device never picked the task up: it may be offline or have remote management disabled",
    "NOT_LISTED": "the tasks list no execution for this device: check it is one of the tasks' targets",
}

# The failing devices a message names, each with what DescribeDevice says; the rest are counted ("... and 5 more").
NAMED_FAILURES = 10

# What to do next depends on whether the execution has ended: an ended one is judged the same on every rerun.
WAITING_STATES = ("QUEUED", "NOT_LISTED")
NOT_LISTED_STEP = "check the device is one of the task's targets"


def next_step(states: set[str], *, new_task: str, wording: Wording = PYTHON) -> str:
    """The advice that ends a failure message: `new_task` says how this gate's user gets a new task."""
    if states <= set(WAITING_STATES):
        if states == {"NOT_LISTED"}:
            return NOT_LISTED_STEP
        return (f"check the device is online and has remote management enabled (lastReachedOutAt above tells when "
                f"it last was), then {wording.rerun}: the gate waits again on the same execution")
    step = f"the execution has ended, so another run fails the same way; to run the command again {new_task}"
    if "CANCELED" in states:
        step += f"; or set {wording.on('acceptCanceled')} if a canceled task is acceptable"
    return step


def explain_execution_failure(execution: Mapping, device: Mapping | None, wording: Wording = PYTHON) -> str:
    """The message for a TaskExecution gate whose execution ended in a failing state (or stayed QUEUED too long)."""
    # DescribeExecution always answers a state; str() keeps the message whole (it reads "None") if one did not.
    state = str(execution.get("state"))
    task_id = execution.get("taskId")
    new_task = (f"create a new task: change {wording.name('runId')} on the Task (or FleetGate) that created task "
                f"{task_id}")
    return (
        f"task {task_id} on device {execution.get('managedDeviceId')}: execution "
        f"{execution.get('executionId')} {'is still' if state in WAITING_STATES else 'ended'} {state} "
        f"({acceptors.phrase(state)}); {execution_times(execution)}. "
        f"{_capitalized(HINTS.get(state, 'the service gives no reason for this state'))}. "
        f"{describe_device(device)}. To fix: {next_step({state}, new_task=new_task, wording=wording)}."
    )


def execution_times(execution: Mapping) -> str:
    """When an execution started and last changed, in words."""
    started, updated = iso(execution.get("startedAt")), iso(execution.get("lastUpdatedAt"))
    if not started and not updated:
        return "no start or update time recorded"
    return f"started {started or 'not yet'}, last updated {updated or 'never'}"


def describe_device(device: Mapping | None) -> str:
    """One sentence of what DescribeDevice says: deviceState, lastReachedOutAt and software installState."""
    if not device:
        return "DescribeDevice gave no details (device not found or not readable)"
    software = device.get("software") or {}
    version = software.get("installedVersion") or "version unknown"
    install = software.get("installState")
    return (
        f"Device {device.get('managedDeviceId')}: {device.get('deviceState') or 'state unknown'}, "
        f"last reached out {iso(device.get('lastReachedOutAt')) or 'never'}, software {version}"
        + (f" ({install})" if install else "")
    )


def reason(entry: Any) -> str:
    """Why a judged device (a `wait.threshold.FleetEntry`) fails: the judge's own reason, else its state's hint."""
    return entry.reason or HINTS.get(entry.state, acceptors.phrase(entry.state))


def describe_failing(client, failing: Sequence[Any]) -> dict[str, Mapping | None]:
    """DescribeDevice (None where not possible) of the failing devices a message names: the first NAMED_FAILURES."""
    named = list(dict.fromkeys(entry.device_id for entry in failing))[:NAMED_FAILURES]
    return dict(zip(named, fan_out(lambda device_id: device_or_none(client, device_id), named), strict=True))


def failing_lines(failing: Sequence[Any], devices: Mapping[str, Mapping | None], limit: int = NAMED_FAILURES,
                  ) -> list[str]:
    """One line per failing device (the first `limit`), with what DescribeDevice said when `devices` has it."""
    lines = ["Failing devices:"] if failing else []
    for entry in failing[:limit]:
        task = f"task {entry.task_id}, execution {entry.execution_id}" if entry.task_id else "no execution"
        detail = describe_device(devices[entry.device_id]) if entry.device_id in devices else ""
        lines.append(f"  - {entry.device_id} ({task}): {entry.state}: {reason(entry)}"
                     + (f". {detail}" if detail else ""))
    if len(failing) > limit:
        lines.append(f"  ... and {len(failing) - limit} more.")
    return lines


def explain_fleet_failure(outcome, devices: Mapping[str, Mapping | None], *, describe: str, creates_tasks: bool,
                          limit: int = NAMED_FAILURES, wording: Wording = PYTHON) -> str:
    """The message for a FleetGate that cannot meet its threshold, listing up to `limit` failing devices.

    `outcome` is a wait.threshold.FleetOutcome; `devices` maps device ids to DescribeDevice answers (or None) for
    the failing devices the caller chose to look up. `creates_tasks`: the gate made its tasks (devices + command).
    """
    tally = outcome.tally
    lines = [
        f"{describe}: {tally.succeeded} of {tally.total} executions succeeded, {outcome.required} required "
        f"({wording.name('minSucceeded')} {outcome.rule.threshold.describe()}): {outcome.progress()}."
    ]
    if tally.pending:
        lines.append(_early_stop(outcome, wording))
    failing = outcome.failing()
    lines += failing_lines(failing, devices, limit)
    run_id = wording.name("runId")
    new_task = (f"send it again with new tasks: change this FleetGate's {run_id}" if creates_tasks else
                f"create new tasks: change {run_id} on the Tasks that created them, then list the new task ids")
    lines.append(f"To fix: {next_step({entry.state for entry in failing}, new_task=new_task, wording=wording)}.")
    return "\n".join(lines)


def _early_stop(outcome, wording: Wording) -> str:
    """Why a fleet with executions still running was judged: failFast when the user set it, else a refresh."""
    pending = outcome.tally.pending
    if outcome.rule.fail_fast:
        return (f"Stopped early ({wording.name('failFast')}): the threshold can no longer be met; {pending} still "
                f"running.")
    return f"The threshold can no longer be met, whatever the {pending} still running do."


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
