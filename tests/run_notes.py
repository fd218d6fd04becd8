"""Lines a test leaves for the end of the run, not warnings: a test records one with
`record_property(run_notes.NOTE, line)` (it reaches pytest-xdist's controller with the test's report), and
tests/conftest.py shows them in a section of their own after the tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

NOTE = "run-note"


def notes(reports: Iterable[Any]) -> list[str]:
    """The lines recorded by the tests of `reports`, in report order, once each."""
    lines = (value for report in reports for name, value in getattr(report, "user_properties", ()) if name == NOTE)
    return list(dict.fromkeys(lines))
