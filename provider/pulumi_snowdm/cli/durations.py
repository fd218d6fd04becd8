"""Durations on the command line, in one grammar: whole hours, minutes and seconds, in that order, each with its
unit (`90s`, `15m`, `2h`, `1h30m`); seconds may have a fraction (`0.5s`). Anything else is refused."""

from __future__ import annotations

import re

_DURATION = re.compile(r"(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+(?:\.\d+)?)s)?")
GRAMMAR = "whole hours, minutes and seconds in that order, each with its unit h, m or s (seconds may have a fraction)"
EXAMPLES = "like 90s, 15m, 2h, 1h30m or 0.5s"


def parse_duration(text: str) -> float | None:
    """Seconds in `text`, or None when it is not a duration (the caller names the option in its message)."""
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        return None
    return 3600 * float(match["h"] or 0) + 60 * float(match["m"] or 0) + float(match["s"] or 0)
