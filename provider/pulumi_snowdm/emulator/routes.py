"""Routing from the service model: each operation's HTTP method and URI template, matched on the raw path.

Paths are split on `/` before percent-decoding, because boto3 encodes `/` and `:` inside labels (ARNs in
`/tags/{resourceArn}` arrive as `arn%3Aaws%3A...%3Atask%2Fst-1`). A label may be empty so that the input check, not
the router, reports a missing id.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import unquote

import botocore.model

from pulumi_snowdm.emulator.errors import ValidationException


@dataclasses.dataclass(frozen=True)
class Route:
    """One operation's method and path template, split into literal segments and labels."""

    operation: botocore.model.OperationModel
    segments: tuple[str | None, ...]
    labels: tuple[tuple[int, str, bool], ...]

    def match(self, parts: list[str]) -> dict[str, str] | None:
        if not self._fits(parts):
            return None
        values = {}
        for index, name, is_greedy in self.labels:
            raw = "/".join(parts[index:]) if is_greedy else parts[index]
            try:
                values[name] = unquote(raw, errors="strict")
            except UnicodeDecodeError:
                raise ValidationException(f"{name}: the path segment is not percent-encoded UTF-8") from None
        return values

    def _fits(self, parts: list[str]) -> bool:
        """True when `parts` has this route's length (or more, for a greedy last label) and literal segments."""
        greedy = self.labels and self.labels[-1][2]
        if len(parts) != len(self.segments) and not (greedy and len(parts) >= len(self.segments)):
            return False
        # Not strict: a greedy last label's rest (the parts past the segments) has no literal to compare.
        return all(literal is None or literal == part for literal, part in zip(self.segments, parts, strict=False))


class Router:
    """Finds the operation for a method and raw path, from the model's `http.requestUri` templates."""

    def __init__(self, service: botocore.model.ServiceModel) -> None:
        self._routes: dict[str, list[Route]] = {}
        for name in service.operation_names:
            operation = service.operation_model(name)
            route = _route(operation)
            self._routes.setdefault(operation.http["method"], []).append(route)
        for routes in self._routes.values():
            # More literal segments first, so `/task/{taskId}/cancel` wins over any label in that position.
            routes.sort(key=lambda route: -sum(segment is not None for segment in route.segments))

    def match(self, method: str, raw_path: str) -> tuple[botocore.model.OperationModel, dict[str, str]] | None:
        parts = raw_path.split("/")[1:]
        for route in self._routes.get(method, ()):
            labels = route.match(parts)
            if labels is not None:
                return route.operation, labels
        return None

    def methods_for(self, raw_path: str) -> list[str]:
        """Methods that would route this path (to tell a wrong method from an unknown path)."""
        parts = raw_path.split("/")[1:]
        return sorted(m for m, routes in self._routes.items() if any(r.match(parts) is not None for r in routes))


def _route(operation: botocore.model.OperationModel) -> Route:
    path = operation.http["requestUri"].partition("?")[0]
    segments: list[str | None] = []
    labels: list[tuple[int, str, bool]] = []
    for index, segment in enumerate(path.split("/")[1:]):
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1]
            greedy = name.endswith("+")
            labels.append((index, name.rstrip("+"), greedy))
            segments.append(None)
        else:
            segments.append(segment)
    return Route(operation, tuple(segments), tuple(labels))
