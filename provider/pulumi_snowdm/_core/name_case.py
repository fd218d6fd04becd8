"""Property-name spelling: camelCase (state, schema, the API) and snake_case (Python), stated once."""

from __future__ import annotations

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
