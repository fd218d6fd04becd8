"""The Pulumi package schema (`schema.json`), rendered from the resource declarations in `_core.spec`.

`scripts/generate.py` writes it; a unit test fails when the committed file differs from what this renders.
"""

from __future__ import annotations

from typing import Any

from pulumi_snowdm._core.spec import CONFIG, RESOURCES, Prop, ResourceSpec

PACKAGE = "snowdm"
VERSION = "0.1.0"

_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "number": {"type": "number"},
    "integer": {"type": "integer"},
    "ids": {"type": "array", "items": {"type": "string"}},
    "strings": {"type": "array", "items": {"type": "string"}},
    "tags": {"type": "object", "additionalProperties": {"type": "string"}},
    "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
    "records": {"type": "object", "additionalProperties": {"$ref": "pulumi.json#/Any"}},
    "threshold": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
}


def _property(prop: Prop) -> dict[str, Any]:
    return {**_TYPES[prop.kind], "description": prop.documented()}


def _resource(spec: ResourceSpec) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "description": spec.description,
        "inputProperties": {p.name: _property(p) for p in spec.inputs},
        "properties": {p.name: _property(p) for p in spec.outputs},
        "required": [p.name for p in spec.outputs if p.always],
    }
    required = [p.name for p in spec.inputs if p.required]
    if required:
        resource["requiredInputs"] = required
    return resource


def package_schema() -> dict[str, Any]:
    """The whole schema document."""
    return {
        "name": PACKAGE,
        "displayName": "pulumi-snowdm",
        "version": VERSION,
        "description": "Gate Pulumi deployments on AWS Snow Device Management task executions. The provider plugin "
                       "pulumi-resource-snowdm serves these tokens to any Pulumi language; Python programs may "
                       "instead use the dynamic resources of `import pulumi_snowdm` (type tokens "
                       "pulumi-python:dynamic/snowdm:<Name>).",
        "keywords": ["aws", "snow", "snowball", "snowcone", "edge", "category/infrastructure"],
        "license": "Apache-2.0",
        "repository": "pulumi-snowdm",
        "config": {"variables": {p.name: _property(p) for p in CONFIG}},
        "resources": {f"{PACKAGE}:index:{spec.name}": _resource(spec) for spec in RESOURCES},
        "language": {"python": {"packageName": "pulumi_snowdm"}},
    }
