#!/usr/bin/env bash
# The project's one test command (README.md): sets up what is missing, then runs every test tier, end-to-end tests
# through the real Pulumi engine included. Extra arguments go to pytest.
#
#   bash scripts/test.sh [pytest args]          # everything (builds the pinned engine the first time)
#   bash scripts/test.sh --quick [pytest args]  # lint, types, the unit, operations, emulator and CLI tiers: no engine
#
# Tests run in pytest-xdist workers, SNOWDM_TEST_WORKERS of them (default 4: an end-to-end test mostly waits on its
# stack and emulated devices, using about a third of a core, and the quick tiers mostly wait on emulated device time).
# `-n 0` (or SNOWDM_TEST_WORKERS=0) runs everything in this one process. Tests of one xdist_group run on one worker,
# one after another (tests/e2e/harness.py says which and what makes a test parallel-safe).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [ "${1:-}" = "--quick" ]; then
  shift
  bash scripts/setup.sh --no-engine
  bash scripts/lint.sh
  exec .venv/bin/python -m pytest -n "${SNOWDM_TEST_WORKERS:-4}" --dist loadgroup \
    tests/unit tests/operations tests/emulator tests/cli -q "$@"
fi
source scripts/env.sh
echo "test: $(command -v pulumi) $(pulumi version)"
exec python -m pytest -n "${SNOWDM_TEST_WORKERS:-4}" --dist loadgroup "$@"
