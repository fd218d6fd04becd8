"""Settings from stack config: lookup order, endpoint safety rules, region shape, retry knobs."""

import dataclasses

import pytest

from pulumi_snowdm._core.errors import ConfigurationError
from pulumi_snowdm._core.settings import (
    ClientSettings,
    check_endpoint,
    is_loopback,
    looks_like_region,
    settings_from_config,
)


@pytest.mark.parametrize(
    "url",
    [
        "https://snow-device-management.us-east-1.amazonaws.com",
        "https://10.0.0.1:8443",
        "https://anything.example/prefix",
        "http://127.0.0.1:4566",
        "http://127.0.0.5",
        "http://127.255.255.254:9000/path",
        "http://localhost:8080",
        "http://LOCALHOST",
        "http://[::1]:8080",
    ],
)
def test_endpoint_accepted(url):
    assert check_endpoint(url, "snowdm:endpoint") == url


@pytest.mark.parametrize(
    "url, words",
    [
        ("http://10.0.0.1", "clear text"),
        ("http://192.168.1.20:8080", "clear text"),
        ("http://snow.example.com", "clear text"),
        ("http://128.0.0.1", "clear text"),
        ("http://localhost.example.com", "clear text"),
        ("ftp://127.0.0.1", "http(s) URL"),
        ("127.0.0.1:8080", "http(s) URL"),
        ("https://", "http(s) URL"),
        ("https://host:notaport", "not a valid URL"),
        ("https://user:hunter2@host", "user name or password"),
    ],
)
def test_endpoint_rejected(url, words):
    with pytest.raises(ConfigurationError) as caught:
        check_endpoint(url, "snowdm:endpoint")
    assert words in str(caught.value)
    assert "hunter2" not in str(caught.value)
    assert "snowdm:endpoint" in str(caught.value)


@pytest.mark.parametrize(
    "host, loopback",
    [("localhost", True), ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True),
     ("10.0.0.1", False), ("example.com", False), ("::2", False), ("0.0.0.0", False)],
)
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    "value, ok",
    [("us-east-1", True), ("eu-central-2", True), ("us-gov-west-1", True), ("cn-north-1", True),
     ("us-isob-east-1", True), ("ap-southeast-3", True),
     ("", False), ("us-east", False), ("US-EAST-1", False), ("useast1", False), ("us-east-1 ", False),
     ("https://us-east-1", False)],
)
def test_looks_like_region(value, ok):
    assert looks_like_region(value) is ok


@pytest.mark.parametrize(
    "config, expected",
    [
        ({}, dict(region=None, profile=None, endpoint=None)),
        ({"aws:region": "us-west-2", "aws:profile": "ops"}, dict(region="us-west-2", profile="ops")),
        ({"snowdm:region": "eu-west-1", "aws:region": "us-west-2"}, dict(region="eu-west-1")),
        ({"snowdm:profile": "snow", "aws:profile": "ops"}, dict(profile="snow")),
        ({"snowdm:endpoint": "http://127.0.0.1:9"}, dict(endpoint="http://127.0.0.1:9")),
        ({"snowdm:region": "  "}, dict(region=None)),
        ({"snowdm:retryMode": "adaptive", "snowdm:maxAttempts": "7"}, dict(retry_mode="adaptive", max_attempts=7)),
        ({"snowdm:maxAttempts": "3.0"}, dict(max_attempts=3)),
        ({"snowdm:connectTimeout": "2.5", "snowdm:readTimeout": "60"}, dict(connect_timeout=2.5, read_timeout=60)),
    ],
)
def test_settings_from_config(config, expected):
    settings = settings_from_config(config, {})
    for name, value in expected.items():
        assert getattr(settings, name) == value


@pytest.mark.parametrize(
    "config, words",
    [
        ({"snowdm:region": "us-east"}, "snowdm:region"),
        ({"aws:region": "Virginia"}, "not a region name"),
        ({"snowdm:endpoint": "http://10.1.2.3:80"},
         r"snowdm:endpoint uses plain http to 10\.1\.2\.3, which is not a loopback host: .* clear text\. Use https://"),
        ({"snowdm:retryMode": "aggressive"}, "snowdm:retryMode"),
        ({"snowdm:maxAttempts": "0"}, "snowdm:maxAttempts"),
        ({"snowdm:maxAttempts": "2.5"}, "snowdm:maxAttempts"),
        ({"snowdm:maxAttempts": "many"}, "snowdm:maxAttempts"),
        ({"snowdm:readTimeout": "-1"}, "snowdm:readTimeout"),
        ({"snowdm:connectTimeout": "nan"}, "snowdm:connectTimeout"),
    ],
)
def test_settings_from_config_rejects(config, words):
    with pytest.raises(ConfigurationError, match=words):
        settings_from_config(config, {})


@pytest.mark.parametrize(
    "environ, words",
    [
        ({"AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT": "http://10.0.0.1"}, "AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT"),
        ({"AWS_ENDPOINT_URL": "http://snow.example"}, "AWS_ENDPOINT_URL"),
        ({"AWS_REGION": "nowhere"}, "AWS_REGION"),
        ({"AWS_DEFAULT_REGION": "us_east_1"}, "AWS_DEFAULT_REGION"),
    ],
)
def test_environment_held_to_the_same_rules(environ, words):
    with pytest.raises(ConfigurationError, match=words):
        settings_from_config({}, environ)


def test_environment_is_left_to_boto3():
    environ = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT": "http://127.0.0.1:1"}
    assert settings_from_config({}, environ) == ClientSettings()


@pytest.mark.parametrize(
    "environ, region",
    [
        ({"AWS_REGION": "ca-central-1"}, "ca-central-1"),  # botocore alone ignores it
        ({"AWS_REGION": "ca-central-1", "AWS_DEFAULT_REGION": "eu-west-1"}, "ca-central-1"),  # it wins, as in the SDKs
        ({"AWS_DEFAULT_REGION": "eu-west-1"}, None),  # boto3 reads this one itself
        ({"AWS_REGION": "", "AWS_DEFAULT_REGION": "eu-west-1"}, None),
    ],
)
def test_aws_region_is_honoured_and_wins(environ, region):
    assert settings_from_config({}, environ).region == region


def test_configured_region_wins_over_aws_region():
    assert settings_from_config({"aws:region": "us-east-1"}, {"AWS_REGION": "ca-central-1"}).region == "us-east-1"


def test_retry_knobs_are_unset_unless_configured():
    settings = settings_from_config({}, {})
    assert (settings.retry_mode, settings.max_attempts) == (None, None)


def test_configured_values_win_over_a_bad_environment():
    environ = {"AWS_REGION": "nowhere", "AWS_ENDPOINT_URL": "http://10.0.0.1"}
    settings = settings_from_config({"aws:region": "us-east-1", "snowdm:endpoint": "https://x.example"}, environ)
    assert settings.region == "us-east-1"


def test_ignored_endpoint_variables_are_not_checked():
    environ = {"AWS_ENDPOINT_URL": "http://10.0.0.1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}
    assert settings_from_config({}, environ).endpoint is None


@pytest.fixture
def aws_config(tmp_path, monkeypatch):
    """Write an AWS config file and point botocore at it; the host's own AWS settings are kept out."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT",
                 "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "aws-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))

    def write(text: str) -> str:
        path.write_text(text)
        return str(path)

    return write


PROFILES = """
[profile lab]
endpoint_url = http://10.1.2.3:4599
[profile through-services]
services = lab-services
[services lab-services]
snow_device_management =
  endpoint_url = http://10.9.8.7:4599
[profile local]
endpoint_url = http://127.0.0.1:4599
[profile secure]
endpoint_url = https://sdm.lab.example
[profile ignoring]
endpoint_url = http://10.1.2.3:4599
ignore_configured_endpoint_urls = true
[default]
endpoint_url = http://10.5.5.5:80
"""


@pytest.mark.parametrize(
    "profile, words",
    [
        ("lab", "endpoint_url of AWS profile 'lab'"),
        ("through-services", "endpoint_url of snow_device_management in [services lab-services]"),
        (None, "endpoint_url of AWS profile 'default'"),
    ],
)
def test_a_profile_endpoint_is_held_to_the_loopback_rule(aws_config, profile, words):
    path = aws_config(PROFILES)
    config = {"snowdm:profile": profile} if profile else {}
    with pytest.raises(ConfigurationError) as caught:
        settings_from_config(config, {})
    assert words in str(caught.value)
    assert path in str(caught.value)
    assert "clear text" in str(caught.value)


def test_aws_profile_variable_names_the_profile(aws_config, monkeypatch):
    aws_config(PROFILES)
    monkeypatch.setenv("AWS_PROFILE", "lab")
    with pytest.raises(ConfigurationError, match="AWS profile 'lab'"):
        settings_from_config({}, {})


@pytest.mark.parametrize("profile", ["local", "secure", "ignoring", "no-such-profile"])
def test_allowed_profile_endpoints(aws_config, profile):
    aws_config(PROFILES)
    assert settings_from_config({"aws:profile": profile}, {}).profile == profile


@pytest.mark.parametrize(
    "config, environ",
    [
        ({"snowdm:endpoint": "https://sdm.example"}, {}),
        ({}, {"AWS_ENDPOINT_URL": "https://sdm.example"}),
        ({}, {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}),
    ],
)
def test_the_profile_endpoint_is_not_checked_when_something_else_wins(aws_config, config, environ):
    aws_config(PROFILES)
    settings_from_config({"snowdm:profile": "lab", **config}, environ)


def test_settings_hold_no_credentials_and_are_hashable():
    names = {field.name for field in dataclasses.fields(ClientSettings)}
    assert not {name for name in names if "key" in name or "secret" in name or "token" in name}
    assert hash(ClientSettings(region="us-east-1")) == hash(ClientSettings(region="us-east-1"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        ClientSettings().region = "us-east-1"


@pytest.mark.parametrize(
    "settings, words",
    [
        (ClientSettings(endpoint="http://127.0.0.1:1"), "endpoint http://127.0.0.1:1"),
        (ClientSettings(region="us-east-1"), "region us-east-1"),
        (ClientSettings(), "AWS environment"),
    ],
)
def test_target(settings, words):
    assert words in settings.target()
