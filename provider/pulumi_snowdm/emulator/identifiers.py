"""Ids and ARNs in the service's own style: `st-` task ids, execution ids, and the two ARN kinds.

    arn:aws:snow-device-management:us-west-2:123456789012:task/st-ficthmqoc2pht111
    arn:aws:snow-device-management:us-west-2:123456789012:managed-device/smd-demo-0001
"""

from __future__ import annotations

import re
import secrets
import string

from pulumi_snowdm._core.service_model import SERVICE_NAME

DEFAULT_ACCOUNT_ID = "123456789012"
TASK = "task"
MANAGED_DEVICE = "managed-device"

_ALPHABET = string.ascii_lowercase + string.digits
_ARN = re.compile(rf"arn:aws[a-z-]*:{SERVICE_NAME}:([a-z0-9-]*):(\d{{12}}):({TASK}|{MANAGED_DEVICE})/(.+)")


def _random_suffix(length: int = 15) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_task_id() -> str:
    """A fresh task id like `st-ficthmqoc2pht111`."""
    return f"st-{_random_suffix()}"


def new_execution_id() -> str:
    """A fresh execution id like `se-2b5kq0w7x1mzc4d`."""
    return f"se-{_random_suffix()}"


def arn(region: str, account_id: str, kind: str, resource_id: str) -> str:
    return f"arn:aws:{SERVICE_NAME}:{region}:{account_id}:{kind}/{resource_id}"


def parse_arn(text: str) -> tuple[str, str, str, str] | None:
    """(region, account id, kind, resource id) of an SDM ARN, or None when it is not one."""
    match = _ARN.fullmatch(text)
    return match.groups() if match else None  # type: ignore[return-value]
