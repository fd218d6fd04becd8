#!/usr/bin/env bash
# Set up a development machine from scratch, idempotently: the Python environment in .venv (every package pinned by
# constraints.txt, with the test, lint and release tools) and the pinned Pulumi engine (engine/install.sh). Prints nothing on
# stdout but the engine folder.
#
#   bash scripts/setup.sh              # .venv and the engine (builds it the first time if no pinned pulumi is found)
#   bash scripts/setup.sh --no-engine  # .venv only: enough for lint, types, the unit and the emulator tiers
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
engine=yes
case "${1:-}" in
  --no-engine) engine=no ;;
  "") ;;
  *) echo "usage: bash scripts/setup.sh [--no-engine]" >&2; exit 2 ;;
esac

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($python --version)" >&2
  "$python" -m venv .venv
fi
# Reinstall only when the pins changed since the last install.
stamp=.venv/.snowdm-installed
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pulumi-snowdm and its pinned dependencies into .venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,lint,release]' >&2
  echo "$want" > "$stamp"
fi

if [ "$engine" = yes ]; then
  bash engine/install.sh
fi
