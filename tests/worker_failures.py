"""A failure found after a session's tests have all run (the end-to-end leak guard), carried to the run's exit code.

Without pytest-xdist the session is the run, so setting its exit status is enough. Under pytest-xdist each worker
has a session of its own whose status never reaches the controller's exit code: the report travels in the worker's
output, and the controller (tests/conftest.py's hooks) fails the run with it.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

KEY = "snowdm_failure_after_run"
_FAILED = pytest.StashKey[bool]()


def fail_after_run(session: pytest.Session, report: str) -> None:
    """Fail the run with `report` (shown on stderr), from a session-finish hook, in a worker or not."""
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:
        worker_output[KEY] = report  # the controller shows it
    else:
        sys.stderr.write(f"\n{report}\n")


def receive(node: Any) -> None:
    """On the controller, as a worker goes down: keep (and show) the report its session left, if any."""
    report = getattr(node, "workeroutput", {}).get(KEY)
    if report is not None:
        node.config.stash[_FAILED] = True
        sys.stderr.write(f"\n[{node.gateway.id}] {report}\n")


def apply(session: pytest.Session) -> None:
    """On the controller at the end: a run any worker reported a failure for has failed."""
    if session.config.stash.get(_FAILED, False):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
