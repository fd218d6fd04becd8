#!/usr/bin/env bash
# The package as users get it, checked: build the sdist and the wheel (setuptools pinned by constraints.txt), check
# both with `twine check --strict`, check the sdist carries the tests, schema.json and the examples, and install the
# wheel into a fresh virtual environment next to pulumi-aws and the newest pulumi SDK the registry serves: the
# resolution must keep that newest SDK (the package's range must not drag users back to our pin). Then the plugin's
# release archive: the wheel with the `release` extra (pinned) in a fresh virtual environment, frozen by
# scripts/plugin_archive.sh, at most 40 MB, its executable answering --version with no Python on PATH.
# Everything happens in a temporary folder, removed afterwards (`--out DIR` keeps the archive there). Uses the
# package registry.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
python=${PYTHON:-python3}
keep=
case "${1:-}" in
  --out) keep=$(mkdir -p "$2" && cd "$2" && pwd) ;;
  "") ;;
  *) echo "usage: bash scripts/package.sh [--out DIR]" >&2; exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pip_quiet=(--quiet --disable-pip-version-check)

"$python" -m venv "$work/tools"
"$work/tools/bin/python" -m pip install "${pip_quiet[@]}" -c constraints.txt build twine
# The isolated build environment takes its setuptools from constraints.txt too.
PIP_CONSTRAINT="$root/constraints.txt" "$work/tools/bin/python" -m build --outdir "$work/dist" . >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; echo "package: the build failed" >&2; exit 1; }
"$work/tools/bin/python" -m twine check --strict "$work/dist"/*

sdist=$(ls "$work/dist"/*.tar.gz)
wheel=$(ls "$work/dist"/*.whl)
tar tzf "$sdist" | sed 's|^[^/]*/||' >"$work/sdist.txt"
for wanted in schema.json LICENSE tests/unit/test_settings.py tests/e2e/harness.py examples/unlock-then-deploy/Pulumi.yaml \
              examples/canary-reboot/Pulumi.yaml; do
  grep -qxF "$wanted" "$work/sdist.txt" || { echo "package: the sdist lacks $wanted" >&2; exit 1; }
done
echo "package: $(basename "$sdist") carries the tests, schema.json and the examples"

newest=$("$work/tools/bin/python" -m pip index versions pulumi 2>/dev/null | sed -n '1s/^pulumi (\(.*\))$/\1/p')
[ -n "$newest" ] || { echo "package: could not ask the registry for pulumi's newest version" >&2; exit 1; }
"$python" -m venv "$work/user"
"$work/user/bin/python" -m pip install "${pip_quiet[@]}" "$wheel" pulumi-aws "pulumi==$newest"
got=$("$work/user/bin/python" -c 'import importlib.metadata as m; print(m.version("pulumi"))')
[ "$got" = "$newest" ] || { echo "package: pip gave pulumi $got, not the newest ($newest)" >&2; exit 1; }
"$work/user/bin/python" -c 'import pulumi_snowdm'
echo "package: $(basename "$wheel") installs beside pulumi-aws $("$work/user/bin/python" -c \
  'import importlib.metadata as m; print(m.version("pulumi-aws"))') and keeps pulumi $newest"

started=$(date +%s)
"$python" -m venv "$work/freeze"
"$work/freeze/bin/python" -m pip install "${pip_quiet[@]}" -c constraints.txt "$wheel[release]"
archive=$(bash scripts/plugin_archive.sh "${keep:-$work/release}" "$work/freeze/bin/python")
size=$(stat -c %s "$archive")
[ "$size" -le $((40 * 1024 * 1024)) ] || { echo "package: $(basename "$archive") is $size bytes, over 40 MB" >&2; exit 1; }
mkdir "$work/unpacked"
tar xzf "$archive" -C "$work/unpacked"
env -i PATH=/usr/bin:/bin "$work/unpacked/pulumi-resource-snowdm" --version >/dev/null
echo "package: $(basename "$archive"): $((size / 1024 / 1024)) MB, frozen in $(( $(date +%s) - started ))s"
