"""schema.json and the Python API cannot drift: every input and output, and what is required, must agree.

(`pulumi schema check` validates the schema itself in tests/e2e/test_schema_check.py, where the engine is.)
"""

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_snowdm import FleetGate, Task, TaskExecution
from pulumi_snowdm.resources import fleet_gate, task, task_execution
from pulumi_snowdm.resources.naming import camel

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schema.json").read_text())
# Inputs the resources set themselves (not arguments): the stack-scoped seed of the client tokens.
INTERNAL = {"scope"}


def schema_of(cls):
    return SCHEMA["resources"][f"snowdm:index:{cls.__name__}"]


def arguments(cls):
    parameters = inspect.signature(cls.__init__).parameters
    return {camel(name): p for name, p in parameters.items() if name not in ("self", "resource_name", "opts")}


@pytest.mark.parametrize("cls", [Task, TaskExecution, FleetGate])
def test_inputs_and_required_inputs_match_the_python_arguments(cls):
    spec = schema_of(cls)
    assert set(spec["inputProperties"]) == set(arguments(cls))
    required = {name for name, p in arguments(cls).items() if p.default is inspect.Parameter.empty}
    assert set(spec.get("requiredInputs", [])) == required


@pytest.mark.parametrize("cls", [Task, TaskExecution, FleetGate])
def test_outputs_match_the_python_attributes(cls):
    outputs = {camel(name) for name in cls.__annotations__ if name != "PROPERTIES"}
    assert set(schema_of(cls)["properties"]) == outputs
    assert set(schema_of(cls)["required"]) <= outputs


@pytest.mark.parametrize("cls, provider_inputs", [
    (Task, task.INPUTS),
    (TaskExecution, (*task_execution.IDENTITY, *task_execution.WAIT_INPUTS)),
    (FleetGate, fleet_gate.INPUTS),
])
def test_the_providers_read_exactly_the_documented_inputs(cls, provider_inputs):
    assert set(provider_inputs) - INTERNAL == set(schema_of(cls)["inputProperties"])


def test_every_property_is_described():
    for token, resource in SCHEMA["resources"].items():
        for section in ("inputProperties", "properties"):
            for name, spec in resource[section].items():
                assert spec.get("description"), f"{token} {section}.{name} has no description"


def test_readme_reference_comes_from_the_schema():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "reference.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
