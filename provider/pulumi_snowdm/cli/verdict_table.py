"""The final verdict as people read it: one line saying how the gate ended, then a table with a row per device."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table

from pulumi_snowdm.cli.results import Result

STYLES = {"succeeded": "green", "accepted": "green", "pending": "yellow", "failed": "red"}
VERDICT_STYLES = {"passed": "bold green", "looked": "bold", "failed": "bold red", "timed_out": "bold red",
                  "interrupted": "bold yellow", "partial": "bold red", "error": "bold red"}
# Wide enough that a CI log keeps a row on one line; a terminal uses its own width.
PLAIN_WIDTH = 160


def print_verdict(result: Result, stream: TextIO) -> None:
    """Write the verdict line and the per-device table to `stream` (colours only on a terminal)."""
    console = Console(file=stream, width=None if stream.isatty() else PLAIN_WIDTH, highlight=False, soft_wrap=False)
    table = Table(title=None, show_lines=False, expand=False)
    for column in ("device", "task", "execution", "state", "started", "last updated", "diagnosis"):
        table.add_column(column, overflow="fold")
    for device in result.devices:
        table.add_row(device.device_id, device.task_id or "-", device.execution_id or "-",
                      f"[{STYLES.get(device.outcome, '')}]{device.state}[/]", device.started_at or "-",
                      device.last_updated_at or "-", device.diagnosis or "")
    if result.devices:
        console.print(table)
    console.print(f"[{VERDICT_STYLES[result.verdict]}]{result.message}[/]", markup=True)
