"""Ctrl-C, SIGTERM and SIGHUP: each stops the command as KeyboardInterrupt, except while tasks are being created and
while the command waits.

SIGTERM is a CI runner cancelling the job; SIGHUP is the shell or terminal the command ran in going away (a killed
runner shell, a closed SSH session). Either way the command ends as after Ctrl-C: exit 130, its report written.
Under `nohup` SIGHUP arrives ignored, on purpose: it stays ignored.

A CreateTask in flight when the user interrupts may or may not reach the service; stopping in the middle of the
shards would leave the user unsure what was sent. So while the shards are created an interrupt is noted and acted
on once the calls are done (a second one stops at once). Either way a rerun with the same --run-id sends the same
client tokens, and gets the same tasks back.

While the command waits, an interrupt sets the wait's cancel token instead (`cancel_on_interrupt`): the wait ends
between looks with WaitCanceled. A KeyboardInterrupt raised inside the wait could land in the middle of a
Condition's wait and leave its lock half released ("cannot release un-acquired lock").
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator

from pulumi_snowdm._core.wait.cancel import Cancel


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def _stopping() -> list[signal.Signals]:
    """SIGINT, SIGTERM and SIGHUP, where the platform has it (not Windows) and it is not ignored (`nohup`)."""
    found = [signal.SIGINT, signal.SIGTERM]
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is not None and signal.getsignal(hangup) is not signal.SIG_IGN:
        found.append(hangup)
    return found


def stop_on_termination() -> None:
    """Make SIGTERM and SIGHUP stop the command as Ctrl-C does."""
    for signum in _stopping()[1:]:
        signal.signal(signum, _interrupt)


@contextlib.contextmanager
def deferred_interrupts(say: Callable[[str], None]) -> Iterator[None]:
    """Hold the first Ctrl-C, SIGTERM or SIGHUP until the block ends, then raise it; a second one raises at once."""
    heard: list[int] = []

    def note(signum, frame) -> None:
        if heard:
            _interrupt(signum, frame)
        heard.append(signum)
        say("interrupted: finishing the CreateTask calls in flight, then stopping (interrupt again to stop now)")

    with _handling_interrupts(note):
        yield
    if heard:
        raise KeyboardInterrupt


@contextlib.contextmanager
def cancel_on_interrupt(cancel: Cancel) -> Iterator[None]:
    """While the block runs, Ctrl-C, SIGTERM and SIGHUP set `cancel` instead of raising."""
    def note(signum, _frame) -> None:
        # From a thread of its own: the handler must take no lock the interrupted code may hold.
        reason = f"interrupted ({signal.Signals(signum).name})"
        threading.Thread(target=cancel.set, args=(reason,), daemon=True).start()

    with _handling_interrupts(note):
        yield


@contextlib.contextmanager
def _handling_interrupts(handler: Callable[[int, object], None]) -> Iterator[None]:
    """`handler` takes Ctrl-C, SIGTERM and SIGHUP while the block runs; the handlers before it come back afterwards."""
    previous = {signum: signal.signal(signum, handler) for signum in _stopping()}
    try:
        yield
    finally:
        for signum, earlier in previous.items():
            signal.signal(signum, earlier)
