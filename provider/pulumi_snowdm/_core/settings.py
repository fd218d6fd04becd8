"""Where and how the provider talks to Snow Device Management: plain, hashable settings read from stack config.

`ClientSettings` holds only what is safe to print and to keep in a cache key: region, profile name, endpoint URL,
retry and timeout knobs. Credentials never pass through here; boto3 finds them itself through its usual chain
(environment, profile, SSO, instance role), so nothing in this module can ever format one.

Lookup order for each setting: `snowdm:<key>`, then `aws:<key>` (region and profile only), then None, which leaves
boto3's own environment handling in charge (AWS_REGION / AWS_DEFAULT_REGION, AWS_PROFILE,
AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT / AWS_ENDPOINT_URL).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import urllib.parse
from collections.abc import Mapping

from pulumi_snowdm._core.errors import ConfigurationError

RETRY_MODES = ("legacy", "standard", "adaptive")

# Partition prefixes vary (us, us-gov, cn, us-isob, eu-isoe ...): two or more letters, words, then a number.
_REGION = re.compile(r"[a-z]{2,}(-[a-z]+)+-\d+")

_ENDPOINT_ENV = ("AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT", "AWS_ENDPOINT_URL")
_REGION_ENV = ("AWS_REGION", "AWS_DEFAULT_REGION")


@dataclasses.dataclass(frozen=True)
class ClientSettings:
    """How to reach the service: region, profile name, endpoint and retry/timeout knobs. Never credentials.

    Every field is validated on construction, so a ClientSettings that exists is one boto3 can use.
    """

    region: str | None = None
    profile: str | None = None
    endpoint: str | None = None
    retry_mode: str = "standard"
    # Ten attempts ride out sustained throttling (a call fails 0.1% of the time at 50% throttling, not 3%).
    max_attempts: int = 10
    connect_timeout: float = 10.0
    read_timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.region is not None:
            check_region(self.region, "snowdm:region")
        if self.endpoint is not None:
            check_endpoint(self.endpoint, "snowdm:endpoint")
        if self.retry_mode not in RETRY_MODES:
            raise ConfigurationError(
                f"snowdm:retryMode is {self.retry_mode!r}: use one of {', '.join(RETRY_MODES)}"
            )
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ConfigurationError(f"snowdm:maxAttempts is {self.max_attempts!r}: use a whole number of at least 1")
        for name in ("connect_timeout", "read_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ConfigurationError(f"{name} is {value!r}: use a number of seconds greater than 0")

    def target(self) -> str:
        """Say where calls go, for error messages: the endpoint if set, else the region, else the environment."""
        if self.endpoint:
            return f"endpoint {self.endpoint}"
        if self.region:
            return f"region {self.region}"
        return "the region from the AWS environment (AWS_REGION, AWS_DEFAULT_REGION or the profile)"


def settings_from_config(config: Mapping[str, str], environ: Mapping[str, str]) -> ClientSettings:
    """Build ClientSettings from stack config (`snowdm:*`, then `aws:*`), checking what boto3 will pick up itself.

    `environ` is only inspected, never copied: an endpoint or region that boto3 would take from the environment is
    held to the same rules as configured ones, so a plain-http endpoint cannot slip in through a variable.
    """
    region = _first(config, "snowdm:region", "aws:region")
    profile = _first(config, "snowdm:profile", "aws:profile")
    endpoint = _first(config, "snowdm:endpoint")
    if region is None:
        for name in _REGION_ENV:
            if environ.get(name):
                check_region(environ[name], name)
                break
    if endpoint is None and not _truthy(environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")):
        for name in _ENDPOINT_ENV:
            if environ.get(name):
                check_endpoint(environ[name], name)
                break
    return ClientSettings(
        region=region,
        profile=profile,
        endpoint=endpoint,
        retry_mode=_first(config, "snowdm:retryMode") or "standard",
        max_attempts=_whole_number(config, "snowdm:maxAttempts", ClientSettings.max_attempts),
        connect_timeout=_seconds(config, "snowdm:connectTimeout", 10.0),
        read_timeout=_seconds(config, "snowdm:readTimeout", 30.0),
    )


def looks_like_region(value: str) -> bool:
    """True when `value` has the shape of an AWS region name, such as `us-east-1` or `us-gov-west-1`."""
    return bool(_REGION.fullmatch(value))


def check_region(value: str, source: str) -> str:
    """Return `value` if it looks like a region, else raise ConfigurationError naming where it came from."""
    if not looks_like_region(value):
        raise ConfigurationError(
            f"{source} is {value!r}, which is not a region name like us-east-1: "
            f"run `pulumi config set snowdm:region <region>` (or `aws:region`)"
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


def _whole_number(config: Mapping[str, str], key: str, default: int) -> int:
    raw = _first(config, key)
    if raw is None:
        return default
    try:
        number = float(raw)  # Pulumi hands numbers over as strings, sometimes as "5.0"
    except ValueError:
        number = float("nan")
    if not number.is_integer() or number < 1:
        raise ConfigurationError(f"{key} is {raw!r}: use a whole number of at least 1")
    return int(number)


def _seconds(config: Mapping[str, str], key: str, default: float) -> float:
    raw = _first(config, key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ConfigurationError(f"{key} is {raw!r}: use a number of seconds greater than 0")
    return value
