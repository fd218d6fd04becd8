"""Fixtures of the operations tier: a recording host (`operation_host.Host`) pointed at the test's emulator.

def test_x(host, emulator): fleet_gate.create(host, gate(...)); assert "..." in host.said
def test_y(make_host, emulator): plugin = make_host(wording=config.WORDING, cancel=Cancel())
"""

from __future__ import annotations

import pytest

from pulumi_snowdm._core.settings import ClientSettings
from pulumi_snowdm._core.wait.listing import LISTINGS
from pulumi_snowdm._core.wording import PYTHON
from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY

from operation_host import Host

RECORD = object()  # make_host(sleep=RECORD): pauses are recorded in `slept`, not slept


@pytest.fixture
def make_host(emulator, monkeypatch):
    """Factory: make_host(cancel=, say=, wording=, host_timeout=, sleep=) -> a Host on the test's emulator.

    By default pauses are recorded, not slept; `sleep=None` sleeps for real (until the time is up or a cancel).
    """
    # Device time runs 40-50x: the listings' 1 s floor (which guards the real service) would be most of each test.
    monkeypatch.setattr(LISTINGS, "min_interval", 0.05)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DEFAULT_SECRET_ACCESS_KEY)

    def make(*, cancel=None, say=None, wording=PYTHON, host_timeout=None, sleep=RECORD) -> Host:
        lines: list[str] = []
        slept: list[float] = []
        settings = ClientSettings(region="us-west-2", endpoint=emulator.url, wording=wording)
        return Host(
            settings,
            say=say or lines.append,
            warn=lines.append,
            cancel=cancel,
            host_timeout=host_timeout,
            sleep=slept.append if sleep is RECORD else sleep,
            said=lines,
            slept=slept,
        )

    return make


@pytest.fixture
def host(make_host) -> Host:
    """A host speaking to Python users, on the test's emulator, recording its lines and pauses."""
    return make_host()
