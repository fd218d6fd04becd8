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

from pulumi_snowdm._core.client import translate
from pulumi_snowdm._core.errors import NotFound, SnowdmError
from pulumi_snowdm._core.finders import list_executions
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
    requests = [_request(props, index, targets) for index, targets in enumerate(groups)]
    created: dict[int, str] = {}

    def create(index: int) -> None:
        request = requests[index]
        try:
            created[index] = client.create_task(**request)["taskId"]
        except Exception as error:  # botocore errors only reach here; translate says what to do
            raise translate(error, "CreateTask", ", ".join(request["targets"]), client=client) from None

    with ThreadPoolExecutor(max_workers=min(CREATE_WORKERS, len(requests))) as pool:
        failures = [future.exception() for future in [pool.submit(create, i) for i in range(len(requests))]]
    failure = next((error for error in failures if error is not None), None)
    if failure is not None:
        raise SnowdmError(
            f"{describe}: {failure}. {len(created)} of {len(requests)} task(s) were created "
            f"({', '.join(created[i] for i in sorted(created)) or 'none'}); once the cause is fixed, rerun "
            f"`pulumi up`: the same client tokens return those tasks instead of sending the command again"
        ) from None
    task_ids = [created[index] for index in range(len(requests))]
    report(f"{describe}: {props['command']} sent to {len(props['devices'])} device(s) in {len(task_ids)} task(s)")
    return task_ids


def cancel_queued(client, task_ids: Sequence[str], report: Callable[[str], None], describe: str) -> None:
    """CancelTask on every task that still has QUEUED executions, saying what was canceled and what runs on."""
    canceled = 0
    for task_id in task_ids:
        try:
            queued = [e["managedDeviceId"] for e in list_executions(client, task_id) if e.get("state") == "QUEUED"]
        except NotFound:
            continue
        if not queued:
            continue
        try:
            client.cancel_task(taskId=task_id)
        except Exception as error:
            found = translate(error, "CancelTask", task_id, client=client)
            if isinstance(found, NotFound):
                continue
            raise found from None
        canceled += len(queued)
        report(f"{describe}: task {task_id}: canceled {len(queued)} execution(s) still QUEUED ({', '.join(queued)})")
    if not canceled:
        report(f"{describe}: nothing left QUEUED in its {len(task_ids)} task(s), nothing to cancel")
    else:
        report(f"{describe}: canceled {canceled} QUEUED execution(s); executions already running finish on their own")


def _request(props: Mapping[str, Any], index: int, targets: list[str]) -> dict[str, Any]:
    request = {
        "clientToken": shard_token(props.get("scope", ""), index, props),
        "command": {props["command"]: {}},
        "targets": targets,
    }
    if props.get("description"):
        request["description"] = props["description"]
    if props.get("tags"):
        request["tags"] = dict(props["tags"])
    return request
