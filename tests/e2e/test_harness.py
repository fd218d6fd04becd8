"""The harness ends what the tests start: tagged engine processes are found and ended, an engine command that
overruns its limit fails the test naming the command, leaving no process behind, and a process left at the end of a
run fails it, in parallel workers as in one process."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import harness
from harness import TEST_TAG, EngineTimeout, end_processes, start_tagged, tagged_processes

pytestmark = pytest.mark.e2e

HANGING_PROGRAM = '''
import time
time.sleep(120)
'''


def test_tagged_processes_are_found_and_ended(tmp_path):
    env = harness.isolated_env(tmp_path, sys.executable)
    sleeper = start_tagged(["sleep", "120"], env, TEST_TAG)
    try:
        assert sleeper.pid in end_processes(TEST_TAG, env[TEST_TAG])
        assert sleeper.wait(timeout=10) == -9
        assert tagged_processes(TEST_TAG, env[TEST_TAG]) == {}
    finally:
        sleeper.kill()


# Ending the engine mid-command cuts its event stream, which the Automation API reports as a warning.
@pytest.mark.filterwarnings("ignore:Error in event stream")
def test_an_overrunning_command_fails_naming_it_and_leaves_nothing_running(make_project, stack_env, monkeypatch):
    project = make_project(HANGING_PROGRAM)
    monkeypatch.setattr(harness, "COMMAND_TIMEOUT", 5)

    with pytest.raises(EngineTimeout, match=r"`pulumi preview` in .* did not finish within 5s"):
        project.preview()

    assert tagged_processes(TEST_TAG, stack_env[TEST_TAG]) == {}


LEAKING_TESTS = '''
import os
import subprocess
import sys

import harness


def test_leaves_a_process_behind(tmp_path):
    env = harness.isolated_env(tmp_path, sys.executable)
    harness.start_tagged(["sleep", "60"], env, harness.RUN_TAG)


def test_leaves_nothing():
    pass
'''


@pytest.mark.parametrize("workers", ["2", "0"])
def test_the_leak_guard_fails_the_run_in_parallel_workers_and_in_one_process(tmp_path, workers):
    # The suite's own conftests and helpers, with a test that leaks a tagged process, in a run of their own.
    tests = Path(__file__).resolve().parents[1]
    (tmp_path / "tests" / "e2e").mkdir(parents=True)
    # Every top-level module, so whatever the root conftest imports comes along.
    for path in [*tests.glob("*.py"), tests / "e2e" / "conftest.py", tests / "e2e" / "harness.py"]:
        shutil.copy(path, tmp_path / path.relative_to(tests.parent))
    conftest = tmp_path / "tests" / "e2e" / "conftest.py"
    assert "LEAK_GRACE_SECONDS = 10\n" in conftest.read_text()
    conftest.write_text(conftest.read_text().replace("LEAK_GRACE_SECONDS = 10\n", "LEAK_GRACE_SECONDS = 1\n"))
    (tmp_path / "tests" / "e2e" / "test_leaks.py").write_text(LEAKING_TESTS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}

    run = subprocess.run([sys.executable, "-m", "pytest", "-n", workers, "-p", "no:cacheprovider", "tests"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "2 passed" in output and "leak guard: 1 process(es) started by the end-to-end tests outlived them" in output
    leaked = re.search(r"pid (\d+): sleep 60", output)
    assert leaked, output
    assert not_running(int(leaked.group(1)))


def not_running(pid: int) -> bool:
    """Gone, or a zombie waiting for init to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True
