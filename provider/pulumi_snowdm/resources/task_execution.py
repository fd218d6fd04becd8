"""TaskExecution: a gate that passes when one device's execution of a task succeeds, and fails the deployment
otherwise.

create waits for the execution to reach a final state (see `_core.wait.loop` for the loop and
`_core.wait.acceptors` for which states pass): SUCCEEDED passes; FAILED, REJECTED, TIMED_OUT and CANCELED (unless
`accept_canceled`) fail the deployment with the device's diagnosis, so nothing that depends on the gate is
deployed. The deadline is an input (`timeout_seconds`), since Pulumi's customTimeouts never reach dynamic
providers, and time in QUEUED has its own bound (an offline device queues forever). With `wait=False` the gate
records the state it finds and passes. Gates of the same task in one deployment share one ListExecutions poll
(`_core.wait.listing`); DescribeExecution is read once at the end, for the timestamps. When the first look does
not find the execution, a DescribeTask tells a task that does not exist (fail at once) from an execution not
listed yet (the grace period applies).

Outputs are what DescribeExecution answered. refresh reads the execution again: gone drops the gate from state, a
failing final state fails the refresh with the same message as create. Deleting a gate only forgets it: an
execution cannot be deleted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from pulumi_snowdm._core.client import sdm_client
from pulumi_snowdm._core.diagnosis import explain_execution_failure
from pulumi_snowdm._core.errors import ExecutionFailed, NotFound, SnowdmError
from pulumi_snowdm._core.finders import device_or_none, find_execution
from pulumi_snowdm._core.spec import TASK_EXECUTION
from pulumi_snowdm._core.spec import TIMING_FIELDS as TIMING_NAMES
from pulumi_snowdm._core.task_actions import existing_tasks
from pulumi_snowdm._core.times import iso
from pulumi_snowdm._core.wait import acceptors
from pulumi_snowdm._core.wait.acceptors import Verdict
from pulumi_snowdm._core.wait.listing import LISTINGS, settings_lister
from pulumi_snowdm._core.wait.loop import DescribeSource, ExecutionGate, ListingSource, wait_until_decided
from pulumi_snowdm._core.wait.policy import WaitPolicy
from pulumi_snowdm.resources.declared import check_result, diff_result, given_inputs, input_check, registration_props
from pulumi_snowdm.resources.naming import SnakeCaseProperties
from pulumi_snowdm.resources.progress import report, wait_lines
from pulumi_snowdm.resources.provider import SdmProvider, with_provider
from pulumi_snowdm.resources.timing import check_timing, wait_policy

# The outputs an update in place keeps: the execution is the same.
OUTPUTS = ("executionId", "state", "startedAt", "lastUpdatedAt")


def execution_outputs(execution: Mapping[str, Any]) -> dict[str, Any]:
    """The gate's outputs from a DescribeExecution answer, never from the inputs."""
    return {
        "executionId": execution.get("executionId"),
        "state": execution.get("state"),
        "startedAt": iso(execution.get("startedAt")),
        "lastUpdatedAt": iso(execution.get("lastUpdatedAt")),
        "managedDeviceId": execution.get("managedDeviceId"),
        "taskId": execution.get("taskId"),
    }


class TaskExecutionProvider(SdmProvider):
    """Dynamic provider of TaskExecution: waits through the task's shared watch and judges the final state."""

    def check(self, _olds: dict, news: dict):
        check = input_check(TASK_EXECUTION, news)
        check.check_all(skip=tuple(TIMING_NAMES))
        check_timing(check)
        self.settings()  # a bad region or endpoint fails preview, before any call
        return check_result(check)

    def create(self, props: dict) -> CreateResult:
        execution = self._wait(props) if props.get("wait", True) else self._first_look(props)
        return CreateResult(f"{props['taskId']}/{props['managedDeviceId']}", _outputs(props, execution))

    def read(self, id_: str, props: dict) -> ReadResult:
        task_id, _, device_id = id_.partition("/")
        client = self.client()
        # A refresh reads what is there now: gone at once drops the gate; a busy service is outlasted.
        policy = dataclasses.replace(wait_policy(props), not_found_grace_seconds=0)
        try:
            execution = _look(client, task_id, device_id, policy)
        except NotFound:
            return ReadResult("", {})
        self._judge(client, execution, bool(props.get("acceptCanceled")))
        return ReadResult(id_, _outputs({**props, "taskId": task_id, "managedDeviceId": device_id}, execution))

    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        return diff_result(TASK_EXECUTION, olds, news)

    def update(self, _id: str, olds: dict, news: dict) -> UpdateResult:
        # Only waiting settings changed: the execution is the same. A gate that recorded an unfinished state
        # (wait=False) and now waits must wait, though; otherwise its outputs stay as they were.
        if news.get("wait", True) and not acceptors.verdict(olds.get("state") or "").final:
            return UpdateResult(_outputs(news, self._wait(news)))
        return UpdateResult({**{k: olds.get(k) for k in OUTPUTS}, **given_inputs(TASK_EXECUTION, news)})

    def delete(self, _id: str, _props: dict) -> None:
        """An execution cannot be deleted; the gate is only removed from state."""

    def _wait(self, props: dict) -> dict:
        """Wait through the process's shared listing of the task: gates of one task share its ListExecutions."""
        settings = self.settings()
        client = sdm_client(settings)
        task_id, device_id = props["taskId"], props["managedDeviceId"]
        policy = wait_policy(props)
        label = f"task {task_id} on {device_id}"

        def explain(summary: dict) -> str:
            # The listing has no timestamps: read the full record, and the device's story, for the message.
            return explain_execution_failure(_execution(client, summary), device_or_none(client, device_id))

        gate = ExecutionGate(task_id, device_id, accept_canceled=bool(props.get("acceptCanceled")), explain=explain,
                             confirm_task=_task_check(client, task_id, label))
        with LISTINGS.subscribe(settings, [task_id], settings_lister(settings), devices=[device_id],
                                interval=policy.initial_delay_seconds) as subscription:
            wait_until_decided(ListingSource(subscription), gate, policy, label=label,
                               events=wait_lines(label, single=True))
        # Outputs carry startedAt and lastUpdatedAt, which only DescribeExecution gives. The gate has passed: a
        # busy service must not turn that into a failed deployment.
        return _look(client, task_id, device_id, policy)

    def _first_look(self, props: dict) -> dict:
        """wait=False: the state as it is now, allowing the grace period for an execution not there yet."""
        client = self.client()
        task_id, device_id = props["taskId"], props["managedDeviceId"]
        label = f"task {task_id} on {device_id}"
        confirm = _task_check(client, task_id, label)
        execution = _look(client, task_id, device_id, wait_policy(props), confirm_task=confirm)
        report(f"{label}: recorded {execution['state']} without waiting (wait=False)")
        return execution

    def _judge(self, client, execution: dict, accept_canceled: bool) -> None:
        """Fail a refresh that finds the execution in a failing final state, as create would have."""
        if acceptors.verdict(execution.get("state", ""), accept_canceled=accept_canceled) is Verdict.FAIL:
            device = device_or_none(client, execution["managedDeviceId"])
            raise ExecutionFailed(explain_execution_failure(execution, device))


def _task_check(client, task_id: str, label: str):
    """DescribeTask, when an execution is not there at first: a missing task fails at once, naming `task_id`."""
    return lambda: existing_tasks(client, [task_id], prop="task_id", label=label, report=report)


def _look(client, task_id: str, device_id: str, policy: WaitPolicy, confirm_task=None) -> dict:
    """DescribeExecution through the wait loop: NotFound within the policy's grace and a busy service are waited out."""
    label = f"task {task_id} on {device_id}"
    source = DescribeSource(lambda: find_execution(client, task_id, device_id), task_id, device_id)
    gate = ExecutionGate(task_id, device_id, confirm_task=confirm_task)
    decided = wait_until_decided(source, gate, policy, label=label,
                                 events=wait_lines(label, single=True, states=False), until_seen=True)
    return decided.view[(task_id, device_id)]


def _execution(client, summary: dict) -> dict:
    """DescribeExecution for a listed execution, or the listing itself if that read fails."""
    try:
        return find_execution(client, summary["taskId"], summary["managedDeviceId"])
    except SnowdmError:
        return summary


def _outputs(props: Mapping[str, Any], execution: Mapping[str, Any]) -> dict[str, Any]:
    return {**given_inputs(TASK_EXECUTION, props), **execution_outputs(execution)}


class TaskExecution(SnakeCaseProperties, Resource, module="snowdm", name="TaskExecution"):
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
        super().__init__(TaskExecutionProvider(), resource_name, registration_props(TASK_EXECUTION, locals()),
                         with_provider(opts))
