"""A cancel token: the host's way to end every wait at once (the engine's Cancel, a Ctrl-C).

A wait checks the token between looks, and its pause wakes the moment the token is set: each source registers how
to wake itself (`hook`), so a listing's Condition or a plain sleep ends within milliseconds, not at the next look.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Cancel:
    """Set once, never cleared: every wait that holds it ends, and waits started afterwards end at once."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._hooks: dict[int, Callable[[], None]] = {}
        self._next = 0
        self.reason = ""

    def set(self, reason: str) -> None:
        """Cancel: remember why, and wake every wait that registered a hook."""
        with self._lock:
            if self._event.is_set():
                return
            self.reason = reason
            self._event.set()
            hooks = list(self._hooks.values())
        for wake in hooks:
            wake()

    def is_set(self) -> bool:
        return self._event.is_set()

    def sleep(self, seconds: float) -> None:
        """Sleep up to `seconds`, ending early once canceled."""
        self._event.wait(max(0.0, seconds))

    def hook(self, wake: Callable[[], None]) -> Callable[[], None]:
        """Call `wake` when canceled (at once if already canceled); returns the function that removes the hook."""
        with self._lock:
            key = self._next
            self._next += 1
            self._hooks[key] = wake
            already = self._event.is_set()
        if already:
            wake()

        def unhook() -> None:
            with self._lock:
                self._hooks.pop(key, None)
        return unhook
