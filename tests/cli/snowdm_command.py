"""Running the installed `snowdm` console script as a CI job would: its environment, a process still running, and
readers for its outputs."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator

SNOWDM = shutil.which("snowdm", path=str(Path(sys.executable).parent))
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
# Small time scales keep each test to a few seconds: devices run in tenths of a wall second.
FAST = {"time_scale": 20}


def cli_env(emulator: Emulator, tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """The environment of a CI job pointed at `emulator`; a None value removes a variable."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": "us-west-2",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT": emulator.url,
    }
    env.update(changes)
    return {key: value for key, value in env.items() if value is not None}


class Started:
    """A `snowdm` process still running, with its stderr read line by line in the background."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen([SNOWDM, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for_line(self, pattern: str, timeout: float = 30) -> str:
        """The first stderr line matching `pattern`; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    time.sleep(0.1)  # the reader may still hold the last lines
                    if self.lines.empty():
                        break
                continue
            self.stderr.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no stderr line matched {pattern!r} within {timeout}s: {''.join(self.stderr)}")

    def finish(self, timeout: float = 30) -> tuple[int, str, str]:
        """(exit code, stdout, all of stderr) once the process has ended."""
        stdout = self.process.stdout.read()
        code = self.process.wait(timeout=timeout)
        time.sleep(0.1)
        while not self.lines.empty():
            self.stderr.append(self.lines.get())
        return code, stdout, "".join(self.stderr)


def parse_json(stdout: str) -> dict:
    return json.loads(stdout)


def junit_cases(path: Path) -> dict[str, ElementTree.Element]:
    """{device id: <testcase>} of a JUnit file."""
    root = ElementTree.parse(path).getroot()
    return {case.get("name"): case for case in root.iter("testcase")}


def wait_until(check, timeout: float = 10.0) -> None:
    """Poll `check` until it is true; fail after `timeout` wall seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.01)
