#!/usr/bin/env bash
# Set up a development machine from scratch, idempotently: the Python environment in .venv (every package pinned by
# constraints.txt) and the pinned Pulumi engine (engine/install.sh). Prints nothing on stdout but the engine folder.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

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
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]' >&2
  echo "$want" > "$stamp"
fi

bash engine/install.sh
