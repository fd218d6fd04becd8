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
        (client_error("ResourceNotFoundException", 404), NotFound,
         "execution for task st-1 on device smd-1 was not found"),
        (client_error("UnknownOperationException", 404, "no route"), ConfigurationError, "check `snowdm:endpoint`"),
        (client_error("AccessDeniedException", 403), AccessError, "snow-device-management:DescribeExecution"),
        (client_error("UnrecognizedClientException", 403), AccessError, "credentials"),
        (client_error("InvalidSignatureException", 403), AccessError, "snowdm:endpoint"),
        (client_error("SomethingNew", 403), AccessError, "endpoint http://127.0.0.1:1"),
        (client_error("ValidationException", 400, "taskId too long"), SnowdmError,
         "ValidationException: taskId too long"),
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


@pytest.fixture
def aws_environment(tmp_path, monkeypatch):
    """No AWS retry settings from the host: an empty config file of our own, no retry variables."""
    for name in ("AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "aws-config"
    config.write_text("[default]\n[profile patient]\nretry_mode = adaptive\nmax_attempts = 7\n"
                      "[profile modest]\nmax_attempts = 4\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    forget_clients()
    yield monkeypatch
    forget_clients()


def effective_retries(settings: ClientSettings) -> tuple[str, int]:
    """The mode and total attempts a real client ended up with (what botocore resolved, not what we asked)."""
    retries = sdm_client(settings).meta.config.retries
    return retries["mode"], retries["total_max_attempts"]


@pytest.mark.parametrize(
    "knobs, variables, profile, expected",
    [
        ({}, {}, None, ("standard", 10)),  # our defaults
        ({}, {}, "patient", ("adaptive", 7)),  # the profile's settings
        ({}, {}, "modest", ("standard", 4)),  # a profile setting one knob leaves ours on the other
        ({}, {"AWS_RETRY_MODE": "legacy", "AWS_MAX_ATTEMPTS": "3"}, None, ("legacy", 3)),  # the environment
        ({}, {"AWS_MAX_ATTEMPTS": "2"}, "patient", ("adaptive", 2)),  # environment over profile, knob by knob
        ({"retry_mode": "standard", "max_attempts": 5}, {"AWS_RETRY_MODE": "legacy", "AWS_MAX_ATTEMPTS": "3"},
         "patient", ("standard", 5)),  # stack config over everything
        ({"max_attempts": 6}, {"AWS_RETRY_MODE": "legacy"}, None, ("legacy", 6)),
    ],
)
def test_retry_settings_by_level(aws_environment, knobs, variables, profile, expected):
    for name, value in variables.items():
        aws_environment.setenv(name, value)
    settings = ClientSettings(region="us-east-1", endpoint="http://127.0.0.1:1", profile=profile, **knobs)
    assert effective_retries(settings) == expected


def test_a_profile_endpoint_resolved_by_boto3_is_checked_too(aws_environment, tmp_path):
    config = tmp_path / "aws-config"
    config.write_text("[profile lab]\nendpoint_url = http://10.1.2.3:4599\n")
    with pytest.raises(ConfigurationError, match="plain http to 10.1.2.3"):
        sdm_client(ClientSettings(region="us-east-1", profile="lab"))
