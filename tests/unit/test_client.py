"""The client factory and the one mapping from botocore errors to the provider's error tree."""

import threading

import botocore.exceptions
import pytest

from pulumi_snowdm._core import client as client_module
from pulumi_snowdm._core.client import forget_clients, sdm_client, translate, user_agent
from pulumi_snowdm._core.errors import AccessError, ConfigurationError, NotFound, ServiceUnavailable, SnowdmError
from pulumi_snowdm._core.settings import ClientSettings

LOCAL = ClientSettings(region="us-east-1", endpoint="http://127.0.0.1:1")


def client_error(code, status, message="nope", operation="DescribeExecution"):
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return botocore.exceptions.ClientError(response, operation)


@pytest.mark.parametrize(
    "error, kind, words",
    [
        (client_error("ResourceNotFoundException", 404), NotFound, "execution for task st-1 on device smd-1 was not found"),
        (client_error("UnknownOperationException", 404, "no route"), ConfigurationError, "check `snowdm:endpoint`"),
        (client_error("AccessDeniedException", 403), AccessError, "snow-device-management:DescribeExecution"),
        (client_error("UnrecognizedClientException", 403), AccessError, "credentials"),
        (client_error("InvalidSignatureException", 403), AccessError, "snowdm:endpoint"),
        (client_error("SomethingNew", 403), AccessError, "endpoint http://127.0.0.1:1"),
        (client_error("ValidationException", 400, "taskId too long"), SnowdmError, "ValidationException: taskId too long"),
        (client_error("ThrottlingException", 429, "slow down"), ServiceUnavailable, "ThrottlingException"),
        (client_error("InternalServerException", 500, "oops"), ServiceUnavailable, "InternalServerException"),
        (botocore.exceptions.NoCredentialsError(), ConfigurationError, "credentials"),
        (botocore.exceptions.NoRegionError(), ConfigurationError, "pulumi config set snowdm:region"),
        (botocore.exceptions.ProfileNotFound(profile="ghost"), ConfigurationError, "'ghost'"),
        (botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:1/x"), ConfigurationError,
         "could not connect to http://127.0.0.1:1/x"),
        (botocore.exceptions.UnauthorizedSSOTokenError(), ConfigurationError, "aws sso login"),
        (botocore.exceptions.CredentialRetrievalError(provider="custom-process", error_msg="zz-leaked-zz"),
         ConfigurationError, "custom-process"),
    ],
)
def test_translate(error, kind, words):
    translated = translate(error, "DescribeExecution", "for task st-1 on device smd-1", LOCAL)
    assert type(translated) is kind
    assert words in str(translated)
    assert "zz-leaked-zz" not in str(translated)


def test_not_found_kind_follows_the_operation():
    assert str(translate(client_error("ResourceNotFoundException", 404), "ListExecutions", "st-9")) == (
        "task st-9 was not found"
    )
    assert translate(client_error("ResourceNotFoundException", 404), "DescribeDevice", "smd-1").kind == "device"


def test_access_error_never_shows_the_keys(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEYID0000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "very-secret-value")
    client = sdm_client(LOCAL)
    text = str(translate(client_error("AccessDeniedException", 403), "DescribeTask", "st-1", client=client))
    assert "AKIAEXAMPLEKEYID0000" not in text and "very-secret-value" not in text
    assert "region us-east-1 at http://127.0.0.1:1" in text


def test_snowdm_errors_pass_through():
    error = NotFound("task", "st-1")
    assert translate(error, "DescribeTask", "st-1") is error


def test_client_is_built_once_per_settings_and_configured():
    forget_clients()
    first = sdm_client(LOCAL)
    assert sdm_client(ClientSettings(region="us-east-1", endpoint="http://127.0.0.1:1")) is first
    assert sdm_client(ClientSettings(region="us-west-2", endpoint="http://127.0.0.1:1")) is not first
    config = first.meta.config
    assert config.retries == {"mode": "standard", "total_max_attempts": 10}
    assert user_agent() in config.user_agent_extra
    assert (config.connect_timeout, config.read_timeout) == (10.0, 30.0)
    assert first.meta.endpoint_url == "http://127.0.0.1:1"


def test_concurrent_first_use_builds_one_client():
    forget_clients()
    settings = ClientSettings(region="eu-west-1", endpoint="http://127.0.0.1:2")
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(sdm_client(settings))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(client) for client in seen}) == 1


def test_unknown_profile_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="snowdm:profile"):
        sdm_client(ClientSettings(region="us-east-1", profile="no-such-profile-for-tests"))


def test_missing_region_is_a_configuration_error(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setattr(client_module, "_clients", {})
    with pytest.raises(ConfigurationError, match="aws:region"):
        sdm_client(ClientSettings())
