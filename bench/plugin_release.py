"""Benchmark: the plugin's release archive (a frozen executable) beside the console script of a pip install.

    source scripts/env.sh && python bench/plugin_release.py [--archive PATH] [--runs 10]

Without --archive it builds one from this tree (scripts/plugin_archive.sh, PyInstaller). Printed per way of
running the plugin: what it takes on disk (the archive, unpacked; for the console script, the site-packages of the
packages it imports), the time from launch to its port on stdout (median and worst of --runs launches, each with a
warm page cache after the first), and its resident memory when idle (VmRSS half a second after the port).
Targets for the archive: at most 40 MB, launch to port at most 1.5 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def launch(command: list[str], engine: str) -> tuple[float, float]:
    """Seconds from launch to the port on stdout, and the idle resident memory (MB)."""
    started = time.monotonic()
    process = subprocess.Popen([*command, engine], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = process.stdout.readline()
        seconds = time.monotonic() - started
        assert port.strip().isdigit(), f"{command[0]} printed {port!r}"
        time.sleep(0.5)
        status = Path(f"/proc/{process.pid}/status").read_text().splitlines()
        rss = next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
    finally:
        process.kill()
        process.wait()
    return seconds, rss


def measure(command: list[str], engine: str, runs: int) -> tuple[float, float, float]:
    results = [launch(command, engine) for _ in range(runs)]
    times = [seconds for seconds, _ in results]
    return statistics.median(times), max(times), statistics.median(rss for _, rss in results)


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def console_script_footprint() -> int:
    """Bytes of the installed packages the console script's process imports (its share of a virtualenv)."""
    code = ("import sys, pulumi_snowdm.plugin.main, pulumi_snowdm.plugin.service; "
            "print('\\n'.join({m.split('.')[0] for m in sys.modules}))")
    names = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    return sum(tree_size(site / name) for name in names if (site / name).is_dir())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="a release archive (default: build one from this tree)")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work, socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()  # the plugin's lifeline looks for its engine at this address
        engine = f"127.0.0.1:{listener.getsockname()[1]}"
        archive = args.archive
        if archive is None:
            built = subprocess.run(["bash", str(ROOT / "scripts" / "plugin_archive.sh"), work], check=True,
                                   capture_output=True, text=True)
            archive = Path(built.stdout.strip())
        unpacked = Path(work) / "unpacked"
        with tarfile.open(archive) as tar:
            tar.extractall(unpacked, filter="tar")
        script = Path(sys.executable).parent / "pulumi-resource-snowdm"
        rows = [("release archive (frozen)", f"{archive.stat().st_size / MB:.1f} MB archive, "
                 f"{tree_size(unpacked) / MB:.0f} MB unpacked", measure([str(unpacked / "pulumi-resource-snowdm")],
                                                                      engine, args.runs)),
                ("console script (pip install)", f"{console_script_footprint() / MB:.0f} MB of site-packages "
                 "+ Python", measure([str(script)], engine, args.runs))]
    print(f"\nThe plugin, launched {args.runs} times each ({os.cpu_count()} CPUs)\n")
    print(f"| {'how':<30} | {'size':<40} | launch to port (median, worst) | idle memory |")
    print(f"|{'-' * 32}|{'-' * 42}|{'-' * 32}|{'-' * 13}|")
    for how, size, (median, worst, rss) in rows:
        print(f"| {how:<30} | {size:<40} | {median:>14.2f} s, {worst:>5.2f} s    | {rss:>8.0f} MB |")


if __name__ == "__main__":
    main()
