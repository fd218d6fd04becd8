#!/usr/bin/env bash
# Provide the pinned Pulumi engine: the `pulumi` CLI, the Python language host, `pulumi-language-python-exec`,
# `pulumi-resource-pulumi-python` and the YAML language host (for YAML programs using the snowdm plugin), all in one
# folder.
#
#   bash engine/install.sh            # prints the folder holding the four files on stdout, progress on stderr
#
# Order of preference:
#   1. a `pulumi` of the pinned version already on PATH, with the three Python pieces beside it or on PATH;
#   2. the per-version cache ($SNOWDM_ENGINE_CACHE, default ~/.cache/pulumi-snowdm/engine/<version>/bin);
#   3. a build from the Go module proxy into that cache (minutes on 2 cores the first time, seconds afterwards).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The pinned release is the pkg/v3 requirement of engine/go.mod; constraints.txt pins the same SDK version
# (tests/unit/test_engine_pin.py keeps them equal).
required() { # required MODULE GOMOD: the version GOMOD requires of MODULE
  awk -v m="$1" '{ for (i = 1; i < NF; i++) if ($i == m) { print $(i + 1); exit } }' "$2"
}
version=$(required github.com/pulumi/pulumi/pkg/v3 "$here/go.mod")
langhost_sdk=$(required github.com/pulumi/pulumi/sdk/v3 "$here/langhost/go.mod")
[ -n "$version" ] || { echo "engine/install.sh: no pkg/v3 requirement in engine/go.mod" >&2; exit 1; }

say() { echo "engine: $*" >&2; }
pieces=(pulumi pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python)
# The YAML language host: a module of its own, served by the Go module proxy, pinned with every hash by
# engine/yamlhost (go.mod, go.sum); that release runs YAML programs with the pinned engine (tests/e2e/test_plugin.py).
yaml_version=$(required github.com/pulumi/pulumi-yaml "$here/yamlhost/go.mod")

has_all() { # has_all DIR: all four pieces are executable files in DIR
  local piece
  for piece in "${pieces[@]}"; do [ -x "$1/$piece" ] || return 1; done
}

build_yaml_host() { # build_yaml_host DIR: build the YAML language host into DIR unless it is there
  [ -x "$1/pulumi-language-yaml" ] && return 0
  command -v go >/dev/null || { say "no Go to build the YAML language host: YAML programs will not run"; return 0; }
  say "building the YAML language host $yaml_version into $1 (first time only; minutes on 2 cores)"
  local out
  out=$(mktemp -d "$1/yaml.XXXXXX")
  (cd "$here/yamlhost" && GOSUMDB=${GOSUMDB:-off} go build -o "$out/pulumi-language-yaml" \
    github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml)
  mv "$out/pulumi-language-yaml" "$1/" && rmdir "$out"
}

report() { # report DIR: print the engine's version and the folder, then stop
  say "using $1 ($("$1/pulumi" version 2>/dev/null))"
  echo "$1"
  exit 0
}

# 1. An ordinary Pulumi installation of the pinned version.
if existing=$(command -v pulumi 2>/dev/null) && [ "$("$existing" version 2>/dev/null)" = "$version" ]; then
  dir=$(dirname "$(readlink -f "$existing")")
  if has_all "$dir" && [ -x "$dir/pulumi-language-yaml" ]; then report "$dir"; fi
  say "pulumi $version is on PATH at $existing but the Python or YAML pieces are not beside it; using the cache instead"
fi

# 2. The cache.
cache=${SNOWDM_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-snowdm/engine}/$version
bin=$cache/bin
if has_all "$bin"; then build_yaml_host "$bin"; report "$bin"; fi

# 3. Build.
command -v go >/dev/null || { echo "engine/install.sh: Go is needed to build Pulumi $version (or install Pulumi $version yourself)" >&2; exit 1; }
# The committed go.sum files pin every hash; the checksum database may be out of reach here.
export GOSUMDB=${GOSUMDB:-off}
mkdir -p "$bin"
tmp=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

start=$(date +%s)
say "building pulumi $version from the Go module proxy into $bin (first time only; several minutes on 2 cores)"
# Release builds stamp the version at link time; without it `pulumi version` prints nothing.
(cd "$here" && go build -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
  -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)

say "building the Python language host (sdk/v3 $langhost_sdk)"
(cd "$here/langhost" && go build -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$langhost_sdk" -o "$tmp/pulumi-language-python" \
  github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python)

# The two Python scripts ship in the sdk/v3 module of the pinned release.
sdk_dir=$(cd "$here" && go mod download -json "github.com/pulumi/pulumi/sdk/v3@$version" |
  awk -F'"' '$2 == "Dir" { print $4 }')
install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$tmp/"
install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$tmp/"

mv "$tmp"/* "$bin/"
build_yaml_host "$bin"
say "built in $(( $(date +%s) - start ))s"
report "$bin"
