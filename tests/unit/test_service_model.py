"""_core.service_model's narrowing helpers: the kind the model gives, or a TypeError that names the shape."""

from __future__ import annotations

import re

import pytest

from pulumi_snowdm._core.service_model import enum_values, service_model, structure


def test_structure_returns_the_structure_with_its_members():
    command = structure(service_model().shape_for("Command"))
    assert set(command.members) == {"reboot", "unlock"}


@pytest.mark.parametrize(
    ("shape", "named"),
    [(None, "no shape"), (service_model().shape_for("TaskId"), "TaskId (string)")],
)
def test_structure_names_what_it_got_instead(shape, named):
    with pytest.raises(TypeError, match=re.escape(f"snow-device-management model: expected a structure, got {named}")):
        structure(shape)


def test_enum_values_are_the_model_enum_in_model_order():
    assert enum_values("ExecutionState") == list(service_model().shape_for("ExecutionState").metadata["enum"])
    assert {"QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED"} <= set(enum_values("ExecutionState"))


def test_enum_values_of_a_structure_is_a_type_error():
    with pytest.raises(TypeError, match=r"expected a string enum, got Command \(structure\)"):
        enum_values("Command")
