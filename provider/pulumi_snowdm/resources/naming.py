"""Property names: camelCase in state, in the providers and in the API; snake_case on the Python resource classes.

The SDK keeps a resource's Output attributes under the names of the props passed at registration, serializes them
through `translate_input_property` and maps the engine's answers back through `translate_output_property`, so
resources register snake_case props and the mixin below converts their names both ways.
"""

from __future__ import annotations

import functools
import re

_UPPER = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    """`lastUpdatedAt` -> `last_updated_at`."""
    return _UPPER.sub("_", name).lower()


def camel(name: str) -> str:
    """`last_updated_at` -> `lastUpdatedAt`; names with a leading underscore (`__provider`) stay as they are."""
    if name.startswith("_"):
        return name
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


class SnakeCaseProperties:
    """Mixin for dynamic resources registered with snake_case props: camelCase on the wire and in state.

    The SDK runs the translations over nested keys too, so only the resource's own properties (PROPERTIES, in
    camelCase) are renamed: the keys of `tags`, `counts` ("SUCCEEDED") or a per-device map stay as written.
    """

    PROPERTIES: tuple[str, ...] = ()

    def translate_input_property(self, prop: str) -> str:
        return _names(type(self))[0].get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        return _names(type(self))[1].get(prop, prop)


@functools.cache
def _names(resource: type) -> tuple[dict[str, str], dict[str, str]]:
    """(snake -> camel, camel -> snake) for a resource class's properties."""
    return ({snake(p): p for p in resource.PROPERTIES}, {p: snake(p) for p in resource.PROPERTIES})
