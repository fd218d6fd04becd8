"""What a host gives an operation: where to call, where its lines go, and when to stop waiting.

The deadline of a wait is the gate's own `timeoutSeconds`; a host that has one of its own (the plugin: Pulumi's
customTimeouts) passes it as `host_timeout`, and the sooner of the two ends the wait. A wait that ends at the
deadline says which of the two it was, so users know which setting to raise.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import Any

from pulumi_snowdm._core.client import sdm_client
from pulumi_snowdm._core.errors import WaitTimedOut
from pulumi_snowdm._core.settings import ClientSettings
from pulumi_snowdm._core.times import duration
from pulumi_snowdm._core.wait.cancel import Cancel
from pulumi_snowdm._core.wait.listing import LISTINGS, Lister, settings_lister
from pulumi_snowdm._core.wait.loop import Event, Gate, ListingSource, Source, WaitResult, wait_until_decided
from pulumi_snowdm._core.wait.policy import Deadline, WaitPolicy
from pulumi_snowdm._core.wait_lines import wait_lines
from pulumi_snowdm._core.wording import Wording

Say = Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class HostTimeout:
    """A deadline the host imposes on one operation, and how users set it (`customTimeouts.create`)."""

    seconds: float
    name: str


@dataclasses.dataclass(frozen=True)
class Context:
    """One operation's host: settings, progress (`say`), warnings (`warn`), cancel token, host deadline.

    `tick` gets the heartbeat lines ("still IN_PROGRESS after 1m"), which a host may show as a passing status;
    None sends them to `say`. `sleep` is how a pause outside a wait (a rollout's bake) passes; None sleeps until
    the time is up or `cancel` is set. How the host's users write properties and settings and run the same thing
    again (`wording`) comes with the settings.
    """

    settings: ClientSettings
    say: Say
    warn: Say
    cancel: Cancel | None = None
    host_timeout: HostTimeout | None = None
    tick: Say | None = None
    sleep: Callable[[float], None] | None = None

    @property
    def wording(self) -> Wording:
        return self.settings.wording

    @property
    def rerun(self) -> str:
        """How this host's users run the same thing again, as advice reads it ("rerun `pulumi up`")."""
        return self.settings.wording.rerun

    def client(self) -> Any:
        return sdm_client(self.settings)

    def lines(self, label: str, *, single: bool, states: bool = True) -> Callable[[Event], None]:
        """The progress lines of one wait (`_core.wait_lines.wait_lines`) through this host's say, warn and tick."""
        return wait_lines(label, single=single, states=states, say=self.say, warn=self.warn, tick=self.tick,
                          rate=self.wording.rate)

    def deadline(self, policy: WaitPolicy) -> Deadline:
        """One operation's deadline: the sooner of the gate's own `timeoutSeconds` and the host's."""
        own, host = policy.timeout_seconds, self.host_timeout
        return Deadline(own if host is None else min(own, host.seconds))

    def pause(self, seconds: float) -> None:
        """Sleep (a rollout's bake), ending early once canceled."""
        if self.sleep is not None:
            self.sleep(seconds)
        elif self.cancel is not None:
            self.cancel.sleep(seconds)
        else:
            time.sleep(seconds)

    def wait(self, source: Source, gate: Gate, policy: WaitPolicy, *, label: str, events: Callable[[Event], None],
             until_seen: bool = False, deadline: Deadline | None = None) -> WaitResult:
        """`wait_until_decided` with this host's deadline (or `deadline`, shared by several waits) and cancel
        token; a timeout says which deadline ended it."""
        deadline = deadline or self.deadline(policy)
        try:
            return wait_until_decided(source, gate, policy, label=label, events=events, until_seen=until_seen,
                                      deadline=deadline, cancel=self.cancel, wording=self.wording)
        except WaitTimedOut as error:
            if not deadline.expired():
                raise  # QUEUED past its own limit, not the deadline
            raise self.timed_out(policy, error) from None

    def wait_on_tasks(self, task_ids: Sequence[str], devices: Sequence[str] | None, gate: Gate, policy: WaitPolicy,
                      *, label: str, events: Callable[[Event], None], until_seen: bool = False,
                      deadline: Deadline | None = None, lister: Lister | None = None) -> WaitResult:
        """The one way to wait on tasks: join the process's shared listings of `task_ids` (limited to `devices`,
        looked at every `policy.initial_delay_seconds` at first), then `wait` on them. `lister` replaces the
        settings' own ListExecutions (the CLI's, which tells an outage from a bad endpoint)."""
        lister = lister or settings_lister(self.settings)
        with LISTINGS.subscribe(self.settings, task_ids, lister, devices=devices,
                                interval=policy.initial_delay_seconds) as subscription:
            return self.wait(ListingSource(subscription), gate, policy, label=label, events=events,
                             until_seen=until_seen, deadline=deadline)

    def timed_out(self, policy: WaitPolicy, error: WaitTimedOut) -> WaitTimedOut:
        """`error` (the deadline passed), saying which deadline it was when the host has one of its own."""
        ended_by = self._ended_by(policy)
        return error if ended_by is None else WaitTimedOut(f"{error} [{ended_by}]")

    def _ended_by(self, policy: WaitPolicy) -> str | None:
        own, host = policy.timeout_seconds, self.host_timeout
        if host is None:
            return None
        name = self.wording.name("timeoutSeconds")
        if host.seconds < own:
            return f"ended by {host.name} ({duration(host.seconds)}), sooner than {name} ({duration(own)})"
        return f"ended by {name} ({duration(own)}), sooner than {host.name} ({duration(host.seconds)})"
