"""Which execution states pass a gate, fail it or keep it waiting: a table, read by every wait loop.

Like botocore's waiter acceptors, the decision is data. Each ExecutionState of the service model has one row:
a verdict and a short phrase for progress text. `unjudged_states()` lists model states without a row; a unit
test keeps it empty, so a state added to botocore's model cannot silently count as success.

CANCELED is a failure unless the caller accepts it; then it becomes `StateVerdict.PASS_ACCEPTED`, a pass that stays
distinguishable from SUCCEEDED in outputs and counts.

A state the table does not know (a service newer than this code) gets `StateVerdict.WAIT`: treating it as success
would let a deployment through on an unknown outcome, and failing at once could break deployments over what is
only a new intermediate state. Waiting is bounded by the caller's deadline, whose message names the state, and
the loops report a warning line when they first see it.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping

from pulumi_snowdm._core.service_model import enum_values


class StateVerdict(enum.Enum):
    """What one observed state means for a gate."""

    PASS = "pass"
    PASS_ACCEPTED = "pass (accepted)"
    FAIL = "fail"
    WAIT_QUEUED = "wait (queued)"
    WAIT = "wait"

    @property
    def final(self) -> bool:
        """True when the execution will not change state any more (as far as the gate is concerned)."""
        return self in (StateVerdict.PASS, StateVerdict.PASS_ACCEPTED, StateVerdict.FAIL)


@dataclasses.dataclass(frozen=True)
class Acceptor:
    """One row of the table: an execution state, its verdict, and how progress text describes it."""

    state: str
    verdict: StateVerdict
    phrase: str
    acceptable: bool = False  # the caller may turn this FAIL into PASS_ACCEPTED


ACCEPTORS: Mapping[str, Acceptor] = {
    row.state: row
    for row in (
        Acceptor("QUEUED", StateVerdict.WAIT_QUEUED, "queued, waiting for the device to pick it up"),
        Acceptor("IN_PROGRESS", StateVerdict.WAIT, "running on the device"),
        Acceptor("SUCCEEDED", StateVerdict.PASS, "succeeded"),
        Acceptor("FAILED", StateVerdict.FAIL, "failed on the device"),
        Acceptor("REJECTED", StateVerdict.FAIL, "rejected by the device"),
        Acceptor("TIMED_OUT", StateVerdict.FAIL, "timed out before the device finished"),
        Acceptor("CANCELED", StateVerdict.FAIL, "canceled", acceptable=True),
    )
}


def verdict(state: str, *, accept_canceled: bool = False) -> StateVerdict:
    """The verdict for `state`; unknown states wait (see the module docstring for why)."""
    row = ACCEPTORS.get(state)
    if row is None:
        return StateVerdict.WAIT
    if row.acceptable and accept_canceled:
        return StateVerdict.PASS_ACCEPTED
    return row.verdict


def known(state: str) -> bool:
    """True when the table has a row for `state`."""
    return state in ACCEPTORS


def phrase(state: str) -> str:
    """A few words for progress text, such as 'running on the device'."""
    row = ACCEPTORS.get(state)
    return row.phrase if row else f"in state {state}, which this provider does not know; waiting"


def model_states() -> list[str]:
    """The ExecutionState enum of botocore's service model, in model order."""
    return enum_values("ExecutionState")


def unjudged_states() -> list[str]:
    """States in the service model without a row in ACCEPTORS (should always be empty)."""
    return [state for state in model_states() if state not in ACCEPTORS]


def display_order() -> list[str]:
    """States in the order progress text lists them: successes first, then in flight, then failures."""
    rank = {StateVerdict.PASS: 0, StateVerdict.WAIT: 1, StateVerdict.WAIT_QUEUED: 2, StateVerdict.FAIL: 3}
    return sorted(ACCEPTORS, key=lambda state: rank[ACCEPTORS[state].verdict])
