"""Where the dynamic provider's lines go while a resource waits: `snowdm: ...` on stderr, shown by `pulumi up`.

The dynamic-provider process has no logging channel to the engine; what it writes to stderr the engine shows as
diagnostics of the deployment. Each line is prefixed so users can tell our lines apart and grep them. The lines
themselves are `_core.wait_lines`', shared with the plugin.
"""

from __future__ import annotations

import sys
import threading

_lock = threading.Lock()


def say(line: str) -> None:
    """Write one progress line at once (many gates report from many threads)."""
    with _lock:
        sys.stderr.write(f"snowdm: {line}\n")
        sys.stderr.flush()

