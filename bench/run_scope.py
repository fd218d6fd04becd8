"""What the run-scope lookup costs: API calls and wall time it adds before a FleetGate (or `snowdm run`) sends.

    source scripts/env.sh && python bench/run_scope.py [--devices 1000 10000] [--unrelated 100]

For each fleet size, against the in-process emulator (real boto3 over loopback HTTP) holding `--unrelated` tasks of
another scope: the first run (nothing sent yet: the lookup is ListTasks alone, then every shard is created), and a
rerun with one device added (the lookup also reads each task of the scope with DescribeTask; one shard is created).
Calls are counted by the emulator; the lookup's time is `run_scope.find_sent`, timed on its own.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "provider"))

from pulumi_snowdm._core.client import sdm_client  # noqa: E402
from pulumi_snowdm._core.run_scope import deliver_sent, find_sent, scope_key  # noqa: E402
from pulumi_snowdm._core.settings import ClientSettings  # noqa: E402
from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator  # noqa: E402

REGION = "us-west-2"


def measure(devices: int, unrelated: int) -> list[tuple]:
    """Rows (run, lookup seconds, whole send seconds, ListTasks, DescribeTask, CreateTask) for one fleet size."""
    width = max(4, len(str(devices)))  # as the emulator names a fleet's devices
    fleet = [f"smd-fleet-{n:0{width}d}" for n in range(devices + 1)]
    emulator = Emulator(scenario={"fleet": {"count": len(fleet), "prefix": "smd-fleet-"}}, time_scale=0,
                        port=0).start()
    try:
        client = sdm_client(ClientSettings(region=REGION, endpoint=emulator.url, max_attempts=3))
        for n in range(unrelated):
            client.create_task(command={"reboot": {}}, targets=[fleet[n % len(fleet)]], tags={"team": "other"})
        key = scope_key("bench/dev/fleet", "reboot", None)
        rows = []
        for run, listed in (("first run", fleet[:devices]), ("rerun, 1 device added", fleet)):
            before = dict(emulator.calls)
            started = time.perf_counter()
            find_sent(client, key, label="bench", say=lambda _line: None)
            lookup = time.perf_counter() - started
            looked = {op: emulator.calls[op] - before.get(op, 0) for op in ("ListTasks", "DescribeTask")}
            before = dict(emulator.calls)
            started = time.perf_counter()
            deliver_sent(client, key=key, props={"command": "reboot"}, devices=listed, label="bench",
                         say=lambda _line: None, rerun="rerun")
            whole = time.perf_counter() - started
            created = emulator.calls["CreateTask"] - before.get("CreateTask", 0)
            rows.append((devices, run, lookup, whole, looked["ListTasks"], looked["DescribeTask"], created))
        return rows
    finally:
        emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--unrelated", type=int, default=100)
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID)
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", DEFAULT_SECRET_ACCESS_KEY)
    print(f"{args.unrelated} unrelated tasks in the account; calls of the lookup alone, then CreateTask of the send")
    print("| devices | run | lookup (s) | lookup + send (s) | ListTasks | DescribeTask | CreateTask |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for devices in args.devices:
        for row in measure(devices, args.unrelated):
            print("| {} | {} | {:.2f} | {:.2f} | {} | {} | {} |".format(*row))


if __name__ == "__main__":
    main()
