"""The provider's settings: `snowdm:region`, `profile`, `endpoint`, `retryMode`, `maxAttempts`, `connectTimeout`,
`readTimeout` and `maxRequestsPerSecond` (declared in `_core.spec.CONFIG`), checked the way the dynamic resources
check them.

Only these keys are kept: CheckConfig fails on any other key of the package, naming it, and returns only the
settings, so nothing else of the stack's config can reach state. The engine gives a provider only its own
package's config, so `aws:region` and `aws:profile` do not reach the plugin: the AWS environment (AWS_REGION,
AWS_PROFILE ...) is the fallback, as for the dynamic resources.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pulumi_snowdm._core.errors import ConfigurationError
from pulumi_snowdm._core.settings import ClientSettings, settings_from_config
from pulumi_snowdm._core.spec import CONFIG
from pulumi_snowdm._core.wording import Wording

SETTINGS = tuple(prop.name for prop in CONFIG)
# Keys the engine itself adds to a provider's inputs.
ENGINE_KEYS = ("version",)


def _as_declared(name: str) -> str:
    return name


# How the plugin's users (YAML, and any language through the schema) write properties and settings. The engine
# gives the plugin only `snowdm:*` config, so the AWS variables are the fallback, not `aws:region`.
WORDING = Wording(
    name=_as_declared,
    flag="`{}: true`",
    rerun="rerun `pulumi up`",
    region="`snowdm:region` in the stack config (`pulumi config set snowdm:region <region>`, or AWS_REGION)",
    profile="`snowdm:profile` in the stack config (or AWS_PROFILE)",
    endpoint="`snowdm:endpoint` in the stack config (or AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT)",
    rate="snowdm:maxRequestsPerSecond",
)


def _text(value: Any) -> str:
    """A setting as stack config writes it (the engine may send 3 as 3.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def plain_settings(news: Mapping[str, Any]) -> dict[str, Any]:
    """The settings among a provider's inputs, by short name (`region`), dropping the engine's own keys."""
    return {key: value for key, value in news.items() if key in SETTINGS and value is not None}


def problems(news: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, reason) for every key that is not a setting, and for settings boto3 could not use."""
    found = [(key, f"snowdm:{key} is not a setting of the snowdm provider; use one of "
                   f"{', '.join('snowdm:' + name for name in SETTINGS)}")
             for key in news if key not in SETTINGS and key not in ENGINE_KEYS and not key.startswith("__")]
    try:
        settings(news)
    except ConfigurationError as error:
        found.append(("", str(error)))
    return found


def settings(news: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> ClientSettings:
    """ClientSettings from the provider's inputs (short names) and the environment."""
    config = {f"snowdm:{key}": _text(value) for key, value in plain_settings(news).items()}
    return settings_from_config(config, os.environ if environ is None else environ, WORDING)


def from_variables(variables: Mapping[str, str]) -> dict[str, Any]:
    """Configure's `variables` (`snowdm:config:region`) by short name, for engines that send no `args`."""
    return {key.rsplit(":", 1)[-1]: value for key, value in variables.items() if key.startswith("snowdm:")}
