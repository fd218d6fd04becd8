"""A staged rollout over 1,000 devices through the real Pulumi engine, against the in-process emulator.

    source scripts/env.sh && python bench/rollout.py [--devices 1000] [--waves '[10, "10%", "100%"]'] [--bake 2]
    python bench/rollout.py --fail-once 2 --retries 2   # 2% of the devices fail their first execution, retried

`pulumi up` deploys one FleetGate(devices=[...], command="reboot", waves=..., bake_seconds=...); the emulator runs
device time `--time-scale` times faster than wall time, most executions taking `--run-seconds` device seconds and
every 50th `--slow-run-seconds`. Per wave, read back from the emulator after the run (device time converted to wall
time through its clock): when its first task was created, its slowest execution (task created to execution ended)
and when its last execution ended; then the rollout's wall time, from the first CreateTask to its decision (the
last ListExecutions), against the target: the sum over waves and their attempts of (slowest execution of the
attempt + one poll interval, the largest `--max-poll`) plus the bakes between waves. With `--fail-once P` every
(100/P)th device, offset from the slow ones, fails its first execution (the emulator's fail_first) and the gate
retries (`--retries`): each retry round of a wave is a row of its own.
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
sys.path.insert(0, str(ROOT))

from bench.fleet_gate import REGION, RequestLog  # noqa: E402
from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator  # noqa: E402
from tests.e2e.harness import Project, find_engine, isolated_env  # noqa: E402

PROGRAM = '''
import json
import pulumi
import pulumi_snowdm as snowdm

config = pulumi.Config()
options = json.loads(config.require("gate"))
count, prefix = options.pop("device_count"), options.pop("device_prefix")
gate = snowdm.FleetGate("fleet", devices=[f"{prefix}{n:04d}" for n in range(count)], **options)
pulumi.export("counts", gate.counts)
pulumi.export("waves", gate.wave_reports)
'''


def run(args) -> dict:
    devices = [f"smd-fleet-{n:04d}" for n in range(args.devices)]
    scenario = {
        "default": {"outcome": "SUCCEEDED", "queued_seconds": 2, "run_seconds": args.run_seconds},
        "fleet": {"count": args.devices, "prefix": "smd-fleet-"},
        "devices": {device: {"run_seconds": args.slow_run_seconds} for device in devices[::50]},
    }
    if args.fail_once:
        step = round(100 / args.fail_once)
        scenario["devices"].update({device: {"fail_first": 1} for device in devices[step // 2::step]})
    emulator = Emulator(scenario=scenario, port=0, time_scale=args.time_scale)
    log = RequestLog(emulator)
    emulator.handle = log  # before start(): the server keeps the handler it is given
    emulator.start()
    try:
        base = Path(tempfile.mkdtemp(prefix="bench-rollout-"))
        env = isolated_env(base, sys.executable)
        env.update({"AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_ACCESS_KEY,
                    "AWS_REGION": REGION})
        project = Project.from_source(base, find_engine(), env, PROGRAM)
        gate = {"device_count": args.devices, "device_prefix": "smd-fleet-", "command": "reboot",
                "waves": json.loads(args.waves), "bake_seconds": args.bake, "poll_interval_seconds": args.poll,
                "max_poll_interval_seconds": args.max_poll, "execution_times": False,
                **({"retries": args.retries} if args.retries else {})}
        project.configure({"snowdm:endpoint": emulator.url, "snowdm:region": REGION, "gate": json.dumps(gate)})
        started = time.monotonic()
        outcome = project.up()
        up_seconds = time.monotonic() - started
        log.recording = False
        waves = wave_times(emulator, args.time_scale, outcome.outputs["waves"])
    finally:
        emulator.stop()
    first_create = min(log.times("CreateTask"))
    return {"counts": outcome.outputs["counts"], "waves": waves, "first_create": first_create,
            "decided": max(log.times("ListExecutions")), "up": up_seconds, "calls": emulator.calls}


def wave_times(emulator: Emulator, time_scale: float, reports: list[dict]) -> list[dict]:
    """Per wave, in wall time: first task created, slowest execution, last execution ended."""
    client = boto3.session.Session().client(
        "snow-device-management", endpoint_url=emulator.url, region_name=REGION,
        aws_access_key_id=DEFAULT_ACCESS_KEY_ID, aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY)
    wall_now, device_now, origin = time.monotonic(), emulator.clock.now(), emulator.clock.epoch(0)

    def wall(moment) -> float:
        return wall_now + (moment.timestamp() - origin - device_now) / time_scale

    waves = []
    for report in reports:
        rounds: dict[int, dict] = {}  # attempt -> its tasks, first create, slowest, last end
        for task_id in report["tasks"]:
            task = client.describe_task(taskId=task_id)
            attempt = int(task["tags"].get("snowdm:attempt", "1"))
            row = rounds.setdefault(attempt, {"devices": 0, "tasks": 0, "first_create": float("inf"),
                                              "slowest": 0.0, "last_end": float("-inf")})
            created = wall(task["createdAt"])
            row["tasks"] += 1
            row["first_create"] = min(row["first_create"], created)
            for device in task["targets"]:
                ended = wall(client.describe_execution(taskId=task_id, managedDeviceId=device)["lastUpdatedAt"])
                row["devices"] += 1
                row["slowest"], row["last_end"] = max(row["slowest"], ended - created), max(row["last_end"], ended)
        for attempt, row in sorted(rounds.items()):
            waves.append({"wave": report["wave"] if attempt == 1 else f"{report['wave']} retry {attempt - 1}",
                          "first": attempt == 1, **row})
    return waves


def table(args, result: dict) -> str:
    start = result["first_create"]
    rows = [("wave", "devices", "tasks", "1st CreateTask (s)", "slowest execution (s)", "last ended (s)",
             "next wave / decision (s)", "decided after last end (s)")]
    waves = result["waves"]
    for index, wave in enumerate(waves):
        bake = args.bake if index + 1 < len(waves) and waves[index + 1]["first"] else 0
        following = waves[index + 1]["first_create"] - bake if index + 1 < len(waves) else result["decided"]
        rows.append((str(wave["wave"]), str(wave["devices"]), str(wave["tasks"]),
                     f"{max(0.0, wave['first_create'] - start):.1f}", f"{wave['slowest']:.1f}",
                     f"{wave['last_end'] - start:.1f}",
                     f"{following - start:.1f}", f"{following - wave['last_end']:.1f}"))
    widths = [max(len(cells[i]) for cells in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) for cells in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    wall = result["decided"] - start
    bakes = sum(wave["first"] for wave in waves) - 1
    target = sum(wave["slowest"] + args.max_poll for wave in waves) + args.bake * bakes
    lines += [
        "",
        f"outcome (counts): {json.dumps(result['counts'])}",
        f"rollout wall time, 1st CreateTask to decision: {wall:.1f} s",
        f"target: sum(slowest + {args.max_poll:g} s poll) over waves and retries + {bakes} bakes of {args.bake:g} s: "
        f"{target:.1f} s "
        f"-> {'met' if wall <= target else 'MISSED'}",
        f"whole `pulumi up`: {result['up']:.1f} s; API calls: "
        + ", ".join(f"{op} {result['calls'].get(op, 0)}" for op in ("CreateTask", "DescribeTask", "ListExecutions",
                                                                     "CancelTask")),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--waves", default='[10, "10%", "100%"]', help="the gate's waves, as JSON")
    parser.add_argument("--bake", type=float, default=2, help="the gate's bakeSeconds")
    parser.add_argument("--time-scale", type=float, default=6)
    parser.add_argument("--run-seconds", type=float, default=30, help="device seconds most executions run")
    parser.add_argument("--slow-run-seconds", type=float, default=60, help="device seconds every 50th runs")
    parser.add_argument("--poll", type=float, default=1, help="the gate's pollIntervalSeconds")
    parser.add_argument("--max-poll", type=float, default=2, help="the gate's maxPollIntervalSeconds")
    parser.add_argument("--fail-once", type=float, default=0, help="percent of devices failing their first execution")
    parser.add_argument("--retries", type=int, default=0, help="the gate's retries")
    args = parser.parse_args()
    result = run(args)
    print(f"Staged rollout over {args.devices} devices, waves {args.waves}, bake {args.bake:g} s, time_scale "
          f"{args.time_scale:g}, poll {args.poll:g} s (max {args.max_poll:g} s), executions {args.run_seconds:g} "
          f"device s ({args.slow_run_seconds:g} for every 50th), {args.fail_once:g}% failing once, retries "
          f"{args.retries}; times in wall seconds after the 1st CreateTask")
    print(table(args, result))


if __name__ == "__main__":
    main()
