"""The control plane: JSON over HTTP under `/_snowdm/`, unsigned, never faulted, for tests and rehearsals.

Each route calls the same Python method a test would call on the Emulator or its model; see the table in the
package docstring. Answers are JSON; failures answer `{"error": CODE, "message": ...}` with the matching status.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from pulumi_snowdm.emulator.errors import ServiceError, UnknownOperationException, ValidationException
from pulumi_snowdm.emulator.rates import rates_to_dict
from pulumi_snowdm.emulator.server import Response

if TYPE_CHECKING:
    from pulumi_snowdm.emulator.app import Emulator

CONTROL_PREFIX = "/_snowdm"

Action = Callable[["Emulator", dict[str, str], Any], Any]


def _object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationException(f"{what}: the body must be a JSON object")
    return body


def _set_execution_state(emu: Emulator, ids: dict[str, str], body: Any) -> dict:
    state = _object(body, "execution state").get("state")
    emu.model.set_execution_state(ids["task"], ids["device"], state)
    return emu.model.describe_execution(ids["task"], ids["device"])


def _add_device(emu: Emulator, ids: dict[str, str], body: Any) -> dict:
    fields = dict(_object(body, "device"))
    device_id = fields.pop("id", None)
    if not isinstance(device_id, str):
        raise ValidationException("device: the body needs a string 'id'")
    emu.model.add_device(device_id, **fields)
    return {"managedDeviceId": device_id}


def _clock(emu: Emulator, ids: dict[str, str], body: Any) -> dict:
    changes = _object(body, "clock")
    try:
        if "time_scale" in changes:
            emu.clock.time_scale = changes["time_scale"]
        if "advance" in changes:
            emu.clock.advance(changes["advance"])
    except (TypeError, ValueError) as error:
        raise ValidationException(f"clock: {error}") from None
    return _clock_state(emu)


def _clock_state(emu: Emulator) -> dict:
    return {"now": emu.clock.now(), "time_scale": emu.clock.time_scale}


def _rates(emu: Emulator) -> dict:
    return {"rates": rates_to_dict(emu.rates.rates), "throttled": dict(emu.rates.throttled)}


def _set_rates(emu: Emulator, ids: dict[str, str], body: Any) -> dict:
    emu.set_rates(_object(body, "rates"))
    return _rates(emu)


def _deny(emu: Emulator, ids: dict[str, str], body: Any) -> dict:
    emu.set_denied(_object(body, "deny").get("operations", []))
    return {"operations": sorted(emu.denied)}


_ROUTES: list[tuple[str, re.Pattern[str], Action]] = [
    (method, re.compile(pattern), action)
    for method, pattern, action in [
        ("GET", r"/health", lambda emu, ids, body: {"ok": True, "url": emu.url}),
        ("GET", r"/scenario", lambda emu, ids, body: dict(emu.scenario.source)),
        ("PUT", r"/scenario", lambda emu, ids, body: emu.load_scenario(_object(body, "scenario")) or {"ok": True}),
        ("POST", r"/reset", lambda emu, ids, body: emu.reset() or {"ok": True}),
        ("GET", r"/devices", lambda emu, ids, body: {"devices": emu.model.device_ids()}),
        ("POST", r"/devices", _add_device),
        (
            "PATCH",
            r"/devices/(?P<device>[^/]+)",
            lambda emu, ids, body: emu.model.set_device(ids["device"], **_object(body, "device")) or {"ok": True},
        ),
        ("GET", r"/tasks", lambda emu, ids, body: {"tasks": emu.model.tasks()}),
        (
            "DELETE",
            r"/tasks/(?P<task>[^/]+)",
            lambda emu, ids, body: emu.model.delete_task(ids["task"]) or {"ok": True},
        ),
        ("PUT", r"/tasks/(?P<task>[^/]+)/executions/(?P<device>[^/]+)", _set_execution_state),
        (
            "DELETE",
            r"/tasks/(?P<task>[^/]+)/executions/(?P<device>[^/]+)",
            lambda emu, ids, body: emu.model.delete_execution(ids["task"], ids["device"]) or {"ok": True},
        ),
        ("GET", r"/faults", lambda emu, ids, body: emu.faults.settings.to_dict()),
        ("PUT", r"/faults", lambda emu, ids, body: emu.set_faults(**_object(body, "faults")).to_dict()),
        ("GET", r"/rates", lambda emu, ids, body: _rates(emu)),
        ("PUT", r"/rates", _set_rates),
        ("GET", r"/calls", lambda emu, ids, body: dict(emu.calls)),
        ("DELETE", r"/calls", lambda emu, ids, body: emu.reset_calls() or {"ok": True}),
        ("GET", r"/deny", lambda emu, ids, body: {"operations": sorted(emu.denied)}),
        ("PUT", r"/deny", _deny),
        ("GET", r"/clock", lambda emu, ids, body: _clock_state(emu)),
        ("POST", r"/clock", _clock),
    ]
]


def handle_control(emu: Emulator, method: str, path: str, body: bytes) -> Response:
    """Answer one control-plane request (path includes the /_snowdm prefix)."""
    sub_path = path[len(CONTROL_PREFIX) :]
    try:
        for route_method, pattern, action in _ROUTES:
            match = pattern.fullmatch(sub_path)
            if match and route_method == method:
                ids = {name: unquote(value) for name, value in match.groupdict().items()}
                return _json(200, action(emu, ids, _document(body)))
        known = ", ".join(f"{m} {CONTROL_PREFIX}{p.pattern}" for m, p, _ in _ROUTES)
        raise UnknownOperationException(f"no control operation {method} {path}; control operations are {known}")
    except ServiceError as error:
        return _json(error.status, {"error": error.code, "message": error.message})
    except ValueError as error:
        return _json(400, {"error": "ValidationException", "message": str(error)})


def _document(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise ValidationException(f"the control request body is not valid JSON ({error})") from None


def _json(status: int, payload: Any) -> Response:
    headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", str(uuid.uuid4()))]
    return Response(status, json.dumps(payload).encode(), headers)
