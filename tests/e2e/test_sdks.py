"""The Node.js and Go SDKs generated from schema.json compile, so users of other languages can rely on the schema.

engine/sdkgen (a small Go tool on the pinned pkg/v3 generators, codegen/nodejs and codegen/go) writes both SDKs;
the Go SDK is built with `go build` against the pinned sdk/v3, the Node.js SDK with TypeScript against
@pulumi/pulumi of the pinned release, both fetched by their ordinary clients (the Go module proxy, npm).

Both are packages that name the plugin, its version and its server (schema.json's `version` and
`pluginDownloadURL`, from `_core.release`), so the engine installs the plugin a program needs: the Node.js SDK's
package.json has a `pulumi` block and `npm pack` accepts it; the Go SDK is a module whose package holds
pulumi-plugin.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pulumi_snowdm._core.release import PLUGIN_DOWNLOAD_URL, VERSION

from harness import pinned_engine_version

ROOT = Path(__file__).resolve().parents[2]
GO_ENV = {**os.environ, "GOSUMDB": os.environ.get("GOSUMDB", "off"), "GOFLAGS": "-mod=mod"}
PLUGIN = {"resource": True, "name": "snowdm", "version": VERSION, "server": PLUGIN_DOWNLOAD_URL}
LIMIT = 900  # seconds: a first build or install on a cold cache (a limit, not a measurement)


def run(command: list[str], cwd: Path, env: dict | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=env or os.environ, capture_output=True, text=True, timeout=LIMIT)
    assert done.returncode == 0, f"{' '.join(command)} failed in {cwd}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def sdks(tmp_path_factory) -> Path:
    for tool in ("go", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is needed to build the generated SDKs", pytrace=False)
    out = tmp_path_factory.mktemp("sdks")
    run(["go", "build", "-o", str(out / "sdkgen"), "."], ROOT / "engine" / "sdkgen", GO_ENV)
    run([str(out / "sdkgen"), "-schema", str(ROOT / "schema.json"), "-out", str(out)], out)
    return out


def test_the_go_sdk_builds(sdks):
    sdk = sdks / "go"
    generated = {path.name for path in (sdk / "snowdm").iterdir()}
    assert {"task.go", "taskExecution.go", "fleetGate.go", "provider.go"} <= generated
    assert json.loads((sdk / "snowdm" / "pulumi-plugin.json").read_text()) == PLUGIN
    assert (sdk / "go.mod").read_text().splitlines()[::4] == [
        "module github.com/pulumi-snowdm/sdk/go", f"require github.com/pulumi/pulumi/sdk/v3 {pinned_engine_version()}"]
    run(["go", "mod", "tidy"], sdk, GO_ENV)
    run(["go", "build", "./..."], sdk, GO_ENV)
    run(["go", "vet", "./..."], sdk, GO_ENV)


def test_the_nodejs_sdk_compiles(sdks):
    sdk = sdks / "nodejs"
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
    (packed,) = json.loads(run(["npm", "pack", "--json", "--pack-destination", str(sdks)], sdk / "bin"))
    assert packed["filename"] == f"pulumi-snowdm-snowdm-{VERSION}.tgz" and (sdks / packed["filename"]).exists()
    assert {"package.json", "index.js", "index.d.ts", "taskExecution.js"} <= {f["path"] for f in packed["files"]}
