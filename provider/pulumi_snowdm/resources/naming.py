"""Property names: camelCase in state and in the API, snake_case on the Python resource classes."""

from __future__ import annotations

import re

_UPPER = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    """`lastUpdatedAt` -> `last_updated_at`."""
    return _UPPER.sub("_", name).lower()


def camel(name: str) -> str:
    """`last_updated_at` -> `lastUpdatedAt`."""
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


class SnakeCaseOutputs:
    """Mixin for dynamic resources: Python attributes in snake_case for state properties in camelCase."""

    def translate_output_property(self, prop: str) -> str:
        return snake(prop)
