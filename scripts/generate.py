"""Write what is generated from the resource declarations (provider/pulumi_snowdm/_core/spec.py): schema.json,
README.md's reference section (rendered from that schema), and the docstrings of the Python classes (the dynamic
resources and pulumi_snowdm.native: the class's and its __init__'s, from `_core.docstrings`).

    python scripts/generate.py          # rewrite them all
    python scripts/generate.py --check  # exit 1 if any is out of date (tests run this)
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

from pulumi_snowdm._core.docstrings import class_docstring, init_docstring
from pulumi_snowdm._core.schema import package_schema
from pulumi_snowdm._core.spec import FLEET_GATE, TASK, TASK_EXECUTION, ResourceSpec

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "provider" / "pulumi_snowdm"
# Each file with resource classes, and the declaration of each class in it.
DOCUMENTED = {
    PACKAGE / "resources" / "task.py": {"Task": TASK},
    PACKAGE / "resources" / "task_execution.py": {"TaskExecution": TASK_EXECUTION},
    PACKAGE / "resources" / "fleet_gate.py": {"FleetGate": FLEET_GATE},
    PACKAGE / "native.py": {"Task": TASK, "TaskExecution": TASK_EXECUTION, "FleetGate": FLEET_GATE},
}
BEGIN = "<!-- reference: generated from schema.json by scripts/generate.py -->"
END = "<!-- end of reference -->"


def _type(spec: dict) -> str:
    if "oneOf" in spec:
        return " or ".join(_type(option) for option in spec["oneOf"])
    kind = spec.get("type", "any")
    if kind == "array":
        return f"list of {_type(spec['items'])}"
    if kind == "object":
        return f"map of {_type(spec.get('additionalProperties', {}))}"
    return kind


def _table(properties: dict, required: list[str]) -> list[str]:
    lines = ["| name | type | description |", "|---|---|---|"]
    for name, spec in properties.items():
        mark = " (required)" if name in required else ""
        lines.append(f"| `{name}`{mark} | {_type(spec)} | {spec.get('description', '')} |")
    return lines


def reference(schema: dict) -> str:
    lines = [BEGIN, ""]
    for token, resource in schema["resources"].items():
        name = token.rsplit(":", 1)[-1]
        lines += [f"### {name}", "", f"`pulumi-python:dynamic/snowdm:{name}`. {resource['description']}", "",
                  "Inputs:", ""]
        lines += _table(resource["inputProperties"], resource.get("requiredInputs", []))
        lines += ["", "Outputs:", ""]
        lines += _table(resource["properties"], [])
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def _quoted(text: str, indent: int) -> list[str]:
    """A docstring's source lines at `indent`."""
    assert '"""' not in text and "\\" not in text, text
    pad = " " * indent
    lines = text.split("\n")
    return [f'{pad}"""{lines[0]}', *(f"{pad}{line}" if line else "" for line in lines[1:]), f'{pad}"""']


def with_docstrings(source: str, classes: dict[str, ResourceSpec]) -> str:
    """`source` with each named class's docstring and its __init__'s written from its declaration."""
    lines = source.split("\n")
    edits = []  # (first line, end line, new lines), 0-based, end exclusive; applied bottom up
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name in classes:
            spec = classes[node.name]
            edits.append(_docstring_edit(node, class_docstring(spec)))
            init = next(item for item in node.body if isinstance(item, ast.FunctionDef) and item.name == "__init__")
            edits.append(_docstring_edit(init, init_docstring(spec)))
    for first, end, new in sorted(edits, reverse=True):
        lines[first:end] = new
    return "\n".join(lines)


def _docstring_edit(node: ast.ClassDef | ast.FunctionDef, text: str) -> tuple[int, int, list[str]]:
    first = node.body[0]
    indent = first.col_offset
    new = _quoted(text, indent)
    if ast.get_docstring(node, clean=False) is not None:
        assert first.end_lineno is not None
        return first.lineno - 1, first.end_lineno, new
    return first.lineno - 1, first.lineno - 1, new


def generated() -> dict[Path, str]:
    """Each generated file and the text it must have."""
    schema = package_schema()
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    files = {ROOT / "schema.json": json.dumps(schema, indent=2) + "\n",
             readme: text[:start] + reference(schema) + text[end:]}
    for path, classes in DOCUMENTED.items():
        files[path] = with_docstrings(path.read_text(), classes)
    return files


def main() -> int:
    stale = [path for path, text in generated().items() if path.read_text() != text]
    if "--check" in sys.argv:
        for path in stale:
            print(f"{path.name} is out of date: run python scripts/generate.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in generated().items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
