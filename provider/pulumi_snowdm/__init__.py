"""pulumi-snowdm: gate Pulumi deployments on AWS Snow Device Management (SDM) task executions.

    import pulumi_snowdm as snowdm
    task = snowdm.Task("unlock", command=snowdm.Command.unlock(), targets=["smd-..."])
    gate = snowdm.TaskExecution("unlock-edge-01", task_id=task.task_id, managed_device_id="smd-...")

Configuration (stack config): `snowdm:region`, `snowdm:profile`, `snowdm:endpoint` (falling back to `aws:region` and
`aws:profile`), then the standard AWS environment and credential chain. Credentials are never stored in state.
"""

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
