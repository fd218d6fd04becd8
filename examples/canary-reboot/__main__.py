"""Reboot a canary device first; only when it comes back, reboot the rest of the fleet and require most of it.

Config:
  devices        list of managed device ids (required); the first one is the canary
  minSucceeded   how many of the rest must succeed: a count or a percentage (default "75%")
"""

import pulumi

import pulumi_snowdm as snowdm

config = pulumi.Config()
canary, *rest = config.require_object("devices")
min_succeeded = config.get("minSucceeded") or "75%"

canary_reboot = snowdm.Task(
    "reboot-canary",
    command=snowdm.Command.reboot(),
    targets=[canary],
    description="Canary reboot",
)
canary_gate = snowdm.TaskExecution(
    "canary-back",
    task_id=canary_reboot.task_id,
    managed_device_id=canary,
    timeout_seconds=1800,
)

# The rest of the fleet, in tasks of 10 made by the gate itself, only after the canary came back.
fleet = snowdm.FleetGate(
    "fleet-back",
    devices=rest,
    command=snowdm.Command.reboot(),
    description="Fleet reboot after canary",
    min_succeeded=min_succeeded,
    fail_fast=True,
    opts=pulumi.ResourceOptions(depends_on=[canary_gate]),
)

pulumi.export("canary", canary_gate.state)
pulumi.export("fleetCounts", fleet.counts)
pulumi.export("fleetFailed", fleet.failed_devices)
