"""The declarations in `_core.spec` are the only description of the resources: schema.json, README's reference,
the Python arguments, attributes and docstrings, and the providers' inputs all agree with them.

(`pulumi schema check` validates the schema itself in tests/e2e/test_schema_check.py, where the engine is.)
"""

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_snowdm import FleetGate, Task, TaskExecution, native
from pulumi_snowdm._core.docstrings import class_docstring, init_docstring
from pulumi_snowdm._core.name_case import camel
from pulumi_snowdm._core.schema import package_schema
from pulumi_snowdm._core.spec import RESOURCES

ROOT = Path(__file__).resolve().parents[2]
CLASSES = {"Task": Task, "TaskExecution": TaskExecution, "FleetGate": FleetGate}
# The plugin's typed classes (pulumi_snowdm.native), locked to the same declarations.
NATIVE = {"Task": native.Task, "TaskExecution": native.TaskExecution, "FleetGate": native.FleetGate}
SPECS = [pytest.param(spec, id=spec.name) for spec in RESOURCES]


def arguments(cls):
    parameters = inspect.signature(cls.__init__).parameters
    return {camel(name): p for name, p in parameters.items() if name not in ("self", "resource_name", "opts")}


def test_schema_json_and_readme_reference_are_generated_from_the_declarations():
    assert json.loads((ROOT / "schema.json").read_text()) == package_schema(), "run python scripts/generate.py"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("classes", [CLASSES, NATIVE], ids=["dynamic", "native"])
@pytest.mark.parametrize("spec", SPECS)
def test_python_arguments_are_the_declared_inputs(spec, classes):
    cls = classes[spec.name]
    assert list(arguments(cls)) == [p.name for p in spec.inputs]
    required = {name for name, p in arguments(cls).items() if p.default is inspect.Parameter.empty}
    assert required == {p.name for p in spec.inputs if p.required}


@pytest.mark.parametrize("classes", [CLASSES, NATIVE], ids=["dynamic", "native"])
@pytest.mark.parametrize("spec", SPECS)
def test_python_attributes_are_the_declared_outputs(spec, classes):
    annotations = classes[spec.name].__annotations__
    outputs = {camel(name) for name in annotations if not name.isupper() and not name.startswith("_")}
    assert outputs == {p.name for p in spec.outputs}


@pytest.mark.parametrize("spec", SPECS)
def test_every_property_is_described_with_its_enforced_default_and_bounds(spec):
    for prop in (*spec.inputs, *spec.outputs):
        assert prop.description, f"{spec.name}.{prop.name} has no description"
        text = prop.documented()
        if prop.kind in ("boolean", "number") and prop.default is not None:
            assert "Default " in text, text
        if prop.bounds:
            low, high = prop.bounds
            assert f"from {low:g} to {high:g}" in text, text


@pytest.mark.parametrize("spec", SPECS)
def test_the_native_classes_register_the_schemas_tokens_with_its_input_properties(spec):
    resource = package_schema()["resources"][f"snowdm:index:{spec.name}"]
    cls = NATIVE[spec.name]
    assert list(arguments(cls)) == list(resource["inputProperties"])
    assert {camel(name) for name in cls.__annotations__ if not name.isupper()} == set(resource["properties"])
    assert set(resource.get("requiredInputs", [])) == {
        name for name, p in arguments(cls).items() if p.default is inspect.Parameter.empty}


def test_the_native_provider_takes_the_schemas_config():
    parameters = inspect.signature(native.Provider.__init__).parameters
    taken = [camel(name) for name in parameters if name not in ("self", "resource_name", "opts")]
    assert taken == list(package_schema()["config"]["variables"])


def test_import_pulumi_snowdm_still_gives_the_dynamic_resources():
    import pulumi_snowdm
    assert issubclass(pulumi_snowdm.TaskExecution, pulumi_snowdm.resources.task_execution.Resource)
    assert not issubclass(pulumi_snowdm.TaskExecution, native.TaskExecution)


@pytest.mark.parametrize("classes", [CLASSES, NATIVE], ids=["dynamic", "native"])
@pytest.mark.parametrize("spec", SPECS)
def test_python_docstrings_are_written_from_the_declaration(spec, classes):
    cls = classes[spec.name]
    assert inspect.cleandoc(cls.__doc__) == class_docstring(spec), "run python scripts/generate.py"
    assert inspect.cleandoc(cls.__init__.__doc__) == init_docstring(spec), "run python scripts/generate.py"
