"""Benchmark: TaskExecution gates side by side through the provider plugin and through the dynamic provider.

    source scripts/env.sh && python bench/plugin_gates.py [--tasks 20] [--seconds 20] [--parallel 256]

One Python program deploys `--tasks` x 10 TaskExecution gates (10 devices per task, every execution taking
`--seconds` of wall time), once with `import pulumi_snowdm.native` (the plugin `pulumi-resource-snowdm`) and once
with `import pulumi_snowdm` (the dynamic provider), each after a single-gate run of the same host, and once more
through the plugin with the engine's per-step checkpoints off (`PULUMI_SKIP_CHECKPOINTS=true`), which shows the
engine's own share: it saves the whole state after every resource that completes. Printed: the wall
time of `pulumi up` and its ratio to the single gate's (target for the plugin: at most 1.2), the peak RSS and thread
count of the provider process (VmHWM and Threads in /proc, polled every 100 ms while `up` runs), and where the time
goes: the first and the last API call the emulator answered, in seconds after `up` began (what follows the last call
is the engine's own: recording the results, ending the deployment). Then the plugin's start-up time (launch to port
printed) and its resident memory when idle.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import threading
import time
from pathlib import Path

from gate_stack import gate_stack

from harness import TEST_TAG, find_engine, tagged_processes  # on the path through gate_stack

PROGRAM = '''
import pulumi
import {module} as snowdm

tasks = pulumi.Config().require_object("tasks")
gates = [snowdm.TaskExecution(f"gate-{{device}}", task_id=task, managed_device_id=device, poll_interval_seconds=0.5,
                              max_poll_interval_seconds=2)
         for device, task in tasks.items()]
pulumi.export("states", [gate.state for gate in gates])
'''
HOSTS = {"plugin": ("pulumi_snowdm.native", "pulumi-resource-snowdm"),
         "dynamic": ("pulumi_snowdm", "pulumi.dynamic")}


class CallTimes(logging.Handler):
    """When the emulator answered its first and last SDM call (its request log), on the monotonic clock."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.first: float | None = None
        self.last: float | None = None

    def emit(self, record: logging.LogRecord) -> None:
        now = time.monotonic()
        self.first = self.first or now
        self.last = now

    def __enter__(self) -> CallTimes:
        log = logging.getLogger("pulumi_snowdm.emulator.requests")
        log.setLevel(logging.INFO)
        log.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger("pulumi_snowdm.emulator.requests").removeHandler(self)


class ProcessWatch:
    """Peak VmHWM (MB) and thread count of the test's processes whose command line holds `marker`."""

    def __init__(self, tag: str, marker: str) -> None:
        self.tag, self.marker = tag, marker
        self.rss_mb = 0.0
        self.threads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> ProcessWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stop.wait(0.1):
            for pid, command in tagged_processes(TEST_TAG, self.tag).items():
                if self.marker in command:
                    self._read(pid)

    def _read(self, pid: int) -> None:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                self.rss_mb = max(self.rss_mb, int(line.split()[1]) / 1024)
            elif line.startswith("Threads:"):
                self.threads = max(self.threads, int(line.split()[1]))


def run(engine: Path, host: str, gates: int, seconds: float, parallel: int, extra_env: dict | None = None) -> dict:
    module, marker = HOSTS[host]
    with gate_stack(engine, PROGRAM.format(module=module), gates, seconds, extra_env) as (project, emulator, env):
        emulator.reset_calls()
        with ProcessWatch(env[TEST_TAG], marker) as watch, CallTimes() as calls:
            started = time.monotonic()
            result = project.up(parallel=parallel)
            wall = time.monotonic() - started
        assert result.outputs["states"] == ["SUCCEEDED"] * gates, result.outputs
        return {"wall": wall, "rss": watch.rss_mb, "threads": watch.threads, "calls": sum(emulator.calls.values()),
                "first": (calls.first or started) - started, "last": (calls.last or started) - started}


def plugin_start() -> tuple[float, float]:
    """Seconds from launching the plugin to its port on stdout, and its idle resident memory (MB)."""
    started = time.monotonic()
    process = subprocess.Popen(["pulumi-resource-snowdm"], stdout=subprocess.PIPE, text=True)
    try:
        process.stdout.readline()
        seconds = time.monotonic() - started
        time.sleep(0.5)
        rss = next(int(line.split()[1]) / 1024 for line in Path(f"/proc/{process.pid}/status").read_text().splitlines()
                   if line.startswith("VmRSS:"))
    finally:
        process.kill()
        process.wait()
    return seconds, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20, help="tasks of 10 devices, one gate per device")
    parser.add_argument("--seconds", type=float, default=20.0, help="wall seconds each execution takes (T)")
    parser.add_argument("--parallel", type=int, default=256, help="the engine's --parallel")
    args = parser.parse_args()
    engine = find_engine()
    gates = args.tasks * 10
    print(f"\nTaskExecution gates ({args.tasks} tasks of 10 devices), each execution T = {args.seconds:g}s wall, "
          f"pulumi up --parallel {args.parallel}\n")
    print("| host | gates | wall time of up (s) | x single gate | first / last API call (s) | provider peak RSS (MB) "
          "| provider peak threads | API calls |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    runs = [(host, host, {}) for host in HOSTS]
    runs.append(("plugin, engine checkpoints off", "plugin", {"PULUMI_SKIP_CHECKPOINTS": "true"}))
    for name, host, extra_env in runs:
        single = run(engine, host, 1, args.seconds, args.parallel, extra_env)
        many = run(engine, host, gates, args.seconds, args.parallel, extra_env)
        for n, row in ((1, single), (gates, many)):
            print(f"| {name} | {n} | {row['wall']:.1f} | {row['wall'] / single['wall']:.2f} "
                  f"| {row['first']:.1f} / {row['last']:.1f} | {row['rss']:.0f} | {row['threads']} | {row['calls']} |",
                  flush=True)
    seconds, rss = plugin_start()
    print(f"\nplugin start-up (launch to port printed): {seconds:.2f}s; idle resident memory: {rss:.0f} MB")


if __name__ == "__main__":
    main()
