"""Property-based tests (hypothesis): how many cases each property gets, and an emulator shared by a module.

The profile comes from SNOWDM_FUZZ: unset or `ci` runs a few hundred cases per property (the CI budget); `large` runs
thousands (the documented larger run: `SNOWDM_FUZZ=large python -m pytest tests/fuzz -q`). No profile has a
deadline: how long one case takes is never asserted. Nothing is written to disk (no example database); a
failing case is printed with the blob that replays it (`@reproduce_failure`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from pulumi_snowdm.emulator import Emulator

PROFILES = {
    "ci": {"max_examples": 200},
    "large": {"max_examples": 3000},
}
for name, values in PROFILES.items():
    settings.register_profile(name, deadline=None, print_blob=True, database=None,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], **values)

_profile = os.environ.get("SNOWDM_FUZZ", "ci")
if _profile not in PROFILES:
    raise pytest.UsageError(f"SNOWDM_FUZZ={_profile!r}: use one of {', '.join(PROFILES)}")
settings.load_profile(_profile)


@pytest.fixture(scope="module")
def shared_emulator() -> Iterator[Emulator]:
    """One emulator for every case of a module (hypothesis runs many cases in one test function)."""
    with Emulator(scenario={"devices": {"smd-fuzz-a": {}, "smd-fuzz-b": {}}}, port=0) as emulator:
        yield emulator
