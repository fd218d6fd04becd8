"""Shared set-up of the gate benchmarks: an emulator with a fleet whose executions each take a given wall time, and
a warmed stack of a gate program whose `tasks` config maps each device to its task (10 devices per task)."""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator  # noqa: E402

from harness import Project, isolated_env  # noqa: E402

TIME_SCALE = 20


@contextlib.contextmanager
def gate_stack(engine: Path, program: str, gates: int, seconds: float,
               extra_env: dict[str, str] | None = None) -> Iterator[tuple[Project, Emulator, dict[str, str]]]:
    """(project, emulator, env): `gates` devices whose executions take `seconds` of wall time, their tasks created,
    the stack already deployed once empty, so a timed `up` measures waiting, not the engine's start-up."""
    scenario = {"default": {"outcome": "SUCCEEDED", "queued_seconds": 0, "run_seconds": seconds * TIME_SCALE},
                "fleet": {"count": gates, "prefix": "smd-bench-"}}
    with tempfile.TemporaryDirectory() as tmp, Emulator(scenario=scenario, time_scale=TIME_SCALE) as emulator:
        base = Path(tmp)
        env = {**isolated_env(base, sys.executable), **(extra_env or {}),
               "AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_ACCESS_KEY}
        project = Project.from_source(base, engine, env, program)
        client = boto3.client("snow-device-management", endpoint_url=emulator.url, region_name="us-west-2",
                              aws_access_key_id=DEFAULT_ACCESS_KEY_ID,
                              aws_secret_access_key=DEFAULT_SECRET_ACCESS_KEY)
        project.configure({"snowdm:endpoint": emulator.url, "snowdm:region": "us-west-2", "tasks": "{}"})
        project.up()
        devices = [f"smd-bench-{i:04d}" for i in range(gates)]
        tasks = {}
        for start in range(0, gates, 10):
            shard = devices[start:start + 10]
            task_id = client.create_task(command={"reboot": {}}, targets=shard)["taskId"]
            tasks.update({device: task_id for device in shard})
        project.configure({"tasks": json.dumps(tasks)})
        yield project, emulator, env
