"""The Python classes' docstrings, written from the declarations (`_core.spec`) in Python's naming.

`scripts/generate.py` writes them into the class bodies (resources/*.py and native.py), where editors read them
without running anything, and tests/unit/test_schema.py fails when a written docstring differs from these: a
default, a bound or a description changed in the declaration shows in `help()` and on hover, never only in README.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from pulumi_snowdm._core.spec import Prop, ResourceSpec

WIDTH = 108  # the text's width; indented inside a class body it stays within the project's 120 columns


def class_docstring(spec: ResourceSpec) -> str:
    """The class's docstring: what the resource does, then its outputs (the attributes)."""
    lines = textwrap.wrap(_python_names(spec, spec.description), WIDTH)
    lines += ["", "Outputs (attributes, each a pulumi.Output):"]
    for prop in spec.outputs:
        lines += _entry(spec, prop)
    return "\n".join(lines)


def init_docstring(spec: ResourceSpec) -> str:
    """The constructor's docstring: every input with what it means, whether required, its default and bounds."""
    lines = [f"Declare a {spec.name}; inputs are checked at preview, before any call to the service.", "",
             "Args:", "    resource_name: The resource's name, unique in the stack."]
    for prop in spec.inputs:
        lines += _entry(spec, prop, required=prop.required)
    lines.append("    opts: Pulumi resource options (depends_on, protect, provider, ...).")
    return "\n".join(lines)


def _entry(spec: ResourceSpec, prop: Prop, *, required: bool = False) -> list[str]:
    text = prop.documented(_python_names(spec, prop.description), _python_value)
    if required:
        text += " Required."
    return textwrap.wrap(f"{prop.python_name}: {text}", WIDTH, initial_indent="    ", subsequent_indent="        ")


def _python_names(spec: ResourceSpec, text: str) -> str:
    """`text` with the resource's camelCase property names as Python writes them (existingTaskId -> existing_task_id),
    and the schema's true/false as Python's True/False."""
    names = spec.python_names()
    text = re.sub(r"\b[a-z]+(?:[A-Z][a-z]*)+\b", lambda match: names.get(match.group(0), match.group(0)), text)
    return re.sub(r"\b(true|false)\b", lambda match: match.group(0).title(), text)


def _python_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
