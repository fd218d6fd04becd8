"""The plugin as users get a provider: the release archive (scripts/plugin_archive.sh, a frozen executable that needs
no Python) installed by the engine, on a PATH without `pulumi-resource-snowdm` and without our virtualenv.

- `pulumi plugin install resource snowdm <version> --file <archive>`, then examples/yaml-gate: passes on SUCCEEDED,
  fails on FAILED, ends at its customTimeouts, and prints no warning;
- with nothing installed, the engine downloads the archive from a provider's `pluginDownloadURL` (a loopback HTTP
  server this test starts; automatic plugin acquisition on for this test only) and runs it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_snowdm._core.release import VERSION

from harness import ROOT, Project

pytestmark = pytest.mark.e2e

REGION = "us-west-2"
ARCHIVE = f"pulumi-resource-snowdm-v{VERSION}-linux-amd64.tar.gz"
SCENARIO = {
    "scenario": {
        "default": {"outcome": "SUCCEEDED", "queued_seconds": 1, "run_seconds": 2},
        "devices": {**{f"smd-ok-{n}": {} for n in range(4)},
                    "smd-failed": {"outcome": "FAILED", "deviceState": "LOCKED"},
                    "smd-slow": {"run_seconds": 3600}},
    },
    "time_scale": 10,
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """The release archive, built from this tree by scripts/plugin_archive.sh (PyInstaller; about 20 s)."""
    out = tmp_path_factory.mktemp("release")
    done = subprocess.run(["bash", str(ROOT / "scripts" / "plugin_archive.sh"), str(out)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == out / ARCHIVE
    return out / ARCHIVE


@pytest.fixture
def user_env(stack_env, engine) -> dict[str, str]:
    """A user's machine: the engine on PATH, no plugin and no Python environment of ours."""
    env = {**stack_env, "PATH": os.pathsep.join([str(engine), "/usr/local/bin", "/usr/bin", "/bin"]),
           "VIRTUAL_ENV": ""}
    assert shutil.which("pulumi-resource-snowdm", path=env["PATH"]) is None
    return env


def yaml_gate(tmp_path: Path, engine: Path, env: dict[str, str], emulator, canary: str,
              create_timeout: str = "20m") -> Project:
    base = tmp_path / f"project-{canary}"
    base.mkdir()
    project = Project.from_folder(base, engine, env, ROOT / "examples" / "yaml-gate")
    program = project.workdir / "Pulumi.yaml"
    program.write_text(program.read_text().replace("create: 20m", f"create: {create_timeout}"))
    project.configure({"snowdm:endpoint": emulator.url, "snowdm:region": REGION, "canary": canary,
                       "fleet": "smd-ok-1,smd-ok-2,smd-ok-3"})
    return project


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_the_installed_archive_runs_the_yaml_example(tmp_path, engine, user_env, emulator, archive):
    installed = subprocess.run([str(engine / "pulumi"), "plugin", "install", "resource", "snowdm", VERSION,
                                "--file", str(archive)], env={**os.environ, **user_env}, capture_output=True,
                               text=True, timeout=120)
    assert installed.returncode == 0, installed.stderr

    passed = yaml_gate(tmp_path, engine, user_env, emulator, "smd-ok-0").up()
    assert passed.outputs["canary"] == "SUCCEEDED" and passed.outputs["fleetCounts"] == {"SUCCEEDED": 3}
    assert "warning" not in passed.output.lower(), passed.output
    plugins = subprocess.run([str(engine / "pulumi"), "plugin", "ls"], env={**os.environ, **user_env},
                             capture_output=True, text=True, timeout=60).stdout
    assert any(line.split()[:3] == ["snowdm", "resource", VERSION] for line in plugins.splitlines()), plugins

    failed = yaml_gate(tmp_path, engine, user_env, emulator, "smd-failed").up(expect_ok=False).output
    assert "smd-failed" in failed and "FAILED" in failed and "LOCKED" in failed
    assert "warning" not in failed.lower(), failed

    timed_out = yaml_gate(tmp_path, engine, user_env, emulator, "smd-slow", create_timeout="3s")
    output = timed_out.up(expect_ok=False).output
    assert "ended by customTimeouts.create (3s)" in output, output


class _Archives(http.server.SimpleHTTPRequestHandler):
    requested: list[str]

    def log_message(self, format, *args) -> None:  # noqa: A002 - http.server's own signature
        self.requested.append(self.path)


@pytest.fixture
def release_server(archive) -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server serving the release folder; yields its URL and the paths asked for."""
    requested: list[str] = []
    handler = type("Handler", (_Archives,), {"requested": requested})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(handler, directory=str(archive.parent)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requested
    server.shutdown()
    server.server_close()


DOWNLOADED = """\
name: snowdm-download
runtime: yaml
resources:
  unlock:
    type: snowdm:index:Task
    properties:
      command: unlock
      targets: [smd-ok-0]
    options:
      version: {version}
      pluginDownloadURL: {server}
  unlocked:
    type: snowdm:index:TaskExecution
    properties:
      taskId: ${{unlock.taskId}}
      managedDeviceId: smd-ok-0
      pollIntervalSeconds: 0.5
    options:
      version: {version}
      pluginDownloadURL: {server}
outputs:
  state: ${{unlocked.state}}
"""


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_the_engine_downloads_the_plugin_from_its_server(tmp_path, engine, user_env, emulator, release_server):
    server, requested = release_server
    env = {**user_env, "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "false"}
    workdir = tmp_path / "download"
    workdir.mkdir()
    (workdir / "Pulumi.yaml").write_text(DOWNLOADED.format(version=VERSION, server=server))
    project = Project(workdir, engine, env)
    project.configure({"snowdm:endpoint": emulator.url, "snowdm:region": REGION})

    outcome = project.up()

    assert outcome.outputs["state"] == "SUCCEEDED"
    assert f"/{ARCHIVE}" in requested
    assert (Path(env["PULUMI_HOME"]) / "plugins" / f"resource-snowdm-v{VERSION}" / "pulumi-resource-snowdm").exists()
    assert [task["targets"] for task in emulator.model.tasks()] == [["smd-ok-0"]]
