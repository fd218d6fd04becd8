"""Root fixtures: a fresh Snow Device Management emulator per test and real boto3 clients pointed at it.

    def test_x(sdm_client, emulator): ...                        # default four-device fleet
    @pytest.mark.parametrize("emulator", [{"devices": {...}}], indirect=True)   # a scenario dict
    @pytest.mark.parametrize("emulator", [{"scenario": {...}, "time_scale": 600}], indirect=True)  # Emulator kwargs
    def test_y(make_emulator): emu = make_emulator({"fleet": {"count": 50}}, time_scale=0)
    def test_z(make_sdm_client, emulator): client = make_sdm_client(emulator, parameter_validation=False)

Also the controller's side of tests/worker_failures.py: under pytest-xdist, a worker whose session failed after its
tests (the end-to-end leak guard) fails the run; and of tests/run_notes.py: the lines tests leave for the end of it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator

import run_notes
import worker_failures

REGION = "us-west-2"
_EMULATOR_ARGUMENTS = {"scenario", "time_scale", "credentials", "clock"}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist's controller: a worker's session that failed after its tests (the leak guard) fails the run."""
    worker_failures.receive(node)


def pytest_sessionfinish(session: pytest.Session) -> None:
    worker_failures.apply(session)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = run_notes.notes(report for reports in terminalreporter.stats.values() for report in reports)
    if lines:
        terminalreporter.section("notes", sep="-")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., Emulator]]:
    """Factory: make_emulator(scenario=None, **Emulator kwargs) -> a started emulator, stopped after the test."""
    started: list[Emulator] = []

    def make(scenario: Any = None, **kwargs: Any) -> Emulator:
        emulator = Emulator(scenario=scenario, port=0, **kwargs).start()
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()


@pytest.fixture
def emulator(request: pytest.FixtureRequest, make_emulator: Callable[..., Emulator]) -> Emulator:
    """A started emulator on a free port; indirect param: a scenario dict, or a dict of Emulator kwargs."""
    param = getattr(request, "param", None)
    if isinstance(param, dict) and "scenario" in param and set(param) <= _EMULATOR_ARGUMENTS:
        return make_emulator(**param)
    return make_emulator(param)


@functools.cache
def _boto3_session() -> boto3.session.Session:
    # One session for all tests: it loads botocore's data once, so each client takes milliseconds, not 60.
    return boto3.session.Session()


@pytest.fixture
def make_sdm_client() -> Callable[..., Any]:
    """Factory: make_sdm_client(emulator, access_key=..., secret_key=..., region=..., **Config kwargs).

    Clients come from one shared boto3 session: make them in the test's main thread, then use them anywhere.
    """

    def make(
        emulator: Emulator,
        access_key: str = DEFAULT_ACCESS_KEY_ID,
        secret_key: str = DEFAULT_SECRET_ACCESS_KEY,
        region: str = REGION,
        **config: Any,
    ) -> Any:
        config.setdefault("retries", {"mode": "standard"})
        return _boto3_session().client(
            "snow-device-management",
            endpoint_url=emulator.url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=Config(**config),
        )

    return make


@pytest.fixture
def sdm_client(emulator: Emulator, make_sdm_client: Callable[..., Any]) -> Any:
    """A real boto3 snow-device-management client for `emulator` (us-west-2, default keys, standard retries)."""
    return make_sdm_client(emulator)
