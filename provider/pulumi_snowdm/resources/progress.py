"""Progress lines while a resource waits, shown by `pulumi up`: the dynamic provider's rendering of wait events.

The dynamic-provider process has no logging channel to the engine; what it writes to stderr the engine shows as
diagnostics of the deployment. Each line is prefixed so users can tell our lines apart and grep them.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

from pulumi_snowdm._core.times import duration
from pulumi_snowdm._core.wait import acceptors
from pulumi_snowdm._core.wait.loop import Event, Heartbeat, ServiceBusy, StatesChanged, UnknownState
from pulumi_snowdm._core.wait.threshold import NOT_LISTED

_lock = threading.Lock()


def report(line: str) -> None:
    """Write one progress line at once (many gates report from many threads)."""
    with _lock:
        sys.stderr.write(f"snowdm: {line}\n")
        sys.stderr.flush()


def wait_lines(label: str, *, single: bool, states: bool = True,
               say: Callable[[str], None] = report) -> Callable[[Event], None]:
    """The events of one wait as lines: per state change for one execution, per change of counts for a set.

    `states=False` leaves state changes out (a single look, whose caller says what it found).
    """
    last_line: list[str | None] = [None]

    def render(event: Event) -> None:
        if isinstance(event, StatesChanged) and not states:
            return
        if isinstance(event, StatesChanged):
            lines = _execution_changes(event) if single else [event.outcome.progress()]
        elif isinstance(event, Heartbeat):
            lines = [_execution_heartbeat(event) if single else
                     f"still waiting after {duration(event.elapsed)}: {_progress(event)}"]
        elif isinstance(event, ServiceBusy):
            lines = [f"the service is busy ({event.error}); still waiting"]
        elif isinstance(event, UnknownState):
            say(f"warning: {label}: unknown execution state {event.state!r}; waiting until it changes or the "
                f"deadline passes")
            return
        for line in lines:
            if single or isinstance(event, Heartbeat) or line != last_line[0]:
                say(f"{label}: {line}")
        if isinstance(event, StatesChanged) and not single:
            last_line[0] = lines[0]
    return render


def _execution_changes(event: StatesChanged) -> list[str]:
    lines = []
    for _, previous, state in event.changes:
        if state == NOT_LISTED:
            continue
        if previous in (None, NOT_LISTED):
            lines.append(f"{state} ({acceptors.phrase(state)})")
        else:
            lines.append(f"{previous} -> {state} after {duration(event.elapsed)}")
    return lines


def _execution_heartbeat(event: Heartbeat) -> str:
    entry = event.outcome.entries[0] if event.outcome is not None and event.outcome.entries else None
    if entry is None or entry.state == NOT_LISTED:
        return (f"execution not found yet after {duration(event.elapsed)} "
                f"(it can appear shortly after the task is created)")
    return f"still {entry.state} after {duration(event.elapsed)}"


def _progress(event: Heartbeat) -> str:
    return event.outcome.progress() if event.outcome is not None else "no executions listed yet"
