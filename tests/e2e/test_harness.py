"""The harness ends what the tests start: tagged engine processes are found and ended, and an engine command that
overruns its limit fails the test naming the command, leaving no process behind."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import harness
from harness import TEST_TAG, EngineTimeout, end_processes, tagged_processes

pytestmark = pytest.mark.e2e

HANGING_PROGRAM = '''
import time
time.sleep(120)
'''


def test_tagged_processes_are_found_and_ended(tmp_path):
    env = harness.isolated_env(tmp_path, sys.executable)
    sleeper = subprocess.Popen(["sleep", "120"], env={**os.environ, **env}, start_new_session=True)
    try:
        assert sleeper.pid in tagged_processes(TEST_TAG, env[TEST_TAG])
        assert sleeper.pid in end_processes(TEST_TAG, env[TEST_TAG])
        assert sleeper.wait(timeout=10) == -9
        assert tagged_processes(TEST_TAG, env[TEST_TAG]) == {}
    finally:
        sleeper.kill()


def test_an_overrunning_command_fails_naming_it_and_leaves_nothing_running(make_project, stack_env, monkeypatch):
    project = make_project(HANGING_PROGRAM)
    monkeypatch.setattr(harness, "COMMAND_TIMEOUT", 5)

    with pytest.raises(EngineTimeout, match=r"`pulumi preview` in .* did not finish within 5s"):
        project.preview()

    assert tagged_processes(TEST_TAG, stack_env[TEST_TAG]) == {}
