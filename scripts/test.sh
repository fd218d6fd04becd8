#!/usr/bin/env bash
# The project's one test command (README.md): sets up what is missing, then runs every test tier, end-to-end tests
# through the real Pulumi engine included. Extra arguments go to pytest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/env.sh
echo "test: $(command -v pulumi) $(pulumi version)"
exec python -m pytest "$@"
