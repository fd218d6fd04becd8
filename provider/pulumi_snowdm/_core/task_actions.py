"""The calls that change tasks: create one, cancel what is still QUEUED, retag. Errors go through `translate`.

Task and FleetGate both create and cancel tasks; the request shape and the error handling are stated here once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import botocore.exceptions

from pulumi_snowdm._core.client import translate
from pulumi_snowdm._core.errors import NotFound
from pulumi_snowdm._core.finders import list_executions

_BOTO_ERRORS = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)


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
    except _BOTO_ERRORS as error:
        raise translate(error, "CreateTask", ", ".join(request["targets"]), client=client) from None


def cancel_queued(client, task_id: str) -> list[str]:
    """CancelTask if the task still has QUEUED executions; return their devices (none: nothing was called)."""
    try:
        queued = [e["managedDeviceId"] for e in list_executions(client, task_id) if e.get("state") == "QUEUED"]
        if queued:
            client.cancel_task(taskId=task_id)
    except NotFound:
        return []
    except _BOTO_ERRORS as error:
        found = translate(error, "CancelTask", task_id, client=client)
        if isinstance(found, NotFound):
            return []
        raise found from None
    return queued


def retag(client, arn: str, old: Mapping[str, str], new: Mapping[str, str]) -> None:
    """UntagResource for the keys gone, TagResource for the values new or changed; nothing when equal."""
    try:
        removed = sorted(set(old) - set(new))
        if removed:
            client.untag_resource(resourceArn=arn, tagKeys=removed)
        changed = {key: value for key, value in new.items() if old.get(key) != value}
        if changed:
            client.tag_resource(resourceArn=arn, tags=changed)
    except _BOTO_ERRORS as error:
        raise translate(error, "TagResource", arn, client=client) from None
