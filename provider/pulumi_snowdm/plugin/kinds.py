"""The plugin's resource tokens (`snowdm:index:<Name>`), each with its declaration, its shared operations and the
few things that differ per resource: how an imported id becomes inputs, and the result line recorded on the
resource's row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from pulumi_snowdm._core.operations import fleet_gate, task, task_execution
from pulumi_snowdm._core.schema import PACKAGE
from pulumi_snowdm._core.spec import SCOPE, ResourceSpec

Props = Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class Kind:
    """One resource type the plugin serves."""

    spec: ResourceSpec
    operations: ModuleType
    result_line: Callable[[Props], str]
    import_inputs: Callable[[str], dict[str, Any]] | None = None

    @property
    def token(self) -> str:
        return f"{PACKAGE}:index:{self.spec.name}"

    @property
    def scoped(self) -> bool:
        """Whether the resource takes the internal `scope` input (client tokens are scoped to it)."""
        return SCOPE in self.spec.internal


def _execution_line(outputs: Props) -> str:
    return (f"task {outputs.get('taskId')} on {outputs.get('managedDeviceId')}: execution "
            f"{outputs.get('executionId')} {outputs.get('state')}")


def _fleet_line(outputs: Props) -> str:
    return (f"passed: {outputs.get('succeeded')} of {outputs.get('total')} succeeded (required "
            f"{outputs.get('required')}) over task(s) {', '.join(outputs.get('taskIds') or [])}")


def _task_line(outputs: Props) -> str:
    return f"task {outputs.get('taskId')}: {outputs.get('state')} on {', '.join(outputs.get('targets') or [])}"


KINDS = {kind.token: kind for kind in (
    Kind(task.SPEC, task, _task_line, import_inputs=task.import_inputs),
    Kind(task_execution.SPEC, task_execution, _execution_line, import_inputs=task_execution.import_inputs),
    Kind(fleet_gate.SPEC, fleet_gate, _fleet_line),
)}
