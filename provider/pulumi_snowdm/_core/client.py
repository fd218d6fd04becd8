"""The boto3 client for Snow Device Management, built once per settings, and the one place botocore errors are mapped.

`sdm_client` caches clients per ClientSettings for the life of the provider process: boto3 clients are thread-safe
and keep their connection pool, but building a Session is not thread-safe, so building happens under a lock.

Each client's ListExecutions calls keep to the waits' request budget: `_core.wait.pace` hooks them when the client
is built.

`translate` turns whatever botocore raised into the error tree of `errors.py`, with messages that say which call,
where it went and what to check. Messages are built from the operation, the ids, the settings and the service's
own error code and message: never from credentials. The advice names settings as the host's users set them (the
settings' `Wording`; a client names the settings it was built from).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import botocore.session

from pulumi_snowdm._core.errors import AccessError, ConfigurationError, NotFound, ServiceUnavailable, SnowdmError
from pulumi_snowdm._core.service_model import SERVICE_NAME
from pulumi_snowdm._core.settings import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_MODE,
    ClientSettings,
    check_endpoint,
)
from pulumi_snowdm._core.version import package_version
from pulumi_snowdm._core.wait.pace import pace_calls, pace_for
from pulumi_snowdm._core.wording import PYTHON, Wording

_ACCESS_CODES = frozenset(
    {
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "InvalidClientTokenId",
        "ExpiredTokenException",
        "ExpiredToken",
        "MissingAuthenticationTokenException",
    }
)

# Answers that botocore's retry modes retry: when they outlast the retries the service is busy, not wrong.
_TRANSIENT_CODES = frozenset({"ThrottlingException", "InternalServerException", "ServiceUnavailable",
                              "Throttling", "TooManyRequestsException", "RequestLimitExceeded"})

# Operations naming several objects of one kind: a ResourceNotFoundException is about one of them.
_MANY_TARGETS = ("CreateTask",)
# What a ResourceNotFoundException is about, by operation; the ids passed to translate name the object.
_KIND_BY_OPERATION = {
    "DescribeExecution": "execution",
    "CreateTask": "device",
    "DescribeTask": "task",
    "CancelTask": "task",
    "ListExecutions": "task",
    "DescribeDevice": "device",
    "DescribeDeviceEc2Instances": "device",
    "ListDeviceResources": "device",
}

_clients: dict[ClientSettings, object] = {}
_clients_lock = threading.Lock()


def sdm_client(settings: ClientSettings):
    """Return the process-wide snow-device-management client for `settings`, building it on first use."""
    with _clients_lock:
        client = _clients.get(settings)
        if client is None:
            try:
                client = _build(settings)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
                raise translate(error, "creating the client", "", settings) from None
            _clients[settings] = client
        return client


def forget_clients() -> None:
    """Drop every cached client, so the next call rebuilds (for example after credentials were rotated)."""
    with _clients_lock:
        _clients.clear()


def user_agent() -> str:
    """The user-agent suffix that lets service-side logs tell this provider's calls apart."""
    return f"pulumi-snowdm/{package_version()}"


def _build(settings: ClientSettings):
    core = botocore.session.Session(profile=settings.profile)
    session = boto3.session.Session(botocore_session=core, region_name=settings.region)
    config = botocore.config.Config(
        # The keys are chosen one by one (retry_config); botocore-stubs' TypedDict cannot follow that.
        retries=retry_config(settings, core),  # type: ignore[arg-type]
        user_agent_extra=user_agent(),
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
    )
    client = session.client(SERVICE_NAME, endpoint_url=settings.endpoint, config=config)
    # settings_from_config checked every endpoint source we know of; this catches any botocore adds later.
    check_endpoint(client.meta.endpoint_url, "the endpoint boto3 resolved from the AWS environment and profile")
    pace_calls(client, pace_for(settings))
    return client


# Each retry knob: our setting (the profile's key too), botocore's `retries` key, its environment variable, our default.
_RETRY_KNOBS = (
    ("retry_mode", "mode", "AWS_RETRY_MODE", DEFAULT_RETRY_MODE),
    ("max_attempts", "total_max_attempts", "AWS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS),
)


def retry_config(settings: ClientSettings, session: botocore.session.Session) -> dict[str, Any]:
    """botocore's `retries` for the client: stack config, else the AWS environment/profile, else our defaults.

    A key set in Config(retries=...) beats AWS_RETRY_MODE / AWS_MAX_ATTEMPTS and the profile's retry_mode /
    max_attempts, so a key is set only when stack config gives it or neither of those does; otherwise botocore
    reads them itself. `total_max_attempts` counts the first try too, as AWS_MAX_ATTEMPTS does.
    """
    profile = session.get_scoped_config()
    retries: dict[str, Any] = {}
    for field, key, variable, default in _RETRY_KNOBS:
        value = getattr(settings, field)
        if value is not None:
            retries[key] = value
        elif not os.environ.get(variable) and field not in profile:
            retries[key] = default
    return retries


def translate(
    error: Exception,
    operation: str,
    ids: str,
    settings: ClientSettings | None = None,
    *,
    client=None,
) -> SnowdmError:
    """Map a botocore error from `operation` on the object named by `ids` to a SnowdmError, ready to raise.

    `ids` names the object without its kind (`st-1`, `for task st-1 on device smd-1`): the kind comes from the
    operation, so NotFound reads "task st-1 was not found".

    `client`, when given, names the endpoint and region the call really used (boto3 may have taken them from the
    environment); otherwise `settings` does.
    """
    if isinstance(error, SnowdmError):
        return error
    kind = _KIND_BY_OPERATION.get(operation, "object")
    words = _wording(settings, client)
    subject = f"{operation} ({kind} {ids})" if ids else operation
    where = _target(settings, client)
    if isinstance(error, botocore.exceptions.ClientError):
        return _from_client_error(error, operation, kind, subject, ids, where, words)
    if isinstance(error, botocore.exceptions.NoRegionError):
        return ConfigurationError(f"{subject}: no region is set. To fix: set a region with {words.region}, "
                                  f"a profile with {words.profile}")
    if isinstance(error, botocore.exceptions.ProfileNotFound):
        profile = error.kwargs.get("profile")
        return ConfigurationError(
            f"{subject}: the AWS profile {profile!r} is not in ~/.aws/config or ~/.aws/credentials. To fix: "
            f"check {words.profile}"
        )
    if isinstance(error, (botocore.exceptions.NoCredentialsError, botocore.exceptions.PartialCredentialsError)):
        return ConfigurationError(
            f"{subject}: no usable AWS credentials were found for {where}. To fix: provide them through the "
            f"standard chain (a profile with {words.profile}, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            f"~/.aws/credentials, SSO, or an instance role)"
        )
    if isinstance(
        error,
        (
            botocore.exceptions.CredentialRetrievalError,
            botocore.exceptions.TokenRetrievalError,
            botocore.exceptions.SSOTokenLoadError,
            botocore.exceptions.UnauthorizedSSOTokenError,
        ),
    ):
        # Only the provider's name: the underlying message may quote a credential process's output.
        provider = error.kwargs.get("provider", "the configured credential source")
        return ConfigurationError(
            f"{subject}: AWS credentials could not be obtained from {provider} ({type(error).__name__}). "
            f"To fix: refresh them (for SSO: `aws sso login --profile <profile>`) or check the profile"
        )
    if isinstance(error, (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectTimeoutError)):
        url = error.kwargs.get("endpoint_url", where)
        return ConfigurationError(
            f"{subject}: could not connect to {url}. To fix: check {words.endpoint}, the region and the network "
            f"path to the service"
        )
    if isinstance(error, (botocore.exceptions.ConnectionClosedError, botocore.exceptions.ReadTimeoutError)):
        return ServiceUnavailable(f"{subject} at {where}: the connection failed through every retry ({error})")
    if isinstance(error, botocore.exceptions.ParamValidationError):
        return SnowdmError(f"{subject}: the request was refused before sending it: {error}")
    return SnowdmError(f"{subject} at {where} failed: {type(error).__name__}: {error}")


def _from_client_error(
    error: botocore.exceptions.ClientError, operation: str, kind: str, subject: str, ids: str, where: str,
    words: Wording,
) -> SnowdmError:
    details = error.response.get("Error", {})
    code = details.get("Code", "Unknown")
    message = details.get("Message") or error.response.get("message") or ""
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code == "ResourceNotFoundException":
        if operation in _MANY_TARGETS:  # only the service knows which of the targets it lacks: say its words
            return NotFound(kind, ids,
                            said=f"{operation} (targets {ids}) was refused: ResourceNotFoundException: {message}")
        return NotFound(kind, ids or operation)
    if status == 404:
        # Not the service saying "no such object": most likely an endpoint that is not SDM. Never read it as gone.
        return ConfigurationError(
            f"{subject}: {where} answered 404 {code}: {message}. To fix: check {words.endpoint} points at Snow "
            f"Device Management"
        )
    if code in _TRANSIENT_CODES or status == 429 or (status or 0) >= 500:
        return ServiceUnavailable(f"{subject} at {where} stayed unavailable through every retry: {code}: {message}")
    if code in _ACCESS_CODES or status == 403:
        return AccessError(
            f"{subject}: {where} refused the call ({code}: {message}). To fix: check the credentials boto3 "
            f"found (the chain: a profile with {words.profile}, environment keys, ~/.aws, SSO, role), that they "
            f"allow snow-device-management:{operation}, and that the endpoint ({words.endpoint}) and the region "
            f"are the ones you mean"
        )
    return SnowdmError(f"{subject} at {where} failed: {code}: {message}".rstrip(": "))


def _wording(settings: ClientSettings | None, client) -> Wording:
    """The wording of `settings`, else of the settings `client` was built from (`sdm_client`'s cache)."""
    if settings is None and client is not None:
        with _clients_lock:
            settings = next((built for built, cached in _clients.items() if cached is client), None)
    return settings.wording if settings is not None else PYTHON


def _target(settings: ClientSettings | None, client) -> str:
    if client is not None:
        meta = client.meta
        return f"region {meta.region_name} at {meta.endpoint_url}"
    if settings is not None:
        return settings.target()
    return "the service"
