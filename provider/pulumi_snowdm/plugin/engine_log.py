"""Lines on the resource's own row of `pulumi up`: the engine's Log, called with the resource's URN.

Progress is ephemeral (the row's status, replaced by the next line); warnings and verdicts stay, attached to the
resource. The engine's address is the plugin's first argument; without one (a test calling the servicer), lines go
to stderr. Logging never fails an operation: an engine already gone only loses the line.
"""

from __future__ import annotations

import sys

import grpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc


class EngineLog:
    """The engine's logging service, or stderr when there is no engine."""

    def __init__(self, address: str | None) -> None:
        self._engine = engine_pb2_grpc.EngineStub(grpc.insecure_channel(address)) if address else None

    def status(self, urn: str, message: str) -> None:
        """Progress: the row's status, replaced by the next line."""
        self._log(engine_pb2.INFO, urn, message, ephemeral=True)

    def info(self, urn: str, message: str) -> None:
        self._log(engine_pb2.INFO, urn, message)

    def warning(self, urn: str, message: str) -> None:
        self._log(engine_pb2.WARNING, urn, message)

    def _log(self, severity: engine_pb2.LogSeverity.ValueType, urn: str, message: str,
             ephemeral: bool = False) -> None:
        if self._engine is None:
            print(f"snowdm: {message}", file=sys.stderr, flush=True)
            return
        try:
            self._engine.Log(engine_pb2.LogRequest(severity=severity, message=message, urn=urn, ephemeral=ephemeral))
        except grpc.RpcError:
            pass  # the engine is gone (its deployment ended): nobody is left to read the line
