"""Write what is generated from the resource declarations (provider/pulumi_snowdm/_core/spec.py): schema.json, and
README.md's reference section (rendered from that schema).

    python scripts/generate.py          # rewrite both
    python scripts/generate.py --check  # exit 1 if either is out of date (tests run this)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pulumi_snowdm._core.schema import package_schema

ROOT = Path(__file__).resolve().parents[1]
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


def generated() -> dict[Path, str]:
    """Each generated file and the text it must have."""
    schema = package_schema()
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return {ROOT / "schema.json": json.dumps(schema, indent=2) + "\n",
            readme: text[:start] + reference(schema) + text[end:]}


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
