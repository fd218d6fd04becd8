"""Typed Python classes for the provider plugin's resources (`snowdm:index:Task`, `TaskExecution`, `FleetGate`).

    import pulumi_snowdm.native as snowdm
    task = snowdm.Task("unlock", command="unlock", targets=["smd-..."])
    gate = snowdm.TaskExecution("unlocked", task_id=task.task_id, managed_device_id="smd-...",
                                opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="20m")))

The same arguments and attributes as the dynamic resources of `import pulumi_snowdm` (both are locked to the
declarations in `_core.spec` by tests/unit/test_schema.py), but served by the plugin `pulumi-resource-snowdm`, which
the engine finds on PATH: customTimeouts, Cancel, progress on the resource's own row and `pulumi import` work.
Settings are the stack config `snowdm:region`, `snowdm:endpoint` ... (or an explicit `Provider`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from pulumi_snowdm._core.schema import PACKAGE
from pulumi_snowdm._core.spec import FLEET_GATE, TASK, TASK_EXECUTION, ResourceSpec
from pulumi_snowdm._core.task_actions import Command
from pulumi_snowdm.resources.declared import registration_props
from pulumi_snowdm.resources.naming import SnakeCaseProperties

__all__ = ["Command", "FleetGate", "Provider", "Task", "TaskExecution"]


class _PluginResource(SnakeCaseProperties, pulumi.CustomResource):
    """A resource of the plugin: snake_case arguments and attributes, camelCase on the wire."""

    SPEC: ResourceSpec

    def __init__(self, resource_name: str, arguments: Mapping[str, Any],
                 opts: pulumi.ResourceOptions | None) -> None:
        super().__init__(f"{PACKAGE}:index:{self.SPEC.name}", resource_name, registration_props(self.SPEC, arguments),
                         opts)

    @classmethod
    def get(cls, resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None):
        """The resource of this id as the plugin reads it (`<taskId>/<managedDeviceId>` for a TaskExecution)."""
        resource = cls.__new__(cls)
        props = {p.python_name: None for p in cls.SPEC.outputs}
        pulumi.CustomResource.__init__(resource, f"{PACKAGE}:index:{cls.SPEC.name}", resource_name, props,
                                       pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id)))
        return resource


def _command(command: Any) -> Any:
    return command.value if isinstance(command, Command) else command


class Task(_PluginResource):
    """An SDM task: `unlock` or `reboot` on 1 to 10 managed devices, created once, or adopted by id."""

    SPEC = TASK

    task_id: pulumi.Output[str]
    task_arn: pulumi.Output[str]
    state: pulumi.Output[str]
    targets: pulumi.Output[list]
    created_at: pulumi.Output[str]
    last_updated_at: pulumi.Output[str | None]
    completed_at: pulumi.Output[str | None]
    description: pulumi.Output[str | None]
    tags: pulumi.Output[dict]

    def __init__(
        self,
        resource_name: str,
        *,
        command: pulumi.Input[Command | str] | None = None,
        targets: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        description: pulumi.Input[str] | None = None,
        tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        existing_task_id: pulumi.Input[str] | None = None,
        run_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(resource_name, {**locals(), "command": _command(command)}, opts)


class TaskExecution(_PluginResource):
    """A gate on one device's execution of a task: `pulumi up` waits for it and fails unless it succeeds."""

    SPEC = TASK_EXECUTION

    execution_id: pulumi.Output[str]
    state: pulumi.Output[str]
    started_at: pulumi.Output[str | None]
    last_updated_at: pulumi.Output[str | None]
    managed_device_id: pulumi.Output[str]
    task_id: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        task_id: pulumi.Input[str],
        managed_device_id: pulumi.Input[str],
        wait: pulumi.Input[bool] | None = None,
        accept_canceled: pulumi.Input[bool] | None = None,
        timeout_seconds: pulumi.Input[float] | None = None,
        queued_timeout_seconds: pulumi.Input[float] | None = None,
        not_found_grace_seconds: pulumi.Input[float] | None = None,
        poll_interval_seconds: pulumi.Input[float] | None = None,
        max_poll_interval_seconds: pulumi.Input[float] | None = None,
        heartbeat_seconds: pulumi.Input[float] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(resource_name, locals(), opts)


class FleetGate(_PluginResource):
    """A gate on every execution of a fleet's tasks: `pulumi up` waits until enough succeed, or fails naming why."""

    SPEC = FLEET_GATE

    task_ids: pulumi.Output[list]
    counts: pulumi.Output[dict]
    executions: pulumi.Output[dict]
    failed_devices: pulumi.Output[list]
    succeeded: pulumi.Output[int]
    total: pulumi.Output[int]
    required: pulumi.Output[int]
    wave_reports: pulumi.Output[list]
    untouched_devices: pulumi.Output[list]
    aborted_wave: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        task_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        devices: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        command: pulumi.Input[Command | str] | None = None,
        description: pulumi.Input[str] | None = None,
        tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        run_id: pulumi.Input[str] | None = None,
        waves: pulumi.Input[Sequence[pulumi.Input[int | str]]] | None = None,
        max_failures: pulumi.Input[int | str] | None = None,
        bake_seconds: pulumi.Input[float] | None = None,
        min_succeeded: pulumi.Input[int | str] | None = None,
        fail_fast: pulumi.Input[bool] | None = None,
        accept_canceled: pulumi.Input[bool] | None = None,
        execution_times: pulumi.Input[bool] | None = None,
        timeout_seconds: pulumi.Input[float] | None = None,
        queued_timeout_seconds: pulumi.Input[float] | None = None,
        not_found_grace_seconds: pulumi.Input[float] | None = None,
        poll_interval_seconds: pulumi.Input[float] | None = None,
        max_poll_interval_seconds: pulumi.Input[float] | None = None,
        heartbeat_seconds: pulumi.Input[float] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(resource_name, {**locals(), "command": _command(command)}, opts)


class Provider(pulumi.ProviderResource):
    """An explicit instance of the plugin with its own settings (the stack config `snowdm:*` sets the default one)."""

    def __init__(
        self,
        resource_name: str,
        *,
        region: pulumi.Input[str] | None = None,
        profile: pulumi.Input[str] | None = None,
        endpoint: pulumi.Input[str] | None = None,
        retry_mode: pulumi.Input[str] | None = None,
        max_attempts: pulumi.Input[int] | None = None,
        connect_timeout: pulumi.Input[float] | None = None,
        read_timeout: pulumi.Input[float] | None = None,
        max_requests_per_second: pulumi.Input[float] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        settings = {"region": region, "profile": profile, "endpoint": endpoint, "retryMode": retry_mode,
                    "maxAttempts": max_attempts, "connectTimeout": connect_timeout, "readTimeout": read_timeout,
                    "maxRequestsPerSecond": max_requests_per_second}
        super().__init__(PACKAGE, resource_name, {k: v for k, v in settings.items() if v is not None}, opts)
