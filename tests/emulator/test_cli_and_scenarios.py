"""The snowdm-emulator command, and scenarios read from JSON and TOML files (and refused when wrong)."""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from pulumi_snowdm._core.settings import check_endpoint
from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, ScenarioError, load_scenario
from pulumi_snowdm.emulator.cli import STOPPED_CLOCK

TOML_SCENARIO = """
time_scale = 100

[default]
outcome = "SUCCEEDED"
queued_seconds = 1
run_seconds = 2

[devices.smd-lab-1]
outcome = "FAILED"
deviceState = "UNLOCKED"

[devices.smd-lab-2]
online = false

[faults]
seed = 3
"""


def command() -> list[str]:
    script = shutil.which("snowdm-emulator", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "pulumi_snowdm.emulator.cli"]


class Running:
    """A snowdm-emulator process started by `running`: its URL, and its stderr once it has stopped."""

    def __init__(self, process: subprocess.Popen, url: str) -> None:
        self.process = process
        self.url = url
        self.stdout = ""
        self.stderr = ""

    def client(self, url: str | None = None):
        return boto3.client(
            "snow-device-management", endpoint_url=url or self.url, region_name="us-west-2",
            aws_access_key_id=DEFAULT_ACCESS_KEY_ID, aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY,
        )


@contextlib.contextmanager
def running(*flags: str, argv: list[str] | None = None, stop: signal.Signals = signal.SIGTERM) -> Iterator[Running]:
    """Start `snowdm-emulator --port 0 FLAGS`, read the URL from its first line, send `stop` on exit (exit 0)."""
    process = subprocess.Popen([*(argv or command()), "--port", "0", *flags],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("snowdm-emulator listening on http://"), (line, process.stderr.read())
        emulator = Running(process, line.removeprefix("snowdm-emulator listening on "))
        yield emulator
    finally:
        process.send_signal(stop)
        try:
            stdout, stderr = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()  # it did not hear `stop`: fail without leaving it running
            raise
    assert process.returncode == 0, stderr
    emulator.stdout, emulator.stderr = stdout, stderr


def run_cli(*flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([*command(), *flags], capture_output=True, text=True, timeout=30)


def test_cli_prints_its_url_and_serves(tmp_path):
    scenario = tmp_path / "lab.toml"
    scenario.write_text(TOML_SCENARIO)
    process = subprocess.Popen(
        [*command(), "--port", "0", "--scenario", str(scenario), "--time-scale", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("snowdm-emulator listening on http://127.0.0.1:")
        url = line.removeprefix("snowdm-emulator listening on ")
        client = boto3.client(
            "snow-device-management", endpoint_url=url, region_name="us-west-2",
            aws_access_key_id=DEFAULT_ACCESS_KEY_ID, aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY,
        )
        devices = [device["managedDeviceId"] for device in client.list_devices()["devices"]]
        assert devices == ["smd-lab-1", "smd-lab-2"]
        assert client.describe_device(managedDeviceId="smd-lab-1")["deviceState"] == "UNLOCKED"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_cli_refuses_a_bad_scenario(tmp_path):
    scenario = tmp_path / "bad.json"
    scenario.write_text(json.dumps({"devices": {"smd-1": {"outcome": "EXPLODED"}}}))
    result = run_cli("--port", "0", "--scenario", str(scenario))
    assert result.returncode == 2
    assert "argument --scenario: " in result.stderr
    assert "outcome: must be one of SUCCEEDED, FAILED, REJECTED, TIMED_OUT" in result.stderr


def test_cli_prints_its_version():
    result = run_cli("--version")
    assert (result.returncode, result.stdout) == (0, f"snowdm-emulator {importlib.metadata.version('pulumi-snowdm')}\n")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--time-scale", "-1"], "argument --time-scale: must be a number >= 0"),
        (["--time-scale", "fast"], "argument --time-scale: must be a number >= 0"),
        (["--port", "70000"], "argument --port: must be a port number from 0 to 65535"),
        (["--port", "http"], "argument --port: must be a port number from 0 to 65535"),
        (["--scenario", "{tmp}/missing.json"], "argument --scenario: scenario file {tmp}/missing.json: cannot be read"),
        (["--scenario", "{tmp}/broken.toml"], "argument --scenario: scenario file {tmp}/broken.toml: is not valid"),
        (["--path-prefix", "sdm"], "argument --path-prefix: path prefix 'sdm' must be path segments"),
        (["--path-prefix", "/sdm/"], "argument --path-prefix: path prefix '/sdm/' must be path segments"),
        (["--path-prefix", "/s d"], "argument --path-prefix: path prefix '/s d' must be path segments"),
        (["--host", "no-such-host.invalid"], "argument --host: 'no-such-host.invalid' is neither an IP address"),
        (["--colour"], "unrecognized arguments: --colour"),
    ],
)
def test_each_bad_flag_gets_a_usage_error_naming_it(tmp_path, flags, message):
    (tmp_path / "broken.toml").write_text("[default\n")
    result = run_cli(*(flag.replace("{tmp}", str(tmp_path)) for flag in flags))
    message = message.replace("{tmp}", str(tmp_path))
    assert result.returncode == 2, result
    assert result.stderr.startswith("usage: snowdm-emulator"), result.stderr
    assert message in result.stderr, result.stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::"])
def test_a_host_other_machines_can_reach_is_refused_without_allow_remote(host):
    result = run_cli("--host", host, "--port", "0")
    assert result.returncode == 2, result
    assert f"argument --host: {host} is not a loopback address" in result.stderr
    assert "control API is unsigned" in result.stderr and "--allow-remote" in result.stderr


def test_allow_remote_serves_with_a_warning_and_prints_a_url_clients_can_use():
    with running("--host", "0.0.0.0", "--allow-remote") as emulator:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emulator.url), emulator.url
        check_endpoint(emulator.url, "--endpoint-url")  # what README's recipe hands to `snowdm`: accepted
        assert len(emulator.client().list_devices()["devices"]) == 4
    assert "warning: serving on 0.0.0.0; the /_snowdm/ control API is unsigned" in emulator.stderr


# A shell starts a script's background job with SIGINT ignored; the emulator still stops on Ctrl-C.
IN_A_SCRIPTS_BACKGROUND = ["sh", "-c", 'trap "" INT; exec "$0" "$@"', *command()]


@pytest.mark.parametrize(("stop", "how", "argv"), [
    (signal.SIGTERM, "SIGTERM", None),
    (signal.SIGINT, "Ctrl-C", None),
    (signal.SIGINT, "Ctrl-C", IN_A_SCRIPTS_BACKGROUND),
], ids=["SIGTERM", "Ctrl-C", "Ctrl-C, started with SIGINT ignored"])
def test_stopping_says_so(stop, how, argv):
    with running(argv=argv, stop=stop) as emulator:
        emulator.client().list_devices()
    assert emulator.stdout == f"snowdm-emulator stopped ({how})\n"


def test_a_stopped_clock_is_the_same_from_the_flag_and_from_the_scenario(tmp_path):
    scenario = tmp_path / "still.json"
    scenario.write_text(json.dumps({"time_scale": 0}))
    for flags in (["--time-scale", "0"], ["--scenario", str(scenario)]):
        with running(*flags) as emulator:
            clock = json.loads(urllib.request.urlopen(f"{emulator.url}/_snowdm/clock", timeout=10).read())
            assert clock["time_scale"] == 0
        assert emulator.stderr == f"snowdm-emulator: {STOPPED_CLOCK}\n", flags


def test_ipv6_loopback_is_served():
    with running("--host", "::1") as emulator:
        assert re.fullmatch(r"http://\[::1\]:\d+", emulator.url), emulator.url
        client = emulator.client()
        task_id = client.create_task(command={"reboot": {}}, targets=["smd-demo-0000"])["taskId"]
        assert client.describe_task(taskId=task_id)["targets"] == ["smd-demo-0000"]


def test_verbose_logs_each_request_with_operation_status_and_latency():
    with running("-v") as emulator:
        client = emulator.client()
        client.list_devices()
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.describe_task(taskId="st-missing")
    lines = emulator.stderr.splitlines()
    assert re.fullmatch(r"snowdm-emulator: ListDevices GET /managed-devices 200 \d+\.\d ms", lines[0]), lines
    assert re.fullmatch(r"snowdm-emulator: DescribeTask POST /task/st-missing 404 \d+\.\d ms", lines[1]), lines


def test_quiet_by_default():
    with running() as emulator:
        emulator.client().list_devices()
    assert emulator.stderr == ""


def test_the_command_imports_neither_pulumi_nor_grpc():
    cli = command()
    argv = [sys.executable, "-X", "importtime", *(cli[1:] if cli[0] == sys.executable else cli)]
    with running(argv=argv) as emulator:
        emulator.client().list_devices()
    imported = {line.rpartition("|")[2].strip() for line in emulator.stderr.splitlines() if line.startswith("import")}
    assert "pulumi_snowdm.emulator.app" in imported  # the listing is real
    assert {name.split(".")[0] for name in imported} & {"pulumi", "grpc"} == set()


def test_the_public_api_loads_on_first_use():
    program = (
        "import sys, pulumi_snowdm as snowdm\n"
        "assert 'pulumi' not in sys.modules\n"
        "from pulumi_snowdm import *\n"
        "from pulumi_snowdm.resources.task import Task as home\n"
        "assert snowdm.Task is Task is home and 'pulumi' in sys.modules\n"
        "assert set(snowdm.__all__) <= set(dir(snowdm)) and issubclass(snowdm.WaitTimedOut, snowdm.SnowdmError)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_json_and_toml_files_load(tmp_path):
    toml_path = tmp_path / "lab.toml"
    toml_path.write_text(TOML_SCENARIO)
    from_toml = load_scenario(toml_path)
    json_path = tmp_path / "lab.json"
    json_path.write_text(json.dumps(from_toml.source))
    from_json = load_scenario(os.fspath(json_path))
    assert from_toml.devices == from_json.devices
    assert from_toml.time_scale == 100
    assert [spec.device_id for spec in from_toml.devices] == ["smd-lab-1", "smd-lab-2"]
    assert from_toml.devices[1].behaviour.online is False
    assert from_toml.faults.seed == 3


def test_a_fleet_is_generated_next_to_named_devices():
    scenario = load_scenario({"devices": [{"id": "smd-gw"}], "fleet": {"count": 1000, "prefix": "smd-f-",
                                                                       "run_seconds": 9}})
    assert len(scenario.devices) == 1001
    assert scenario.devices[1].device_id == "smd-f-0000" and scenario.devices[-1].device_id == "smd-f-0999"
    assert scenario.devices[-1].behaviour.run_seconds == 9
    assert scenario.devices[0].behaviour.run_seconds == 3


@pytest.mark.parametrize("scenario", [{"faults": {"throttle_rate": 0.1}}, {"time_scale": 60}, {"deny": ["CancelTask"]},
                                      {"default": {"outcome": "FAILED"}}])
def test_a_scenario_naming_no_devices_keeps_the_demo_devices(scenario):
    loaded = load_scenario(scenario)

    assert [spec.device_id for spec in loaded.devices] == [f"smd-demo-{n:04d}" for n in range(4)]
    outcome = scenario.get("default", {}).get("outcome", "SUCCEEDED")
    assert all(spec.behaviour.outcome == outcome for spec in loaded.devices)
    assert loaded.source == scenario  # GET /_snowdm/scenario shows what was given


def test_a_scenario_naming_devices_has_only_those():
    assert [spec.device_id for spec in load_scenario({"devices": {"smd-lab-1": {}}}).devices] == ["smd-lab-1"]
    assert load_scenario({"fleet": {"count": 0}}).devices == ()


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ({"devices": {"smd-1": {"colour": "red"}}}, "unknown key 'colour'"),
        ({"devices": {"smd-1": {"queued_seconds": -1}}}, "queued_seconds: must be a number"),
        ({"devices": {"smd-1": {"online": "yes"}}}, "online: must be true or false"),
        ({"devices": {"smd-1": {"deviceState": "OPEN"}}}, "deviceState: must be one of UNLOCKED, LOCKED, UNLOCKING"),
        ({"devices": {"x" * 65: {}}}, "must be 1 to 64 characters"),
        ({"devices": {"smd-1": {"commands": {"explode": {}}}}}, "unknown command; commands are reboot, unlock"),
        ({"devices": {"smd-1": {"instances": [{"imageId": "ami"}]}}}, "instanceId: is required"),
        ({"fleet": {"count": "many"}}, "fleet.count"),
        ({"faults": {"drop_rate": 3}}, "faults: drop_rate"),
        ({"deny": ["Reboot"]}, "deny: must be a list of operation names"),
        ({"quota": {"open_tasks": -1}}, "quota.open_tasks"),
        ({"credentials": {"AKID": 1}}, "credentials"),
        ({"time_scale": -2}, "time_scale"),
        ({"device": {}}, "unknown key 'device'"),
    ],
)
def test_bad_scenarios_name_the_key(scenario, message):
    with pytest.raises(ScenarioError, match=None) as caught:
        load_scenario(scenario)
    assert message in str(caught.value)


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(ScenarioError, match="cannot be read"):
        load_scenario(tmp_path / "missing.json")
    broken = tmp_path / "broken.toml"
    broken.write_text("[default\n")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(broken)


def test_scenarios_swap_at_run_time(emulator, sdm_client):
    sdm_client.create_task(targets=["smd-demo-0000"], command={"reboot": {}})
    emulator.load_scenario({"devices": {"smd-new": {}}, "deny": ["ListTasks"]})
    assert [d["managedDeviceId"] for d in sdm_client.list_devices()["devices"]] == ["smd-new"]
    assert emulator.model.tasks() == []
    with pytest.raises(sdm_client.exceptions.AccessDeniedException):
        sdm_client.list_tasks()


def test_a_named_fleet_member_keeps_its_place_and_the_fleet_settings():
    scenario = load_scenario({
        "fleet": {"count": 3, "prefix": "smd-f-", "run_seconds": 7},
        "devices": {"smd-f-0001": {"online": False}, "smd-extra": {}},
    })
    assert [spec.device_id for spec in scenario.devices] == ["smd-extra", "smd-f-0000", "smd-f-0001", "smd-f-0002"]
    member = scenario.devices[2]
    assert (member.behaviour.online, member.behaviour.run_seconds) == (False, 7)
    assert scenario.devices[1].behaviour.online is True


def test_an_endpoint_with_a_path_prefix_is_served_as_boto3_sends_it(make_emulator, make_sdm_client):
    emulator = make_emulator(path_prefix="/sdm")
    assert emulator.url.endswith("/sdm")
    client = make_sdm_client(emulator)  # boto3 keeps /sdm in front of every route, and signs it
    devices = client.list_devices()["devices"]
    task_id = client.create_task(command={"reboot": {}}, targets=[devices[0]["managedDeviceId"]])["taskId"]
    assert client.describe_task(taskId=task_id)["taskId"] == task_id
