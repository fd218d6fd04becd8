"""Property-name spelling: the API's camelCase from Python's snake_case, stated once for `_core`."""

from __future__ import annotations


def camel(name: str) -> str:
    """`last_updated_at` -> `lastUpdatedAt`; names with a leading underscore (`__provider`) stay as they are."""
    if name.startswith("_"):
        return name
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)
