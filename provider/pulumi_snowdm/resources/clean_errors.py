"""Expected failures reach `pulumi up` as their message alone, without a Python traceback.

The dynamic-provider host (`python -m pulumi.dynamic`, so the module `__main__` of that process) answers every
exception raised by check, create, read, update or delete with `traceback.format_exc()`. An expected failure (a gate
whose execution FAILED, a call the service refused, an endpoint that is not allowed) then shows a dozen lines of
our stack frames before the one line that tells the user what happened and what to do.

The host looks the name `traceback` up in its module globals at each failure, so `install` gives that module a
`traceback` whose `format_exc` formats a SnowdmError as its message and delegates everything else to the real
module. Nothing else in the process changes. Any other exception is a bug and keeps its whole traceback, which is
what a bug report needs. If a future SDK renames the host's pieces, `install` changes nothing and the stock
behaviour (message plus traceback) remains.
"""

from __future__ import annotations

import sys
import threading
import traceback
import types
from typing import Any

from pulumi_snowdm._core.errors import SnowdmError

# Names the dynamic-provider host module defines: proof that `__main__` is that host and not a user's program.
_HOST_NAMES = ("_abort_with_traceback", "DynamicResourceProviderServicer", "get_provider")

_lock = threading.Lock()


class HostTraceback(types.ModuleType):
    """The `traceback` module as the dynamic-provider host sees it: a SnowdmError formats as its message only."""

    def __init__(self) -> None:
        super().__init__("traceback", traceback.__doc__)

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def format_exc(limit: int | None = None, chain: bool = True) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, SnowdmError):
            return str(error)
        return traceback.format_exc(limit=limit, chain=chain)


def install() -> bool:
    """Make the running dynamic-provider host print SnowdmError without a traceback; True when it is in place."""
    host = sys.modules.get("__main__")
    if host is None or not all(hasattr(host, name) for name in _HOST_NAMES):
        return False
    with _lock:
        if getattr(host, "traceback", None) is traceback:
            host.traceback = HostTraceback()
        return isinstance(getattr(host, "traceback", None), HostTraceback)
