"""The wire between the engine and the plugin: protobuf Structs as plain dicts, values unknown at preview, and the
scope (project/stack/name) of a resource's URN.

The plugin answers Configure with acceptSecrets=false, so no secret or resource-reference wrappers ever arrive:
values are plain JSON (every number a float), or the engine's sentinel for a value not known yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2

# What the engine sends for a value it does not know yet (pulumi's UNKNOWN sentinel).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def unknown(value: Any) -> bool:
    """True for a value the engine does not know yet, at any depth of a list or map."""
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, (list, tuple)):
        return any(unknown(item) for item in value)
    if isinstance(value, Mapping):
        return any(unknown(item) for item in value.values())
    return False


def to_dict(struct: struct_pb2.Struct | None) -> dict[str, Any]:
    if struct is None:
        return {}
    return json_format.MessageToDict(struct)


def to_struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update({key: value for key, value in values.items()})
    return struct


def scope_of(urn: str) -> str:
    """`project/stack/name` of `urn:pulumi:<stack>::<project>::<type>::<name>`: what client tokens are scoped to,
    the same as the dynamic resources' scope, so a resource moved between the two hosts keeps its task."""
    parts = urn.split("::")
    if len(parts) < 4 or not parts[0].startswith("urn:pulumi:"):
        raise ValueError(f"not a resource URN: {urn!r}")
    stack = parts[0].removeprefix("urn:pulumi:")
    return f"{parts[1]}/{stack}/{'::'.join(parts[3:])}"
