"""The rest-json wire format: request members from their model locations, responses and errors as botocore parses them.

Parsing places every input member from where the model says it travels (uri label, querystring, header or JSON body),
converts query strings to the member's type (repeated keys become lists), then checks the whole input with
`_core.model_constraints`, so a bad request answers 400 ValidationException naming each bad field. Serializing
writes only the members of the output shape, timestamps as epoch seconds with millisecond precision.
"""

from __future__ import annotations

import datetime
import json
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import botocore.model

from pulumi_snowdm._core.model_constraints import shape_problems
from pulumi_snowdm.emulator.errors import ServiceError, ValidationException

_TRUE_FALSE = {"true": True, "false": False}


def parse_input(
    operation: botocore.model.OperationModel,
    labels: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, Any]:
    """The operation's input as a dict of member name -> value, checked against every constraint."""
    shape = operation.input_shape
    if shape is None:
        return {}
    document = _json_document(body) if _has_body_members(shape) else {}
    problems: list[str] = []
    params, body_names = _from_request(shape, labels, query, headers, problems)
    for wire_name, value in document.items():
        name = body_names.get(wire_name)
        if name is None:
            allowed = ", ".join(body_names) or "none"
            problems.append(f"{wire_name}: is not a body member of {operation.name}; body members are {allowed}")
        else:
            params[name] = value
    if problems:
        raise ValidationException("; ".join(problems))
    problems = shape_problems(shape, params, "")
    if problems:
        raise ValidationException("; ".join(problems))
    return {name: value for name, value in params.items() if value is not None}


def _from_request(shape, labels, query, headers, problems: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The members found in the path, query string and headers; and {wire name: member} of the body's members."""
    params: dict[str, Any] = {}
    body_names: dict[str, str] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            params[name] = labels.get(wire_name, "")
        elif location == "querystring" and wire_name in query:
            params[name] = _from_query(member, query[wire_name], name, problems)
        elif location == "header" and wire_name.lower() in headers:
            params[name] = _from_query(member, [headers[wire_name.lower()]], name, problems)
        elif location is None:
            body_names[wire_name] = name
    return params, body_names


def serialize_output(shape: botocore.model.Shape | None, output: Mapping[str, Any] | None) -> bytes:
    """The JSON body of a successful response: only the output shape's members."""
    if shape is None or not output:
        return b"{}"
    return json.dumps(_serialize(shape, output), separators=(",", ":")).encode()


def error_body(error: ServiceError) -> bytes:
    return json.dumps({"message": error.message}).encode()


def _has_body_members(shape: botocore.model.StructureShape) -> bool:
    return any("location" not in member.serialization for member in shape.members.values())


def _json_document(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        document = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValidationException("the request body is not valid UTF-8; send a JSON object") from None
    except (ValueError, RecursionError) as error:
        raise ValidationException(f"the request body is not valid JSON ({error}); send a JSON object") from None
    if not isinstance(document, dict):
        raise ValidationException(f"the request body must be a JSON object, got {type(document).__name__}")
    return document


def _from_query(member: botocore.model.Shape, values: list[str], name: str, problems: list[str]) -> Any:
    if isinstance(member, botocore.model.ListShape):
        return [_scalar(member.member, value, f"{name}[{index}]", problems) for index, value in enumerate(values)]
    return _scalar(member, values[-1], name, problems)


def _scalar(shape: botocore.model.Shape, text: str, name: str, problems: list[str]) -> Any:
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            problems.append(f"{name}: must be an integer, got {text!r}")
    elif kind in ("float", "double"):
        try:
            return float(text)
        except ValueError:
            problems.append(f"{name}: must be a number, got {text!r}")
    elif kind == "boolean":
        if text in _TRUE_FALSE:
            return _TRUE_FALSE[text]
        problems.append(f"{name}: must be true or false, got {text!r}")
    else:
        return text
    return None


def _serialize(shape: botocore.model.Shape, value: Any) -> Any:
    return _writer(shape)(value)


_writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _writer(shape: botocore.model.Shape) -> Callable[[Any], Any]:
    """A function that writes values of `shape` as JSON-ready data, built once per shape."""
    writer = _writers.get(shape)
    if writer is None:
        writer = _compile_writer(shape)
        _writers[shape] = writer
    return writer


def _compile_writer(shape: botocore.model.Shape) -> Callable[[Any], Any]:
    if isinstance(shape, botocore.model.StructureShape):
        # Child writers are looked up on first use (shapes may be recursive), then kept in the closure.
        members = [(name, member.serialization.get("name", name), member) for name, member in shape.members.items()]
        resolved: list[tuple[str, str, Callable[[Any], Any]]] | None = None

        def write_structure(value):
            nonlocal resolved
            if resolved is None:
                resolved = [(name, wire, _writer(member)) for name, wire, member in members]
            result = {}
            for name, wire_name, write in resolved:
                item = value.get(name)
                if item is not None:
                    result[wire_name] = write(item)
            return result

        return write_structure
    if isinstance(shape, botocore.model.ListShape):
        item_shape = shape.member

        def write_list(value):
            write = _writer(item_shape)
            return [write(item) for item in value]

        return write_list
    if isinstance(shape, botocore.model.MapShape):
        value_shape = shape.value

        def write_map(value):
            write = _writer(value_shape)
            return {key: write(item) for key, item in value.items()}

        return write_map
    if shape.type_name == "timestamp":
        return _epoch
    return _as_is


def _as_is(value: Any) -> Any:
    return value


def _epoch(value: Any) -> float:
    if isinstance(value, datetime.datetime):
        value = value.timestamp()
    elif isinstance(value, str):
        value = datetime.datetime.fromisoformat(value).timestamp()
    return round(float(value), 3)
