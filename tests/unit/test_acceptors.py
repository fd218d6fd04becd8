"""The acceptor table: one verdict per model state, CANCELED accepted only on request, unknown states wait."""

import pytest

from pulumi_snowdm._core.wait.acceptors import (
    ACCEPTORS,
    StateVerdict,
    display_order,
    known,
    model_states,
    phrase,
    unjudged_states,
    verdict,
)


def test_every_model_state_has_a_verdict():
    assert unjudged_states() == []
    assert set(model_states()) == set(ACCEPTORS)


@pytest.mark.parametrize(
    "state, accept_canceled, expected",
    [
        ("SUCCEEDED", False, StateVerdict.PASS),
        ("SUCCEEDED", True, StateVerdict.PASS),
        ("FAILED", False, StateVerdict.FAIL),
        ("FAILED", True, StateVerdict.FAIL),
        ("REJECTED", True, StateVerdict.FAIL),
        ("TIMED_OUT", True, StateVerdict.FAIL),
        ("CANCELED", False, StateVerdict.FAIL),
        ("CANCELED", True, StateVerdict.PASS_ACCEPTED),
        ("QUEUED", False, StateVerdict.WAIT_QUEUED),
        ("IN_PROGRESS", False, StateVerdict.WAIT),
        ("PAUSED_BY_A_NEWER_SERVICE", False, StateVerdict.WAIT),
        ("", True, StateVerdict.WAIT),
    ],
)
def test_verdict(state, accept_canceled, expected):
    assert verdict(state, accept_canceled=accept_canceled) is expected


@pytest.mark.parametrize(
    "value, final",
    [(StateVerdict.PASS, True), (StateVerdict.PASS_ACCEPTED, True), (StateVerdict.FAIL, True),
     (StateVerdict.WAIT, False), (StateVerdict.WAIT_QUEUED, False)],
)
def test_final_verdicts(value, final):
    assert value.final is final


def test_phrases_and_unknown_states():
    assert all(phrase(state) and "does not know" not in phrase(state) for state in ACCEPTORS)
    assert "does not know" in phrase("NEW_STATE")
    assert known("QUEUED") and not known("NEW_STATE")


def test_display_order_lists_success_first_and_failures_last():
    order = display_order()
    assert order[0] == "SUCCEEDED"
    assert order.index("IN_PROGRESS") < order.index("QUEUED") < order.index("FAILED")
    assert set(order) == set(ACCEPTORS)
