"""Check values against botocore shapes: every constraint the service model states, and nothing hand-written.

boto3 checks only required members, minimums and unions on the client; the service checks the rest (maximums,
patterns, enums). The provider's `check` and the emulator's request validation both call this module so that they
reject exactly what the model forbids, with messages that start with the offending path and say what is allowed:

    taskId: must be 1 to 64 characters, got 70
    description: must match [A-Za-z0-9 _.,!#]*
    command: exactly one of reboot, unlock must be set

Each shape is compiled once into a checker (patterns compiled, member tables built) and cached for the life of the
shape object.
"""

from __future__ import annotations

import datetime
import re
import weakref
from collections.abc import Callable
from typing import Any

import botocore.model

from pulumi_snowdm._core.service_model import service_model

Checker = Callable[[object, str, list], None]

_checkers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

_JSON_TYPE_NAMES = {
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    list: "list",
    tuple: "list",
    dict: "object",
    type(None): "null",
    bytes: "bytes",
}


def shape_problems(shape: botocore.model.Shape, value: object, path: str) -> list[str]:
    """Return every constraint of `shape` that `value` violates, each message starting with its path."""
    problems: list[str] = []
    _checker(shape)(value, path, problems)
    return problems


def input_problems(operation: str, member: str, value: object) -> list[str]:
    """Return the problems of one member of an operation's input; None counts as absent."""
    input_shape = service_model().operation_model(operation).input_shape
    members = input_shape.members if input_shape is not None else {}
    required = input_shape.required_members if input_shape is not None else []
    if member not in members:
        allowed = ", ".join(members) or "none"
        return [f"{member}: is not an input of {operation}; inputs are {allowed}"]
    if value is None:
        return [f"{member}: is required"] if member in required else []
    return shape_problems(members[member], value, member)


def _checker(shape: botocore.model.Shape) -> Checker:
    checker = _checkers.get(shape)
    if checker is None:
        checker = _compile(shape)
        _checkers[shape] = checker
    return checker


def _compile(shape: botocore.model.Shape) -> Checker:
    # Each compiler takes the Shape subclass that botocore builds for its type name (StructureShape for "structure").
    compilers: dict[str, Callable[[Any], Checker]] = {
        "structure": _structure_checker,
        "list": _list_checker,
        "map": _map_checker,
        "string": _string_checker,
        "integer": _integer_checker,
        "long": _integer_checker,
        "float": _number_checker,
        "double": _number_checker,
        "boolean": _boolean_checker,
        "timestamp": _timestamp_checker,
        "blob": _blob_checker,
    }
    compiler = compilers.get(shape.type_name)
    if compiler is None:
        return lambda value, path, problems: None
    return compiler(shape)


def _got(value: object) -> str:
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _range_text(low: int | None, high: int | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{low} to {high} {unit}"
    if low is not None:
        return f"at least {low} {unit}"
    return f"at most {high} {unit}"


def _bounds(shape: botocore.model.Shape, zero_is_unbounded: bool) -> tuple[int | None, int | None]:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if zero_is_unbounded and low == 0:
        low = None
    return low, high


def _structure_checker(shape: botocore.model.StructureShape) -> Checker:
    members = dict(shape.members)
    required = tuple(shape.required_members)
    is_union = bool(shape.metadata.get("union"))
    allowed = ", ".join(members) or "none"

    def check(value, path, problems):
        if not isinstance(value, dict):
            problems.append(f"{path or 'input'}: must be an object, got {_got(value)}")
            return
        for name in required:
            if value.get(name) is None:
                problems.append(f"{_child(path, name)}: is required")
        present = []
        for name, item in value.items():
            member = members.get(name)
            if member is None:
                problems.append(f"{_child(path, str(name))}: unknown member; allowed members are {allowed}")
                continue
            if item is None:
                continue
            present.append(name)
            _checker(member)(item, _child(path, name), problems)
        if is_union and len(present) != 1:
            problems.append(f"{path or 'input'}: exactly one of {allowed} must be set")

    return check


def _sized_checker(shape, kind: type | tuple, kind_name: str, length_of) -> Callable:
    low, high = _bounds(shape, zero_is_unbounded=True)
    size_text = _range_text(low, high, "items") if (low is not None or high is not None) else ""

    def check_size(value, path, problems) -> bool:
        if not isinstance(value, kind):
            problems.append(f"{path}: must be a {kind_name}, got {_got(value)}")
            return False
        size = length_of(value)
        if (low is not None and size < low) or (high is not None and size > high):
            problems.append(f"{path}: must have {size_text}, got {size}")
        return True

    return check_size


def _list_checker(shape: botocore.model.ListShape) -> Checker:
    check_size = _sized_checker(shape, (list, tuple), "list", len)
    item_shape = shape.member

    def check(value, path, problems):
        if check_size(value, path, problems):
            item_check = _checker(item_shape)
            for index, item in enumerate(value):
                item_check(item, f"{path}[{index}]", problems)

    return check


def _map_checker(shape: botocore.model.MapShape) -> Checker:
    check_size = _sized_checker(shape, dict, "map", len)
    key_shape, value_shape = shape.key, shape.value

    def check(value, path, problems):
        if check_size(value, path, problems):
            key_check, value_check = _checker(key_shape), _checker(value_shape)
            for key, item in value.items():
                key_check(key, f"{path} key {key!r}", problems)
                value_check(item, f"{path}[{key!r}]", problems)

    return check


def _string_checker(shape: botocore.model.StringShape) -> Checker:
    low, high = _bounds(shape, zero_is_unbounded=True)
    length_text = _range_text(low, high, "characters") if (low is not None or high is not None) else ""
    enum = tuple(shape.enum) if getattr(shape, "enum", None) else ()
    enum_set = frozenset(enum)
    enum_text = ", ".join(enum)
    pattern_text = shape.metadata.get("pattern")
    try:
        pattern = re.compile(pattern_text) if pattern_text else None
    except re.error:
        # Some models use Java-only regex syntax; a pattern we cannot read is one we cannot enforce.
        pattern = None

    def check(value, path, problems):
        if not isinstance(value, str):
            problems.append(f"{path}: must be a string, got {_got(value)}")
            return
        size = len(value)
        if (low is not None and size < low) or (high is not None and size > high):
            problems.append(f"{path}: must be {length_text}, got {size}")
        if enum_set and value not in enum_set:
            problems.append(f"{path}: must be one of {enum_text}, got {value!r}")
        if pattern is not None and pattern.fullmatch(value) is None:
            problems.append(f"{path}: must match {pattern_text}")

    return check


def _integer_checker(shape: botocore.model.Shape) -> Checker:
    low, high = _bounds(shape, zero_is_unbounded=False)

    def check(value, path, problems):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: must be an integer, got {_got(value)}")
            return
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                problems.append(f"{path}: must be between {low} and {high}, got {value}")
            elif low is not None:
                problems.append(f"{path}: must be at least {low}, got {value}")
            else:
                problems.append(f"{path}: must be at most {high}, got {value}")

    return check


def _number_checker(shape: botocore.model.Shape) -> Checker:
    def check(value, path, problems):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: must be a number, got {_got(value)}")

    return check


def _boolean_checker(shape: botocore.model.Shape) -> Checker:
    def check(value, path, problems):
        if not isinstance(value, bool):
            problems.append(f"{path}: must be a boolean, got {_got(value)}")

    return check


def _timestamp_checker(shape: botocore.model.Shape) -> Checker:
    def check(value, path, problems):
        if isinstance(value, datetime.datetime):
            return
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return
        if isinstance(value, str):
            try:
                datetime.datetime.fromisoformat(value)
                return
            except ValueError:
                pass
        problems.append(f"{path}: must be a timestamp (datetime, epoch seconds or ISO 8601), got {_got(value)}")

    return check


def _blob_checker(shape: botocore.model.Shape) -> Checker:
    def check(value, path, problems):
        if not isinstance(value, (bytes, bytearray, str)):
            problems.append(f"{path}: must be bytes, got {_got(value)}")

    return check
