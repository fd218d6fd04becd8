#!/usr/bin/env bash
# The provider plugin as Pulumi installs it: freeze `pulumi-resource-snowdm` with PyInstaller
# (scripts/freeze/plugin.spec: one folder with the executable and its own Python, so no Python is needed where it
# runs) and pack it as OUT/pulumi-resource-snowdm-v<version>-linux-amd64.tar.gz, the executable at the top level.
#
#   bash scripts/plugin_archive.sh OUT [PYTHON]   # PYTHON: an environment with pulumi-snowdm and the `release` extra
#                                                 # (default .venv/bin/python); prints the archive's path
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: bash scripts/plugin_archive.sh OUT [PYTHON]" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
python=${2:-$root/.venv/bin/python}
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { echo "plugin_archive: builds linux-amd64 only, on linux-amd64" >&2; exit 2; }
version=$("$python" -c 'from pulumi_snowdm._core.release import VERSION; print(VERSION)')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python" -m PyInstaller --noconfirm --log-level WARN --distpath "$work/dist" --workpath "$work/build" \
  "$root/scripts/freeze/plugin.spec" >"$work/freeze.log" 2>&1 ||
  { cat "$work/freeze.log" >&2; echo "plugin_archive: PyInstaller failed" >&2; exit 1; }
folder="$work/dist/pulumi-resource-snowdm"
got=$("$folder/pulumi-resource-snowdm" --version)
[ "$got" = "pulumi-resource-snowdm $version" ] || { echo "plugin_archive: the frozen plugin says '$got'" >&2; exit 1; }
archive="$out/pulumi-resource-snowdm-v$version-linux-amd64.tar.gz"
tar -czf "$archive" -C "$folder" --owner=0 --group=0 .
echo "$archive"
