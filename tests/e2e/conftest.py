"""Fixtures for end-to-end tests: the real engine, an isolated stack, and the emulator as its AWS endpoint."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY

from harness import Project, find_engine, isolated_env

REGION = "us-west-2"


@pytest.fixture(scope="session")
def engine() -> Path:
    """The pinned Pulumi engine. Missing or of another version, every end-to-end test fails (never skips)."""
    try:
        return find_engine()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def stack_env(tmp_path, emulator) -> dict[str, str]:
    """The environment of a stack whose provider talks to this test's emulator with static credentials."""
    env = isolated_env(tmp_path, sys.executable)
    env.update({
        "AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_ACCESS_KEY,
        "AWS_REGION": REGION,
    })
    return env


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
