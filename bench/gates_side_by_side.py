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
import time
from pathlib import Path

from gate_stack import gate_stack

from harness import find_engine  # on the path through gate_stack

PROGRAM = '''
import pulumi
import pulumi_snowdm as snowdm

tasks = pulumi.Config().require_object("tasks")
gates = [snowdm.TaskExecution(f"gate-{device}", task_id=task, managed_device_id=device, poll_interval_seconds=0.5)
         for device, task in tasks.items()]
pulumi.export("states", [gate.state for gate in gates])
'''


def run(engine: Path, gates: int, seconds: float, parallel: int | None) -> dict:
    with gate_stack(engine, PROGRAM, gates, seconds) as (project, emulator, _env):
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
