"""Managed devices: what DescribeDevice, ListDeviceResources and DescribeDeviceEc2Instances report for each one.

A device starts from its scenario spec; members the scenario leaves out get plausible, stable made-up values (derived
from the device id) so every DescribeDevice field is filled. deviceState follows unlock commands: UNLOCKING while one
runs, UNLOCKED after one succeeds.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from typing import Any

from pulumi_snowdm.emulator.identifiers import MANAGED_DEVICE, arn
from pulumi_snowdm.emulator.lifecycle import IN_PROGRESS, DeviceQueue, Execution
from pulumi_snowdm.emulator.scenario import Behaviour, DeviceSpec

EC2_INSTANCE = "AWS::EC2::Instance"
_OFFLINE_FOR = 86_400.0


class Device:
    """One managed device: its behaviour, description, tags, instances and execution queue."""

    def __init__(self, spec: DeviceSpec, seq: int, now: float) -> None:
        self.device_id = spec.device_id
        self.seq = seq
        self.behaviour: Behaviour = spec.behaviour
        self.description: dict[str, Any] = _described(spec)
        self.tags: dict[str, str] = dict(self.description.pop("tags", {}))
        self.instances = [dict(instance) for instance in spec.instances]
        self.queue = DeviceQueue()
        self.updated_at = now
        self.offline_since: float | None = None if self.behaviour.online else now - _OFFLINE_FOR
        self._locked_state = self.description["deviceState"]

    def on_transition(self, execution: Execution, state: str) -> None:
        """Keep deviceState in step with unlock commands."""
        self.updated_at = max(self.updated_at, execution.updated_at)
        if execution.command != "unlock":
            return
        if state == IN_PROGRESS:
            self.description["deviceState"] = "UNLOCKING"
        elif state == "SUCCEEDED":
            self.description["deviceState"] = "UNLOCKED"
        elif execution.final:
            self.description["deviceState"] = self._locked_state

    def set_online(self, online: bool, now: float) -> None:
        if online:
            self.offline_since = None
        elif self.offline_since is None:
            self.offline_since = now

    def arn(self, region: str, account_id: str) -> str:
        return arn(region, account_id, MANAGED_DEVICE, self.device_id)

    def describe(self, region: str, account_id: str, now: float, epoch) -> dict[str, Any]:
        """The DescribeDevice output (timestamps as epoch seconds)."""
        output = {key: value for key, value in self.description.items() if key != "lastReachedOutAt"}
        reached = self.description.get("lastReachedOutAt")
        if reached is None:
            reached = epoch(now if self.offline_since is None else self.offline_since)
        output.update(
            managedDeviceId=self.device_id,
            managedDeviceArn=self.arn(region, account_id),
            lastReachedOutAt=_epoch_seconds(reached),
            lastUpdatedAt=epoch(self.updated_at),
            tags=dict(self.tags),
        )
        return output

    def summary(self, region: str, account_id: str) -> dict[str, Any]:
        return {
            "managedDeviceId": self.device_id,
            "managedDeviceArn": self.arn(region, account_id),
            "associatedWithJob": self.description["associatedWithJob"],
            "tags": dict(self.tags),
        }

    def resources(self, region: str, account_id: str) -> list[dict[str, str]]:
        """ListDeviceResources items: the device's EC2 instances."""
        return [
            {
                "resourceType": EC2_INSTANCE,
                "id": instance["instanceId"],
                "arn": f"arn:aws:ec2:{region}:{account_id}:instance/{instance['instanceId']}",
            }
            for instance in self.instances
        ]

    def ec2_instances(self, instance_ids: list[str], epoch) -> list[dict[str, Any]]:
        wanted = set(instance_ids)
        return [
            {"instance": instance, "lastUpdatedAt": epoch(self.updated_at)}
            for instance in self.instances
            if instance["instanceId"] in wanted
        ]


def _described(spec: DeviceSpec) -> dict[str, Any]:
    digest = hashlib.sha256(spec.device_id.encode()).hexdigest()
    octet = int(digest[:2], 16) % 250 + 2
    made_up: dict[str, Any] = {
        "deviceState": "LOCKED",
        "deviceType": "SNOWBALL_EDGE",
        "associatedWithJob": f"JID{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}",
        "software": {"installedVersion": "122", "installState": "INSTALLED"},
        "deviceCapacities": [
            {"name": "HDD Storage", "unit": "Byte", "total": 83_000_000_000_000, "used": 2_000_000_000_000,
             "available": 81_000_000_000_000},
            {"name": "vCPU", "unit": "Number", "total": 104, "used": 4, "available": 100},
        ],
        "physicalNetworkInterfaces": [
            {
                "physicalNetworkInterfaceId": f"s.ni-{digest[:17]}",
                "physicalConnectorType": "RJ45",
                "ipAddressAssignment": "DHCP",
                "ipAddress": f"192.168.1.{octet}",
                "netmask": "255.255.255.0",
                "defaultGateway": "192.168.1.1",
                "macAddress": ":".join(digest[i : i + 2] for i in range(20, 32, 2)),
            }
        ],
    }
    return {**made_up, **_copy(spec.description)}


def _copy(description: Mapping[str, Any]) -> dict[str, Any]:
    return {key: (dict(value) if isinstance(value, Mapping) else value) for key, value in description.items()}


def _epoch_seconds(value: Any) -> float:
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value).timestamp()
    return float(value)
