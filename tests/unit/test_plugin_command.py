"""The plugin executable `pulumi-resource-snowdm` as a person and the engine start it, without the engine: --help and
--version answer, an unknown flag is refused with a hint, the engine's arguments are taken, and a plugin whose
engine is gone (its parent killed, or its address closed) ends by itself, saying why."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2_grpc

# The console script beside this interpreter, where `pip install` puts it (on PATH once the venv is active).
PLUGIN = shutil.which("pulumi-resource-snowdm", path=str(Path(sys.executable).parent))
# The bound, from the engine's death to the plugin's exit.
EXIT_WITHIN = 5.0


def run(*args: str) -> subprocess.CompletedProcess:
    assert PLUGIN, "pip install -e . installs the pulumi-resource-snowdm console script"
    return subprocess.run([PLUGIN, *args], capture_output=True, text=True, timeout=30)


@pytest.fixture
def engine_address():
    """A loopback listener standing in for the engine: (its address, a function that closes it)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield f"127.0.0.1:{server.getsockname()[1]}", server.close
    server.close()


def test_help_says_what_the_program_is():
    done = run("--help")
    assert done.returncode == 0, done.stderr
    assert "snowdm provider plugin for Pulumi" in done.stdout and "The Pulumi engine starts it" in done.stdout
    assert "ENGINE_ADDRESS" in done.stdout


def test_version_is_the_packages_and_the_plugin_info_says_the_same():
    version = importlib.metadata.version("pulumi-snowdm")
    done = run("--version")
    assert (done.returncode, done.stdout) == (0, f"pulumi-resource-snowdm {version}\n")

    process = subprocess.Popen([PLUGIN], stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            info = provider_pb2_grpc.ResourceProviderStub(channel).GetPluginInfo(empty_pb2.Empty(), timeout=10)
        assert info.version == version
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize("flag", ["--bogus", "-x"])
def test_an_unknown_flag_is_refused_with_a_hint(flag):
    done = run(flag)
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"unrecognized arguments: {flag}" in done.stderr
    assert "the Pulumi engine starts this program" in done.stderr


def test_the_engines_arguments_are_taken_and_a_closed_engine_address_ends_the_plugin(engine_address):
    address, close = engine_address
    process = subprocess.Popen([PLUGIN, "--logtostderr", "-v=9", "--tracing", "http://127.0.0.1:9", address],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert int(process.stdout.readline()) > 0
        time.sleep(2.5)  # two looks at a live engine: it serves on
        assert process.poll() is None

        close()
        gone = time.monotonic()
        process.wait(timeout=EXIT_WITHIN + 5)
        took = time.monotonic() - gone
    finally:
        process.kill()
        process.wait()
    assert took < EXIT_WITHIN, took
    assert (f"snowdm: plugin ending: the Pulumi engine that started it is gone (its address {address} refuses "
            f"connections); every wait is canceled and nothing more is sent") in process.stderr.read()


def test_a_plugin_whose_parent_is_killed_ends(engine_address, tmp_path):
    address, _ = engine_address  # still listening: the parent alone tells
    errors = tmp_path / "plugin.err"
    parent = subprocess.Popen(["sh", "-c", f'"{PLUGIN}" {address} 2>"{errors}"; echo ended'],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert int(parent.stdout.readline()) > 0
        plugin = int(subprocess.run(["pgrep", "-P", str(parent.pid)], capture_output=True, text=True).stdout)
        parent.kill()
        parent.wait()
        gone = time.monotonic()
        while _running(plugin) and time.monotonic() - gone < EXIT_WITHIN + 5:
            time.sleep(0.05)
        took = time.monotonic() - gone
    finally:
        parent.kill()
        parent.wait()
    assert not _running(plugin)
    assert took < EXIT_WITHIN, took
    assert f"gone (its parent process {parent.pid} ended; the parent is now" in errors.read_text()


def _running(pid: int) -> bool:
    """Whether `pid` runs (an orphan's zombie is reaped by init, which may take a moment: a zombie has ended)."""
    try:
        os.kill(pid, 0)
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (ProcessLookupError, FileNotFoundError):
        return False
    return state != "Z"

