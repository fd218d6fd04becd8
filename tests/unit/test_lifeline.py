"""The lifeline of a provider process (`_core.lifeline`), below the engine: it tells a live engine from one that is
gone by the parent process and by the engine's address (a real loopback listener here), and once the engine is
gone it cancels every wait through the host's token, says why and exits."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from pulumi_snowdm._core.lifeline import Lifeline, end_with_engine, engine_address, refuses
from pulumi_snowdm._core.wait.cancel import Cancel


@pytest.fixture
def listener():
    """A loopback listener standing in for the engine's gRPC server: (its address, a function that closes it)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield f"127.0.0.1:{server.getsockname()[1]}", server.close
    server.close()


@pytest.mark.parametrize("args, address", [
    (["127.0.0.1:4000"], "127.0.0.1:4000"),
    (["--logtostderr", "-v=9", "--tracing", "http://127.0.0.1:9411", "127.0.0.1:4000"], "127.0.0.1:4000"),
    (["--tracing", "file:/tmp/trace"], None),
    ([], None),
])
def test_the_engine_address_is_the_last_argument_that_is_no_flag_nor_a_flags_value(args, address):
    assert engine_address(args) == address


def test_a_listening_address_answers_and_a_closed_one_refuses(listener):
    address, close = listener
    assert not refuses(address)
    close()
    assert refuses(address)


def test_a_new_parent_means_the_engine_is_gone_at_the_first_look():
    parents = iter([100, 100, 1])
    lifeline = Lifeline(None, lambda why: None, parent=lambda: next(parents))
    assert lifeline.lost(0) == (None, 0)
    why, _ = lifeline.lost(0)
    assert why == "its parent process 100 ended; the parent is now 1"


def test_one_refusal_is_not_enough_two_in_a_row_are():
    answers = iter([True, False, True, True])
    lifeline = Lifeline("127.0.0.1:1", lambda why: None, parent=lambda: 100, refused=lambda _: next(answers))
    assert lifeline.lost(0) == (None, 1)
    assert lifeline.lost(1) == (None, 0)  # it answered again: the count starts over
    assert lifeline.lost(0) == (None, 1)
    assert lifeline.lost(1) == ("its address 127.0.0.1:1 refuses connections", 2)


def test_while_the_engine_listens_nothing_happens(listener):
    address, _ = listener
    lost: list[str] = []
    lifeline = Lifeline(address, lost.append, interval=0.02).start()
    time.sleep(0.5)
    lifeline.stop()
    assert lost == []


def test_a_gone_engine_cancels_every_wait_says_why_and_exits(listener):
    address, close = listener
    cancel, said, exits, stopped = Cancel(), [], [], threading.Event()
    end_with_engine(address, cancel, host="plugin", stop=stopped.set, grace=0.1, interval=0.05, exit=exits.append,
                    say=said.append)
    waiting = threading.Thread(target=cancel.sleep, args=(60,))
    waiting.start()
    time.sleep(0.2)
    assert not cancel.is_set()

    close()
    waiting.join(timeout=3)

    assert not waiting.is_alive()  # the wait woke
    assert cancel.reason == f"the Pulumi engine that started it is gone (its address {address} refuses connections)"
    assert said == [f"plugin ending: {cancel.reason}; every wait is canceled and nothing more is sent"]
    deadline = time.monotonic() + 3
    while not exits and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stopped.is_set() and exits == [1]
