"""Fixtures for end-to-end tests: the real engine, an isolated stack, and the emulator as its AWS endpoint.

Every test here is marked e2e (it needs the engine), ends the engine processes it started, and the run fails if any
engine process started by a test outlives the run (the leak guard at the end of the session).
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY

from harness import RUN_ID, RUN_TAG, TEST_TAG, Project, end_processes, find_engine, isolated_env, tagged_processes
from worker_failures import fail_after_run

REGION = "us-west-2"
HERE = Path(__file__).resolve().parent
# How long plugins get to exit by themselves once the run is over, before the guard calls them leaked.
LEAK_GRACE_SECONDS = 10
# The modules whose tests take longest (a lifecycle row runs a dozen engine commands): parallel workers start them
# first, so that no long test begins when the rest of the run is nearly done.
LONGEST_FIRST = ("test_program_lifecycle.py", "test_faults.py", "test_recovery.py", "test_interruptions.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e needs the engine: mark it e2e, whether or not its module says so. The run's order
    (which pytest-xdist hands out in): the longest end-to-end modules, the other end-to-end tests, then the rest."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)
    items.sort(key=_start_order)  # stable: each module keeps its own order


def _start_order(item: pytest.Item) -> int:
    if HERE not in item.path.parents:
        return len(LONGEST_FIRST) + 1
    return LONGEST_FIRST.index(item.path.name) if item.path.name in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The leak guard: fail the run if a process an e2e test started is still running (then end it).

    RUN_ID is this process's own, so under pytest-xdist each worker looks for what its own tests left, once they
    have all finished, and fail_after_run carries its verdict to the controller."""
    deadline = time.monotonic() + LEAK_GRACE_SECONDS
    while (left := tagged_processes(RUN_TAG, RUN_ID)) and time.monotonic() < deadline:
        time.sleep(0.2)
    if not left:
        return
    ended = end_processes(RUN_TAG, RUN_ID)
    lines = "\n".join(f"  pid {pid}: {command}" for pid, command in sorted({**left, **ended}.items()))
    fail_after_run(session, f"leak guard: {len(left)} process(es) started by the end-to-end tests outlived them "
                            f"(now ended):\n{lines}")


@pytest.fixture(scope="session")
def engine() -> Path:
    """The pinned Pulumi engine. Missing or of another version, every end-to-end test fails (never skips)."""
    try:
        return find_engine()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def stack_env(tmp_path, emulator):
    """The environment of a stack whose provider talks to this test's emulator with static credentials.

    When the test ends, so does every engine process it started (an interrupted run's orphaned plugins included).
    """
    env = isolated_env(tmp_path, sys.executable)
    env.update({
        "AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_ACCESS_KEY,
        "AWS_REGION": REGION,
    })
    yield env
    end_processes(TEST_TAG, env[TEST_TAG])


@pytest.fixture
def make_project(tmp_path, engine, stack_env, emulator):
    """Build a project from program source (or an example folder) configured to use the emulator."""

    def make(source: str | None = None, folder: Path | None = None, config: dict[str, str] | None = None) -> Project:
        base = tmp_path / f"project-{len(list(tmp_path.glob('project-*')))}"
        base.mkdir()
        if folder is not None:
            project = Project.from_folder(base, engine, stack_env, folder)
        else:
            project = Project.from_source(base, engine, stack_env, source or "")
        project.configure({"snowdm:endpoint": emulator.url, "snowdm:region": REGION, **(config or {})})
        return project

    return make


@pytest.fixture
def yaml_project(tmp_path, engine, stack_env, emulator):
    """make(text, **config): a YAML project whose provider is the plugin, pointed at this test's emulator."""
    if shutil.which("pulumi-resource-snowdm") is None or shutil.which("pulumi-language-yaml") is None:
        pytest.fail("pulumi-resource-snowdm (pip install -e .) and pulumi-language-yaml (bash engine/install.sh) "
                    "must be on PATH: `source scripts/env.sh`", pytrace=False)

    def make(text: str, **config: str) -> Project:
        workdir = tmp_path / f"yaml-{len(list(tmp_path.glob('yaml-*')))}"
        workdir.mkdir()
        (workdir / "Pulumi.yaml").write_text(text)
        project = Project(workdir, engine, stack_env)
        project.configure({"snowdm:endpoint": emulator.url, "snowdm:region": REGION, **config})
        return project
    return make
