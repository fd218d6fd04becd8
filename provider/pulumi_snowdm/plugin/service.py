"""The ResourceProvider servicer: each engine call translated to the shared declarations and operations.

Check and Diff come from the spec (`_core.input_checks`, `_core.changes`), with failures naming properties as YAML and
the other languages write them (camelCase). Create, Read, Update and Delete call `_core.operations` with a Context
whose progress goes to the resource's own row, whose deadline is the request's customTimeouts, and whose cancel
token is the plugin's (set by the engine's Cancel or a Ctrl-C). State holds the set inputs beside the outputs, as
the dynamic resources' does, so both hosts read the same shape.

A Create or Update that fails after it sent commands (an error carrying `partial` state) reaches the engine as
ErrorResourceInitFailed with that state: the engine records the resource with what it did, and its next `up`
updates it, which carries it on (`_core.operations.fleet_gate.update`) instead of forgetting what was sent.
"""

from __future__ import annotations

import json
import traceback
from typing import Any, NoReturn

import grpc
from google.protobuf import any_pb2, empty_pb2
from google.rpc import status_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from pulumi_snowdm._core.changes import plan_change
from pulumi_snowdm._core.context import Context, HostTimeout
from pulumi_snowdm._core.errors import ConfigurationError, SnowdmError
from pulumi_snowdm._core.input_checks import InputCheck
from pulumi_snowdm._core.schema import VERSION, package_schema
from pulumi_snowdm._core.settings import ClientSettings
from pulumi_snowdm._core.wait.cancel import Cancel
from pulumi_snowdm.plugin import config
from pulumi_snowdm.plugin.engine_log import EngineLog
from pulumi_snowdm.plugin.kinds import KINDS, Kind
from pulumi_snowdm.plugin.wire import scope_of, to_dict, to_struct, unknown


def _identity(name: str) -> str:
    return name


class SnowdmProvider(provider_pb2_grpc.ResourceProviderServicer):
    """Serves snowdm:index:Task, TaskExecution and FleetGate."""

    def __init__(self, log: EngineLog, cancel: Cancel) -> None:
        self._log = log
        self._cancel = cancel
        self._settings: ClientSettings | None = None
        self._schema = json.dumps(package_schema())

    # --- the plugin and its settings ------------------------------------------------------------------------------

    def GetPluginInfo(self, request, context):
        return plugin_pb2.PluginInfo(version=VERSION)

    def GetSchema(self, request, context):
        return provider_pb2.GetSchemaResponse(schema=self._schema)

    def Cancel(self, request, context):
        self._cancel.set("the engine canceled the deployment")
        return empty_pb2.Empty()

    def CheckConfig(self, request, context):
        news = to_dict(request.news)
        failures = [provider_pb2.CheckFailure(property=key, reason=reason) for key, reason in config.problems(news)]
        kept = {key: value for key, value in news.items() if key in config.SETTINGS or key in config.ENGINE_KEYS}
        return provider_pb2.CheckResponse(inputs=to_struct(kept), failures=failures)

    def Configure(self, request, context):
        news = to_dict(request.args) or config.from_variables(request.variables)
        try:
            self._settings = config.settings(news)
        except ConfigurationError as error:
            _abort(context, grpc.StatusCode.INVALID_ARGUMENT, str(error))
        return provider_pb2.ConfigureResponse(acceptSecrets=False, supportsPreview=False, acceptResources=False)

    # --- resources ------------------------------------------------------------------------------------------------

    def Check(self, request, context):
        kind = self._kind(request.type or _type_of(request.urn), context)
        check = InputCheck(kind.spec, to_dict(request.news), label=_identity, unknown=unknown)
        kind.operations.check(check)
        inputs = dict(check.inputs)
        if kind.scoped:
            inputs["scope"] = scope_of(request.urn)
        failures = [provider_pb2.CheckFailure(property="", reason=reason) for _, reason in check.failures]
        return provider_pb2.CheckResponse(inputs=to_struct(inputs), failures=failures)

    def Diff(self, request, context):
        kind = self._kind(request.type or _type_of(request.urn), context)
        news = to_dict(request.news)
        change = plan_change(kind.spec, to_dict(request.olds), news, unknown=unknown,
                             read_input=kind.operations.input_reader(news))
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if change.changed else provider_pb2.DiffResponse.DIFF_NONE,
            replaces=list(change.replaces), diffs=list(change.changed), deleteBeforeReplace=False)

    def Create(self, request, context):
        kind = self._kind(request.type or _type_of(request.urn), context)
        ctx = self._context(request.urn, request.timeout, "customTimeouts.create", context)
        inputs = to_dict(request.properties)
        id_, outputs = self._run(context, lambda: kind.operations.create(ctx, inputs), inputs=inputs)
        self._log.info(request.urn, kind.result_line(outputs))
        return provider_pb2.CreateResponse(id=id_, properties=to_struct(outputs))

    def Read(self, request, context):
        kind = self._kind(request.type or _type_of(request.urn), context)
        ctx = self._context(request.urn, request.timeout, "customTimeouts.read", context)
        props, inputs = to_dict(request.properties), to_dict(request.inputs)
        if not props and not inputs:  # `pulumi import`: only the id is known
            inputs = self._import_inputs(kind, request.id, request.urn, context)
        outputs = self._run(context, lambda: kind.operations.read(ctx, request.id, {**inputs, **props}))
        if outputs is None:
            return provider_pb2.ReadResponse(id="")
        return provider_pb2.ReadResponse(id=request.id, properties=to_struct(outputs), inputs=to_struct(inputs))

    def Update(self, request, context):
        kind = self._kind(request.type or _type_of(request.urn), context)
        ctx = self._context(request.urn, request.timeout, "customTimeouts.update", context)
        olds, news = to_dict(request.olds), to_dict(request.news)
        outputs = self._run(context, lambda: kind.operations.update(ctx, request.id, olds, news), inputs=news)
        return provider_pb2.UpdateResponse(properties=to_struct(outputs))

    def Delete(self, request, context):
        kind = self._kind(request.type or _type_of(request.urn), context)
        ctx = self._context(request.urn, request.timeout, "customTimeouts.delete", context)
        self._run(context, lambda: kind.operations.delete(ctx, request.id, to_dict(request.properties)))
        return empty_pb2.Empty()

    # --- helpers --------------------------------------------------------------------------------------------------

    def _kind(self, token: str, context) -> Kind:
        kind = KINDS.get(token)
        if kind is None:
            _abort(context, grpc.StatusCode.INVALID_ARGUMENT,
                          f"unknown resource type {token!r}: the snowdm plugin serves {', '.join(sorted(KINDS))}")
        return kind

    def _context(self, urn: str, timeout: float, name: str, context) -> Context:
        settings = self._settings
        if settings is None:
            settings = self._settings = self._run(context, lambda: config.settings({}))
        host_timeout = HostTimeout(timeout, name) if timeout and timeout > 0 else None
        # What happened stays on the resource's row (and in the event log); heartbeats only pass as its status.
        return Context(settings, say=lambda line: self._log.info(urn, line),
                       warn=lambda line: self._log.warning(urn, line), cancel=self._cancel, host_timeout=host_timeout,
                       tick=lambda line: self._log.status(urn, line))

    def _import_inputs(self, kind: Kind, id_: str, urn: str, context) -> dict[str, Any]:
        if kind.import_inputs is None:
            _abort(context, grpc.StatusCode.INVALID_ARGUMENT,
                          f"{kind.token} cannot be imported; import its tasks as snowdm:index:Task instead")
        inputs = kind.import_inputs(id_)
        if kind.scoped:
            inputs["scope"] = scope_of(urn)
        return inputs

    @staticmethod
    def _run(context, call, inputs: dict[str, Any] | None = None):
        """call(); our own errors reach the engine as their message (with the partial state of a create or update
        given its `inputs`), anything else with its traceback."""
        try:
            return call()
        except SnowdmError as error:
            if inputs is not None and error.partial is not None:
                _abort_partly_done(context, str(error), *error.partial, inputs)
            _abort(context, grpc.StatusCode.UNKNOWN, str(error))
        except Exception:  # a bug: the traceback is what helps
            _abort(context, grpc.StatusCode.UNKNOWN, traceback.format_exc())


def _abort(context, code: grpc.StatusCode, message: str) -> NoReturn:
    """End the call with `message` as its error (what the engine shows on the resource)."""
    context.abort(code, message)
    raise AssertionError("grpc's abort returned")  # it raises; this tells the type checker so


def _abort_partly_done(context, message: str, id_: str, outputs: dict[str, Any], inputs: dict[str, Any]) -> NoReturn:
    """End a create or update with `message`, recording what it did (ErrorResourceInitFailed, in the status
    details the engine reads)."""
    detail = any_pb2.Any()
    detail.Pack(provider_pb2.ErrorResourceInitFailed(id=id_, properties=to_struct(outputs), reasons=[message],
                                                     inputs=to_struct(inputs)))
    status = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=message, details=[detail])
    context.set_trailing_metadata((("grpc-status-details-bin", status.SerializeToString()),))
    _abort(context, grpc.StatusCode.UNKNOWN, message)


def _type_of(urn: str) -> str:
    """The type token of a URN (older engines send no `type`)."""
    return urn.split("::")[2].rsplit("$", 1)[-1] if urn.count("::") >= 3 else ""
