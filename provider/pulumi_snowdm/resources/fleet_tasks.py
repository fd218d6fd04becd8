"""The tasks a FleetGate sends itself: its device list cut into shards of at most 10, one CreateTask per shard.

Creating tasks reboots or unlocks real devices, so each shard's CreateTask carries a client token derived from the
gate's scope (project/stack/name), the shard's index and every input that shapes the tasks (command, the whole
device list, description, tags, runId). A create retried after a crash, a killed `pulumi up` or a failed deployment
sends the same tokens and the service answers with the tasks it already made: never a second set. Because the whole
device list is in every token, a gate replaced over a changed list never shares a task with the gate it replaces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pulumi_snowdm._core.errors import SnowdmError
from pulumi_snowdm._core.patience import patiently
from pulumi_snowdm._core.task_actions import cancel_queued
from pulumi_snowdm._core.task_actions import create_task
from pulumi_snowdm._core.service_model import service_model
from pulumi_snowdm.resources.task import client_token

# CreateTask takes 1 to 10 targets; read the maximum from the model rather than restating it.
SHARD_SIZE = service_model().operation_model("CreateTask").input_shape.members["targets"].metadata["max"]
# Few enough parallel CreateTask calls to stay clear of the service's rate limits, enough to start a fleet quickly.
CREATE_WORKERS = 4


def shards(devices: Sequence[str]) -> list[list[str]]:
    """The device list in consecutive groups of at most SHARD_SIZE, in the order given."""
    return [list(devices[start:start + SHARD_SIZE]) for start in range(0, len(devices), SHARD_SIZE)]


def shard_token(scope: str, index: int, props: Mapping[str, Any]) -> str:
    """The client token of shard `index`: the same scope, index and inputs always give the same token."""
    return client_token(f"{scope}#shard-{index}", {**props, "targets": list(props["devices"])})


def create_shard_tasks(client, props: Mapping[str, Any], report: Callable[[str], None], describe: str) -> list[str]:
    """CreateTask for every shard of `props["devices"]`; return the task ids the service answered, shard order."""
    groups = shards(props["devices"])
    created: dict[int, str] = {}

    def create(index: int) -> None:
        # Safe to repeat while the service is busy: the shard's client token returns the same task.
        created[index] = patiently(
            lambda: create_task(client, token=shard_token(props["scope"], index, props), command=props["command"],
                                targets=groups[index], description=props.get("description"),
                                tags=props.get("tags")),
            describe=f"{describe}: CreateTask for shard {index + 1}", report=report)

    with ThreadPoolExecutor(max_workers=min(CREATE_WORKERS, len(groups))) as pool:
        failures = [future.exception() for future in [pool.submit(create, i) for i in range(len(groups))]]
    failure = next((error for error in failures if error is not None), None)
    if failure is not None:
        raise SnowdmError(
            f"{describe}: {failure}. {len(created)} of {len(groups)} task(s) were created "
            f"({', '.join(created[i] for i in sorted(created)) or 'none'}); once the cause is fixed, rerun "
            f"`pulumi up`: the same client tokens return those tasks instead of sending the command again"
        ) from None
    task_ids = [created[index] for index in range(len(groups))]
    report(f"{describe}: {props['command']} sent to {len(props['devices'])} device(s) in {len(task_ids)} task(s)")
    return task_ids


def cancel_shards(client, task_ids: Sequence[str], report: Callable[[str], None], describe: str) -> None:
    """CancelTask on every task that still has QUEUED executions, saying what was canceled and what runs on."""
    canceled = 0
    for task_id in task_ids:
        queued = cancel_queued(client, task_id)
        if queued:
            canceled += len(queued)
            report(f"{describe}: task {task_id}: canceled {len(queued)} execution(s) still QUEUED "
                   f"({', '.join(queued)})")
    if not canceled:
        report(f"{describe}: nothing left QUEUED in its {len(task_ids)} task(s), nothing to cancel")
    else:
        report(f"{describe}: canceled {canceled} QUEUED execution(s); executions already running finish on their own")
