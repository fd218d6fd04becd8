"""The final verdict as people read it: a table with a row per device, then one line saying how the gate ended.

Ids and timestamps are never broken across lines, so they can be copied. Not on a terminal (a CI log, a pipe), every
row is one line however long. On a terminal, the table fits its width: the diagnosis is the last column when there
is room for it, else it goes on a line of its own under its row; when even the ids and times do not fit, the least
needed columns are left out, and a note says which.
"""

from __future__ import annotations

import dataclasses
import textwrap
from typing import TextIO

from rich.console import Console
from rich.text import Text

from pulumi_snowdm.cli.results import DeviceResult, Result

STYLES = {"succeeded": "green", "accepted": "green", "pending": "yellow", "failed": "red"}
VERDICT_STYLES = {"passed": "bold green", "looked": "bold", "failed": "bold red", "timed_out": "bold red",
                  "interrupted": "bold yellow", "partial": "bold red", "error": "bold red"}
COLUMNS = ("device", "task", "execution", "state", "started", "last updated")
# Left out first when the terminal is too narrow for every column: device and state always stay.
DROPPED_FIRST = ("last updated", "task", "execution", "started")
# A diagnosis column narrower than this reads badly; the diagnosis goes under its row instead.
DIAGNOSIS_MIN = 30


@dataclasses.dataclass(frozen=True)
class Layout:
    """Which columns are shown, how wide, and where the diagnosis goes (its column width, or 0: under the row)."""

    columns: tuple[str, ...]
    widths: tuple[int, ...]
    diagnosis: int
    dropped: tuple[str, ...]

    @property
    def inner(self) -> int:
        """Characters between the outer borders."""
        return sum(self.widths) + 3 * (len(self.widths) - 1) + (self.diagnosis + 3 if self.diagnosis else 0) + 2


def print_verdict(result: Result, stream: TextIO) -> None:
    """Write the per-device table and the verdict line to `stream` (colours only on a terminal)."""
    console = Console(file=stream, highlight=False)
    width = console.width if stream.isatty() else None
    if result.devices:
        lines, note = table_lines(result.devices, width)
        for line in lines:
            console.print(line, soft_wrap=True)  # already fits: never let the console fold a row
        if note:
            console.print(note, soft_wrap=width is None)
    for wave in result.wave_lines():
        console.print(wave, soft_wrap=width is None)
    console.print(Text(result.message, style=VERDICT_STYLES[result.verdict]), soft_wrap=width is None)


def table_lines(devices: tuple[DeviceResult, ...], width: int | None) -> tuple[list[Text], str | None]:
    """The table's lines for a terminal of `width` columns (None: no limit), and a note of the columns left out."""
    cells = [_cells(device) for device in devices]
    layout = _layout(cells, devices, width)
    lines = [_border("┌", "┬", "┐", layout), _row({c: c for c in COLUMNS} | {"diagnosis": "diagnosis"}, None,
                                                          layout, header=True)[0]]
    lines.append(_border("├", "┼", "┤", layout))
    for device, row in zip(devices, cells, strict=True):
        lines += _row(row, device, layout)
    lines.append(_border("└", "┴", "┘", layout))
    note = None
    if layout.dropped:
        note = f"(left out for the terminal's width: {', '.join(layout.dropped)}; --output json has every field)"
    return lines, note


def _cells(device: DeviceResult) -> dict[str, str]:
    return {"device": device.device_id, "task": device.task_id or "-", "execution": device.execution_id or "-",
            "state": device.state, "started": device.started_at or "-",
            "last updated": device.last_updated_at or "-", "diagnosis": device.diagnosis or ""}


def _layout(cells: list[dict[str, str]], devices, width: int | None) -> Layout:
    columns = list(COLUMNS)
    dropped: list[str] = []
    wanted = max((len(row["diagnosis"]) for row in cells), default=0)
    with_diagnosis = max(wanted, len("diagnosis")) if wanted else 0
    while True:
        widths = tuple(max(len(column), *(len(row[column]) for row in cells)) for column in columns)
        layout = Layout(tuple(columns), widths, 0, tuple(dropped))
        if width is None:
            return dataclasses.replace(layout, diagnosis=with_diagnosis)
        room = width - 2 - layout.inner - 3
        if with_diagnosis and room >= min(with_diagnosis, DIAGNOSIS_MIN):
            return dataclasses.replace(layout, diagnosis=min(with_diagnosis, room))
        if layout.inner + 2 <= width or len(columns) == len(COLUMNS) - len(DROPPED_FIRST):
            return layout
        gone = DROPPED_FIRST[len(dropped)]
        columns.remove(gone)
        dropped.append(gone)


def _border(left: str, middle: str, right: str, layout: Layout) -> Text:
    widths = [*layout.widths, *([layout.diagnosis] if layout.diagnosis else [])]
    return Text(left + middle.join("─" * (w + 2) for w in widths) + right)


def _row(row: dict[str, str], device: DeviceResult | None, layout: Layout, *, header: bool = False) -> list[Text]:
    """A device's line(s): its cells, the diagnosis in its column (wrapped there) or on lines under the row."""
    style = "bold" if header else None
    diagnosis = row["diagnosis"]
    wrapped = textwrap.wrap(diagnosis, layout.diagnosis) if layout.diagnosis and diagnosis else []
    lines = []
    for index in range(max(1, len(wrapped))):
        line = Text("│")
        for column, width in zip(layout.columns, layout.widths, strict=True):
            value = row[column] if index == 0 else ""
            cell_style = STYLES.get(device.verdict) if column == "state" and device else style
            line.append(" ")
            line.append(value.ljust(width), style=cell_style)
            line.append(" │")
        if layout.diagnosis:
            line.append(" ")
            line.append((wrapped[index] if wrapped else "").ljust(layout.diagnosis), style=style)
            line.append(" │")
        lines.append(line)
    if diagnosis and not layout.diagnosis:
        for part in textwrap.wrap(diagnosis, layout.inner - 4):
            lines.append(Text("│   ") + Text(part.ljust(layout.inner - 4)) + Text(" │"))
    return lines
