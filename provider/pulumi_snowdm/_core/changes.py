"""What a change of inputs means for a resource: nothing, an update in place, or a replacement.

Decided from the declarations in `_core.spec`, the same way for every resource and every host: inputs are compared
by value (an absent input equals its default, 7 equals 7.0), a changed input whose declaration says `replaces`
replaces the resource, and a value the engine does not know yet at preview counts as changed, since it may be.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

from pulumi_snowdm._core.spec import ResourceSpec

# Reads one input (by name) from a resource's state or new inputs; a resource whose outputs share names with its
# inputs gives one that says which of those values are the user's.
InputReader = Callable[[Mapping[str, Any], str], Any]


@dataclasses.dataclass(frozen=True)
class Change:
    """The inputs that changed, and those of them that force a replacement."""

    changed: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()


def plan_change(spec: ResourceSpec, olds: Mapping[str, Any], news: Mapping[str, Any], *,
                unknown: Callable[[Any], bool], read_input: InputReader | None = None) -> Change:
    """Compare old and new inputs of a resource of `spec`."""
    read = read_input or (lambda props, name: props.get(name))
    changed = []
    for prop in (*spec.inputs, *spec.internal):
        old, new = read(olds, prop.name), read(news, prop.name)
        old = prop.default if old is None else old
        new = prop.default if new is None else new
        if unknown(new) or _normal(old) != _normal(new):
            changed.append(prop.name)
    replacing = set(spec.replacing)
    return Change(tuple(changed), tuple(name for name in changed if name in replacing))


def same(old: Any, new: Any) -> bool:
    """Whether two values of an input are the same by value (7 and 7.0 are)."""
    return _normal(old) == _normal(new)


def _normal(value: Any) -> str:
    return json.dumps(_plain(value), sort_keys=True)


def _plain(value: Any) -> Any:
    """The engine sends every number as a float: 7.0 and 7 are the same input."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value
