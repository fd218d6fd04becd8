"""Unlock a fleet of Snow devices, wait until every device ran the unlock, then deploy the edge release.

Config:
  devices      list of managed device ids (required), e.g. `pulumi config set --path 'devices[0]' smd-...`
  release      the release to deploy once the fleet is unlocked (default "2024.06")
"""

import json
from pathlib import Path

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult

import pulumi_snowdm as snowdm

config = pulumi.Config()
devices = config.require_object("devices")
release_version = config.get("release") or "2024.06"

unlock = snowdm.Task(
    "unlock-fleet",
    command=snowdm.Command.unlock(),
    targets=devices,
    description="Unlock before the edge release",
    tags={"pipeline": "edge-release"},
)

# One gate per device: `pulumi up` fails here, naming the device, if any unlock does not succeed.
gates = [
    snowdm.TaskExecution(
        f"unlocked-{device}",
        task_id=unlock.task_id,
        managed_device_id=device,
        timeout_seconds=600,
        queued_timeout_seconds=300,
    )
    for device in devices
]


class ReleaseManifestProvider(ResourceProvider):
    """Stands in for the real deployment: writes the release manifest the edge devices would pull."""

    def create(self, props):
        return CreateResult(id_=props["path"], outs=self._write(props))

    def diff(self, _id, olds, news):
        changed = any(olds.get(key) != news.get(key) for key in ("release", "devices", "path"))
        return DiffResult(changes=changed, replaces=["path"] if olds.get("path") != news.get("path") else [])

    def update(self, _id, _olds, news):
        return UpdateResult(outs=self._write(news))

    def delete(self, id_, props):
        Path(id_).unlink(missing_ok=True)

    @staticmethod
    def _write(props):
        manifest = {"release": props["release"], "devices": list(props["devices"])}
        Path(props["path"]).write_text(json.dumps(manifest, indent=2))
        return {key: props[key] for key in ("release", "devices", "path")}


class ReleaseManifest(Resource):
    def __init__(self, name, release, devices, opts=None):
        path = str(Path.cwd() / f"release-{pulumi.get_stack()}.json")
        super().__init__(ReleaseManifestProvider(), name, {"release": release, "devices": devices, "path": path}, opts)


release = ReleaseManifest("edge-release", release_version, devices, opts=pulumi.ResourceOptions(depends_on=gates))

pulumi.export("taskId", unlock.task_id)
pulumi.export("executions", {d: g.state for d, g in zip(devices, gates, strict=True)})
pulumi.export("manifest", release.id)
