"""Moved to `_core.timing` (shared by the dynamic host and the plugin); kept so existing imports keep working."""

from pulumi_snowdm._core.timing import check_timing, wait_policy

__all__ = ["check_timing", "wait_policy"]
