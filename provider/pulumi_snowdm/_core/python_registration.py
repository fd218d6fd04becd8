"""Property names on the Python resource classes (the dynamic resources and `native.py`'s plugin classes): camelCase
in state, in the providers and in the API; snake_case as Python arguments and attributes.

The SDK keeps a resource's Output attributes under the names of the props passed at registration, serializes them
through `translate_input_property` and maps the engine's answers back through `translate_output_property`, so
resources register snake_case props (`registration_props`) and the mixin below converts their names both ways.
Nothing here imports Pulumi: the classes that mix it in do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_snowdm._core.name_case import snake
from pulumi_snowdm._core.spec import ResourceSpec


class SnakeCaseProperties:
    """Mixin for resources registered with snake_case props: camelCase on the wire and in state.

    The SDK runs the translations over nested keys too, so only the resource's own properties (those its SPEC
    declares) are renamed: the keys of `tags`, `counts` ("SUCCEEDED") or a per-device map stay as written.
    """

    SPEC: ResourceSpec

    def translate_input_property(self, prop: str) -> str:
        return _names(self.SPEC)[0].get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        return _names(self.SPEC)[1].get(prop, prop)


_NAMES: dict[str, tuple[dict[str, str], dict[str, str]]] = {}


def _names(spec: ResourceSpec) -> tuple[dict[str, str], dict[str, str]]:
    """(snake -> camel, camel -> snake) for a resource's properties, worked out once per resource."""
    if spec.name not in _NAMES:
        camel_to_snake = spec.python_names()
        _NAMES[spec.name] = {s: c for c, s in camel_to_snake.items()}, camel_to_snake
    return _NAMES[spec.name]


def registration_props(spec: ResourceSpec, arguments: Mapping[str, Any], **internal: Any) -> dict[str, Any]:
    """The props a resource registers: its arguments by Python name, internal inputs, and every output unset.

    Outputs must be registered to become attributes of the resource; an output that shares its name with an
    input keeps the input's value.
    """
    props = {p.python_name: None for p in spec.outputs}
    props.update({p.python_name: arguments.get(p.python_name) for p in spec.inputs})
    props.update({snake(name): value for name, value in internal.items()})
    return props
