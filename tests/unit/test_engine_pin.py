"""The engine and the SDK CI runs are one Pulumi release: engine/go.mod pins it, constraints.txt pins the same SDK.

pyproject.toml gives users a range, which must hold that release.
"""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def pinned(name: str) -> str:
    """The version constraints.txt pins for `name`."""
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        requirement = line.split("#")[0].strip()
        if requirement and Requirement(requirement).name.lower() == name:
            (spec,) = Requirement(requirement).specifier
            assert spec.operator == "==", f"constraints.txt must pin {name} exactly, not {spec}"
            return spec.version
    raise AssertionError(f"constraints.txt does not pin {name}")


def test_engine_and_sdk_pin_the_same_release():
    go_mod = (ROOT / "engine" / "go.mod").read_text()
    engine = re.search(r"github.com/pulumi/pulumi/pkg/v3 v(\S+)", go_mod).group(1)
    sdk_in_go = re.search(r"github.com/pulumi/pulumi/sdk/v3 v(\S+)", go_mod).group(1)
    assert pinned("pulumi") == engine
    assert sdk_in_go == engine


def test_users_get_ranges_that_hold_the_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in map(Requirement, project["dependencies"]):
        assert not any(spec.operator in ("==", "===") for spec in requirement.specifier), f"{requirement} is exact"
        assert requirement.specifier.contains(pinned(requirement.name)), f"{requirement} excludes the CI pin"


def test_extras_get_ranges_that_hold_the_pins():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for requirement in map(Requirement, extras["test"] + extras["release"]):
        assert requirement.specifier.contains(pinned(requirement.name.lower())), f"{requirement} excludes the pin"


def test_python_has_a_floor_and_no_cap():
    from packaging.specifiers import SpecifierSet

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    allowed = SpecifierSet(project["requires-python"])
    tested = re.findall(r"Programming Language :: Python :: (3\.\d+)$", "\n".join(project["classifiers"]),
                        flags=re.MULTILINE)
    assert tested and all(allowed.contains(f"{version}.0") for version in tested)
    assert not any(spec.operator in ("<", "<=", "==", "~=") for spec in allowed), "a cap on Python makes pip refuse " \
        "to install on a newer release"
    assert allowed.contains("3.14.0") and allowed.contains("3.20.0")
