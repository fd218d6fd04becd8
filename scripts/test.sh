#!/usr/bin/env bash
# The project's one test command (README.md): sets up what is missing, then runs every test tier, end-to-end tests
# through the real Pulumi engine included. Extra arguments go to pytest.
#
#   bash scripts/test.sh [pytest args]          # everything (builds the pinned engine the first time)
#   bash scripts/test.sh --quick [pytest args]  # lint, types, the unit, emulator and CLI tiers: no engine needed
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [ "${1:-}" = "--quick" ]; then
  shift
  bash scripts/setup.sh --no-engine
  bash scripts/lint.sh
  exec .venv/bin/python -m pytest tests/unit tests/emulator tests/cli -q "$@"
fi
source scripts/env.sh
echo "test: $(command -v pulumi) $(pulumi version)"
exec python -m pytest "$@"
