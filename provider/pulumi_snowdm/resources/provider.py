"""What every pulumi-snowdm dynamic provider shares: configuration, the boto3 client, worker threads.

A provider instance is pickled into every resource's state, so it holds no attributes when serialized: about 100
bytes, the class's import path and an empty dict. In the provider process the engine calls `configure` with the
stack's config, from which only the `snowdm:*`/`aws:*` settings are kept, in memory: static keys set as secret
config reach the boto3 session from there, otherwise boto3 finds credentials through its own chain.
"""

from __future__ import annotations

import os
from typing import Any

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from pulumi_snowdm._core.client import sdm_client
from pulumi_snowdm._core.settings import ClientSettings, settings_from_config
from pulumi_snowdm.resources.worker_pool import ensure_workers

CONFIG_KEYS = (
    "snowdm:region", "snowdm:profile", "snowdm:endpoint", "snowdm:retryMode", "snowdm:maxAttempts",
    "snowdm:connectTimeout", "snowdm:readTimeout", "snowdm:accessKey", "snowdm:secretKey", "snowdm:token",
    "aws:region", "aws:profile", "aws:accessKey", "aws:secretKey", "aws:token",
)


class SdmProvider(ResourceProvider):
    """Base of the package's dynamic providers: settings from stack config and a lazily built, shared client."""

    def configure(self, req: ConfigureRequest) -> None:
        self._config = {key: str(value) for key in CONFIG_KEYS if (value := req.config.get(key)) is not None}
        ensure_workers()

    def settings(self) -> ClientSettings:
        """Settings from stack config and the environment; raises ConfigurationError with what to fix."""
        return settings_from_config(getattr(self, "_config", {}), os.environ)

    def client(self) -> Any:
        return sdm_client(self.settings())

    def __getstate__(self) -> dict:
        # Never carry configuration (nor anything else) into the serialized provider.
        return {}
