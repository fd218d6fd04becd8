"""Render README.md's reference section from schema.json (the one description of every resource).

    python scripts/reference.py          # rewrite the section between the markers in README.md
    python scripts/reference.py --check  # exit 1 if README.md is out of date (tests run this)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- reference: generated from schema.json by scripts/reference.py -->"
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


def render(schema: dict) -> str:
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


def main() -> int:
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    updated = text[:start] + render(json.loads((ROOT / "schema.json").read_text())) + text[end:]
    if "--check" in sys.argv:
        if updated != text:
            print("README.md's reference section is out of date: run python scripts/reference.py", file=sys.stderr)
            return 1
        return 0
    readme.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
