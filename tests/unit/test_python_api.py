"""The Python API as an editor or `help()` shows it: docstrings with every input's default and bounds and every
output, type hints that resolve, and Command's constructors listed."""

from __future__ import annotations

import pydoc
import typing

import pytest

import pulumi_snowdm
from pulumi_snowdm import native
from pulumi_snowdm._core.spec import RESOURCES, _shown

PUBLIC = [pytest.param(module, name, id=f"{module.__name__}.{name}")
          for module in (pulumi_snowdm, native) for name in module.__all__
          if isinstance(getattr(module, name), type)]


def _help(obj) -> str:
    """What help(obj) prints, with the wrapping (and the margin of a class's body) undone."""
    return " ".join(word for word in pydoc.render_doc(obj, renderer=pydoc.plaintext).split() if word != "|")


@pytest.mark.parametrize(("module", "name"), PUBLIC)
def test_type_hints_of_every_public_class_resolve(module, name):
    cls = getattr(module, name)
    hints = typing.get_type_hints(cls.__init__)
    assert all(hint is not None for hint in hints.values())
    if hasattr(cls, "SPEC"):
        assert {parameter for parameter in hints if parameter not in ("return", "resource_name", "opts")} == {
            prop.python_name for prop in cls.SPEC.inputs}


@pytest.mark.parametrize("module", [pulumi_snowdm, native], ids=["dynamic", "native"])
@pytest.mark.parametrize("spec", [pytest.param(spec, id=spec.name) for spec in RESOURCES])
def test_help_shows_every_input_with_its_default_and_bounds_and_every_output(module, spec):
    shown = _help(getattr(module, spec.name))

    assert "Initialize self" not in shown
    for prop in spec.inputs:
        assert f"{prop.python_name}: " in shown
        if prop.default is not None and prop.kind in ("boolean", "number"):
            assert f"Default {prop.default if prop.kind == 'boolean' else _shown(prop.default)}" in shown, prop.name
        if prop.bounds:
            assert f"from {_shown(prop.bounds[0])} to {_shown(prop.bounds[1])}" in shown, prop.name
    for prop in spec.outputs:
        assert f"{prop.python_name}: " in shown


def test_help_of_task_execution_states_its_numbers():
    shown = _help(pulumi_snowdm.TaskExecution)
    for text in ("timeout_seconds: Deadline of the whole wait", "Default 1800, from 1 to 604800",
                 "queued_timeout_seconds:", "Default 900, from 1 to 604800", "wait: ", "Default True"):
        assert text in shown


@pytest.mark.parametrize("module", [pulumi_snowdm, native], ids=["dynamic", "native"])
def test_command_lists_its_constructors(module):
    command = module.Command
    assert {"unlock", "reboot"} <= set(dir(command))
    shown = _help(command)
    assert "unlock() -> 'Command'" in shown and "Unlock the devices" in shown
    assert "reboot() -> 'Command'" in shown and "Reboot the devices" in shown
    assert command.unlock() == "unlock" and command.reboot() == "reboot"
