"""schema.json is a valid Pulumi package schema, as the pinned engine itself judges it."""

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_the_engine_accepts_the_schema(engine):
    done = subprocess.run([str(engine / "pulumi"), "schema", "check", str(ROOT / "schema.json")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
