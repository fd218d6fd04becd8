"""Benchmark: many TaskExecution gates waiting side by side, through the real Pulumi engine and the emulator.

    source scripts/env.sh && python bench/gates_side_by_side.py [--seconds T]

For 1, 4, 10 and 20 gates whose executions each take T wall seconds, prints the wall time of `pulumi up`, its ratio
to the single gate's, and the bytes of state per gate (the whole resource entry, and its serialized provider).
The engine runs at most --parallel steps at once (4 x cores by default, 8 on a 2-core machine); rows marked
`--parallel 64` lift that limit so what is measured is the provider's own concurrency.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator  # noqa: E402

from harness import Project, find_engine, isolated_env  # noqa: E402

PROGRAM = '''
import pulumi
import pulumi_snowdm as snowdm

tasks = pulumi.Config().require_object("tasks")
gates = [snowdm.TaskExecution(f"gate-{device}", task_id=task, managed_device_id=device, poll_interval_seconds=0.5)
         for device, task in tasks.items()]
pulumi.export("states", [gate.state for gate in gates])
'''
TIME_SCALE = 20


def run(engine: Path, gates: int, seconds: float, parallel: int | None) -> dict:
    scenario = {"default": {"outcome": "SUCCEEDED", "queued_seconds": 0, "run_seconds": seconds * TIME_SCALE},
                "fleet": {"count": gates, "prefix": "smd-bench-"}}
    with tempfile.TemporaryDirectory() as tmp, Emulator(scenario=scenario, time_scale=TIME_SCALE) as emulator:
        base = Path(tmp)
        env = isolated_env(base, sys.executable)
        env.update({"AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_ACCESS_KEY})
        project = Project.from_source(base, engine, env, PROGRAM)
        client = boto3.client("snow-device-management", endpoint_url=emulator.url, region_name="us-west-2",
                              aws_access_key_id=DEFAULT_ACCESS_KEY_ID,
                              aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY)
        # Warm the engine (plugins, stack) so the timed `up` measures waiting, not start-up.
        project.configure({"snowdm:endpoint": emulator.url, "snowdm:region": "us-west-2", "tasks": "{}"})
        project.up()
        devices = [f"smd-bench-{i:04d}" for i in range(gates)]
        tasks = {}
        for start in range(0, gates, 10):
            shard = devices[start:start + 10]
            task_id = client.create_task(command={"reboot": {}}, targets=shard)["taskId"]
            tasks.update({device: task_id for device in shard})
        project.configure({"tasks": json.dumps(tasks)})
        started = time.monotonic()
        options = {"parallel": parallel} if parallel else {}
        result = project.up(**options)
        wall = time.monotonic() - started
        assert result.outputs["states"] == ["SUCCEEDED"] * gates, result.outputs
        state = json.loads(project.cli("stack", "export", "--show-secrets").stdout)["deployment"]
        resources = [r for r in state["resources"] if r["type"].endswith("snowdm:TaskExecution")]
        entry = sum(len(json.dumps(r)) for r in resources) / gates
        # The serialized provider is a secret: its plaintext is a JSON string of base64.
        provider = sum(len(json.loads(r["outputs"]["__provider"]["plaintext"])) for r in resources) / gates
        return {"wall": wall, "entry": entry, "provider": provider, "calls": sum(emulator.calls.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="wall seconds each execution takes (T)")
    args = parser.parse_args()
    engine = find_engine()
    rows = [(n, 64) for n in (1, 4, 10, 20)] + [(20, None)]
    results = [(n, parallel, run(engine, n, args.seconds, parallel)) for n, parallel in rows]
    single = results[0][2]["wall"]
    print(f"\nTaskExecution gates side by side, each execution T = {args.seconds:g}s wall\n")
    print("| gates | engine --parallel | wall time of up (s) | x single gate | API calls | state bytes per gate "
          "| serialized provider bytes |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for n, parallel, r in results:
        print(f"| {n} | {parallel or 'default (4 x cores)'} | {r['wall']:.1f} | {r['wall'] / single:.2f} "
              f"| {r['calls']} | {r['entry']:.0f} | {r['provider']:.0f} |")


if __name__ == "__main__":
    main()
