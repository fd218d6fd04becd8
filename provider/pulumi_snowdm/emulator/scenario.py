"""Scenarios: which devices exist and how each one answers commands, read from JSON, TOML or a dict.

    {
      "time_scale": 60,
      "default": {"outcome": "SUCCEEDED", "queued_seconds": 2, "run_seconds": 30},
      "devices": {
        "smd-lab-1": {"outcome": "FAILED", "deviceState": "LOCKED"},
        "smd-lab-2": {"online": false},
        "smd-lab-3": {"commands": {"unlock": {"outcome": "REJECTED"}}}
      },
      "fleet": {"count": 1000, "prefix": "smd-fleet-", "run_seconds": 5},
      "faults": {"throttle_rate": 0.1, "seed": 7},
      "rates": {"ListExecutions": 20, "*": 50},
      "deny": ["CancelTask"],
      "quota": {"open_tasks": 50},
      "credentials": {"AKIDEXAMPLE": "secret"}
    }

Behaviour keys (in `default`, a device, the fleet, or `commands.<command>`): outcome (SUCCEEDED, FAILED, REJECTED,
TIMED_OUT), queued_seconds, run_seconds (device seconds), online (an offline device keeps its executions QUEUED),
fail_first (not in `commands`: the device's first N executions end FAILED, later ones end as `outcome`: a device
that is busy once).
Description keys (anywhere but `commands`) are DescribeDevice members checked against the service model: deviceState,
deviceType, associatedWithJob, software, deviceCapacities, physicalNetworkInterfaces, tags, lastReachedOutAt; plus
`instances`, a list of EC2 Instance objects the device reports. `devices` may also be a list of objects with an `id`.
`rates` are request-rate quotas per operation (requests per second, see rates.py).
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from collections.abc import Mapping
from typing import Any

from pulumi_snowdm._core.model_constraints import shape_problems
from pulumi_snowdm._core.service_model import service_model, structure
from pulumi_snowdm.emulator.faults import FaultSettings, is_number
from pulumi_snowdm.emulator.rates import Rate, parse_rates

OUTCOMES = ("SUCCEEDED", "FAILED", "REJECTED", "TIMED_OUT")
BEHAVIOUR_KEYS = ("outcome", "queued_seconds", "run_seconds", "online", "fail_first")
DESCRIPTION_KEYS = (
    "deviceState",
    "deviceType",
    "associatedWithJob",
    "software",
    "deviceCapacities",
    "physicalNetworkInterfaces",
    "tags",
    "lastReachedOutAt",
)
TOP_LEVEL_KEYS = ("time_scale", "default", "devices", "fleet", "faults", "rates", "deny", "quota", "credentials")

DEFAULT_SCENARIO: dict[str, Any] = {
    "default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 3},
    "fleet": {"count": 4, "prefix": "smd-demo-"},
}


class ScenarioError(ValueError):
    """A scenario file or dict breaks a rule; the message names the key and says what is allowed."""


@dataclasses.dataclass(frozen=True)
class Step:
    """How one command plays out on a device: the final state and how long each phase lasts."""

    outcome: str
    queued_seconds: float
    run_seconds: float


@dataclasses.dataclass(frozen=True)
class Behaviour:
    """How a device answers commands; `commands` overrides the step for one command."""

    outcome: str = "SUCCEEDED"
    queued_seconds: float = 1.0
    run_seconds: float = 3.0
    online: bool = True
    fail_first: int = 0
    commands: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)

    def step(self, command: str) -> Step:
        override = self.commands.get(command, {})
        return Step(
            outcome=override.get("outcome", self.outcome),
            queued_seconds=float(override.get("queued_seconds", self.queued_seconds)),
            run_seconds=float(override.get("run_seconds", self.run_seconds)),
        )

    def changed(self, changes: Mapping[str, Any], where: str = "behaviour") -> Behaviour:
        """A copy with `changes` (behaviour keys and `commands`) applied, after checking them."""
        _check_behaviour(changes, where, allow=BEHAVIOUR_KEYS + ("commands",))
        fields = {key: changes[key] for key in BEHAVIOUR_KEYS if key in changes}
        if "commands" in changes:
            fields["commands"] = {**self.commands, **changes["commands"]}
        return dataclasses.replace(self, **fields)


@dataclasses.dataclass(frozen=True)
class DeviceSpec:
    """One device of a scenario: its id, behaviour, DescribeDevice members and EC2 instances."""

    device_id: str
    behaviour: Behaviour
    description: Mapping[str, Any]
    instances: tuple[Mapping[str, Any], ...]


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A checked scenario, ready for the model; `source` is the dict it came from."""

    devices: tuple[DeviceSpec, ...]
    default: Behaviour
    default_description: Mapping[str, Any]
    faults: FaultSettings
    rates: Mapping[str, Rate]
    time_scale: float | None
    deny: frozenset[str]
    open_task_quota: int | None
    credentials: Mapping[str, str] | None
    source: Mapping[str, Any]


def load_scenario(source: None | Scenario | Mapping[str, Any] | str | os.PathLike) -> Scenario:
    """Read a scenario from a dict, a .json/.toml path, or None for the small default fleet (a Scenario is kept)."""
    if isinstance(source, Scenario):
        return source
    if source is None:
        data: Any = DEFAULT_SCENARIO
    elif isinstance(source, Mapping):
        data = source
    else:
        data = _read_file(os.fspath(source))
    if not isinstance(data, Mapping):
        raise ScenarioError(f"scenario: must be an object, got {type(data).__name__}")
    return _parse(data)


def _read_file(path: str) -> Any:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise ScenarioError(f"scenario file {path}: cannot be read ({error.strerror})") from error
    try:
        if path.endswith(".toml"):
            return tomllib.loads(raw.decode("utf-8"))
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        language = "TOML" if path.endswith(".toml") else "JSON"
        raise ScenarioError(f"scenario file {path}: is not valid {language}: {error}") from error


def _parse(data: Mapping[str, Any]) -> Scenario:
    _check_keys(data, TOP_LEVEL_KEYS, "scenario")
    source = dict(data)
    if "devices" not in data and "fleet" not in data:
        # A scenario of faults, clock or credentials alone keeps the demo devices, with its own defaults on top.
        default = data.get("default", {})
        if isinstance(default, Mapping):
            default = {**DEFAULT_SCENARIO["default"], **default}
        data = {**data, "fleet": DEFAULT_SCENARIO["fleet"], "default": default}
    default_block = data.get("default", {})
    _check_block(default_block, "default")
    default = Behaviour().changed(_behaviour_part(default_block), "default")
    default_description = _description_part(default_block)
    devices = _devices(data, default, default_description)
    time_scale = data.get("time_scale")
    if time_scale is not None and (not is_number(time_scale) or time_scale < 0):
        raise ScenarioError(f"time_scale: must be a number >= 0, got {time_scale!r}")
    return Scenario(
        devices=tuple(devices),
        default=default,
        default_description=default_description,
        faults=_faults(data.get("faults", {})),
        rates=_rates(data.get("rates", {})),
        time_scale=None if time_scale is None else float(time_scale),
        deny=_deny(data.get("deny", [])),
        open_task_quota=_quota(data.get("quota", {})),
        credentials=_credentials(data.get("credentials")),
        source=source,
    )


def _explicit_devices(block: Any) -> dict[str, dict[str, Any]]:
    explicit: dict[str, dict[str, Any]] = {}
    for device_id, entry in _device_entries(block):
        if device_id in explicit:
            raise ScenarioError(f"devices[{device_id!r}]: appears twice")
        if not isinstance(entry, Mapping):
            raise ScenarioError(f"devices[{device_id!r}]: must be an object")
        explicit[device_id] = dict(entry)
    return explicit


def _device_entries(block: Any) -> list[tuple[Any, Any]]:
    """(device id, settings) from either form of the `devices` block: keyed by id, or a list with an 'id'."""
    if isinstance(block, Mapping):
        return list(block.items())
    if not isinstance(block, list):
        raise ScenarioError("devices: must be an object keyed by device id, or a list of objects with an 'id'")
    entries = []
    for index, entry in enumerate(block):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            raise ScenarioError(f"devices[{index}]: must be an object with a string 'id'")
        entries.append((entry["id"], {key: value for key, value in entry.items() if key != "id"}))
    return entries


def _devices(data: Mapping[str, Any], default: Behaviour, description: Mapping[str, Any]) -> list[DeviceSpec]:
    """Named devices first, then the fleet; a named device that is also a fleet member keeps its fleet position
    and gets the fleet's settings with its own on top."""
    explicit = _explicit_devices(data.get("devices", {}))
    fleet_ids, fleet_entry = _fleet(data.get("fleet"))
    in_fleet = set(fleet_ids)
    specs = [
        device_spec(device_id, entry, default, description, f"devices[{device_id!r}]")
        for device_id, entry in explicit.items()
        if device_id not in in_fleet
    ]
    if fleet_ids:
        template = device_spec(fleet_ids[0], fleet_entry, default, description, "fleet")
        for device_id in fleet_ids:
            if device_id in explicit:
                entry = {**fleet_entry, **explicit[device_id]}
                specs.append(device_spec(device_id, entry, default, description, f"devices[{device_id!r}]"))
            else:
                specs.append(dataclasses.replace(template, device_id=device_id))
    return specs


def _fleet(block: Any) -> tuple[list[str], dict[str, Any]]:
    if block is None:
        return [], {}
    if not isinstance(block, Mapping):
        raise ScenarioError("fleet: must be an object like {\"count\": 1000, \"prefix\": \"smd-fleet-\"}")
    count, prefix = block.get("count"), block.get("prefix", "smd-fleet-")
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 100_000:
        raise ScenarioError(f"fleet.count: must be an integer from 0 to 100000, got {count!r}")
    if not isinstance(prefix, str):
        raise ScenarioError(f"fleet.prefix: must be a string, got {prefix!r}")
    width = max(4, len(str(count - 1)))
    entry = {key: value for key, value in block.items() if key not in ("count", "prefix")}
    return [f"{prefix}{index:0{width}d}" for index in range(count)], entry


def device_spec(
    device_id: Any, entry: Any, default: Behaviour, description: Mapping[str, Any], where: str
) -> DeviceSpec:
    """Check one device block (behaviour, description, instances) and build its spec on top of the defaults."""
    id_shape = service_model().shape_for("ManagedDeviceId")
    problems = shape_problems(id_shape, device_id, f"{where} id")
    if problems:
        raise ScenarioError("; ".join(problems))
    _check_block(entry, where)
    instances = entry.get("instances", [])
    instance_shape = service_model().shape_for("Instance")
    if not isinstance(instances, list):
        raise ScenarioError(f"{where}.instances: must be a list of EC2 Instance objects")
    for index, instance in enumerate(instances):
        problems = shape_problems(instance_shape, instance, f"{where}.instances[{index}]")
        if isinstance(instance, Mapping) and not isinstance(instance.get("instanceId"), str):
            problems.append(f"{where}.instances[{index}].instanceId: is required")
        if problems:
            raise ScenarioError("; ".join(problems))
    return DeviceSpec(
        device_id=device_id,
        behaviour=default.changed(_behaviour_part(entry), where),
        description={**description, **_description_part(entry)},
        instances=tuple(instances),
    )


def _check_block(block: Any, where: str) -> None:
    if not isinstance(block, Mapping):
        raise ScenarioError(f"{where}: must be an object")
    _check_keys(block, BEHAVIOUR_KEYS + ("commands", "instances") + DESCRIPTION_KEYS, where)
    output = structure(service_model().operation_model("DescribeDevice").output_shape)
    for key in DESCRIPTION_KEYS:
        if key in block:
            problems = shape_problems(output.members[key], block[key], f"{where}.{key}")
            if problems:
                raise ScenarioError("; ".join(problems))


def _check_behaviour(changes: Mapping[str, Any], where: str, allow: tuple[str, ...]) -> None:
    _check_keys(changes, allow, where)
    outcome = changes.get("outcome")
    if outcome is not None and outcome not in OUTCOMES:
        raise ScenarioError(f"{where}.outcome: must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
    for key in ("queued_seconds", "run_seconds"):
        if key in changes and (not is_number(changes[key]) or changes[key] < 0):
            raise ScenarioError(f"{where}.{key}: must be a number of device seconds >= 0, got {changes[key]!r}")
    first = changes.get("fail_first", 0)
    if isinstance(first, bool) or not isinstance(first, int) or first < 0:
        raise ScenarioError(f"{where}.fail_first: must be a whole number of executions >= 0, got "
                            f"{changes['fail_first']!r}")
    if "online" in changes and not isinstance(changes["online"], bool):
        raise ScenarioError(f"{where}.online: must be true or false, got {changes['online']!r}")
    _check_commands(changes.get("commands", {}), where)


def _check_commands(commands: Any, where: str) -> None:
    known = tuple(structure(service_model().shape_for("Command")).members)
    if not isinstance(commands, Mapping):
        raise ScenarioError(f"{where}.commands: must be an object keyed by command ({', '.join(known)})")
    for command, override in commands.items():
        if command not in known:
            raise ScenarioError(f"{where}.commands.{command}: unknown command; commands are {', '.join(known)}")
        if not isinstance(override, Mapping):
            raise ScenarioError(f"{where}.commands.{command}: must be an object")
        _check_behaviour(override, f"{where}.commands.{command}", allow=("outcome", "queued_seconds", "run_seconds"))


def _check_keys(block: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = [key for key in block if key not in allowed]
    if unknown:
        raise ScenarioError(f"{where}: unknown key {unknown[0]!r}; allowed keys are {', '.join(allowed)}")


def _behaviour_part(block: Mapping[str, Any]) -> dict[str, Any]:
    return {key: block[key] for key in BEHAVIOUR_KEYS + ("commands",) if key in block}


def _description_part(block: Mapping[str, Any]) -> dict[str, Any]:
    return {key: block[key] for key in DESCRIPTION_KEYS if key in block}


def _faults(block: Any) -> FaultSettings:
    if not isinstance(block, Mapping):
        raise ScenarioError("faults: must be an object")
    try:
        return FaultSettings.from_dict(block)
    except ValueError as error:
        raise ScenarioError(f"faults: {error}") from error


def _rates(block: Any) -> dict[str, Rate]:
    try:
        return parse_rates(block)
    except ValueError as error:
        raise ScenarioError(str(error)) from error


def _deny(block: Any) -> frozenset[str]:
    known = service_model().operation_names
    if not isinstance(block, list) or any(name not in known for name in block):
        raise ScenarioError(f"deny: must be a list of operation names from {', '.join(known)}")
    return frozenset(block)


def _quota(block: Any) -> int | None:
    if not isinstance(block, Mapping):
        raise ScenarioError("quota: must be an object like {\"open_tasks\": 50}")
    _check_keys(block, ("open_tasks",), "quota")
    limit = block.get("open_tasks")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise ScenarioError(f"quota.open_tasks: must be an integer >= 0, got {limit!r}")
    return limit


def _credentials(block: Any) -> dict[str, str] | None:
    if block is None:
        return None
    if not isinstance(block, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in block.items()):
        raise ScenarioError("credentials: must map access key ids to secret access keys (strings)")
    return dict(block)
