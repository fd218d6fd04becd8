"""`patiently` outlasts a busy service, gives up at its deadline, and never retries a real error."""

import random

import pytest

from pulumi_snowdm._core.errors import AccessError, ServiceUnavailable
from pulumi_snowdm._core.patience import patiently


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.now += seconds


def answers(*script):
    calls = iter(script)

    def call():
        answer = next(calls)
        if isinstance(answer, Exception):
            raise answer
        return answer
    return call


def run(call, seconds=600.0):
    time, lines = FakeTime(), []
    try:
        result = patiently(call, describe="task st-1", report=lines.append, seconds=seconds, clock=time.clock,
                           sleep=time.sleep, rng=random.Random(3))
    except Exception as error:  # returned for the assertions
        result = error
    return result, lines, time


def test_outlasts_a_busy_service_and_says_so_once():
    busy = ServiceUnavailable("DescribeTask stayed unavailable through every retry: ThrottlingException")
    result, lines, _ = run(answers(busy, busy, busy, {"taskId": "st-1"}))
    assert result == {"taskId": "st-1"}
    assert len(lines) == 1 and "the service is busy" in lines[0]


def test_gives_up_at_its_deadline_with_the_last_error():
    busy = ServiceUnavailable("ThrottlingException")
    result, _, time = run(answers(*[busy] * 100), seconds=60)
    assert result is busy
    assert time.now == pytest.approx(60)


def test_never_retries_a_real_error():
    denied = AccessError("DescribeTask: refused")
    result, lines, time = run(answers(denied, {"taskId": "st-1"}))
    assert result is denied and lines == [] and time.now == 0
