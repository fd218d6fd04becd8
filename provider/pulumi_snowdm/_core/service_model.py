"""The Snow Device Management service model, read once from botocore's own data.

Everything that knows about routes, parameter locations, shapes and constraints starts here, so the provider and the
emulator agree with the SDK byte for byte instead of with a hand-copied table. `structure` and `enum_values` narrow
botocore's general Shape to the kind the model gives, so a model that changes kind fails here, by name.
"""

from __future__ import annotations

import functools
from typing import Final

import botocore.model
import botocore.session

SERVICE_NAME: Final = "snow-device-management"


@functools.cache
def service_model() -> botocore.model.ServiceModel:
    """Return botocore's ServiceModel for snow-device-management (loaded on first use, then shared)."""
    return botocore.session.get_session().get_service_model(SERVICE_NAME)


def structure(shape: botocore.model.Shape | None) -> botocore.model.StructureShape:
    """Return `shape` (an operation's input or output, a union, ...) as the StructureShape it is in the model.

    Raises TypeError naming the shape when it is absent or of another kind.
    """
    if not isinstance(shape, botocore.model.StructureShape):
        raise TypeError(f"{SERVICE_NAME} model: expected a structure, got {_described(shape)}")
    return shape


def enum_values(shape_name: str) -> list[str]:
    """Return the values of the model's string enum `shape_name`, in model order (TypeError if it is no string)."""
    shape = service_model().shape_for(shape_name)
    if not isinstance(shape, botocore.model.StringShape):
        raise TypeError(f"{SERVICE_NAME} model: expected a string enum, got {_described(shape)}")
    return list(shape.enum)


def _described(shape: botocore.model.Shape | None) -> str:
    return "no shape" if shape is None else f"{shape.name} ({shape.type_name})"
