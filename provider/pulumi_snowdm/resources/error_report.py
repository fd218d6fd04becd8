"""Show pulumi-snowdm's own errors to users as their message, not as a Python traceback.

The dynamic-provider host (`python -m pulumi.dynamic`) reports any exception from a provider call as
`traceback.format_exc()`, so a failed gate used to print a dozen lines of SDK and package frames above the one line
that matters ("task st-1 on device smd-1: execution ... ended FAILED ..."). Our errors (SnowdmError) are written for
users and carry everything needed, so for them the host's formatter returns the message alone, prefixed with the
kind of error; anything else (a bug) keeps its full traceback. Installed once, from the first provider call, in the
provider process only.
"""

from __future__ import annotations

import sys
import threading
import traceback
from types import ModuleType

from pulumi_snowdm._core.errors import SnowdmError

_HOST_MODULE = "pulumi.dynamic.__main__"
_lock = threading.Lock()


class _Formatter(ModuleType):
    """The `traceback` module as the host sees it: the same, but `format_exc` is brief for our own errors."""

    def __init__(self) -> None:
        super().__init__("traceback")

    def __getattr__(self, name: str):
        return getattr(traceback, name)

    @staticmethod
    def format_exc(*args, **kwargs) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, SnowdmError):
            return f"{type(error).__name__}: {error}"
        return traceback.format_exc(*args, **kwargs)


def install() -> bool:
    """Give the running dynamic-provider host the brief formatter; False when this is not that process."""
    with _lock:
        host = _host_module()
        if host is None or not isinstance(getattr(host, "traceback", None), ModuleType):
            return False
        if not isinstance(host.traceback, _Formatter):
            host.traceback = _Formatter()
        return True


def _host_module() -> ModuleType | None:
    # `python -m pulumi.dynamic` runs the host as __main__; its spec still names it.
    for module in (sys.modules.get("__main__"), sys.modules.get(_HOST_MODULE)):
        spec = getattr(module, "__spec__", None)
        if module is not None and spec is not None and spec.name == _HOST_MODULE:
            return module
    return None
