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


# (method, path template, action); `{name}` is one path segment, passed to the action in `ids`.
_TABLE = [
    ("GET", "/health", lambda emu, ids, body: {"ok": True, "url": emu.url}),
    ("GET", "/scenario", lambda emu, ids, body: dict(emu.scenario.source)),
    ("PUT", "/scenario", lambda emu, ids, body: emu.load_scenario(_object(body, "scenario")) or {"ok": True}),
    ("POST", "/reset", lambda emu, ids, body: emu.reset() or {"ok": True}),
    ("GET", "/devices", lambda emu, ids, body: {"devices": emu.model.device_ids()}),
    ("POST", "/devices", _add_device),
    (
        "PATCH",
        "/devices/{device}",
        lambda emu, ids, body: emu.model.set_device(ids["device"], **_object(body, "device")) or {"ok": True},
    ),
    ("GET", "/tasks", lambda emu, ids, body: {"tasks": emu.model.tasks()}),
    (
        "DELETE",
        "/tasks/{task}",
        lambda emu, ids, body: emu.model.delete_task(ids["task"]) or {"ok": True},
    ),
    ("PUT", "/tasks/{task}/executions/{device}", _set_execution_state),
    (
        "DELETE",
        "/tasks/{task}/executions/{device}",
        lambda emu, ids, body: emu.model.delete_execution(ids["task"], ids["device"]) or {"ok": True},
    ),
    ("GET", "/faults", lambda emu, ids, body: emu.faults.settings.to_dict()),
    ("PUT", "/faults", lambda emu, ids, body: emu.set_faults(**_object(body, "faults")).to_dict()),
    ("GET", "/rates", lambda emu, ids, body: _rates(emu)),
    ("PUT", "/rates", _set_rates),
    ("GET", "/calls", lambda emu, ids, body: dict(emu.calls)),
    ("DELETE", "/calls", lambda emu, ids, body: emu.reset_calls() or {"ok": True}),
    ("GET", "/deny", lambda emu, ids, body: {"operations": sorted(emu.denied)}),
    ("PUT", "/deny", _deny),
    ("GET", "/clock", lambda emu, ids, body: _clock_state(emu)),
    ("POST", "/clock", _clock),
]




def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template)))


_ROUTES: list[tuple[str, str, re.Pattern[str], Action]] = [
    (method, template, _pattern(template), action) for method, template, action in _TABLE
]


def handle_control(emu: Emulator, method: str, path: str, body: bytes) -> Response:
    """Answer one control-plane request (path includes the /_snowdm prefix).

    A path no route has answers 404 listing the routes as documented (`PATCH /_snowdm/devices/{device}`); a path
    with routes for other methods answers 405 with `Allow`, as HTTP has it.
    """
    sub_path = path[len(CONTROL_PREFIX) :]
    try:
        allowed = []
        for route_method, _, pattern, action in _ROUTES:
            match = pattern.fullmatch(sub_path)
            if match and route_method == method:
                ids = {name: unquote(value) for name, value in match.groupdict().items()}
                return _json(200, action(emu, ids, _document(body)))
            if match:
                allowed.append(route_method)
        if allowed:
            return _not_allowed(method, path, allowed)
        known = ", ".join(f"{m} {CONTROL_PREFIX}{template}" for m, template, _, _ in _ROUTES)
        raise UnknownOperationException(f"no control operation {method} {path}; control operations are {known}")
    except ServiceError as error:
        return _json(error.status, {"error": error.code, "message": error.message})
    except ValueError as error:
        return _json(400, {"error": "ValidationException", "message": str(error)})


def _not_allowed(method: str, path: str, allowed: list[str]) -> Response:
    response = _json(405, {"error": "MethodNotAllowed",
                           "message": f"{path} does not take {method}; it takes {', '.join(allowed)}"})
    response.headers.append(("Allow", ", ".join(allowed)))
    return response


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
