"""Progress on stderr while a command waits: the command line's renderings of the wait engine's events.

On a terminal, `LiveProgress` draws a live view with `rich`: a progress bar of the executions succeeded, and the
counts by state. Elsewhere (CI logs), `PlainProgress` writes timestamped lines: the counts when they change, each
device's state change for small fleets, a heartbeat while nothing changes. Both also print the engine's one-off
lines (tasks created, a busy service, throttled calls, an unknown state).
"""

from __future__ import annotations

import datetime
import threading
from typing import TextIO

from pulumi_snowdm._core.errors import ServiceUnavailable
from pulumi_snowdm._core.shares import Threshold
from pulumi_snowdm._core.times import duration
from pulumi_snowdm._core.wait.loop import Event, Heartbeat, ServiceBusy, StatesChanged, Throttled, UnknownState
from pulumi_snowdm._core.wait.threshold import NOT_LISTED, FleetOutcome
from pulumi_snowdm._core.wait_lines import throttled_text
from pulumi_snowdm.cli.reachability import unreachable

# Up to this many state changes in one look are written one line each; more are summed up by the counts line.
CHANGE_LINES = 20


def counts_text(outcome: FleetOutcome | None) -> str:
    """'SUCCEEDED 3 · IN_PROGRESS 1 (need 4)': the counts by state, as the live view shows them."""
    if outcome is None or not outcome.entries:
        return "no executions listed yet"
    text = " · ".join(f"{state} {number}" for state, number in outcome.counts().items())
    return text + ("" if outcome.rule.threshold == Threshold() else f" (need {outcome.required})")


def one_off(event: Event) -> str | None:
    """The line of an event that is said once: a busy or unreachable service, throttled calls, an unknown state."""
    if isinstance(event, ServiceBusy):
        return f"{_trouble(event.error)} ({event.error}); still waiting until --timeout"
    if isinstance(event, Throttled):
        return f"warning: {throttled_text(event, '--max-rps')}"
    if isinstance(event, UnknownState):
        return (f"warning: unknown execution state {event.state!r}; waiting until it changes or the deadline "
                f"passes")
    return None


def _trouble(error: ServiceUnavailable) -> str:
    return "the service cannot be reached" if unreachable(error) else "the service is busy"


class PlainProgress:
    """Timestamped lines, for logs: `2026-05-01T12:00:00Z snowdm run r1: 3/4 SUCCEEDED, 1 IN_PROGRESS`."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream, self.label = stream, label
        self._lock = threading.Lock()

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc_info) -> None:
        return None

    def say(self, line: str) -> None:
        """One line, prefixed by the UTC time and the command (the engine reports from several threads)."""
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        text = line if line.startswith(("snowdm", "warning")) else f"{self.label}: {line}"
        with self._lock:
            self.stream.write(f"{now} {text}\n")
            self.stream.flush()

    def __call__(self, event: Event) -> None:
        if isinstance(event, StatesChanged):
            changes = [change for change in event.changes if change[2] != NOT_LISTED]
            if len(changes) <= CHANGE_LINES:
                for (task, device), previous, state in changes:
                    was = "" if previous in (None, NOT_LISTED) else f"{previous} -> "
                    self.say(f"{device} (task {task}): {was}{state}")
            self.say(event.outcome.progress())
        elif isinstance(event, Heartbeat):
            seen = event.outcome.progress() if event.outcome is not None else "no executions listed yet"
            if event.busy is not None:
                seen = f"{_trouble(event.busy)}; last seen: {seen}"
            self.say(f"still waiting after {duration(event.elapsed)}: {seen}")
        else:
            self.say(one_off(event) or str(event))


class LiveProgress:
    """A live view on a terminal: the command, a bar of executions succeeded, n/total, counts by state, time."""

    def __init__(self, stream: TextIO, label: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
                                 console=Console(file=stream, highlight=False), refresh_per_second=8)
        self.task = self.progress.add_task(label, total=None, counts="starting")

    def __enter__(self) -> LiveProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.progress.stop()

    def say(self, line: str) -> None:
        self.progress.console.print(line, markup=False)

    def __call__(self, event: Event) -> None:
        if isinstance(event, (StatesChanged, Heartbeat)):
            outcome = event.outcome
            if outcome is not None:
                counts = counts_text(outcome)
                if isinstance(event, Heartbeat) and event.busy is not None:
                    counts = f"{_trouble(event.busy)}; last seen: {counts}"
                self.progress.update(self.task, completed=outcome.tally.succeeded, total=outcome.tally.total,
                                     counts=counts)
        else:
            self.say(one_off(event) or str(event))


def progress_view(stream: TextIO, label: str) -> PlainProgress | LiveProgress:
    """The live view on a terminal, plain lines elsewhere."""
    return LiveProgress(stream, label) if stream.isatty() else PlainProgress(stream, label)
