"""How one host's users write things, for the advice in `_core`'s messages: property names, a flag turned on, how
to run the same thing again, and where the region, profile, endpoint and request budget are set.

`_core` never names a property or a setting itself: it asks the `Wording` its host gave (through `ClientSettings`,
which every operation, wait and client error reaches). The default is the dynamic resources' (Python programs);
the plugin (YAML) and the `snowdm` CLI give their own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from pulumi_snowdm._core.name_case import snake


@dataclasses.dataclass(frozen=True)
class Wording:
    """One host's words. `name` spells a declared (camelCase) property as its users write it; `flag` is how they
    turn a boolean on (`{}` is the name); `rerun` how they run the same thing again; `region`, `profile`,
    `endpoint` and `rate` where they set those (each a phrase that follows "set a region with")."""

    name: Callable[[str], str] = snake
    flag: str = "`{}=True`"
    rerun: str = "rerun `pulumi up`"
    region: str = "`pulumi config set snowdm:region <region>` (or `aws:region`, or AWS_REGION)"
    profile: str = "`snowdm:profile` (or `aws:profile`, or AWS_PROFILE)"
    endpoint: str = "`snowdm:endpoint` (or AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT)"
    rate: str = "snowdm:maxRequestsPerSecond"

    def on(self, prop: str) -> str:
        """A boolean property turned on: "`accept_canceled=True`", "`acceptCanceled: true`", "--accept-canceled"."""
        return self.flag.format(self.name(prop))

    def quoted(self, prop: str) -> str:
        """A property's name as its users write it, quoted: `min_succeeded`, `minSucceeded`, `--min-succeeded`."""
        return f"`{self.name(prop)}`"


PYTHON = Wording()
