"""Durations as people type them on a command line: `90s`, `15m`, `2h`, `1h30m`, `500ms`, or bare seconds."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
EXAMPLES = "like 90s, 15m, 2h or 1h30m"


def parse_duration(text: str) -> float | None:
    """Seconds in `text`, or None when it is not a duration (the caller names the option in its message)."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    parts = list(_PART.finditer(text))
    if not parts or "".join(part.group(0) for part in parts) != text:
        return None
    return sum(float(part.group(1)) * _UNITS[part.group(2)] for part in parts)
