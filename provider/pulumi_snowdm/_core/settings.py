"""Where and how the provider talks to Snow Device Management: plain, hashable settings read from stack config.

`ClientSettings` holds only what is safe to print and to keep in a cache key: region, profile name, endpoint URL,
retry and timeout knobs, and the waits' request budget. Credentials never pass through here; boto3 finds them itself
through its usual chain (environment, profile, SSO, instance role), so nothing in this module can ever format one.

Lookup order for each setting: `snowdm:<key>`, then `aws:<key>` (region and profile only), then the AWS
environment. Region: AWS_REGION, then AWS_DEFAULT_REGION (botocore reads only the second, so the first is read
here, winning as it does in the other AWS SDKs), then the profile's `region`. Profile, endpoint and retries are left to
boto3's own chain (AWS_PROFILE; AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT, AWS_ENDPOINT_URL, the profile's
`endpoint_url` or `services` section; AWS_RETRY_MODE, AWS_MAX_ATTEMPTS, the profile's `retry_mode` and
`max_attempts`), and only then our defaults (standard, 10 attempts). Whatever its source, an endpoint is held to the
same rule (https, or plain http to a loopback host), checked here before any call.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import urllib.parse
from collections.abc import Mapping

import botocore.exceptions
import botocore.session

from pulumi_snowdm._core.errors import ConfigurationError
from pulumi_snowdm._core.service_model import SERVICE_NAME
from pulumi_snowdm._core.wording import PYTHON, Wording

RETRY_MODES = ("legacy", "standard", "adaptive")
# Used when neither stack config nor the AWS environment/profile sets them. Ten attempts ride out sustained
# throttling (a call fails 0.1% of the time at 50% throttling, not 3%).
DEFAULT_RETRY_MODE = "standard"
DEFAULT_MAX_ATTEMPTS = 10
# ListExecutions requests per second the waits of one process may send (`_core.wait.pace`; README explains the
# choice): a 1,000-device fleet (100 tasks) is looked at every second and a 10,000-device one every 10 s, so a
# service that does not limit us decides as fast as an unpaced poll would; an account that allows less is found by
# the pace's adaptation after its first throttled answers, or is written here.
DEFAULT_MAX_REQUESTS_PER_SECOND = 100.0

# Partition prefixes vary (us, us-gov, cn, us-isob, eu-isoe ...): two or more letters, words, then a number.
_REGION = re.compile(r"[a-z]{2,}(-[a-z]+)+-\d+")

_ENDPOINT_ENV = ("AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT", "AWS_ENDPOINT_URL")
_REGION_ENV = ("AWS_REGION", "AWS_DEFAULT_REGION")


@dataclasses.dataclass(frozen=True)
class ClientSettings:
    """How to reach the service: region, profile name, endpoint, retry/timeout knobs and the waits' request budget
    (ListExecutions calls per second, `_core.wait.pace`). Never credentials.

    Every field is validated on construction, so a ClientSettings that exists is one boto3 can use.
    """

    region: str | None = None
    profile: str | None = None
    endpoint: str | None = None
    # None: the AWS environment or profile decides, else DEFAULT_RETRY_MODE / DEFAULT_MAX_ATTEMPTS (client.py).
    retry_mode: str | None = None
    max_attempts: int | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_requests_per_second: float = DEFAULT_MAX_REQUESTS_PER_SECOND
    # How the host's users write properties and settings, for every message built on these settings.
    wording: Wording = PYTHON

    def __post_init__(self) -> None:
        if self.region is not None:
            check_region(self.region, "snowdm:region", self.wording)
        if self.endpoint is not None:
            check_endpoint(self.endpoint, "snowdm:endpoint")
        if self.retry_mode is not None and self.retry_mode not in RETRY_MODES:
            raise ConfigurationError(
                f"snowdm:retryMode is {self.retry_mode!r}: use one of {', '.join(RETRY_MODES)}"
            )
        attempts = self.max_attempts
        if attempts is not None and (isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1):
            raise ConfigurationError(f"snowdm:maxAttempts is {self.max_attempts!r}: use a whole number of at least 1")
        for name in ("connect_timeout", "read_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ConfigurationError(f"{name} is {value!r}: use a number of seconds greater than 0")
        rate = self.max_requests_per_second
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < float("inf"):
            raise ConfigurationError(f"snowdm:maxRequestsPerSecond is {rate!r}: use a number of requests per second "
                                     f"greater than 0")

    def target(self) -> str:
        """Say where calls go, for error messages: the endpoint if set, else the region, else the environment."""
        if self.endpoint:
            return f"endpoint {self.endpoint}"
        if self.region:
            return f"region {self.region}"
        return "the region from the AWS environment (AWS_REGION, AWS_DEFAULT_REGION or the profile)"


def settings_from_config(config: Mapping[str, str], environ: Mapping[str, str],
                         wording: Wording = PYTHON) -> ClientSettings:
    """Build ClientSettings from stack config (`snowdm:*`, then `aws:*`), checking what boto3 will pick up itself.

    `environ` is only inspected, never copied: an endpoint or region that boto3 would take from the environment or
    the profile is held to the same rules as configured ones, so a plain-http endpoint cannot slip in through a
    variable or a profile's `endpoint_url`. AWS_REGION is the one variable taken over (botocore ignores it).
    """
    region = _first(config, "snowdm:region", "aws:region")
    profile = _first(config, "snowdm:profile", "aws:profile")
    endpoint = _first(config, "snowdm:endpoint")
    if region is None:
        region = _region_from_environment(environ, wording)
    if endpoint is None:
        _check_configured_endpoint(environ, profile)
    return ClientSettings(
        region=region,
        profile=profile,
        endpoint=endpoint,
        retry_mode=_first(config, "snowdm:retryMode"),
        max_attempts=_whole_number(config, "snowdm:maxAttempts"),
        connect_timeout=_seconds(config, "snowdm:connectTimeout", 10.0),
        read_timeout=_seconds(config, "snowdm:readTimeout", 30.0),
        max_requests_per_second=_rate(config, "snowdm:maxRequestsPerSecond"),
        wording=wording,
    )


def _region_from_environment(environ: Mapping[str, str], wording: Wording) -> str | None:
    """AWS_REGION if set (it wins, as in the other AWS SDKs); AWS_DEFAULT_REGION is only checked: boto3 reads it."""
    for name in _REGION_ENV:
        if environ.get(name):
            check_region(environ[name], name, wording)
            return environ[name] if name == "AWS_REGION" else None
    return None


def _check_configured_endpoint(environ: Mapping[str, str], profile: str | None) -> None:
    """Hold an endpoint boto3 would find by itself (variables, the profile) to the rule of `check_endpoint`."""
    if _truthy(environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")):
        return
    for name in _ENDPOINT_ENV:
        if environ.get(name):
            check_endpoint(environ[name], name)
            return
    found = profile_endpoint(profile)
    if found is not None:
        check_endpoint(*found)


def profile_endpoint(profile: str | None) -> tuple[str, str] | None:
    """(endpoint_url, where it is written) from the AWS profile boto3 will use, or None.

    The profile is `profile`, else AWS_PROFILE, else `default`, read from AWS_CONFIG_FILE (~/.aws/config) through
    botocore's public session API: its `services` section for this service first, then its own `endpoint_url`,
    the order botocore resolves them in. A profile that does not exist is left for the client to report.
    """
    session = botocore.session.Session(profile=profile)
    try:
        scoped = session.get_scoped_config()
    except botocore.exceptions.ProfileNotFound:
        return None
    if _truthy(str(scoped.get("ignore_configured_endpoint_urls", ""))):
        return None
    name = profile or session.profile or "default"
    config_file = session.get_config_variable("config_file")
    section = scoped.get("services")
    if section:
        service = session.full_config.get("services", {}).get(section, {}).get(SERVICE_NAME.replace("-", "_"), {})
        if service.get("endpoint_url"):
            return service["endpoint_url"], (
                f"endpoint_url of snow_device_management in [services {section}] (AWS profile {name!r}, {config_file})"
            )
    if scoped.get("endpoint_url"):
        return scoped["endpoint_url"], f"endpoint_url of AWS profile {name!r} ({config_file})"
    return None


def looks_like_region(value: str) -> bool:
    """True when `value` has the shape of an AWS region name, such as `us-east-1` or `us-gov-west-1`."""
    return bool(_REGION.fullmatch(value))


def check_region(value: str, source: str, wording: Wording = PYTHON) -> str:
    """Return `value` if it looks like a region, else raise ConfigurationError naming where it came from and where
    the host's users set one."""
    if not looks_like_region(value):
        raise ConfigurationError(
            f"{source} is {value!r}, which is not a region name like us-east-1: set one with {wording.region}"
        )
    return value


def check_endpoint(url: str, source: str) -> str:
    """Return `url` if it is safe to send signed requests to, else raise ConfigurationError saying why.

    https is accepted for any host. Plain http is accepted only for loopback hosts (127.0.0.0/8, localhost, ::1),
    such as a local emulator: anywhere else the signed requests, and what they carry, would cross the network in
    clear text.
    """
    parts = urllib.parse.urlsplit(url)
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as error:
        raise ConfigurationError(f"{source} is not a valid URL ({error}): use https://host[:port][/path]") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigurationError(f"{source} must be an http(s) URL with a host, like https://host[:port]")
    if parts.username is not None or parts.password is not None:
        # Say nothing about what was in the userinfo: it may be a secret.
        raise ConfigurationError(f"{source} must not contain a user name or password; boto3 signs requests itself")
    if parts.scheme == "http" and not is_loopback(host):
        raise ConfigurationError(
            f"{source} uses plain http to {host}, which is not a loopback host: signed requests and their "
            f"contents would cross the network in clear text. Use https://, or http:// only for "
            f"127.0.0.1, localhost or [::1]"
        )
    return url


def is_loopback(host: str) -> bool:
    """True for `localhost`, any 127.0.0.0/8 address and ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _first(config: Mapping[str, str], *keys: str) -> str | None:
    for key in keys:
        value = config.get(key)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes")


def _whole_number(config: Mapping[str, str], key: str) -> int | None:
    raw = _first(config, key)
    if raw is None:
        return None
    try:
        number = float(raw)  # Pulumi hands numbers over as strings, sometimes as "5.0"
    except ValueError:
        number = float("nan")
    if not number.is_integer() or number < 1:
        raise ConfigurationError(f"{key} is {raw!r}: use a whole number of at least 1")
    return int(number)


def _rate(config: Mapping[str, str], key: str) -> float:
    return _positive(config, key, DEFAULT_MAX_REQUESTS_PER_SECOND,
                     f"a number of requests per second greater than 0 (ListExecutions calls the waits of this "
                     f"process may send; default {DEFAULT_MAX_REQUESTS_PER_SECOND:g})")


def _seconds(config: Mapping[str, str], key: str, default: float) -> float:
    return _positive(config, key, default, "a number of seconds greater than 0")


def _positive(config: Mapping[str, str], key: str, default: float, allowed: str) -> float:
    """A finite number above 0 from `key`, `default` when unset; ConfigurationError saying `allowed` otherwise."""
    raw = _first(config, key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise ConfigurationError(f"{key} is {raw!r}: use {allowed}")
    return value
