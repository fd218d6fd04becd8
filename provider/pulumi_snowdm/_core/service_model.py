"""The Snow Device Management service model, read once from botocore's own data.

Everything that knows about routes, parameter locations, shapes and constraints starts here, so the provider and the
emulator agree with the SDK byte for byte instead of with a hand-copied table.
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
