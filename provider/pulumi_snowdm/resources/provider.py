"""What every pulumi-snowdm dynamic provider shares: pulumi.dynamic's calls on the resource's `_core.operations`,
configuration, worker threads.

A provider instance is pickled into every resource's state, so it holds no attributes when serialized: about 100
bytes, the class's import path and an empty dict.

Configuration travels through one explicit `pulumi-python` provider resource per program (`provider_resource`),
whose inputs are only the settings in CONFIG_KEYS. The engine gives the default `pulumi-python` provider the whole
stack config as inputs and keeps them in state (secrets included, encrypted); the explicit provider keeps anything
else in the stack's config, such as `aws:secretKey` set for another provider, out of our resources' state.
Credentials are never read from config: boto3 finds them through its own chain (environment, profile, SSO, role).

Every wait of the process holds one cancel token (`CANCEL`). The SDK's host answers the engine's Cancel without a
word, so only the lifeline sets it: when the engine that started the process is gone (a `pulumi up` killed with
SIGKILL), every wait ends, nothing more is sent and the process exits (`_core.lifeline`).
"""

from __future__ import annotations

import os
import sys
import threading
from types import ModuleType

import pulumi
from pulumi.dynamic import (
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from pulumi_snowdm._core.context import Context
from pulumi_snowdm._core.lifeline import Lifeline, end_with_engine, engine_address
from pulumi_snowdm._core.settings import ClientSettings, settings_from_config
from pulumi_snowdm._core.spec import CONFIG
from pulumi_snowdm._core.wait.cancel import Cancel
from pulumi_snowdm.resources.declared import check_result, diff_result, input_check
from pulumi_snowdm.resources.sdk_hooks import host_module, install_brief_errors, raise_worker_ceiling
from pulumi_snowdm.resources.stderr_lines import say

CONFIG_KEYS = (*(f"snowdm:{prop.name}" for prop in CONFIG), "aws:region", "aws:profile")

# The process's one cancel token: every wait of every dynamic resource in this provider process holds it.
CANCEL = Cancel()

_explicit: pulumi.ProviderResource | None = None
_lifeline: Lifeline | None = None
_lifeline_lock = threading.Lock()


def provider_resource() -> pulumi.ProviderResource:
    """The program's one explicit provider for pulumi-snowdm resources, made on first use (not at import)."""
    global _explicit
    if _explicit is None:
        settings = {}
        for key in CONFIG_KEYS:
            namespace, name = key.split(":")
            value = pulumi.Config(namespace).get(name)
            if value is not None:
                settings[key] = value
        _explicit = pulumi.ProviderResource("pulumi-python", "snowdm", settings)
    return _explicit


def stack_scope(resource_name: str) -> str:
    """`project/stack/name`: what client tokens are scoped to, so another stack or resource never adopts a task."""
    return f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}"


def with_provider(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """The resource's options, using the package's explicit provider unless the caller chose one."""
    return pulumi.ResourceOptions.merge(pulumi.ResourceOptions(provider=provider_resource()), opts)


def end_with_the_engine() -> None:
    """In the dynamic-provider process (`python -m pulumi.dynamic <engine address>`), start its lifeline once."""
    global _lifeline
    with _lifeline_lock:
        if _lifeline is None and host_module() is not None:
            _lifeline = end_with_engine(engine_address(sys.argv[1:]), CANCEL, host="dynamic provider")


class SdmProvider(ResourceProvider):
    """Base of the package's dynamic providers: one resource's shared operations (`OPERATIONS`, a module of
    `_core.operations`) in pulumi.dynamic's shapes, on settings from stack config."""

    OPERATIONS: ModuleType

    def check(self, _olds: dict, news: dict) -> CheckResult:
        check = input_check(self.OPERATIONS.SPEC, news)
        self.OPERATIONS.check(check)
        self.settings()  # a bad region or endpoint fails preview, before any call
        return check_result(check)

    def create(self, props: dict) -> CreateResult:
        return CreateResult(*self.OPERATIONS.create(self.context(), props))

    def read(self, id_: str, props: dict) -> ReadResult:
        outputs = self.OPERATIONS.read(self.context(), id_, props)
        return ReadResult("", {}) if outputs is None else ReadResult(id_, outputs)

    def diff(self, _id: str, olds: dict, news: dict) -> DiffResult:
        return diff_result(self.OPERATIONS.SPEC, olds, news, read_input=self.OPERATIONS.input_reader(news))

    def update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        return UpdateResult(self.OPERATIONS.update(self.context(), id_, olds, news))

    def delete(self, id_: str, props: dict) -> None:
        self.OPERATIONS.delete(self.context(), id_, props)

    def configure(self, req: ConfigureRequest) -> None:
        self._config = {key: str(value) for key in CONFIG_KEYS if (value := req.config.get(key)) is not None}
        raise_worker_ceiling()
        install_brief_errors()
        end_with_the_engine()

    def settings(self) -> ClientSettings:
        """Settings from stack config and the environment; raises ConfigurationError with what to fix."""
        return settings_from_config(getattr(self, "_config", {}), os.environ)

    def context(self) -> Context:
        """The shared operations' host: progress and warnings to stderr, no deadline but the gate's own."""
        return Context(self.settings(), say=say, warn=lambda line: say(f"warning: {line}"), cancel=CANCEL)

    def __getstate__(self) -> dict:
        # Never carry configuration (nor anything else) into the serialized provider.
        return {}
