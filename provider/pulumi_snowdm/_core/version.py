"""The package's version, as every `--version` and the user agent tell it."""

from __future__ import annotations

from pulumi_snowdm._core.release import VERSION


def package_version() -> str:
    """pulumi-snowdm's version (`_core.release`, which the installed metadata is built from: a frozen plugin, which
    carries no metadata, tells the same)."""
    return VERSION
