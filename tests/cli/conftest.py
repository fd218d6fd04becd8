"""Fixtures for the `snowdm` command: the INSTALLED console script, run as a subprocess against a real emulator.

    def test_x(snowdm, emulator):
        done = snowdm("run", "--command", "reboot", "--device", "smd-demo-0000", "--run-id", "r1")
        assert done.returncode == 0

The command finds the emulator the way a CI job would: AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT, the emulator's
keys in the environment, AWS_DEFAULT_REGION; nothing of the developer's ~/.aws is read.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from snowdm_command import SNOWDM, Started, cli_env

from pulumi_snowdm.emulator import Emulator


@pytest.fixture
def snowdm(emulator: Emulator, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """snowdm(*args, env_changes={...}, stdin=None) -> the finished command (text stdout and stderr)."""
    assert SNOWDM, "the snowdm console script is not installed in this environment (run scripts/setup.sh)"

    def run(*args: str, env_changes: dict | None = None, stdin: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([SNOWDM, *args], env=cli_env(emulator, tmp_path, **(env_changes or {})),
                              input=stdin, capture_output=True, text=True, timeout=timeout)
    return run


@pytest.fixture
def start_snowdm(emulator: Emulator, tmp_path: Path):
    """start_snowdm(*args) -> a Started process (killed at the end of the test if still running)."""
    started: list[Started] = []

    def start(*args: str) -> Started:
        process = Started(list(args), cli_env(emulator, tmp_path))
        started.append(process)
        return process

    yield start
    for process in started:
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait()
