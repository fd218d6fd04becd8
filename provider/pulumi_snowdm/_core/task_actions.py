"""The calls that change or check tasks: client tokens, shards of 10, create, cancel what is QUEUED, retag, and
the DescribeTask that tells a missing task from a late execution; plus the one bounded fan-out they share.

Creating a task reboots or unlocks real devices, so every CreateTask carries a client token derived from the
resource's scope (project/stack/name) and every input that shapes the task: a create retried after a crash, a killed
`pulumi up` or a failed deployment sends the same token, and the service answers with the task it already made.
A FleetGate cuts its device list into shards of at most 10 (CreateTask's limit), one token per shard
(`_core.run_scope` decides which devices still need the command). Errors go through `client.translate`.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pulumi_snowdm._core.client import translate
from pulumi_snowdm._core.errors import NotFound, SnowdmError, WaitCanceled
from pulumi_snowdm._core.finders import BOTO_ERRORS, find_task, list_executions
from pulumi_snowdm._core.service_model import service_model, structure
from pulumi_snowdm._core.wait.cancel import Cancel
from pulumi_snowdm._core.wait.policy import outlast_busy_service
from pulumi_snowdm._core.wording import Wording

T = TypeVar("T")
R = TypeVar("R")

_CREATE_TASK = structure(service_model().operation_model("CreateTask").input_shape)
# CreateTask takes 1 to 10 targets; read the maximum from the model rather than restating it.
SHARD_SIZE = _CREATE_TASK.members["targets"].metadata["max"]
# Calls in flight at once in a fan-out: clear of the service's rate limits, and within boto3's pool of 10.
FAN_OUT_WORKERS = 8
# Few enough parallel CreateTask calls to stay clear of the service's rate limits, enough to start a fleet quickly.
CREATE_WORKERS = 4


class _ShowsItsMethods(enum.EnumType):
    """An enum's class whose dir() (and so help()) lists the methods defined on it, not only its members."""

    def __dir__(cls) -> list[str]:
        return sorted(set(super().__dir__()) | {name for name in vars(cls) if not name.startswith("_")})


class Command(enum.StrEnum, metaclass=_ShowsItsMethods):
    """What a task runs on its devices: `Command.unlock()` or `Command.reboot()` (or the text "unlock", "reboot")."""

    UNLOCK = "unlock"
    REBOOT = "reboot"

    @classmethod
    def unlock(cls) -> Command:
        """Unlock the devices (SDM's `unlock` command)."""
        return cls.UNLOCK

    @classmethod
    def reboot(cls) -> Command:
        """Reboot the devices (SDM's `reboot` command)."""
        return cls.REBOOT


def fan_out(call: Callable[[T], R], items: Iterable[T], *, workers: int = FAN_OUT_WORKERS) -> list[R]:
    """`call` of every item, at most `workers` at once, results in item order; the first error is raised."""
    items = list(items)
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="snowdm-fan-out") as pool:
        return list(pool.map(call, items))


def client_token(scope: str, inputs: Mapping[str, Any]) -> str:
    """The CreateTask client token for a resource: the same scope and inputs always give the same token.

    Existing stacks hold tasks made with these tokens: the output must never change for the same scope and inputs.
    """
    material = json.dumps({"scope": scope, **{k: inputs.get(k) for k in ("command", "targets", "description",
                                                                         "tags", "runId")}}, sort_keys=True)
    return "pulumi-snowdm-" + hashlib.sha256(material.encode()).hexdigest()[:48]


def create_task(client, *, token: str, command: str, targets: Sequence[str], description: str | None = None,
                tags: Mapping[str, str] | None = None) -> str:
    """CreateTask with a client token; return the task id (the same one again for a retried token)."""
    request = {"clientToken": token, "command": {command: {}}, "targets": list(targets)}
    if description:
        request["description"] = description
    if tags:
        request["tags"] = dict(tags)
    try:
        return client.create_task(**request)["taskId"]
    except BOTO_ERRORS as error:
        raise translate(error, "CreateTask", ", ".join(request["targets"]), client=client) from None


def cancel_queued(client, task_id: str) -> list[str]:
    """CancelTask if the task still has QUEUED executions; return their devices (none: nothing was called)."""
    try:
        queued = [e["managedDeviceId"] for e in list_executions(client, task_id) if e.get("state") == "QUEUED"]
        if queued:
            client.cancel_task(taskId=task_id)
    except NotFound:
        return []
    except BOTO_ERRORS as error:
        found = translate(error, "CancelTask", task_id, client=client)
        if isinstance(found, NotFound):
            return []
        raise found from None
    return queued


def retag(client, arn: str, old: Mapping[str, str], new: Mapping[str, str]) -> None:
    """UntagResource for the keys gone, TagResource for the values new or changed; nothing when equal."""
    removed = sorted(set(old) - set(new))
    if removed:
        try:
            client.untag_resource(resourceArn=arn, tagKeys=removed)
        except BOTO_ERRORS as error:
            raise translate(error, "UntagResource", arn, client=client) from None
    changed = {key: value for key, value in new.items() if old.get(key) != value}
    if changed:
        try:
            client.tag_resource(resourceArn=arn, tags=changed)
        except BOTO_ERRORS as error:
            raise translate(error, "TagResource", arn, client=client) from None


def existing_tasks(client, task_ids: Sequence[str], *, prop: str, label: str,
                   say: Callable[[str], None], wording: Wording) -> list[dict]:
    """DescribeTask of every task a wait is about to watch, outlasting a busy service; in order.

    Tells "no such task" (fail now, naming the input `prop` and what to check) from "the execution is not listed
    yet" (the wait's grace period applies): without it, a mistyped id costs the whole grace period. `prop` is the
    declared (camelCase) name, said in the host's `wording`.
    """
    def describe(task_id: str) -> dict:
        try:
            return outlast_busy_service(lambda: find_task(client, task_id), label=f"{label}: task {task_id}",
                                        say=say)
        except NotFound:
            raise NotFound("task", f"{task_id} (given as {wording.name(prop)})") from None
    try:
        return fan_out(describe, task_ids)
    except NotFound as error:
        raise SnowdmError(
            f"{label}: {error}: DescribeTask knows no such task. To fix: check {wording.quoted(prop)} names an "
            f"existing task (one that `aws snow-device-management list-tasks` shows) in the region and endpoint in "
            f"use (set with {wording.region}, and {wording.endpoint})") from None


def shards(devices: Sequence[str]) -> list[list[str]]:
    """The device list in consecutive groups of at most SHARD_SIZE, in the order given."""
    return [list(devices[start:start + SHARD_SIZE]) for start in range(0, len(devices), SHARD_SIZE)]


def create_tasks(client, *, command: str, description: str | None, tags: Mapping[str, str],
                 groups: Sequence[Sequence[str]], token: Callable[[int], str], label: str,
                 say: Callable[[str], None], rerun: str, cancel: Cancel | None = None) -> list[str]:
    """CreateTask for every group of devices (group i with client token `token(i)`); the task ids, group order.

    Every group is tried, unless `cancel` is set first (nothing new is sent once the host canceled); when any is
    refused or skipped, PartlySent names the tasks created with their devices, and the devices not sent, so a
    failure always says exactly what was sent.
    """
    def create(index: int) -> str | Exception:
        if cancel is not None and cancel.is_set():
            return WaitCanceled(f"canceled before CreateTask for shard {index + 1} ({cancel.reason})")
        try:
            # Safe to repeat while the service is busy: the shard's client token returns the same task.
            return outlast_busy_service(
                lambda: create_task(client, token=token(index), command=command, targets=groups[index],
                                    description=description, tags=tags),
                label=f"{label}: CreateTask for shard {index + 1}", say=say)
        except Exception as error:  # every shard is tried; the message says which were created
            return error

    answers = fan_out(create, range(len(groups)), workers=CREATE_WORKERS)
    failure = next((answer for answer in answers if isinstance(answer, Exception)), None)
    if failure is not None:
        created = [(answer, list(group)) for answer, group in zip(answers, groups, strict=True)
                   if isinstance(answer, str)]
        unsent = [device for answer, group in zip(answers, groups, strict=True) if not isinstance(answer, str)
                  for device in group]
        raise PartlySent(label, failure, created, unsent, rerun) from failure
    return [answer for answer in answers if isinstance(answer, str)]


class PartlySent(SnowdmError):
    """Some shards' CreateTask was refused: `created` holds (task id, devices) of those sent, `unsent` the rest.

    The first refusal is kept as the cause, so a caller can tell refused credentials from a missing device.
    """

    def __init__(self, label: str, failure: Exception, created: list[tuple[str, list[str]]], unsent: list[str],
                 rerun: str) -> None:
        self.created, self.unsent = created, unsent
        self.task_ids = [task_id for task_id, _ in created]  # the scope's tasks for the devices (run_scope)
        sent = "; ".join(f"{task_id} ({', '.join(devices)})" for task_id, devices in created)
        super().__init__(
            f"{label}: {failure}. Sent: {len(created)} task(s) to {sum(len(d) for _, d in created)} device(s)"
            f"{': ' + sent if sent else ''}. Not sent: {len(unsent)} device(s) ({', '.join(unsent)}). Once the cause "
            f"is fixed, {rerun}: the devices already sent are found in this run and are not sent the command again")


def cancel_shards(client, task_ids: Sequence[str], say: Callable[[str], None], label: str) -> None:
    """CancelTask on every task that still has QUEUED executions, saying what was canceled and what runs on."""
    canceled = 0
    queued_per_task = fan_out(lambda task_id: cancel_queued(client, task_id), task_ids)
    for task_id, queued in zip(task_ids, queued_per_task, strict=True):
        if queued:
            canceled += len(queued)
            say(f"{label}: task {task_id}: canceled {len(queued)} execution(s) still QUEUED "
                   f"({', '.join(queued)})")
    if not canceled:
        say(f"{label}: nothing left QUEUED in its {len(task_ids)} task(s), nothing to cancel")
    else:
        say(f"{label}: canceled {canceled} QUEUED execution(s); executions already running finish on their own")


def retag_tasks(client, task_ids: Sequence[str], old: Mapping[str, str], new: Mapping[str, str]) -> None:
    """`retag` every task in `task_ids` (their ARNs from DescribeTask)."""
    fan_out(lambda task_id: retag(client, find_task(client, task_id)["taskArn"], old, new), task_ids)
