"""The Node.js and Go SDKs generated from schema.json compile, so users of other languages can rely on the schema.

engine/sdkgen (a small Go tool on the pinned pkg/v3 generators, codegen/nodejs and codegen/go) writes both SDKs;
the Go SDK is built with `go build` against the pinned sdk/v3, the Node.js SDK with TypeScript against
@pulumi/pulumi of the pinned release, both fetched by their ordinary clients (the Go module proxy, npm).

Both are packages that name the plugin, its version and its server (schema.json's `version` and
`pluginDownloadURL`, from `_core.release`), so the engine installs the plugin a program needs: the Node.js SDK's
package.json has a `pulumi` block and `npm pack` accepts it; the Go SDK is a module whose package holds
pulumi-plugin.json.

The builds take minutes and depend only on what `build_key` hashes: schema.json, engine/ (the generator and the
pinned releases), this file, and the toolchain's version. A green build leaves a stamp under that key in
~/.cache/pulumi-snowdm/sdk-builds (outside the work tree; SNOWDM_SDK_CACHE moves it), and a later run with the same
key passes on it without building again, saying so in the notes at the end of the run (tests/run_notes.py).
CI (CI=true) always builds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pulumi_snowdm._core.release import PLUGIN_DOWNLOAD_URL, VERSION

import run_notes
from harness import pinned_engine_version

ROOT = Path(__file__).resolve().parents[2]
GO_ENV = {**os.environ, "GOSUMDB": os.environ.get("GOSUMDB", "off"), "GOFLAGS": "-mod=mod"}
PLUGIN = {"resource": True, "name": "snowdm", "version": VERSION, "server": PLUGIN_DOWNLOAD_URL}
LIMIT = 900  # seconds: a first build or install on a cold cache (a limit, not a measurement)
CACHE = Path(os.environ.get("SNOWDM_SDK_CACHE", Path.home() / ".cache" / "pulumi-snowdm" / "sdk-builds"))
TOOLCHAINS = {"go": [["go", "version"]], "nodejs": [["node", "--version"], ["npm", "--version"]]}


def need(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is needed to build the generated SDKs", pytrace=False)


def run(command: list[str], cwd: Path, env: dict | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=env or os.environ, capture_output=True, text=True, timeout=LIMIT)
    assert done.returncode == 0, f"{' '.join(command)} failed in {cwd}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def build_key(language: str) -> str:
    """The hash of everything a language's SDK build depends on."""
    need(*(command[0] for command in TOOLCHAINS[language]))
    digest = hashlib.sha256()
    inputs = [ROOT / "schema.json", Path(__file__).resolve(),
              *sorted(path for path in (ROOT / "engine").rglob("*") if path.is_file())]
    for path in inputs:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    for command in TOOLCHAINS[language]:
        digest.update(run(command, ROOT).encode())
    return f"{language}-{digest.hexdigest()[:32]}"


def built_green_before(language: str, record_property) -> bool:
    """Whether a build of exactly these inputs passed before (then saying so at the end of the run); never in CI,
    which always builds."""
    if os.environ.get("CI") == "true":
        return False
    stamp = CACHE / build_key(language)
    if stamp.exists():
        record_property(run_notes.NOTE, f"the {language} SDK built green before from the same schema.json, engine/ and "
                               f"toolchain ({stamp}): not built again (CI=true, or removing the stamp, builds it)")
        return True
    return False


def remember_green(language: str) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / build_key(language)).write_text(f"{pinned_engine_version()}\n")


@pytest.fixture(scope="module")
def sdks(tmp_path_factory):
    """generate() -> the folder holding both generated SDKs (the generator is built on first use only)."""
    out: list[Path] = []

    def generate() -> Path:
        if not out:
            need("go", "npm")
            folder = tmp_path_factory.mktemp("sdks")
            run(["go", "build", "-o", str(folder / "sdkgen"), "."], ROOT / "engine" / "sdkgen", GO_ENV)
            run([str(folder / "sdkgen"), "-schema", str(ROOT / "schema.json"), "-out", str(folder)], folder)
            out.append(folder)
        return out[0]
    return generate


# Both tests on one worker: the generator runs once for both.
@pytest.mark.xdist_group("sdks")
def test_the_go_sdk_builds(sdks, record_property):
    if built_green_before("go", record_property):
        return
    sdk = sdks() / "go"
    generated = {path.name for path in (sdk / "snowdm").iterdir()}
    assert {"task.go", "taskExecution.go", "fleetGate.go", "provider.go"} <= generated
    assert json.loads((sdk / "snowdm" / "pulumi-plugin.json").read_text()) == PLUGIN
    assert (sdk / "go.mod").read_text().splitlines()[::4] == [
        "module github.com/pulumi-snowdm/sdk/go", f"require github.com/pulumi/pulumi/sdk/v3 {pinned_engine_version()}"]
    run(["go", "mod", "tidy"], sdk, GO_ENV)
    run(["go", "build", "./..."], sdk, GO_ENV)
    run(["go", "vet", "./..."], sdk, GO_ENV)
    remember_green("go")


@pytest.mark.xdist_group("sdks")
def test_the_nodejs_sdk_compiles(sdks, record_property):
    if built_green_before("nodejs", record_property):
        return
    sdk = sdks() / "nodejs"
    assert "snowdm:index:TaskExecution" in (sdk / "taskExecution.ts").read_text()
    version = pinned_engine_version().removeprefix("v")
    run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", f"@pulumi/pulumi@{version}"], sdk)
    run(["npx", "tsc"], sdk)
    assert (sdk / "bin" / "taskExecution.d.ts").exists()
    package = json.loads((sdk / "package.json").read_text())
    assert package["name"] == "@pulumi-snowdm/snowdm" and package["version"] == VERSION
    assert package["pulumi"] == PLUGIN
    # Published the way Pulumi's providers publish theirs: the compiled bin/ with the package.json.
    shutil.copy(sdk / "package.json", sdk / "bin" / "package.json")
    (packed,) = json.loads(run(["npm", "pack", "--json", "--pack-destination", str(sdk.parent)], sdk / "bin"))
    assert packed["filename"] == f"pulumi-snowdm-snowdm-{VERSION}.tgz" and (sdk.parent / packed["filename"]).exists()
    assert {"package.json", "index.js", "index.d.ts", "taskExecution.js"} <= {f["path"] for f in packed["files"]}
    remember_green("nodejs")
