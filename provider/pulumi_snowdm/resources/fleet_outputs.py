"""Moved to `_core.operations.fleet_outputs` (shared by the dynamic host and the plugin); kept for importers."""

from pulumi_snowdm._core.operations.fleet_outputs import OUTPUTS, execution_records, fleet_outputs

__all__ = ["OUTPUTS", "execution_records", "fleet_outputs"]
