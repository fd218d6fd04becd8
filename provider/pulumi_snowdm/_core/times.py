"""Time as people and Pulumi outputs read it: ISO-8601 UTC timestamps and short durations like `1m30s`."""

from __future__ import annotations

import datetime


def iso(moment: datetime.datetime | str | None) -> str | None:
    """Return `moment` as ISO-8601 UTC (`2024-05-01T12:00:00Z`, milliseconds only when present).

    None stays None and a string is taken to be ISO already (outputs read back from state), so callers need not care.

    boto3 hands back timezone-aware datetimes; a naive one is taken to be UTC already, since the service only
    speaks epoch seconds.
    """
    if moment is None or isinstance(moment, str):
        return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    moment = moment.astimezone(datetime.UTC)
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def duration(seconds: float) -> str:
    """Return a short human duration: `0s`, `12s`, `1m30s`, `2h05m`."""
    whole = max(0, int(round(seconds)))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"
