"""The Emulator: wires scenario, clock, model, routes, SigV4 checks and faults to the loopback HTTP server.

Each SDM request goes: route (from the model) -> count -> SigV4 -> deny list -> rate quota -> faults -> parse and
check input -> model -> serialize. Control-plane requests under /_snowdm/ skip everything but the control table.
Each answer is logged at INFO on the `pulumi_snowdm.emulator.requests` logger (operation, method, path, status,
latency), which `snowdm-emulator -v` shows on stderr.
"""

from __future__ import annotations

import collections
import ipaddress
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from pulumi_snowdm._core.service_model import service_model
from pulumi_snowdm.emulator.auth import SignatureVerifier
from pulumi_snowdm.emulator.clock import Clock
from pulumi_snowdm.emulator.control import CONTROL_PREFIX, handle_control
from pulumi_snowdm.emulator.errors import (
    AccessDeniedException,
    InternalServerException,
    ServiceError,
    ThrottlingException,
    UnknownOperationException,
    ValidationException,
)
from pulumi_snowdm.emulator.faults import FaultInjector, FaultSettings
from pulumi_snowdm.emulator.identifiers import DEFAULT_ACCOUNT_ID
from pulumi_snowdm.emulator.model import SnowDeviceManagement
from pulumi_snowdm.emulator.operations import HANDLERS
from pulumi_snowdm.emulator.protocol import error_body, parse_input, serialize_output
from pulumi_snowdm.emulator.rates import Rate, RateLimiter, parse_rates
from pulumi_snowdm.emulator.routes import Router
from pulumi_snowdm.emulator.scenario import Scenario, load_scenario
from pulumi_snowdm.emulator.server import BadRequest, LoopbackHTTPServer, Request, Response

DEFAULT_ACCESS_KEY_ID = "snowdm-emulator"
DEFAULT_SECRET_ACCESS_KEY = "snowdm-emulator-secret"

logger = logging.getLogger(__name__)
request_log = logging.getLogger("pulumi_snowdm.emulator.requests")

# Path segments of URL-safe characters: compared with the raw request path, so nothing in it may need encoding.
_PATH_PREFIX = re.compile(r"(/[A-Za-z0-9._~-]+)*")

ScenarioSource = None | Mapping[str, Any] | str | os.PathLike


class Emulator:
    """A local Snow Device Management endpoint; start() it, point boto3 at `url`, stop() it (or use `with`)."""

    def __init__(
        self,
        scenario: ScenarioSource = None,
        host: str = "127.0.0.1",
        port: int = 0,
        time_scale: float | None = None,
        credentials: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        account_id: str = DEFAULT_ACCOUNT_ID,
        path_prefix: str = "",
        rates: Mapping[str, Any] | None = None,
    ) -> None:
        check_path_prefix(path_prefix)
        # Served under this path, as behind a proxy: boto3 keeps an endpoint URL's path in front of every route.
        self.path_prefix = path_prefix
        self.scenario: Scenario = load_scenario(scenario)
        self.host = host
        self.port = port
        self._fixed_time_scale = time_scale
        self._fixed_credentials = dict(credentials) if credentials is not None else None
        self.clock = clock or Clock(self._time_scale_for(self.scenario))
        self.model = SnowDeviceManagement(self.scenario, self.clock, account_id)
        self.faults = FaultInjector(self.scenario.faults)
        # Rates given here (the --rates flag) win over the scenario's, as time_scale does.
        self._fixed_rates = None if rates is None else parse_rates(rates, "rates")
        self.rates = RateLimiter(self._rates_for(self.scenario))
        self.verifier = SignatureVerifier(self._credentials_for(self.scenario))
        self.denied: frozenset[str] = self.scenario.deny
        self.router = Router(service_model())
        self._calls: collections.Counter[str] = collections.Counter()
        self._calls_lock = threading.Lock()
        self._server: LoopbackHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> Emulator:
        if self._server is not None:
            return self
        self._server = LoopbackHTTPServer((self.host, self.port), self.handle, _bad_request)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="snowdm-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        host, port = self._server.socket.getsockname()[:2]
        address = ipaddress.ip_address(host.partition("%")[0])
        if address.is_unspecified:  # bound to every address: a client on this machine reaches it on loopback
            host = "::1" if address.version == 6 else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}{self.path_prefix}"

    # ---- control -------------------------------------------------------------------------------------------

    def load_scenario(self, scenario: ScenarioSource) -> None:
        """Replace the scenario: devices, behaviours, faults, deny list; all tasks are dropped."""
        parsed = load_scenario(scenario)
        self.scenario = parsed
        self.clock.time_scale = self._time_scale_for(parsed)
        self.verifier.credentials = self._credentials_for(parsed)
        self.model.load(parsed)
        self.faults.configure(parsed.faults)
        self.rates.configure(self._rates_for(parsed))
        self.denied = parsed.deny

    def reset(self) -> None:
        """Back to the current scenario: its devices, faults, rates and deny list, no tasks, no calls counted."""
        self.model.reset()
        self.faults.configure(self.scenario.faults)
        self.rates.configure(self._rates_for(self.scenario))
        self.denied = self.scenario.deny
        self.reset_calls()

    def set_faults(self, **settings: Any) -> FaultSettings:
        """Replace the fault settings (keys of the scenario's `faults` block); no arguments turns faults off."""
        fault_settings = FaultSettings.from_dict(settings)
        self.faults.configure(fault_settings)
        return fault_settings

    def set_rates(self, rates: Mapping[str, Any]) -> dict[str, Rate]:
        """Replace the rate quotas ({operation or "*": rate or {"rate", "burst"}}); an empty mapping lifts them."""
        parsed = parse_rates(rates)
        self.rates.configure(parsed)
        return parsed

    def set_denied(self, operations: Iterable[str]) -> None:
        """Answer these SDM operations with 403 AccessDeniedException from now on."""
        names = frozenset(operations)
        unknown = names - set(service_model().operation_names)
        if unknown:
            raise ValidationException(f"deny: unknown operations {', '.join(sorted(unknown))}")
        self.denied = names

    @property
    def calls(self) -> collections.Counter[str]:
        """How many requests each SDM operation got (errors and faults included); a snapshot."""
        with self._calls_lock:
            return collections.Counter(self._calls)

    def reset_calls(self) -> None:
        """Forget the calls counted, and the throttled answers of the rate quotas."""
        with self._calls_lock:
            self._calls.clear()
        self.rates.reset_counts()

    # ---- requests ------------------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        operation_name, response = self._answer(request)
        if request_log.isEnabledFor(logging.INFO):
            request_log.info("%s %s %s %s %.1f ms", operation_name, request.method, request.target,
                             "dropped" if response.drop else response.status, (time.perf_counter() - started) * 1000)
        return response

    def _answer(self, request: Request) -> tuple[str, Response]:
        """(operation name, or "control" or "?", and the response) for one request."""
        path, _, query_text = request.target.partition("?")
        if self.path_prefix and path.startswith(self.path_prefix + "/"):
            path = path[len(self.path_prefix):]  # signatures still cover the whole path, as boto3 signed it
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            return "control", handle_control(self, request.method, path, request.body)
        request_id = str(uuid.uuid4())
        operation_name = "?"
        try:
            found = self.router.match(request.method, path)
            if found is None:
                raise UnknownOperationException(self._unknown_route(request.method, path))
            operation, labels = found
            operation_name = operation.name
            with self._calls_lock:
                self._calls[operation_name] += 1
            response = self._serve(operation, labels, request, query_text)
            response.headers.append(("x-amzn-RequestId", request_id))
            return operation_name, response
        except ServiceError as error:
            return operation_name, _error_response(error, request_id)
        except Exception as error:
            logger.exception("snowdm-emulator: %s failed", operation_name)
            return operation_name, _error_response(
                InternalServerException(f"the emulator failed on {operation_name}: {type(error).__name__}: {error}"),
                request_id,
            )

    def _serve(self, operation, labels: dict[str, str], request: Request, query_text: str) -> Response:
        """An authenticated call of a known operation: deny list, injected faults, then the model's answer."""
        operation_name = operation.name
        access_key, region = self.verifier.verify(request.method, request.target, request.headers, request.body)
        if operation_name in self.denied:
            raise AccessDeniedException(
                f"User: arn:aws:iam::{self.model.account_id}:user/{access_key} is not authorized to perform: "
                f"snow-device-management:{operation_name} (denied by the emulator's deny list)"
            )
        if not self.rates.admit(operation_name):
            raise ThrottlingException("Rate exceeded")
        decision = self.faults.decide(operation_name)
        if decision.delay:
            time.sleep(decision.delay)
        if decision.drop:
            return Response(drop=True)
        if decision.error is not None:
            raise decision.error
        params = parse_input(operation, labels, _query(query_text), request.headers, request.body)
        output = HANDLERS[operation_name](self.model, params, region)
        body = serialize_output(operation.output_shape, output)
        return Response(200, body, [("Content-Type", "application/json")])

    def _unknown_route(self, method: str, path: str) -> str:
        methods = self.router.methods_for(path)
        if methods:
            return f"{method} {path} is not a Snow Device Management operation; this path takes {', '.join(methods)}"
        return f"{method} {path} is not a Snow Device Management operation (see the service's API reference)"

    def _time_scale_for(self, scenario: Scenario) -> float:
        if self._fixed_time_scale is not None:
            return self._fixed_time_scale
        return scenario.time_scale if scenario.time_scale is not None else 1.0

    def _rates_for(self, scenario: Scenario) -> dict[str, Rate]:
        return dict(scenario.rates if self._fixed_rates is None else self._fixed_rates)

    def _credentials_for(self, scenario: Scenario) -> dict[str, str]:
        if self._fixed_credentials is not None:
            return self._fixed_credentials
        if scenario.credentials is not None:
            return dict(scenario.credentials)
        return {DEFAULT_ACCESS_KEY_ID: DEFAULT_SECRET_ACCESS_KEY}


def check_path_prefix(prefix: str) -> None:
    """Raise ValueError unless `prefix` is empty or path segments like /sdm or /proxy/sdm."""
    if not _PATH_PREFIX.fullmatch(prefix):
        raise ValueError(
            f"path prefix {prefix!r} must be path segments of letters, digits and . _ ~ -, starting with / and not "
            "ending with one, like /sdm"
        )


def _query(text: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    if text:
        try:
            pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise ValidationException("the query string is not percent-encoded UTF-8") from None
        for name, value in pairs:
            values.setdefault(name, []).append(value)
    return values


def _error_response(error: ServiceError, request_id: str) -> Response:
    headers = [
        ("Content-Type", "application/json"),
        ("x-amzn-RequestId", request_id),
        ("x-amzn-ErrorType", error.code),
    ]
    return Response(error.status, error_body(error), headers)


def _bad_request(problem: BadRequest) -> Response:
    error = ValidationException(str(problem))
    error.status = problem.status
    return _error_response(error, str(uuid.uuid4()))
