"""The plugin's pure parts, without the engine: the wire, its settings, the tokens it serves, Check and Diff through
the servicer, the host deadline of the shared operations, and the cancel token that ends every wait."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from pulumi_snowdm._core.context import Context, HostTimeout
from pulumi_snowdm._core.errors import WaitCanceled, WaitTimedOut
from pulumi_snowdm._core.schema import package_schema
from pulumi_snowdm._core.settings import ClientSettings
from pulumi_snowdm._core.wait.cancel import Cancel
from pulumi_snowdm._core.wait.listing import Listings
from pulumi_snowdm._core.wait.loop import DescribeSource, ExecutionGate, ListingSource, wait_until_decided
from pulumi_snowdm._core.wait.policy import WaitPolicy
from pulumi_snowdm.plugin import config
from pulumi_snowdm.plugin.engine_log import EngineLog
from pulumi_snowdm.plugin.kinds import KINDS
from pulumi_snowdm.plugin.service import SnowdmProvider
from pulumi_snowdm.plugin.wire import UNKNOWN, scope_of, to_dict, to_struct, unknown

URN = "urn:pulumi:dev::shop::snowdm:index:TaskExecution::gate"
RUNNING = {"executionId": "e-1", "taskId": "st-1", "managedDeviceId": "smd-1", "state": "IN_PROGRESS"}


def provider() -> SnowdmProvider:
    return SnowdmProvider(EngineLog(None), Cancel())


def test_the_plugin_serves_exactly_the_schemas_tokens():
    schema = json.loads(provider().GetSchema(provider_pb2.GetSchemaRequest(), None).schema)
    assert schema == package_schema()
    assert set(KINDS) == set(schema["resources"]) == {
        "snowdm:index:Task", "snowdm:index:TaskExecution", "snowdm:index:FleetGate"}


def test_the_wire_keeps_values_and_tells_unknowns():
    values = {"taskId": "st-1", "wait": True, "timeoutSeconds": 60, "tags": {"a": "b"}, "targets": ["smd-1"]}
    assert to_dict(to_struct(values)) == values
    assert unknown(UNKNOWN) and unknown({"tags": {"a": UNKNOWN}}) and unknown([UNKNOWN])
    assert not unknown("st-1")


def test_scope_is_the_dynamic_resources_scope():
    assert scope_of(URN) == "shop/dev/gate"
    with pytest.raises(ValueError, match="not a resource URN"):
        scope_of("gate")


def test_check_names_inputs_as_yaml_writes_them_and_adds_defaults_and_scope():
    request = provider_pb2.CheckRequest(urn=URN, type="snowdm:index:TaskExecution",
                                        news=to_struct({"taskId": "st-1", "managedDeviceId": "smd-1",
                                                        "timeoutSeconds": 0}))
    answer = provider().Check(request, None)
    assert [f.reason for f in answer.failures] == [
        "'timeoutSeconds' must be a number of seconds from 1 to 604800, got 0"]
    inputs = to_dict(answer.inputs)
    assert inputs["wait"] is True and inputs["acceptCanceled"] is False

    task = provider().Check(provider_pb2.CheckRequest(urn=URN.replace("TaskExecution", "Task"),
                                                      type="snowdm:index:Task",
                                                      news=to_struct({"command": "unlock", "targets": ["smd-1"]})),
                            None)
    assert not task.failures and to_dict(task.inputs)["scope"] == "shop/dev/gate"


def test_diff_replaces_on_a_new_task_and_updates_on_timing():
    olds = {"taskId": "st-1", "managedDeviceId": "smd-1", "executionId": "e-1", "state": "SUCCEEDED"}

    def diff(news):
        return provider().Diff(provider_pb2.DiffRequest(urn=URN, type="snowdm:index:TaskExecution",
                                                        olds=to_struct(olds), news=to_struct(news)), None)
    same = diff({"taskId": "st-1", "managedDeviceId": "smd-1", "wait": True, "timeoutSeconds": 1800.0})
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE
    timing = diff({"taskId": "st-1", "managedDeviceId": "smd-1", "timeoutSeconds": 60})
    assert timing.changes == provider_pb2.DiffResponse.DIFF_SOME and not timing.replaces
    assert list(diff({"taskId": "st-2", "managedDeviceId": "smd-1"}).replaces) == ["taskId"]


def test_config_keeps_only_the_providers_settings_and_names_a_stray_key():
    assert config.problems({"region": "us-west-2", "endpoint": "http://127.0.0.1:1", "version": "0.1.0"}) == []
    assert config.problems({"regoin": "us-west-2"}) == [
        ("regoin", "snowdm:regoin is not a setting of the snowdm provider; use one of snowdm:region, "
                   "snowdm:profile, snowdm:endpoint, snowdm:retryMode, snowdm:maxAttempts, snowdm:connectTimeout, "
                   "snowdm:readTimeout, snowdm:maxRequestsPerSecond")]
    assert config.problems({"maxRequestsPerSecond": 0})[0][1].startswith("snowdm:maxRequestsPerSecond is '0': use a")
    assert config.settings({"maxRequestsPerSecond": 20.0}, {}).max_requests_per_second == 20
    assert config.problems({"retryMode": "sometimes"})[0][1].startswith("snowdm:retryMode is 'sometimes'")
    assert config.settings({"maxAttempts": 3.0, "region": "eu-west-1"}, {}).max_attempts == 3
    assert config.from_variables({"snowdm:config:region": "eu-west-1"}) == {"region": "eu-west-1"}


def _context(host_timeout=None, cancel=None) -> Context:
    lines: list[str] = []
    return Context(ClientSettings(region="us-west-2", wording=config.WORDING), say=lines.append, warn=lines.append,
                   cancel=cancel, host_timeout=host_timeout)


def _running_source() -> DescribeSource:
    return DescribeSource(lambda: dict(RUNNING), "st-1", "smd-1")


POLICY = WaitPolicy(timeout_seconds=30, initial_delay_seconds=0.05, max_delay_seconds=0.05)


@pytest.mark.parametrize("host, own, says", [
    (0.2, 30, "ended by customTimeouts.create (0s), sooner than timeoutSeconds (30s)"),
    (30, 0.2, "ended by timeoutSeconds (0s), sooner than customTimeouts.create (30s)"),
])
def test_the_sooner_deadline_ends_the_wait_and_the_message_says_which(host, own, says):
    ctx = _context(HostTimeout(host, "customTimeouts.create"))
    policy = WaitPolicy(timeout_seconds=own, initial_delay_seconds=0.05, max_delay_seconds=0.05)
    with pytest.raises(WaitTimedOut, match="no final state after") as raised:
        ctx.wait(_running_source(), ExecutionGate("st-1", "smd-1"), policy, label="task st-1 on smd-1",
                 events=lambda event: None)
    assert str(raised.value).endswith(f"[{says}]")


def test_without_a_host_deadline_the_message_is_the_dynamic_resources_own():
    with pytest.raises(WaitTimedOut) as raised:
        _context().wait(_running_source(), ExecutionGate("st-1", "smd-1"),
                        WaitPolicy(timeout_seconds=0.2, initial_delay_seconds=0.05, max_delay_seconds=0.05),
                        label="task st-1 on smd-1", events=lambda event: None)
    assert "ended by" not in str(raised.value)


def _cancel_later(cancel: Cancel, seconds: float) -> None:
    threading.Timer(seconds, cancel.set, args=("the engine canceled the deployment",)).start()


def test_cancel_wakes_a_describe_wait_at_once():
    cancel = Cancel()
    slow = WaitPolicy(timeout_seconds=600, initial_delay_seconds=60, max_delay_seconds=60, heartbeat_seconds=600)
    _cancel_later(cancel, 0.2)
    started = time.monotonic()
    with pytest.raises(WaitCanceled, match=r"wait canceled after 0s \(the engine canceled the deployment\)"):
        wait_until_decided(_running_source(), ExecutionGate("st-1", "smd-1"), slow, label="task st-1 on smd-1",
                           events=lambda event: None, cancel=cancel)
    assert time.monotonic() - started < 5  # a limit far above the milliseconds it takes, far below the 60 s pause


def test_cancel_wakes_a_listing_wait_at_once():
    cancel = Cancel()
    listings = Listings(min_interval=0.01)
    slow = WaitPolicy(timeout_seconds=600, initial_delay_seconds=60, max_delay_seconds=60, heartbeat_seconds=600)
    _cancel_later(cancel, 0.2)
    started = time.monotonic()
    with listings.subscribe("fake", ["st-1"], lambda task: [dict(RUNNING)], devices=["smd-1"]) as subscription:
        with pytest.raises(WaitCanceled):
            wait_until_decided(ListingSource(subscription), ExecutionGate("st-1", "smd-1"), slow,
                               label="task st-1 on smd-1", events=lambda event: None, cancel=cancel)
    assert time.monotonic() - started < 5


def test_a_wait_started_after_cancel_ends_before_looking():
    cancel = Cancel()
    cancel.set("interrupted (Ctrl-C)")
    looked = []
    source = DescribeSource(lambda: looked.append(1) or dict(RUNNING), "st-1", "smd-1")
    with pytest.raises(WaitCanceled, match="interrupted"):
        wait_until_decided(source, ExecutionGate("st-1", "smd-1"), POLICY, label="x", events=lambda e: None,
                           cancel=cancel)
    assert looked == []


def test_the_console_script_prints_its_port_and_a_ctrl_c_stops_it():
    # The console script beside this interpreter, where `pip install` puts it (on PATH once the venv is active).
    executable = shutil.which("pulumi-resource-snowdm", path=str(Path(sys.executable).parent))
    assert executable, "pip install -e . installs the pulumi-resource-snowdm console script"
    process = subprocess.Popen([executable], stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            info = provider_pb2_grpc.ResourceProviderStub(channel).GetPluginInfo(empty_pb2.Empty(), timeout=10)
        assert isinstance(info, plugin_pb2.PluginInfo) and info.version == importlib.metadata.version("pulumi-snowdm")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) is not None  # nothing in flight: it stops at once
    finally:
        process.kill()
        process.wait()
