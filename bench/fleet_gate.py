"""One FleetGate over a 1,000-device fleet, through the real Pulumi engine, against the in-process emulator.

    source scripts/env.sh && python bench/fleet_gate.py [--devices 1000] [--execution-times both|on|off]
    source scripts/env.sh && python bench/fleet_gate.py --large      # 10,000 devices in 1,000 tasks

`pulumi up` deploys a program with one FleetGate(devices=[...1,000...], command="reboot"); the emulator runs device
time `--time-scale` times faster than wall time, most executions taking `--run-seconds` device seconds and a few
`--slow-run-seconds`. Measured:
- API calls per poll round: ListExecutions requests divided by rounds (the most any one task was listed), against
  what polling each device would cost (one DescribeExecution per device per round);
- total API calls per operation, counted by the emulator;
- wall time: from the first CreateTask to the gate's decision (its last ListExecutions), against the slowest
  execution's duration and against the moment the last execution ended (read back with DescribeExecution after the
  run, converted from device time to wall time through the emulator's clock); then the final DescribeExecution
  phase that `executionTimes` adds;
- the dynamic-provider process's peak RSS (VmHWM in /proc, polled every 100 ms while `pulumi up` runs: the kernel
  keeps the high-water mark, so polling cannot miss the peak, only the very end) and its peak thread count.
Targets: calls per round = ListExecutions pages per round; wall time <= slowest + 10% + one poll interval; < 200 MB.

`--quotas` runs the rows of an account's request quota, all in one run: 1,000 and 10,000 devices under an emulator
quota of `--quota` (20) ListExecutions a second, with `snowdm:maxRequestsPerSecond` set to the same number (a
rehearsal that mirrors the account), the 10,000 under the same quota with the budget left at its default (the
pace finds the quota by adapting), and 10,000 with no quota and the default budget (the unlimited row). Quoted per
row: when the gate decided against the physical limit (slowest execution + tasks / rate: one full round at the
permitted rate after the last execution ended; target 1.2x), the throttled answers the emulator gave (target under
1% of ListExecutions), calls per device, peak RSS and threads.

`--large` is the scale row: one FleetGate over 10,000 devices (1,000 tasks), executionTimes off (10,000
DescribeExecution calls after the decision would measure the emulator, not the wait). Its targets: decided within
slowest x 1.1 + one poll interval, at most one ListExecutions page per task per round, a bounded number of threads
in the provider process, and under 300 MB RSS there.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs

import boto3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pulumi_snowdm._core.settings import DEFAULT_MAX_REQUESTS_PER_SECOND  # noqa: E402
from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator  # noqa: E402
from tests.e2e.harness import Project, find_engine, isolated_env  # noqa: E402

REGION = "us-west-2"
PAGE_SIZE = 100  # ListExecutions' default maxResults, which the provider's paginator uses
PROGRAM = '''
import json
import pulumi
import pulumi_snowdm as snowdm

config = pulumi.Config()
options = json.loads(config.require("gate"))
# The device list is built here: 10,000 ids do not fit on the command line that sets stack config.
count, prefix, width = options.pop("device_count"), options.pop("device_prefix"), options.pop("device_width")
gate = snowdm.FleetGate("fleet", devices=[f"{prefix}{n:0{width}d}" for n in range(count)], **options)
pulumi.export("counts", gate.counts)
pulumi.export("tasks", gate.task_ids.apply(len))
'''


class RequestLog:
    """Wraps the emulator's request handler: (monotonic time answered, operation, taskId) per SDM request."""

    def __init__(self, emulator: Emulator) -> None:
        self.entries: list[tuple[float, str, str | None]] = []
        self.recording = True  # off once `pulumi up` ends: the bench's own reads are not the provider's calls
        self._handle = emulator.handle
        self._router = emulator.router
        self._lock = threading.Lock()

    def __call__(self, request):
        response = self._handle(request)
        path, _, query = request.target.partition("?")
        found = self._router.match(request.method, path)
        if found is not None and self.recording:
            operation, _labels = found
            task_id = parse_qs(query).get("taskId", [None])[0]
            with self._lock:
                self.entries.append((time.monotonic(), operation.name, task_id))
        return response

    def times(self, operation: str) -> list[float]:
        return [at for at, name, _ in self.entries if name == operation]


class ProviderWatch:
    """Polls /proc for this process's `python -m pulumi.dynamic` descendants: peak VmHWM and thread count."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self.peak_threads = 0
        self.processes: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            for pid in _descendants(os.getpid()):
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                if b"pulumi.dynamic" not in cmdline:
                    continue
                self.processes.add(pid)
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                self.peak_kb = max(self.peak_kb, int(fields.get("VmHWM", "0 kB").split()[0]))
                self.peak_threads = max(self.peak_threads, int(fields.get("Threads", "0")))


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def run(args, execution_times: bool, *, devices: int | None = None, quota: float | None = None,
        budget: float | None = None) -> dict:
    count = devices or args.devices
    width = max(4, len(str(count - 1)))
    names = [f"smd-fleet-{n:0{width}d}" for n in range(count)]
    slow = {device: {"run_seconds": args.slow_run_seconds} for device in names[::max(1, count // 5)]}
    scenario = {
        "default": {"outcome": "SUCCEEDED", "queued_seconds": 2, "run_seconds": args.run_seconds},
        "fleet": {"count": count, "prefix": "smd-fleet-"},
        "devices": slow,
    }
    rates = {"ListExecutions": quota} if quota else None
    emulator = Emulator(scenario=scenario, port=0, time_scale=args.time_scale, rates=rates)
    log = RequestLog(emulator)
    emulator.handle = log  # before start(): the server keeps the handler it is given
    emulator.start()
    try:
        base = Path(tempfile.mkdtemp(prefix="bench-fleet-gate-"))
        env = isolated_env(base, sys.executable)
        env.update({"AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_ACCESS_KEY,
                    "AWS_REGION": REGION})
        project = Project.from_source(base, find_engine(), env, PROGRAM)
        gate = {"device_count": count, "device_prefix": "smd-fleet-", "device_width": width,
                "command": "reboot", "poll_interval_seconds": args.poll,
                "max_poll_interval_seconds": args.max_poll, "execution_times": execution_times}
        config = {"snowdm:endpoint": emulator.url, "snowdm:region": REGION, "gate": json.dumps(gate)}
        if budget:
            config["snowdm:maxRequestsPerSecond"] = str(budget)
        project.configure(config)
        started = time.monotonic()
        with ProviderWatch() as provider:
            outcome = project.up()
        up_seconds = time.monotonic() - started
        log.recording = False
        calls = emulator.calls
        throttled = emulator.rates.throttled["ListExecutions"]
        ends = fleet_ends(emulator, args.time_scale)
    finally:
        emulator.stop()
    lists = log.times("ListExecutions")
    rounds = max(Counter(task for _, name, task in log.entries if name == "ListExecutions").values())
    first_create = min(log.times("CreateTask"))
    decided = max(lists)
    described = max(log.times("DescribeExecution"), default=decided)
    tasks = calls["CreateTask"]
    return {
        "execution_times": execution_times,
        "counts": outcome.outputs.get("counts"),
        "tasks": tasks,
        "rounds": rounds,
        "devices": count,
        "quota": quota,
        "budget": budget or DEFAULT_MAX_REQUESTS_PER_SECOND,
        "throttled": throttled,
        "pages_per_round": tasks * math.ceil(min(10, count) / PAGE_SIZE),
        "calls_per_round": len(lists) / rounds,
        "per_device_per_round": count,
        "calls": calls,
        "wait": decided - first_create,
        "slowest": ends["slowest"],
        "last_end": ends["last_end"] - first_create,
        "describe_phase": described - decided,
        "up": up_seconds,
        "peak_mb": provider.peak_kb / 1024,
        "threads": provider.peak_threads,
        "processes": len(provider.processes),
        "warnings": sum("warning" in line.lower() for line in outcome.output.splitlines()),
    }


def fleet_ends(emulator: Emulator, time_scale: float) -> dict:
    """The slowest execution's wall duration and the wall moment the last one ended (read after the run)."""
    client = boto3.session.Session().client(
        "snow-device-management", endpoint_url=emulator.url, region_name=REGION,
        aws_access_key_id=DEFAULT_ACCESS_KEY_ID, aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY)
    wall_now, device_now = time.monotonic(), emulator.clock.now()
    origin = emulator.clock.epoch(0)
    slowest, last = 0.0, float("-inf")
    for task in emulator.model.tasks():
        created = client.describe_task(taskId=task["taskId"])["createdAt"].timestamp()
        for device in task["targets"]:
            execution = client.describe_execution(taskId=task["taskId"], managedDeviceId=device)
            ended = execution["lastUpdatedAt"].timestamp()
            slowest = max(slowest, (ended - created) / time_scale)
            last = max(last, ended)
    return {"slowest": slowest, "last_end": wall_now + (last - origin - device_now) / time_scale}


def table(args, results: list[dict]) -> str:
    rows = [("", *(f"executionTimes={'on' if r['execution_times'] else 'off'}" for r in results))]

    def row(label, fn):
        rows.append((label, *(fn(r) for r in results)))

    row("outcome (counts)", lambda r: json.dumps(r["counts"]))
    row("tasks created (CreateTask calls)", lambda r: str(r["tasks"]))
    row("poll rounds (most listings of one task)", lambda r: str(r["rounds"]))
    row("API calls per round: ours (ListExecutions)", lambda r: f"{r['calls_per_round']:.1f}")
    row("  target: ListExecutions pages per round", lambda r: str(r["pages_per_round"]))
    row("  one DescribeExecution per device", lambda r: str(r["per_device_per_round"]))
    for operation in ("CreateTask", "DescribeTask", "ListExecutions", "DescribeExecution", "DescribeDevice"):
        row(f"total {operation}", lambda r, op=operation: str(r["calls"].get(op, 0)))
    row("total API calls", lambda r: str(sum(r["calls"].values())))
    row("slowest execution (wall s)", lambda r: f"{r['slowest']:.1f}")
    row("last execution ended (s after 1st CreateTask)", lambda r: f"{r['last_end']:.1f}")
    row("gate decided (s after 1st CreateTask)", lambda r: f"{r['wait']:.1f}")
    row("  target: slowest x 1.1 + poll interval", lambda r: f"{r['slowest'] * 1.1 + args.max_poll:.1f}")
    row("  decided after the last execution ended (s)", lambda r: f"{r['wait'] - r['last_end']:.1f}")
    row("final DescribeExecution phase (s)", lambda r: f"{r['describe_phase']:.1f}")
    row("whole `pulumi up` (s)", lambda r: f"{r['up']:.1f}")
    row("ListExecutions per task per round (target <= 1)", lambda r: f"{r['calls_per_round'] / r['tasks']:.2f}")
    row("provider process peak RSS (MB, VmHWM)", lambda r: f"{r['peak_mb']:.0f}")
    row(f"  target: under {args.max_rss_mb} MB", lambda r: "met" if r["peak_mb"] < args.max_rss_mb else "MISSED")
    row("provider process peak threads", lambda r: str(r["threads"]))
    row("dynamic-provider processes seen", lambda r: str(r["processes"]))
    row("warning lines in the engine's output", lambda r: str(r["warnings"]))
    widths = [max(len(cells[i]) for cells in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) for cells in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def quota_table(args, results: list[dict]) -> str:
    """One column per row of --quotas."""
    rows = [("", *(f"{r['devices']} devices, " + (f"quota {r['quota']:g}/s" if r["quota"] else "no quota")
                   + f", budget {r['budget']:g}/s" for r in results))]

    def row(label, fn):
        rows.append((label, *(fn(r) for r in results)))

    def rate(r):
        return min(r["quota"] or r["budget"], r["budget"])

    def bound(r):
        return r["slowest"] + r["tasks"] / rate(r)

    row("outcome (counts)", lambda r: json.dumps(r["counts"]))
    row("tasks", lambda r: str(r["tasks"]))
    row("slowest execution (wall s)", lambda r: f"{r['slowest']:.1f}")
    row("tasks / rate (s)", lambda r: f"{r['tasks'] / rate(r):.1f}")
    row("limit: slowest + tasks / rate (s)", lambda r: f"{bound(r):.1f}")
    row("gate decided (s after 1st CreateTask)", lambda r: f"{r['wait']:.1f}")
    row("  decided / limit (target <= 1.2)", lambda r: f"{r['wait'] / bound(r):.2f}")
    row("  target without quota: slowest x 1.1 + poll", lambda r: f"{r['slowest'] * 1.1 + args.max_poll:.1f}")
    row("ListExecutions calls", lambda r: str(r["calls"].get("ListExecutions", 0)))
    row("throttled answers (emulator)", lambda r: str(r["throttled"]))
    row("  share of ListExecutions (target < 1%)",
        lambda r: f"{100 * r['throttled'] / max(1, r['calls'].get('ListExecutions', 0)):.2f}%")
    row("ListExecutions per device", lambda r: f"{r['calls'].get('ListExecutions', 0) / r['devices']:.2f}")
    row("API calls per device (all operations)", lambda r: f"{sum(r['calls'].values()) / r['devices']:.2f}")
    row("ListExecutions per task per round (target <= 1)", lambda r: f"{r['calls_per_round'] / r['tasks']:.2f}")
    row("provider process peak RSS (MB, VmHWM)", lambda r: f"{r['peak_mb']:.0f}")
    row("provider process peak threads", lambda r: str(r["threads"]))
    row("whole `pulumi up` (s)", lambda r: f"{r['up']:.1f}")
    row("warning lines in the engine's output", lambda r: str(r["warnings"]))
    widths = [max(len(cells[i]) for cells in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) for cells in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--time-scale", type=float, default=6)
    parser.add_argument("--run-seconds", type=float, default=60, help="device seconds most executions run")
    parser.add_argument("--slow-run-seconds", type=float, default=120, help="device seconds a few executions run")
    parser.add_argument("--poll", type=float, default=1, help="the gate's pollIntervalSeconds")
    parser.add_argument("--max-poll", type=float, default=5, help="the gate's maxPollIntervalSeconds")
    parser.add_argument("--execution-times", choices=("on", "off", "both"), default="both")
    parser.add_argument("--large", action="store_true",
                        help="the scale row: 10,000 devices, executionTimes off, RSS target 300 MB")
    parser.add_argument("--max-rss-mb", type=int, default=200)
    parser.add_argument("--quotas", action="store_true",
                        help="the quota rows: 1,000 and 10,000 devices under --quota ListExecutions/s, and unlimited")
    parser.add_argument("--quota", type=float, default=20, help="the emulator's ListExecutions quota (per second)")
    args = parser.parse_args()
    if args.quotas:
        rows = [dict(devices=1000, quota=args.quota, budget=args.quota),
                dict(devices=10000, quota=args.quota, budget=args.quota),
                dict(devices=10000, quota=args.quota),
                dict(devices=10000)]
        results = [run(args, False, **row) for row in rows]
        print(f"FleetGate under a ListExecutions quota, time_scale {args.time_scale:g}, poll {args.poll:g}s "
              f"(max {args.max_poll:g}s), executions {args.run_seconds:g} device s ({args.slow_run_seconds:g} "
              f"for 5), executionTimes off")
        print(quota_table(args, results))
        return
    if args.large:
        args.devices, args.execution_times, args.max_rss_mb = 10000, "off", 300
    modes = {"on": [True], "off": [False], "both": [True, False]}[args.execution_times]
    results = [run(args, mode) for mode in modes]
    print(f"FleetGate over {args.devices} devices, time_scale {args.time_scale:g}, poll {args.poll:g}s "
          f"(max {args.max_poll:g}s), executions {args.run_seconds:g} device s ({args.slow_run_seconds:g} for 5)")
    print(table(args, results))


if __name__ == "__main__":
    main()
