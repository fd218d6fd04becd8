"""Progress lines while a resource waits: the wait events (`_core.wait.loop`) as the lines every host shows.

Hosts differ only in where a line goes: the dynamic provider writes it to stderr, the plugin sends it to the
engine's log on the waiting resource's own row. Warnings go through their own callback, so a host can mark them.
"""

from __future__ import annotations

from collections.abc import Callable

from pulumi_snowdm._core.times import duration
from pulumi_snowdm._core.wait import acceptors
from pulumi_snowdm._core.wait.loop import Event, Heartbeat, ServiceBusy, StatesChanged, Throttled, UnknownState
from pulumi_snowdm._core.wait.threshold import NOT_LISTED

Say = Callable[[str], None]


def wait_lines(label: str, *, single: bool, say: Say, states: bool = True,
               warn: Say | None = None, tick: Say | None = None,
               rate: str = "snowdm:maxRequestsPerSecond") -> Callable[[Event], None]:
    """The events of one wait as lines: per state change for one execution, per change of counts for a set.

    `states=False` leaves state changes out (a single look, whose caller says what it found). `warn` gets the
    warnings (default: `say` with a "warning: " prefix); `tick` the heartbeats, lines that only say time passed
    (default: `say`), which a host may show as a passing status rather than keep. `rate` is the setting of the
    request budget as the host's users write it.
    """
    last_line: list[str | None] = [None]
    warning = warn or (lambda line: say(f"warning: {line}"))

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
        elif isinstance(event, Throttled):
            warning(f"{label}: {throttled_text(event, rate)}")
            return
        elif isinstance(event, UnknownState):
            warning(f"{label}: unknown execution state {event.state!r}; waiting until it changes or the "
                f"deadline passes")
            return
        out = (tick or say) if isinstance(event, Heartbeat) else say
        for line in lines:
            if single or isinstance(event, Heartbeat) or line != last_line[0]:
                out(f"{label}: {line}")
        if isinstance(event, StatesChanged) and not single:
            last_line[0] = lines[0]
    return render


def throttled_text(event: Throttled, setting: str) -> str:
    """The words for throttled answers, naming the budget's setting the way the host's users write it."""
    return (f"the service throttled {event.answers} ListExecutions call(s) (the account's request quota is lower "
            f"than this process's pace); polls now go out at {event.rate:.3g}/s (budget: {setting} {event.budget:g}) "
            f"and the wait goes on. Set {setting} at or below the account's ListExecutions quota to avoid this")


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
