"""Canaries for every private Pulumi/gRPC name that resources/sdk_hooks.py touches: no engine, just the releases
installed. When one fails, a release changed the shape a hook relies on: update the hook and TESTED_WITH."""

import importlib.util
import re
import sys
import types
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path

import grpc

from pulumi_snowdm._core.errors import WaitTimedOut
from pulumi_snowdm.resources import sdk_hooks


def test_the_releases_tested_are_the_ones_installed():
    assert version("pulumi") == sdk_hooks.TESTED_WITH["pulumi"]
    assert version("grpcio") == sdk_hooks.TESTED_WITH["grpcio"]


def test_the_worker_ceiling_of_a_running_grpc_server_is_raised(monkeypatch):
    pool = ThreadPoolExecutor(4)
    server = grpc.server(pool)
    server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        assert pool in sdk_hooks.grpc_server_pools()
        monkeypatch.setattr(sdk_hooks, "_raised", False)
        assert sdk_hooks.raise_worker_ceiling(64) >= 64
        assert pool._max_workers == 64
    finally:
        server.stop(None)
        pool.shutdown(wait=False)


def test_a_ceiling_that_cannot_be_found_is_said_on_stderr(monkeypatch, capsys):
    monkeypatch.setattr(sdk_hooks, "_raised", False)
    monkeypatch.setattr(sdk_hooks, "grpc_server_pools", lambda: [])
    assert sdk_hooks.raise_worker_ceiling() is None
    assert "could not find the provider's gRPC worker pool" in capsys.readouterr().err


def test_on_an_untested_release_no_hook_applies_and_what_is_lost_is_said_once(monkeypatch, capsys):
    monkeypatch.setattr(sdk_hooks, "TESTED_RELEASES", {"pulumi": "99.0", "grpcio": "99.0"})
    monkeypatch.setattr(sdk_hooks, "_told", set())
    touched = []
    monkeypatch.setattr(sdk_hooks, "grpc_server_pools", lambda: touched.append("pools") or [])
    monkeypatch.setattr(sdk_hooks, "_raised", False)
    assert sdk_hooks.raise_worker_ceiling() is None
    host = types.ModuleType("host")
    host.traceback = sys.modules["traceback"]
    assert sdk_hooks.install_brief_errors(host) is False and sdk_hooks.install_brief_errors(host) is False
    assert host.traceback is sys.modules["traceback"] and touched == []
    err = capsys.readouterr().err
    said = "is not a release these hooks were tested on (99.0 or a later 99.x);"
    assert err.count(f"grpcio {version('grpcio')} {said} gates beyond 4 will wait their turn") == 1
    assert err.count(f"pulumi {version('pulumi')} {said} errors keep their full traceback") == 1


def host_source() -> str:
    return Path(importlib.util.find_spec("pulumi.dynamic.__main__").origin).read_text()


def test_the_host_formats_provider_errors_with_its_module_level_traceback():
    source = host_source()
    assert re.search(r"^import traceback$", source, re.M), "the host no longer imports traceback at module level"
    assert "traceback.format_exc()" in source, "the host no longer reports errors through traceback.format_exc()"


def test_the_swap_makes_our_errors_brief_and_keeps_tracebacks_for_bugs():
    host = types.ModuleType("host")
    host.traceback = __import__("traceback")
    assert sdk_hooks.install_brief_errors(host)
    try:
        raise WaitTimedOut("task st-1 on smd-1: no final state")
    except WaitTimedOut:
        assert host.traceback.format_exc() == "WaitTimedOut: task st-1 on smd-1: no final state"
    try:
        raise KeyError("bug")
    except KeyError:
        assert host.traceback.format_exc().startswith("Traceback (most recent call last)")


def test_a_host_without_traceback_is_said_on_stderr(capsys):
    assert sdk_hooks.install_brief_errors(types.ModuleType("host")) is False
    assert "has no `traceback` to swap" in capsys.readouterr().err


def test_the_host_is_found_by_its_module_spec(monkeypatch):
    assert sdk_hooks.host_module() is None  # a test process is not the host
    spec = importlib.util.find_spec(sdk_hooks.HOST_MODULE)
    fake = types.ModuleType("__main__")
    fake.__spec__ = spec
    monkeypatch.setitem(sys.modules, "__main__", fake)
    assert sdk_hooks.host_module() is fake
