"""Reboot a fleet in waves: one canary, then half, then everyone, each wave only after the last one went well.

Config:
  devices        list of managed device ids (required); the first one is the canary
  waves          cumulative wave sizes as JSON, counts or percentages (default [1, "50%", "100%"])
  maxFailures    failures tolerated, a count or a percentage of the devices sent to so far (default 0)
  bakeSeconds    seconds to wait after a wave passed before the next starts (default 0)
"""

import json

import pulumi

import pulumi_snowdm as snowdm

config = pulumi.Config()

rollout = snowdm.FleetGate(
    "staged-reboot",
    devices=config.require_object("devices"),
    command=snowdm.Command.reboot(),
    description="Staged fleet reboot",
    waves=json.loads(config.get("waves") or '[1, "50%", "100%"]'),
    max_failures=config.get("maxFailures") or 0,
    bake_seconds=config.get_float("bakeSeconds") or 0,
)

pulumi.export("waves", rollout.wave_reports)
pulumi.export("counts", rollout.counts)
pulumi.export("untouched", rollout.untouched_devices)
