"""Every resource's properties, declared once: the one place a property's name, type, default, bounds,
replace-on-change and description are stated.

From these declarations come the input checks (`_core.input_checks`), the diff (`_core.changes`), the resources' props
and names (`resources/`), `schema.json` (`_core.schema`) and README's reference, both written by
`scripts/generate.py`. A property is camelCase in state, in the schema and on the wire; its Python name is the
snake_case form, which is how error messages name it to Python users.

Defaults and bounds of the waiting inputs are WaitPolicy's own (the wait engine's), so they are stated only there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from pulumi_snowdm._core.name_case import snake
from pulumi_snowdm._core.service_model import service_model, structure
from pulumi_snowdm._core.wait.policy import WaitPolicy

WEEK = 7 * 24 * 3600

# The members of CreateTask's `command` union in the service model; a resource takes one member's name.
_CREATE_TASK_INPUT = structure(service_model().operation_model("CreateTask").input_shape)
COMMANDS = tuple(sorted(structure(_CREATE_TASK_INPUT.members["command"]).members))


@dataclasses.dataclass(frozen=True)
class Prop:
    """One property of a resource.

    `kind` is one of: string, boolean, number, integer, ids (a list of distinct ids), strings (a list), tags (a map
    of strings), counts (a map of integers), records (a map of anything), reports (a list of anything), threshold
    (a count or "95%"), failures (a count or percentage, 0 allowed), waves (a list of counts or percentages),
    wave (a wave number or "all"), states (a list of execution end states).
    `api` names the (operation, member) whose service-model constraints the value must meet. `default` is what an
    absent input means; `bounds` is the allowed range of a number. `replaces`: a change replaces the resource.
    """

    name: str
    kind: str
    description: str
    default: Any = None
    bounds: tuple[float, float] | None = None
    max_length: int | None = None
    choices: tuple[str, ...] | None = None
    api: tuple[str, str] | None = None
    required: bool = False
    replaces: bool = False
    always: bool = False  # an output that is always set

    @property
    def python_name(self) -> str:
        return snake(self.name)

    def documented(self, description: str | None = None, shown: Callable[[Any], str] | None = None) -> str:
        """The description and then the default and bounds the code enforces, so the docs cannot drift from them.

        A host's docs may pass the description in its own naming and `shown`, how its language writes a value
        (Python's True for the schema's true).
        """
        shown = shown or _shown
        description = self.description if description is None else description
        facts = []
        if self.choices:
            facts.append(f"one of {', '.join(self.choices)}")
        if self.default is not None and self.kind in ("boolean", "number", "integer"):
            facts.append(f"default {shown(self.default)}")
        if self.bounds:
            facts.append(f"from {shown(self.bounds[0])} to {shown(self.bounds[1])}")
        if self.max_length:
            facts.append(f"1 to {self.max_length} characters")
        if not facts:
            return description
        sentence = ", ".join(facts)
        return f"{description} {sentence[0].upper()}{sentence[1:]}."


@dataclasses.dataclass(frozen=True)
class ResourceSpec:
    """A resource: its inputs (what users set), internal inputs (set by the host), and outputs."""

    name: str
    description: str
    inputs: tuple[Prop, ...]
    outputs: tuple[Prop, ...]
    internal: tuple[Prop, ...] = ()

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in (*self.inputs, *self.internal))

    @property
    def replacing(self) -> tuple[str, ...]:
        return tuple(p.name for p in (*self.inputs, *self.internal) if p.replaces)

    def input(self, name: str) -> Prop:
        return next(p for p in (*self.inputs, *self.internal) if p.name == name)

    def inputs_in(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs set in `props`, kept in state beside the outputs (read and diff see old outputs)."""
        return {name: props[name] for name in self.input_names if props.get(name) is not None}

    def python_names(self) -> dict[str, str]:
        """camelCase -> snake_case for every property, inputs and outputs."""
        return {p.name: p.python_name for p in (*self.inputs, *self.internal, *self.outputs)}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---- shared declarations -------------------------------------------------------------------------------------------

_POLICY = WaitPolicy()


# Input name -> WaitPolicy field: the waiting inputs every gate takes.
TIMING_FIELDS = {
    "timeoutSeconds": "timeout_seconds",
    "queuedTimeoutSeconds": "queued_timeout_seconds",
    "notFoundGraceSeconds": "not_found_grace_seconds",
    "pollIntervalSeconds": "initial_delay_seconds",
    "maxPollIntervalSeconds": "max_delay_seconds",
    "heartbeatSeconds": "heartbeat_seconds",
}


def _timing(name: str, low: float, high: float, description: str) -> Prop:
    return Prop(name, "number", description, default=float(getattr(_POLICY, TIMING_FIELDS[name])), bounds=(low, high))


TIMING = (
    _timing("timeoutSeconds", 1, WEEK,
            "Deadline of the whole wait, in seconds. Pulumi's customTimeouts do not reach dynamic providers, so "
            "this input is the deadline."),
    _timing("queuedTimeoutSeconds", 1, WEEK,
            "How long an execution may stay QUEUED before the gate fails saying the device may be offline."),
    _timing("notFoundGraceSeconds", 0, 3600,
            "How long a missing execution of an existing task is waited for right after the task was created."),
    _timing("pollIntervalSeconds", 0.1, 600,
            "First delay between looks; grows with backoff and jitter."),
    _timing("maxPollIntervalSeconds", 0.1, 3600,
            "Largest delay between looks; at least pollIntervalSeconds."),
    _timing("heartbeatSeconds", 1, 3600, "Interval of the 'still waiting' progress line."),
)

RUN_ID_LENGTH = 128
SCOPE = Prop("scope", "string", "project/stack/resource name: what client tokens are scoped to.", max_length=1024,
             replaces=True)

# ---- the resources -------------------------------------------------------------------------------------------------

TASK = ResourceSpec(
    name="Task",
    description=(
        "An SDM task: unlock or reboot sent to 1 to 10 managed devices. Created once: retries send the same client "
        "token, so the command never runs twice for one resource; change runId to run it again on purpose. Given "
        "existingTaskId it adopts that task instead (and destroy leaves it). Tag changes update in place; other "
        "changes replace. Destroy cancels executions still QUEUED."
    ),
    inputs=(
        Prop("command", "string", "What the task runs (required unless existingTaskId is set).", choices=COMMANDS,
             replaces=True),
        Prop("targets", "strings", "Managed device ids, 1 to 10 (required unless existingTaskId is set).",
             api=("CreateTask", "targets"), replaces=True),
        Prop("description", "string", "1 to 128 characters of A-Z a-z 0-9 space _ . , ! #.",
             api=("CreateTask", "description"), replaces=True),
        Prop("tags", "tags", "Tags of the task; changes are applied in place.", default={},
             api=("CreateTask", "tags")),
        Prop("existingTaskId", "string", "Adopt this task instead of creating one.", api=("DescribeTask", "taskId"),
             replaces=True),
        Prop("runId", "string", "Any text: a new value creates the task again (a new client token).",
             max_length=RUN_ID_LENGTH, replaces=True),
    ),
    internal=(SCOPE,),
    outputs=(
        Prop("taskId", "string", "The task's id.", always=True),
        Prop("taskArn", "string", "The task's ARN.", always=True),
        Prop("state", "string", "IN_PROGRESS, CANCELED or COMPLETED, as DescribeTask answered.", always=True),
        Prop("targets", "strings", "The task's devices, as DescribeTask answered.", always=True),
        Prop("createdAt", "string", "When the task was created (ISO-8601 UTC).", always=True),
        Prop("lastUpdatedAt", "string", "When the task last changed (ISO-8601 UTC)."),
        Prop("completedAt", "string", "When the task completed (ISO-8601 UTC), if it has."),
        Prop("description", "string", "The task's description."),
        Prop("tags", "tags", "The task's tags.", always=True),
    ),
)

TASK_EXECUTION = ResourceSpec(
    name="TaskExecution",
    description=(
        "A gate on one device's execution of a task: create waits until the execution ends; SUCCEEDED passes, "
        "FAILED, REJECTED, TIMED_OUT and CANCELED (unless acceptCanceled) fail the deployment with the device's "
        "diagnosis. Refresh reads the execution again. The id is <taskId>/<managedDeviceId>."
    ),
    inputs=(
        Prop("taskId", "string", "The task's id.", api=("DescribeExecution", "taskId"), required=True,
             replaces=True),
        Prop("managedDeviceId", "string", "The device's id.", api=("DescribeExecution", "managedDeviceId"),
             required=True, replaces=True),
        Prop("wait", "boolean", "Wait for a final state; false records the current state at once.", default=True),
        Prop("acceptCanceled", "boolean", "Treat CANCELED as passing.", default=False),
        *TIMING,
    ),
    outputs=(
        Prop("executionId", "string", "The execution's id, as DescribeExecution answered.", always=True),
        Prop("state", "string", "One of QUEUED, IN_PROGRESS, CANCELED, FAILED, SUCCEEDED, REJECTED, TIMED_OUT.",
             always=True),
        Prop("startedAt", "string", "When the execution started (ISO-8601 UTC)."),
        Prop("lastUpdatedAt", "string", "When the execution last changed (ISO-8601 UTC)."),
        Prop("managedDeviceId", "string", "The device's id, as DescribeExecution answered.", always=True),
        Prop("taskId", "string", "The task's id, as DescribeExecution answered.", always=True),
    ),
)

FLEET_GATE = ResourceSpec(
    name="FleetGate",
    description=(
        "One gate over every execution of one or more tasks (taskIds), or over a device list of any length for "
        "which it creates the tasks itself in shards of 10 (devices + command), sending each device the command at "
        "most once per run (the stack, the gate's name, the command and runId), whatever the list holds when it is "
        "rerun. By default all must succeed; "
        "minSucceeded lowers the bar; failFast stops at the first failure that makes it unreachable. Waiting reads "
        "each task's executions with ListExecutions, shared with every other gate of the same task."
    ),
    inputs=(
        Prop("taskIds", "ids", "Wait on every execution of these tasks (exclusive with devices).",
             api=("DescribeTask", "taskId"), replaces=True),
        Prop("devices", "ids", "Create tasks for these devices, 10 per task, and wait on them (exclusive with "
                               "taskIds). A change is an update: devices added are sent the command, devices "
                               "removed are sent nothing, and no device is sent it twice in one run.",
             api=("DescribeDevice", "managedDeviceId")),
        Prop("command", "string", "What the created tasks run, with devices.", choices=COMMANDS, replaces=True),
        Prop("description", "string", "Description of the created tasks, with devices; a change applies to tasks "
                                       "created from then on.", api=("CreateTask", "description")),
        Prop("tags", "tags", "Tags of the created tasks, with devices; changes are applied in place. Keys starting "
                             "with snowdm: are the gate's own.", default={}, api=("CreateTask", "tags")),
        Prop("runId", "string", "With devices: a new value starts a new run, which sends the command to every "
                                "device again.", max_length=RUN_ID_LENGTH, replaces=True),
        Prop("waves", "waves", 'With devices: a staged rollout. Cumulative wave sizes, counts or percentages of the '
                               'device list taken in order, the last reaching every device: [1, "10%", "100%"] is '
                               "one canary, then up to 10%, then all. A wave's tasks are created once every "
                               "execution of the previous wave has ended and the failures stay within maxFailures. "
                               "May change at any time: a device already sent keeps its wave."),
        Prop("maxFailures", "failures", "With waves: how many failures the rollout tolerates, a count or a "
                                        'percentage like "5%" of the devices sent to so far (default 0). Past it no '
                                        "further wave starts and the failing wave's executions still QUEUED are "
                                        "canceled."),
        Prop("bakeSeconds", "number", "With waves: seconds to wait after a wave passed before the next starts, then "
                                      "look at the passed waves again.", default=0.0, bounds=(0, WEEK)),
        Prop("promoteTo", "wave", 'With waves: the last wave this run sends, a wave number or "all" (the default). '
                                  "The rollout stops after that wave and its bake and passes, the later waves "
                                  "reported held. Raising it in a later run is an update that carries the rollout "
                                  "on from there, sending no wave twice; lowering it sends nothing."),
        Prop("retries", "integer", "With devices: how many times a device whose execution ended in a state of "
                                   "retryOn is sent the command again, each attempt a new task in "
                                   "shards of 10 that no rerun sends twice. A device is judged on its latest "
                                   "attempt: thresholds and maxFailures count devices, not attempts.",
             default=0, bounds=(0, 10)),
        Prop("retryOn", "states", "With retries: the end states retried, out of FAILED, TIMED_OUT, REJECTED and "
                                  "CANCELED (default FAILED and TIMED_OUT)."),
        Prop("retryPauseSeconds", "number", "With retries: seconds to wait after a round of attempts ended, before "
                                            "the failed devices are sent the command again.", default=0.0,
             bounds=(0, 3600)),
        Prop("minSucceeded", "threshold", 'How many must succeed: a count, or a percentage like "95%" (default: '
                                          "all)."),
        Prop("failFast", "boolean", "Fail as soon as the threshold cannot be met.", default=False),
        Prop("acceptCanceled", "boolean", "Count CANCELED as succeeded.", default=False),
        Prop("executionTimes", "boolean", "Read startedAt/lastUpdatedAt of every execution once at the end (one "
                                          "DescribeExecution per device).", default=True),
        *TIMING,
    ),
    internal=(SCOPE,),
    outputs=(
        Prop("taskIds", "strings", "The tasks waited on.", always=True),
        Prop("counts", "counts", "Executions by state.", always=True),
        Prop("executions", "records", "Per device: executionId, state, startedAt, lastUpdatedAt and taskId.",
             always=True),
        Prop("failedDevices", "strings", "Devices whose executions failed.", always=True),
        Prop("succeeded", "integer", "How many executions succeeded.", always=True),
        Prop("total", "integer", "How many executions were waited on.", always=True),
        Prop("required", "integer", "How many had to succeed.", always=True),
        Prop("waveReports", "reports", "With waves, per wave: wave (its number), status (passed, aborted or not "
                                       "started; held: not yet sent, after promoteTo), devices, tasks (task ids), "
                                       "counts (executions by state), startedAt and endedAt (ISO-8601 UTC, as "
                                       "DescribeTask tells)."),
        Prop("untouchedDevices", "strings", "With devices: devices the command was never sent to (a stopped "
                                            "rollout's later waves, a failed create's refused shards)."),
        Prop("abortedWave", "integer", "With waves: the number of the wave that stopped the rollout, if any (a "
                                       "stopped rollout fails the deployment; its message holds the same report)."),
        Prop("wavesDone", "integer", "With waves: how many waves have passed, from the first."),
        Prop("nextWave", "integer", "With waves: the wave a higher promoteTo sends next (null once every wave was "
                                    "sent, or after an abort)."),
        Prop("attempts", "records", "With retries, per device: its attempts, oldest first, each with attempt (its "
                                    "number), taskId, executionId and state."),
    ),
)

RESOURCES = (TASK, TASK_EXECUTION, FLEET_GATE)

# Provider settings (stack config `snowdm:<name>`), as the schema's config section describes them.
CONFIG = (
    Prop("region", "string", "SDM region; falls back to aws:region, then AWS_REGION, then AWS_DEFAULT_REGION."),
    Prop("profile", "string", "Named AWS profile; falls back to aws:profile, then AWS_PROFILE."),
    Prop("endpoint", "string", "Another SDM endpoint, such as the local emulator; plain http only for loopback "
                               "addresses."),
    Prop("retryMode", "string", "botocore retry mode for single calls: legacy, standard or adaptive (default: "
                                "AWS_RETRY_MODE or the profile's retry_mode, else standard)."),
    Prop("maxAttempts", "integer", "Attempts per call including the first (default: AWS_MAX_ATTEMPTS or the "
                                   "profile's max_attempts, else 10)."),
    Prop("connectTimeout", "number", "Seconds to connect (default 10)."),
    Prop("readTimeout", "number", "Seconds to read an answer (default 30)."),
    Prop("maxRequestsPerSecond", "number", "ListExecutions requests per second that every wait of the provider "
                                           "process shares, at most (default 100); fewer on its own when the "
                                           "service throttles. Set it at or below the account's quota."),
)
