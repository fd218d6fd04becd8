"""Property names: camelCase in state, in the providers and in the API; snake_case on the Python resource classes.

The SDK keeps a resource's Output attributes under the names of the props passed at registration, serializes them
through `translate_input_property` and maps the engine's answers back through `translate_output_property`, so
resources register snake_case props and the mixin below converts their names both ways.
"""

from __future__ import annotations

from pulumi_snowdm._core.spec import ResourceSpec


class SnakeCaseProperties:
    """Mixin for dynamic resources registered with snake_case props: camelCase on the wire and in state.

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
