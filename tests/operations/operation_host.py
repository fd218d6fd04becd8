"""What the operations tier's tests share: a host that records what an operation says and the pauses it asks for,
the FleetGate inputs that keep device time short, and sends counted at the service.

A test gets a host from the `host` or `make_host` fixture (tests/operations/conftest.py) and calls `_core.operations`
as every host does: no engine, real boto3 over HTTP against the in-process emulator.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

from pulumi_snowdm._core.context import Context
from pulumi_snowdm._core.run_scope import ATTEMPT_TAG, SCOPE_TAG, scope_key

# Polls fast enough for emulated device time run 40-50x; executions' own times are left out unless a test reads them.
FAST = {"pollIntervalSeconds": 0.05, "maxPollIntervalSeconds": 0.2, "notFoundGraceSeconds": 5, "executionTimes": False}


@dataclasses.dataclass(frozen=True)
class Host(Context):
    """An operation context that keeps its lines (`said`, warnings included) and the pauses asked for (`slept`)."""

    said: list[str] = dataclasses.field(default_factory=list)
    slept: list[float] = dataclasses.field(default_factory=list)


def gate(devices, scope: str = "proj/dev/fleet", **extra) -> dict[str, Any]:
    """A FleetGate's inputs as a host hands them to the operations: reboot `devices`, polling fast."""
    return {"devices": list(devices), "command": "reboot", "scope": scope, **FAST, **extra}


def sends(
    emulator,
    scope: str = "proj/dev/fleet",
    command: str = "reboot",
    run_id: str | None = None,
    *,
    per_attempt: bool = False,
) -> Counter:
    """How many times each device (or each (device, attempt)) was sent the command in the scope, from every task
    the service holds."""
    key = scope_key(scope, command, run_id)
    return Counter(
        (device, int(task["tags"].get(ATTEMPT_TAG, "1"))) if per_attempt else device
        for task in emulator.model.tasks()
        if task["tags"].get(SCOPE_TAG) == key
        for device in task["targets"]
    )
