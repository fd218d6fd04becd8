"""pulumi-snowdm: gate Pulumi deployments on AWS Snow Device Management (SDM) task executions.

    import pulumi_snowdm as snowdm
    task = snowdm.Task("unlock", command=snowdm.Command.unlock(), targets=["smd-..."])
    gate = snowdm.TaskExecution("unlock-edge-01", task_id=task.task_id, managed_device_id="smd-...")

Configuration (stack config): `snowdm:region`, `snowdm:profile`, `snowdm:endpoint` (falling back to `aws:region` and
`aws:profile`), then the standard AWS environment and credential chain. Credentials are never stored in state.

The public names load on first use (PEP 562), so `snowdm-emulator`, which lives in this package, starts without
importing pulumi and gRPC.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_snowdm._core.errors import (
        AccessError,
        ConfigurationError,
        ExecutionFailed,
        FleetFailed,
        InputError,
        NotFound,
        ServiceUnavailable,
        SnowdmError,
        WaitTimedOut,
    )
    from pulumi_snowdm.resources.fleet_gate import FleetGate
    from pulumi_snowdm.resources.task import Command, Task
    from pulumi_snowdm.resources.task_execution import TaskExecution

__all__ = [
    "AccessError",
    "Command",
    "ConfigurationError",
    "ExecutionFailed",
    "FleetFailed",
    "FleetGate",
    "InputError",
    "NotFound",
    "ServiceUnavailable",
    "SnowdmError",
    "Task",
    "TaskExecution",
    "WaitTimedOut",
]

_HOMES = (
    "pulumi_snowdm._core.errors",
    "pulumi_snowdm.resources.fleet_gate",
    "pulumi_snowdm.resources.task",
    "pulumi_snowdm.resources.task_execution",
)


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # All at once: the resources import pulumi either way. Set as globals, so later lookups skip this function.
    for home in map(importlib.import_module, _HOMES):
        globals().update({public: getattr(home, public) for public in __all__ if public in vars(home)})
    return globals()[name]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
