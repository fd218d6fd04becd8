"""GitHub Actions annotations: under GITHUB_ACTIONS=true, failures also become `::error` workflow commands, so they
show on the run's summary page. A device that failed while the gate passed (a threshold) is a `::warning`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from pulumi_snowdm.cli.results import Result


def github_actions(environ: Mapping[str, str]) -> bool:
    return environ.get("GITHUB_ACTIONS") == "true"


def write_annotations(result: Result, stream: TextIO) -> None:
    """One annotation per failing device, and one for the gate when it did not pass."""
    level = "warning" if result.verdict in ("passed", "looked") else "error"
    for device in result.failing:
        stream.write(_command(level, f"snowdm: {device.device_id} {device.state}",
                              f"task {device.task_id or '-'}, execution {device.execution_id or '-'}: "
                              f"{device.diagnosis or device.state}"))
    if result.verdict in ("failed", "timed_out", "interrupted"):
        stream.write(_command("error", f"snowdm {result.command}: {result.verdict.replace('_', ' ')}",
                              result.message))
    stream.flush()


def _command(level: str, title: str, message: str) -> str:
    return f"::{level} title={_property(title)}::{_data(message)}\n"


def _data(text: str) -> str:
    # The escaping the runner undoes (actions/toolkit `escapeData`).
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
