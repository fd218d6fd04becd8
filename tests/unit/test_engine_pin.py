"""The engine and the SDK are one Pulumi release: engine/go.mod and pyproject.toml must pin the same version."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_engine_and_sdk_pin_the_same_release():
    go_mod = (ROOT / "engine" / "go.mod").read_text()
    engine = re.search(r"github.com/pulumi/pulumi/pkg/v3 v(\S+)", go_mod).group(1)
    sdk_in_go = re.search(r"github.com/pulumi/pulumi/sdk/v3 v(\S+)", go_mod).group(1)
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    sdk = next(d for d in dependencies if d.startswith("pulumi=="))
    assert sdk == f"pulumi=={engine}"
    assert sdk_in_go == engine
    assert f"pulumi=={engine}\n" in (ROOT / "constraints.txt").read_text()
