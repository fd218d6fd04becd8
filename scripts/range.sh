#!/usr/bin/env bash
# The supported range, proven: the unit and emulator tiers (no engine) on both ends of pyproject.toml's ranges, each
# in a throwaway virtual environment made under a temporary folder and removed afterwards.
#   floor:  pulumi 3.139.0 (ResourceProvider.configure's ConfigureRequest), boto3/botocore 1.35.0, oldest Python
#   newest: the newest pulumi and boto3 the package registry serves, on every Python the classifiers claim
# The end-to-end tier runs on the pinned engine and SDK (constraints.txt) in the main run (scripts/test.sh).
# Pythons: python3.X on PATH, else pyenv's newest 3.X; a claimed Python that is missing fails the job.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

FLOOR=("pulumi==3.139.0" "boto3==1.35.0" "botocore==1.35.0")
# Tests that need something newer than the floor, with the reason. The package itself needs nothing newer.
FLOOR_SKIPS=(
  # freezes the signing clock through botocore.auth.get_current_datetime, a private name botocore added in 1.41
  --deselect tests/emulator/test_auth_and_wire.py::test_an_old_signature_is_expired
)
# The canaries of the private SDK names resources/sdk_hooks.py touches hold for the pinned release only: on any other
# release the hook says on stderr that it cannot apply, and these two say the release differs. The rest of
# test_sdk_hooks.py (the hooks themselves) runs everywhere.
CANARIES=(
  --deselect tests/unit/test_sdk_hooks.py::test_the_releases_tested_are_the_ones_installed
  --deselect tests/unit/test_sdk_hooks.py::test_the_host_formats_provider_errors_with_its_module_level_traceback
)
# The test tools at the versions constraints.txt pins (pytest, hypothesis and what they need).
TOOLS=($(grep -iE '^(pytest|hypothesis|iniconfig|pluggy|attrs|sortedcontainers)==' constraints.txt))
# The Python versions pyproject.toml's classifiers claim, e.g. 3.11 3.12 3.13.
PYTHONS=($(sed -n 's/.*"Programming Language :: Python :: \(3\.[0-9]*\)".*/\1/p' pyproject.toml))

find_python() { # find_python 3.X: a working interpreter of that version
  local candidate
  for candidate in "python$1" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$1".*/bin/"python$1"; do
    if "$candidate" -c 'import sys' >/dev/null 2>&1; then command -v "$candidate"; return 0; fi
  done
  echo "range: no Python $1 here, but pyproject.toml claims it" >&2
  return 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
newest=$(.venv/bin/python -m pip index versions pulumi 2>/dev/null | sed -n '1s/^pulumi (\(.*\))$/\1/p')
[ -n "$newest" ] || { echo "range: could not ask the registry for pulumi's newest version" >&2; exit 1; }

run() { # run NAME PYTHON "PYTEST ARGS" REQUIREMENT...: a venv with the package and REQUIREMENTs; run the two tiers
  local name=$1 python=$2 venv="$work/$1" extra=$3; shift 3
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check . "$@" "${TOOLS[@]}"
  echo "range: $name: Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'), $(
    "$venv/bin/python" -m pip list --format freeze 2>/dev/null | grep -iE '^(pulumi|boto3|botocore)==' | tr '\n' ' ')"
  (cd "$work" && "$venv/bin/python" -m pytest -q -p no:cacheprovider --rootdir "$root" -c "$root/pyproject.toml" \
    $extra "$root/tests/unit" "$root/tests/emulator")
  rm -rf "$venv"
}

run floor "$(find_python "${PYTHONS[0]}")" "${FLOOR_SKIPS[*]} ${CANARIES[*]}" "${FLOOR[@]}"
for version in "${PYTHONS[@]}"; do
  run "newest-py$version" "$(find_python "$version")" "${CANARIES[*]}" "pulumi==$newest" "boto3" "botocore"
done
echo "range: passed on pulumi 3.139.0 (floor) and $newest (newest), Python ${PYTHONS[*]}"
