#!/usr/bin/env bash
# The supported range, proven: the tests an SDK or Python version can change the outcome of, on both ends of
# pyproject.toml's ranges, each in a throwaway virtual environment made under a temporary folder and removed
# afterwards. The main run (scripts/test.sh) runs every tier on Python 3.11 with the pinned versions (constraints.txt).
#
#   floor:         Python 3.11 (the oldest claimed), pulumi 3.139.0 (ResourceProvider.configure's ConfigureRequest),
#                  boto3/botocore 1.35.0: the SDK-facing tests (below)
#   newest-py3.X:  the newest pulumi and boto3 the package registry serves, on each Python claimed above 3.11: the
#                  SDK-facing tests; on the newest Python, the whole unit and emulator tiers
#
# What a version can change, and so what runs per version:
#   - an SDK version (pulumi, grpc/protobuf, boto3/botocore) changes how the package talks to it: the dynamic
#     provider and the plugin hosts, native.py, every boto3 call, and the emulator, whose routes, validation and
#     signatures come from botocore's model. The "SDK-facing tests" cover exactly that: the whole emulator tier and
#     every unit module except SDK_FREE. SDK_FREE are the unit modules that check the package's own decisions on
#     plain data with fake time or fake sources (an execution state's verdict, fleet thresholds, wave plans,
#     durations, messages, the import layering, the suite's layout, the pins): no SDK call or class is on their
#     path, so no SDK version can change what they check. A new unit module is SDK-facing until listed there.
#   - a Python version can change anything, so the newest Python claimed runs everything once (with the newest
#     SDKs, the farthest point from the main run); a Python between the two ends runs the SDK-facing tests, whose
#     binary wheels (grpcio, protobuf) and SDK releases differ per Python.
#   - Python 3.11 with the newest SDKs is not run: Python 3.11 is proven with the pinned SDKs (main run) and the
#     floor, and the newest SDKs on 3.12 and 3.13.
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
# Unit modules no SDK version can change the outcome of (see the header); they run in the main run and on the newest
# Python.
SDK_FREE=(test_acceptors test_cli_durations test_diagnosis test_engine_pin test_layers test_rollout_plan
          test_suite_layout test_threshold test_wait_listing test_wait_loop)
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

sdk_facing() { # the SDK-facing tests: the operations and emulator tiers, and every unit module not in SDK_FREE
  local module
  echo "$root/tests/operations $root/tests/emulator"
  for module in "$root"/tests/unit/test_*.py; do
    [[ " ${SDK_FREE[*]} " == *" $(basename "$module" .py) "* ]] || echo "$module"
  done
}

run() { # run NAME PYTHON "PYTEST ARGS" "TESTS" REQUIREMENT...: a venv with the package and REQUIREMENTs; run TESTS
  local name=$1 python=$2 venv="$work/$1" extra=$3 tests=$4; shift 4
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel" "$@" "${TOOLS[@]}"
  echo "range: $name: Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'), $(
    "$venv/bin/python" -m pip list --format freeze 2>/dev/null | grep -iE '^(pulumi|boto3|botocore)==' | tr '\n' ' ')"
  (cd "$work" && "$venv/bin/python" -m pytest -q -p no:cacheprovider --rootdir "$root" -c "$root/pyproject.toml" \
    $extra $tests)
  rm -rf "$venv"
}

# The package is built once; the jobs run side by side (installs wait on the network, tests on one core each), each
# into a log shown when it ends.
.venv/bin/python -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$work/wheel" . >&2
wheel=$(ls "$work"/wheel/*.whl)
newest_python=${PYTHONS[${#PYTHONS[@]}-1]}
names=() pids=()
start() { # start NAME ARGS...: run NAME ARGS... in the background
  run "$@" >"$work/$1.log" 2>&1 &
  names+=("$1") pids+=($!)
}
start floor "$(find_python "${PYTHONS[0]}")" "${FLOOR_SKIPS[*]} ${CANARIES[*]}" "$(sdk_facing)" "${FLOOR[@]}"
for version in "${PYTHONS[@]:1}"; do
  tests=$(sdk_facing)
  [ "$version" = "$newest_python" ] && tests="$root/tests/unit $root/tests/operations $root/tests/emulator"
  start "newest-py$version" "$(find_python "$version")" "${CANARIES[*]}" "$tests" "pulumi==$newest" "boto3" "botocore"
done
failed=()
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || failed+=("${names[$i]}")
  cat "$work/${names[$i]}.log"
done
[ ${#failed[@]} -eq 0 ] || { echo "range: failed: ${failed[*]}" >&2; exit 1; }
echo "range: passed on pulumi 3.139.0 (floor) and $newest (newest), Python ${PYTHONS[*]}"
