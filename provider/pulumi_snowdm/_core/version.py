"""The installed package's version, as every `--version` and the user agent tell it."""

from __future__ import annotations

import importlib.metadata


def package_version() -> str:
    """pulumi-snowdm's installed version, or "unknown" when run from a tree that is not installed."""
    try:
        return importlib.metadata.version("pulumi-snowdm")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
