"""The service's state: devices, tasks and executions, with the semantics of every operation (no HTTP here).

One lock guards everything. States are derived lazily: each read first advances the queues of the devices it looks
at (see lifecycle.py). Operations take Python values named after the API members and return dicts shaped like the
output shapes, with timestamps as epoch seconds. Failures raise the service errors of errors.py.

Choices the public documentation leaves open, made here on purpose:
- CreateTask with a target that is not a managed device answers 404 ResourceNotFoundException naming the ids; a
  target listed twice answers 400.
- clientToken: the same token with the same targets, command, description and tags returns the first task; with
  anything different it answers 400 ValidationException; tokens never expire.
- CancelTask cancels the executions still QUEUED; running ones finish. The task reads CANCELED from then on. Canceling
  a COMPLETED task changes nothing (and succeeds).
- Tag operations accept task and managed-device ARNs of this account in any region; a string that is not an SDM ARN
  answers 400, an SDM ARN of nothing answers 404.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_snowdm._core.service_model import enum_values
from pulumi_snowdm.emulator.clock import Clock
from pulumi_snowdm.emulator.devices import Device
from pulumi_snowdm.emulator.errors import (
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from pulumi_snowdm.emulator.identifiers import (
    DEFAULT_ACCOUNT_ID,
    TASK,
    arn,
    new_execution_id,
    new_task_id,
    parse_arn,
)
from pulumi_snowdm.emulator.lifecycle import CANCELED, FINAL_STATES, IN_PROGRESS, QUEUED, Execution
from pulumi_snowdm.emulator.scenario import Scenario, ScenarioError, device_spec

COMPLETED = "COMPLETED"


@dataclasses.dataclass(eq=False)
class Task:
    """A command sent to up to ten devices, with one execution per target (in target order)."""

    task_id: str
    task_arn: str
    seq: int
    command: str
    targets: tuple[str, ...]
    description: str | None
    tags: dict[str, str]
    created_at: float
    client_token: str | None
    fingerprint: str
    executions: dict[str, Execution]
    canceled_at: float | None = None

    def state(self) -> str:
        if self.canceled_at is not None:
            return CANCELED
        return COMPLETED if all(execution.final for execution in self.executions.values()) else IN_PROGRESS

    def completed_at(self) -> float | None:
        executions = self.executions.values()
        if not all(execution.final for execution in executions):
            return None
        return max((execution.updated_at for execution in executions), default=self.canceled_at or self.created_at)

    def updated_at(self) -> float:
        times = [execution.updated_at for execution in self.executions.values()]
        times += [self.created_at, self.canceled_at or 0.0]
        return max(times)


class SnowDeviceManagement:
    """Devices, tasks and executions of one emulated account; thread-safe."""

    def __init__(self, scenario: Scenario, clock: Clock, account_id: str = DEFAULT_ACCOUNT_ID) -> None:
        self.clock = clock
        self.account_id = account_id
        self._lock = threading.RLock()
        self.load(scenario)

    # ---- scenario and control operations -------------------------------------------------------------------

    def load(self, scenario: Scenario) -> None:
        """Replace the whole state with a fresh one built from `scenario` (tasks are dropped)."""
        with self._lock:
            now = self.clock.now()
            self.scenario = scenario
            self._devices: dict[str, Device] = {}
            self._device_order: list[Device] = []
            for spec in scenario.devices:
                self._add(spec, now)
            self._tasks: dict[str, Task] = {}
            self._task_seqs: list[int] = []
            self._task_by_seq: dict[int, Task] = {}
            self._next_seq = 0
            self._client_tokens: dict[str, Task] = {}

    def reset(self) -> None:
        """Back to the loaded scenario: devices as described, no tasks."""
        self.load(self.scenario)

    def add_device(self, device_id: str, **fields: Any) -> None:
        """Add a managed device (scenario device keys) on top of the scenario's defaults."""
        with self._lock:
            if device_id in self._devices:
                raise ValidationException(f"managedDeviceId: device {device_id} already exists")
            spec = _spec(device_id, fields, self.scenario.default, self.scenario.default_description)
            self._add(spec, self.clock.now())

    def set_device(self, device_id: str, **changes: Any) -> None:
        """Change a device at run time: behaviour (outcome, queued_seconds, run_seconds, online, commands),
        DescribeDevice members, tags or instances. The change applies to executions that have not started."""
        with self._lock:
            device = self._device(device_id)
            spec = _spec(device_id, changes, device.behaviour, {})
            now = self._advance(device)
            device.behaviour = spec.behaviour
            device.set_online(spec.behaviour.online, now)
            device.queue.replan(now)
            description = {key: value for key, value in spec.description.items() if key != "tags"}
            device.description.update(description)
            if "tags" in changes:
                device.tags = dict(changes["tags"])
            if "instances" in changes:
                device.instances = [dict(instance) for instance in spec.instances]
            device.updated_at = now

    def set_execution_state(self, task_id: str, device_id: str, state: object) -> None:
        """Force an execution into `state` now. A non-final state is held (with its device) until set again.

        `state` is checked here, whatever the caller passed (the control API hands on any JSON value).
        """
        states = enum_values("ExecutionState")
        if not isinstance(state, str) or state not in states:
            raise ValidationException(f"state: must be one of {', '.join(states)}, got {state!r}")
        with self._lock:
            execution = self._execution(task_id, device_id)
            device = self._devices[device_id]
            now = self._advance(device)
            execution.plan = None
            execution.move(state, max(now, execution.updated_at))
            execution.pinned = state not in FINAL_STATES
            device.on_transition(execution, state)
            if not execution.pinned:
                device.queue.remove(execution, now)

    def delete_execution(self, task_id: str, device_id: str) -> None:
        """Remove one execution, as if the service had lost it: DescribeExecution then answers 404."""
        with self._lock:
            execution = self._execution(task_id, device_id)
            self._devices[device_id].queue.remove(execution, self.clock.now())
            del self._tasks[task_id].executions[device_id]

    def delete_task(self, task_id: str) -> None:
        """Remove a task and its executions: every later call about it answers 404."""
        with self._lock:
            task = self._task(task_id)
            now = self.clock.now()
            for device_id, execution in task.executions.items():
                self._devices[device_id].queue.remove(execution, now)
            del self._tasks[task_id]
            del self._task_by_seq[task.seq]
            self._task_seqs.pop(bisect.bisect_left(self._task_seqs, task.seq))
            if task.client_token is not None:
                self._client_tokens.pop(task.client_token, None)

    def tasks(self) -> list[dict[str, Any]]:
        """Every task with its state and its executions' states, oldest first (for tests and rehearsals)."""
        with self._lock:
            listed = []
            for task in self._tasks.values():
                self._refresh(task)
                listed.append(
                    {
                        "taskId": task.task_id,
                        "taskArn": task.task_arn,
                        "state": task.state(),
                        "command": task.command,
                        "targets": list(task.targets),
                        "clientToken": task.client_token,
                        "tags": dict(task.tags),
                        "executions": {device: ex.state for device, ex in task.executions.items()},
                    }
                )
            return listed

    def device_ids(self) -> list[str]:
        with self._lock:
            return [device.device_id for device in self._device_order]

    # ---- tasks and executions ------------------------------------------------------------------------------

    def create_task(
        self,
        *,
        targets: list[str],
        command: Mapping[str, Any],
        region: str,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        client_token: str | None = None,
    ) -> dict[str, Any]:
        fingerprint = json.dumps([list(targets), command, description, tags or {}], sort_keys=True)
        with self._lock:
            if client_token is not None and client_token in self._client_tokens:
                earlier = self._client_tokens[client_token]
                if earlier.fingerprint != fingerprint:
                    raise ValidationException(
                        f"clientToken: {client_token} was already used to create task {earlier.task_id} with "
                        "different parameters; send a new clientToken to create a different task"
                    )
                return {"taskId": earlier.task_id, "taskArn": earlier.task_arn}
            self._check_targets(targets)
            self._check_quota()
            now = self.clock.now()
            task_id = new_task_id()
            command_name = next(iter(command))
            task = Task(
                task_id=task_id,
                task_arn=arn(region, self.account_id, TASK, task_id),
                seq=self._next_seq,
                command=command_name,
                targets=tuple(targets),
                description=description,
                tags=dict(tags or {}),
                created_at=now,
                client_token=client_token,
                fingerprint=fingerprint,
                executions={},
            )
            for device_id in targets:
                execution = Execution(task_id, device_id, new_execution_id(), command_name, created_at=now)
                task.executions[device_id] = execution
                self._devices[device_id].queue.add(execution)
            self._next_seq += 1
            self._tasks[task_id] = task
            self._task_seqs.append(task.seq)
            self._task_by_seq[task.seq] = task
            if client_token is not None:
                self._client_tokens[client_token] = task
            return {"taskId": task_id, "taskArn": task.task_arn}

    def cancel_task(self, task_id: str) -> dict[str, Any]:
        with self._lock:
            task = self._task(task_id)
            now = self._refresh(task)
            if task.state() == COMPLETED:
                return {"taskId": task_id}
            for device_id, execution in task.executions.items():
                if execution.state == QUEUED and not execution.pinned:
                    self._devices[device_id].queue.remove(execution, now)
                    execution.plan = None
                    execution.move(CANCELED, now)
            if task.canceled_at is None:
                task.canceled_at = now
            return {"taskId": task_id}

    def describe_task(self, task_id: str) -> dict[str, Any]:
        with self._lock:
            task = self._task(task_id)
            self._refresh(task)
            epoch = self.clock.epoch
            completed = task.completed_at()
            output = {
                "taskId": task.task_id,
                "taskArn": task.task_arn,
                "targets": list(task.targets),
                "state": task.state(),
                "createdAt": epoch(task.created_at),
                "lastUpdatedAt": epoch(task.updated_at()),
                "tags": dict(task.tags),
            }
            if completed is not None:
                output["completedAt"] = epoch(completed)
            if task.description is not None:
                output["description"] = task.description
            return output

    def list_tasks(self, *, state: str | None, after: int | None, limit: int) -> tuple[list[dict], int | None]:
        with self._lock:
            start = 0 if after is None else bisect.bisect_right(self._task_seqs, after)
            page: list[dict] = []
            last_seq = -1
            for seq in self._task_seqs[start:]:
                task = self._task_by_seq[seq]
                self._refresh(task)
                task_state = task.state()
                if state is not None and task_state != state:
                    continue
                if len(page) == limit:
                    return page, last_seq
                page.append({"taskId": task.task_id, "taskArn": task.task_arn, "state": task_state,
                             "tags": dict(task.tags)})
                last_seq = seq
            return page, None

    def describe_execution(self, task_id: str, device_id: str) -> dict[str, Any]:
        with self._lock:
            execution = self._execution(task_id, device_id)
            self._advance(self._devices[device_id])
            epoch = self.clock.epoch
            output = {
                "taskId": task_id,
                "managedDeviceId": device_id,
                "executionId": execution.execution_id,
                "state": execution.state,
                "lastUpdatedAt": epoch(execution.updated_at),
            }
            if execution.started_at is not None:
                output["startedAt"] = epoch(execution.started_at)
            return output

    def list_executions(
        self, *, task_id: str, state: str | None, after: int | None, limit: int
    ) -> tuple[list[dict], int | None]:
        with self._lock:
            task = self._task(task_id)
            self._refresh(task)
            page: list[dict] = []
            start = 0 if after is None else after + 1
            for index, device_id in enumerate(task.targets[start:], start):
                execution = task.executions.get(device_id)
                if execution is None or (state is not None and execution.state != state):
                    continue
                if len(page) == limit:
                    return page, index - 1
                page.append({"taskId": task_id, "managedDeviceId": device_id,
                             "executionId": execution.execution_id, "state": execution.state})
            return page, None

    # ---- devices -------------------------------------------------------------------------------------------

    def describe_device(self, device_id: str, region: str) -> dict[str, Any]:
        with self._lock:
            device = self._device(device_id)
            now = self._advance(device)
            return device.describe(region, self.account_id, now, self.clock.epoch)

    def list_devices(
        self, *, job_id: str | None, after: int | None, limit: int, region: str
    ) -> tuple[list[dict], int | None]:
        with self._lock:
            page: list[dict] = []
            start = 0 if after is None else after + 1
            for device in self._device_order[start:]:
                if job_id is not None and device.description["associatedWithJob"] != job_id:
                    continue
                if len(page) == limit:
                    return page, device.seq - 1
                page.append(device.summary(region, self.account_id))
            return page, None

    def list_device_resources(
        self, *, device_id: str, resource_type: str | None, after: int | None, limit: int, region: str
    ) -> tuple[list[dict], int | None]:
        with self._lock:
            resources = self._device(device_id).resources(region, self.account_id)
            start = 0 if after is None else after + 1
            page: list[dict] = []
            for index, resource in enumerate(resources[start:], start):
                if resource_type is not None and resource["resourceType"] != resource_type:
                    continue
                if len(page) == limit:
                    return page, index - 1
                page.append(resource)
            return page, None

    def describe_device_ec2_instances(self, device_id: str, instance_ids: list[str]) -> dict[str, Any]:
        with self._lock:
            device = self._device(device_id)
            self._advance(device)
            return {"instances": device.ec2_instances(instance_ids, self.clock.epoch)}

    # ---- tags ----------------------------------------------------------------------------------------------

    def list_tags(self, resource_arn: str) -> dict[str, Any]:
        with self._lock:
            return {"tags": dict(self._tagged(resource_arn).tags)}

    def tag_resource(self, resource_arn: str, tags: Mapping[str, str]) -> None:
        with self._lock:
            self._tagged(resource_arn).tags.update(tags)

    def untag_resource(self, resource_arn: str, tag_keys: Iterable[str]) -> None:
        with self._lock:
            holder = self._tagged(resource_arn)
            for key in tag_keys:
                holder.tags.pop(key, None)

    # ---- lookups and lazy progress -------------------------------------------------------------------------

    def _add(self, spec, now: float) -> None:
        device = Device(spec, len(self._device_order), now)
        self._devices[spec.device_id] = device
        self._device_order.append(device)

    def _device(self, device_id: str) -> Device:
        device = self._devices.get(device_id)
        if device is None:
            raise ResourceNotFoundException(f"managedDeviceId: no managed device {device_id} in this account")
        return device

    def _task(self, task_id: str) -> Task:
        task = self._tasks.get(task_id)
        if task is None:
            raise ResourceNotFoundException(f"taskId: no task {task_id} in this account")
        return task

    def _execution(self, task_id: str, device_id: str) -> Execution:
        execution = self._task(task_id).executions.get(device_id)
        if execution is None:
            raise ResourceNotFoundException(f"no execution of task {task_id} on managed device {device_id}")
        return execution

    def _tagged(self, resource_arn: str) -> Task | Device:
        parts = parse_arn(resource_arn)
        if parts is None:
            raise ValidationException(
                f"resourceArn: {resource_arn} is not a Snow Device Management ARN; expected "
                "arn:aws:snow-device-management:REGION:ACCOUNT:task/ID or ...:managed-device/ID"
            )
        _, account_id, kind, resource_id = parts
        holder = None
        if account_id == self.account_id:
            holder = self._tasks.get(resource_id) if kind == TASK else self._devices.get(resource_id)
        if holder is None:
            raise ResourceNotFoundException(f"resourceArn: no {kind} with ARN {resource_arn}")
        return holder

    def _advance(self, device: Device) -> float:
        now = self.clock.now()
        device.queue.advance(now, device.behaviour, device.on_transition)
        return now

    def _refresh(self, task: Task) -> float:
        now = self.clock.now()
        for device_id in task.executions:
            device = self._devices[device_id]
            device.queue.advance(now, device.behaviour, device.on_transition)
        return now

    def _check_targets(self, targets: list[str]) -> None:
        seen: set[str] = set()
        repeated = []
        for target in targets:
            if target in seen:
                repeated.append(target)
            seen.add(target)
        if repeated:
            raise ValidationException(f"targets: {', '.join(repeated)} listed more than once; list each device once")
        unknown = [target for target in targets if target not in self._devices]
        if unknown:
            raise ResourceNotFoundException(f"targets: no managed device {', '.join(unknown)} in this account")

    def _check_quota(self) -> None:
        limit = self.scenario.open_task_quota
        if limit is None:
            return
        open_tasks = 0
        for task in self._tasks.values():
            self._refresh(task)
            if task.state() == IN_PROGRESS:
                open_tasks += 1
        if open_tasks >= limit:
            raise ServiceQuotaExceededException(
                f"CreateTask: this account already has {open_tasks} open tasks, the quota is {limit}; "
                "wait for tasks to complete or cancel some"
            )


def _spec(device_id: str, fields: Mapping[str, Any], behaviour, description):
    try:
        return device_spec(device_id, dict(fields), behaviour, description, f"device {device_id}")
    except ScenarioError as error:
        raise ValidationException(str(error)) from error

