"""Inputs in state and the diff rule, shared by the providers.

Every provider keeps its inputs beside its outputs (read and diff only ever see old outputs), and decides a diff
the same way: compare the inputs by value, ignoring the serialized provider; a change of an identity input replaces,
any other change updates in place without an API call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pulumi.dynamic import DiffResult


def given_inputs(props: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The inputs among `names` that are set, to keep in state beside the outputs."""
    return {name: props[name] for name in names if props.get(name) is not None}


def input_diff(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    names: Iterable[str],
    replacing: Iterable[str],
    given: Callable[[Mapping[str, Any], str], Any] = lambda props, name: props.get(name),
) -> DiffResult:
    """Which of the inputs `names` changed, and whether any of them (those in `replacing`) forces a replacement."""
    changed = [name for name in names if _normal(given(olds, name)) != _normal(given(news, name))]
    replacing = set(replacing)
    return DiffResult(changes=bool(changed), replaces=[name for name in changed if name in replacing],
                      delete_before_replace=False)


def _normal(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
