"""What a run scope has sent, found at the service, and sending a command to the rest of a device list: each device
at most once per run scope.

A run scope is the unit of "at most once": for a FleetGate the stack, the resource name, the command and runId; for
`snowdm run` its --run-id and the command. Every task sent in a scope carries the tag SCOPE_TAG (a hash of the
scope) and, in a staged rollout, WAVE_TAG (the wave it went out in). Before sending, the scope's tasks are found with
ListTasks (which answers every task's tags, 100 tasks a page) and read with DescribeTask (their targets): a device
that is a target of one of them is not sent the command again, whatever changed in between (the device list, the
waves, a crash, a killed run, days). Only a new runId makes a new scope.

A retry is a further attempt in the same scope: its tasks carry ATTEMPT_TAG (2, 3, ...; the first attempt has no
such tag), and the same lookup keyed by attempt means no device is sent attempt n twice. A device is judged on the
task of its latest attempt (`Sent.current`).

Client tokens stay the guard of one CreateTask retried (`task_actions.create_tasks`). A shard's token is derived from
the scope and the shard's own devices, so two runs of one scope that overlap with the same device list get the same
tasks back; two overlapping runs with different lists could both send a device that neither had seen sent, which
`Sent.repeated` then shows (a Pulumi stack's lock keeps two `pulumi up` of one stack from overlapping).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pulumi_snowdm._core.client import translate
from pulumi_snowdm._core.errors import NotFound
from pulumi_snowdm._core.finders import BOTO_ERRORS, find_task
from pulumi_snowdm._core.task_actions import PartlySent, client_token, create_tasks, fan_out, shards
from pulumi_snowdm._core.wait.cancel import Cancel
from pulumi_snowdm._core.wait.policy import outlast_busy_service

SCOPE_TAG = "snowdm:run-scope"
WAVE_TAG = "snowdm:wave"
ATTEMPT_TAG = "snowdm:attempt"
# Tag keys the package writes itself; a user's tags may not use them.
RESERVED_TAG_PREFIX = "snowdm:"

Say = Callable[[str], None]


def scope_key(scope: str, command: str, run_id: str | None) -> str:
    """The value of SCOPE_TAG for a run scope: the same scope, command and run id always give the same key."""
    material = json.dumps({"scope": scope, "command": command, "runId": run_id or ""}, sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()[:40]


def shard_token(key: str, props: Mapping[str, Any], tags: Mapping[str, str], targets: Sequence[str]) -> str:
    """The client token of one shard: from the scope and the shard's own request (its devices, command, description
    and tags), so the same shard asked for again, by a retry or an overlapping run, gets the same task back."""
    return client_token(key, {"command": props["command"], "description": props.get("description"), "tags": dict(tags),
                              "targets": list(targets)})


def attempt_of(task: Mapping[str, Any]) -> int:
    """The attempt a task of a scope sent (1 unless it carries ATTEMPT_TAG)."""
    tag = (task.get("tags") or {}).get(ATTEMPT_TAG, "")
    return int(tag) if tag.isdigit() and int(tag) >= 1 else 1


@dataclasses.dataclass(frozen=True)
class Sent:
    """A run scope's tasks as DescribeTask answered them (oldest first), and which device each one sent to, per
    attempt."""

    tasks: tuple[dict, ...] = ()

    @functools.cached_property
    def attempts(self) -> dict[str, dict[int, dict]]:
        """Each device sent to: its attempts, each with the (first) task that sent it."""
        found: dict[str, dict[int, dict]] = {}
        for task in self.tasks:
            for device in task.get("targets") or []:
                found.setdefault(device, {}).setdefault(attempt_of(task), task)
        return found

    @property
    def by_device(self) -> dict[str, dict]:
        """Each device sent to (its first attempt), with the task that sent it."""
        return {device: tasks[1] for device, tasks in self.attempts.items() if 1 in tasks}

    def __contains__(self, device: object) -> bool:
        return 1 in self.attempts.get(device, {})  # type: ignore[call-overload]

    def has(self, device: str, attempt: int) -> bool:
        """Whether the scope sent `device` its attempt `attempt`."""
        return attempt in self.attempts.get(device, {})

    def latest(self, device: str) -> int:
        """The device's latest attempt sent (0: never sent)."""
        return max(self.attempts.get(device, {0: {}}))

    def current(self, devices: Iterable[str]) -> dict[str, str]:
        """Each sent device of `devices` and the task of its latest attempt: the execution it is judged on."""
        return {device: tasks[max(tasks)]["taskId"] for device in devices
                if (tasks := self.attempts.get(device))}

    def wave_of(self, device: str) -> int | None:
        """The wave the device was sent in (None: outside any wave, or not sent)."""
        tag = ((self.by_device.get(device) or {}).get("tags") or {}).get(WAVE_TAG, "")
        return int(tag) if tag.isdigit() else None

    def task_ids(self, devices: Iterable[str]) -> list[str]:
        """The tasks that sent any of `devices` (any attempt), oldest first."""
        wanted = set(devices)
        return [task["taskId"] for task in self.tasks if wanted & set(task.get("targets") or [])]

    def repeated(self) -> dict[str, list[str]]:
        """Devices that more than one task of the scope was sent to for one attempt (only overlapping runs make
        any)."""
        tasks: dict[tuple[str, int], list[str]] = {}
        for task in self.tasks:
            for device in task.get("targets") or []:
                tasks.setdefault((device, attempt_of(task)), []).append(task["taskId"])
        return {device: ids for (device, _), ids in tasks.items() if len(ids) > 1}

    def with_created(self, created: Sequence[dict]) -> Sent:
        return Sent((*self.tasks, *created))


def find_sent(client, key: str, *, also: Sequence[str] = (), label: str, say: Say) -> Sent:
    """The scope's tasks: every task ListTasks answers with SCOPE_TAG = `key`, plus `also` (tasks a host recorded
    before scopes were tagged), each read with DescribeTask; tasks gone since are left out."""
    listed = outlast_busy_service(lambda: _tagged_task_ids(client, key), label=f"{label}: ListTasks", say=say)
    task_ids = list(dict.fromkeys([*listed, *also]))
    tasks = [task for task in fan_out(lambda task_id: _task_or_none(client, task_id, label, say), task_ids) if task]
    sent = Sent(tuple(sorted(tasks, key=lambda task: (str(task.get("createdAt") or ""), task["taskId"]))))
    if sent.tasks:
        say(f"{label}: found {len(sent.tasks)} task(s) of this run already sent to {len(sent.by_device)} device(s)")
    for device, ids in sent.repeated().items():
        say(f"warning: {label}: device {device} is a target of {len(ids)} tasks of this run ({', '.join(ids)}): "
            f"two runs of it overlapped; the gate judges every one of them")
    return sent


def send_rest(client, *, key: str, props: Mapping[str, Any], devices: Sequence[str], sent: Sent,
              wave: int | None = None, attempt: int = 1, label: str, say: Say, rerun: str,
              cancel: Cancel | None = None) -> list[dict]:
    """CreateTask (shards of 10) for the devices of `devices` the scope has not sent attempt `attempt` to; the
    tasks created, as {taskId, targets, tags}. Says what was sent, or that nothing was left to send. A shard
    refused raises PartlySent, naming the tasks created with their devices and the devices not sent."""
    pending = [device for device in dict.fromkeys(devices) if not sent.has(device, attempt)]
    what = "the command" if attempt == 1 else f"attempt {attempt}"
    if not pending:
        say(f"{label}: nothing sent: all {len(devices)} device(s) were already sent {what} in this run")
        return []
    tags = {**(props.get("tags") or {}), SCOPE_TAG: key, **({WAVE_TAG: str(wave)} if wave is not None else {}),
            **({ATTEMPT_TAG: str(attempt)} if attempt > 1 else {})}
    groups = shards(pending)
    task_ids = create_tasks(
        client, command=props["command"], description=props.get("description"), tags=tags, groups=groups,
        token=lambda index: shard_token(key, props, tags, groups[index]), label=label, say=say, rerun=rerun,
        cancel=cancel)
    already = len(dict.fromkeys(devices)) - len(pending)
    more = f" ({already} sent before in this run)" if already else ""
    again = "" if attempt == 1 else f" (attempt {attempt})"
    say(f"{label}: {props['command']}{again} sent to {len(pending)} device(s) in {len(task_ids)} task(s){more}")
    return [{"taskId": task_id, "targets": list(group), "tags": tags} for task_id, group in zip(task_ids, groups,
                                                                                                   strict=True)]


def _tagged_task_ids(client, key: str) -> list[str]:
    try:
        pages = client.get_paginator("list_tasks").paginate()
        return [task["taskId"] for page in pages for task in page.get("tasks", [])
                if (task.get("tags") or {}).get(SCOPE_TAG) == key]
    except BOTO_ERRORS as error:
        raise translate(error, "ListTasks", "", client=client) from None


def _task_or_none(client, task_id: str, label: str, say: Say) -> dict | None:
    try:
        return outlast_busy_service(lambda: find_task(client, task_id), label=f"{label}: task {task_id}", say=say)
    except NotFound:
        return None


def deliver_sent(client, *, key: str, props: Mapping[str, Any], devices: Sequence[str], also: Sequence[str] = (),
                 label: str, say: Say, rerun: str, cancel: Cancel | None = None) -> Sent:
    """Send the command to the devices of `devices` the scope `key` has not sent to; return what the scope has sent
    (found or created, every attempt). PartlySent carries the scope's tasks for `devices` as `task_ids`."""
    sent = find_sent(client, key, also=also, label=label, say=say)
    try:
        created = send_rest(client, key=key, props=props, devices=devices, sent=sent, label=label, say=say,
                            rerun=rerun, cancel=cancel)
    except PartlySent as error:
        error.task_ids = [*sent.task_ids(devices), *(task_id for task_id, _ in error.created)]
        raise
    return sent.with_created(created)
