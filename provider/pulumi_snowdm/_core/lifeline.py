"""A provider process's lifeline to the engine that started it: notice when that engine is gone, and end.

A `pulumi up` killed with SIGKILL cannot stop its provider processes: they are in process groups of their own and
would poll the service until the gates' deadlines. Two signs tell them the engine is gone, looked at once a second
(a getppid and one loopback connect, nothing more):

- **The parent process changed.** An orphan is re-parented (to init or a subreaper). The plugin's parent is the
  engine itself. The dynamic provider's parent is the `pulumi-resource-pulumi-python` shell script, which outlives
  the engine (it waits for Python), so for that process this sign only shows the shell's own end.
- **The engine's address refuses connections.** The engine passes its gRPC address to every provider; on loopback a
  listening socket never refuses, a closed one always does. A refusal is checked once more a quarter second later,
  and only two in a row count, so a single odd answer never ends a live deployment; a connect that times out (a
  busy machine) counts as an answer.

Once gone: say why on stderr (which may be a pipe nobody reads any more), set the host's cancel token (every wait
ends between looks, and nothing new is sent), give the canceled calls `grace` seconds to unwind, then exit: about
2.5 seconds after the engine died, at most.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Callable

from pulumi_snowdm._core.wait.cancel import Cancel

# Seconds between looks: the bound on the cost (one cheap check a second).
INTERVAL = 1.0
# Refusals in a row that mean the engine is gone, and the seconds before a refusal is checked again.
REFUSALS = 2
RECHECK = 0.25
# Seconds the canceled calls get before the process exits; detection (<= 1.5 s) plus this stays well under 5 s.
GRACE = 1.0
EXIT_CODE = 1


def _stderr(line: str) -> None:
    try:
        sys.stderr.write(f"snowdm: {line}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # the engine held the other end of the pipe: nobody is left to read it


def engine_address(args: list[str]) -> str | None:
    """The engine's address among a provider's arguments: the last one that is not a flag nor a flag's value (the
    engine passes `--logtostderr`, `-v=N` and `--tracing <endpoint>` before it)."""
    found = None
    after_tracing = False
    for arg in args:
        if not after_tracing and not arg.startswith("-"):
            found = arg
        after_tracing = arg == "--tracing"
    return found


def refuses(address: str, timeout: float = 1.0) -> bool:
    """Whether `address` (host:port) refuses a connection; any other outcome, an answer included, is False."""
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout):
            return False
    except ConnectionRefusedError:
        return True
    except (OSError, ValueError):
        return False


class Lifeline:
    """Watches the parent process and the engine's address from a daemon thread; calls `on_lost(why)` once."""

    def __init__(self, address: str | None, on_lost: Callable[[str], None], *, interval: float = INTERVAL,
                 parent: Callable[[], int] = os.getppid, refused: Callable[[str], bool] = refuses) -> None:
        self._address = address
        self._on_lost = on_lost
        self._interval = interval
        self._parent = parent
        self._refused = refused
        self._first_parent = parent()
        self._stop = threading.Event()

    def start(self) -> Lifeline:
        threading.Thread(target=self._watch, name="snowdm-lifeline", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def lost(self, refusals: int) -> tuple[str | None, int]:
        """One look: why the engine is gone (or None), and the refusals in a row so far."""
        parent = self._parent()
        if parent != self._first_parent:
            return f"its parent process {self._first_parent} ended; the parent is now {parent}", refusals
        if self._address is None:
            return None, 0
        refusals = refusals + 1 if self._refused(self._address) else 0
        if refusals >= REFUSALS:
            return f"its address {self._address} refuses connections", refusals
        return None, refusals

    def _watch(self) -> None:
        refusals = 0
        while not self._stop.wait(min(RECHECK, self._interval) if refusals else self._interval):
            why, refusals = self.lost(refusals)
            if why is not None:
                self._on_lost(why)
                return


def end_with_engine(address: str | None, cancel: Cancel, *, host: str, stop: Callable[[], None] | None = None,
                    grace: float = GRACE, interval: float = INTERVAL, exit: Callable[[int], None] = os._exit,
                    say: Callable[[str], None] = _stderr) -> Lifeline:
    """Start the lifeline of a provider process (`host` names it in the line on stderr): once the engine is gone,
    cancel every wait through `cancel` (the token the engine's Cancel uses), call `stop`, and exit after `grace`.

    The exit is `os._exit`: the canceled calls have nobody to answer, and a thread blocked in a call to the service
    must not hold the process past the grace."""
    def gone(why: str) -> None:
        reason = f"the Pulumi engine that started it is gone ({why})"
        say(f"{host} ending: {reason}; every wait is canceled and nothing more is sent")
        cancel.set(reason)
        if stop is not None:
            stop()
        threading.Event().wait(grace)
        exit(EXIT_CODE)

    return Lifeline(address, gone, interval=interval).start()
