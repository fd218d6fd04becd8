"""The rollout's plan on its own: waves cut from the device list, the failure budget, and per-wave client tokens.

The rollout itself (waves sent in turn, aborts, bakes, reruns) runs on the operations in
tests/operations/test_rollout_operations.py and tests/operations/test_rollout_run.py.
"""

import pytest

from pulumi_snowdm._core.errors import InputError
from pulumi_snowdm._core.rollout import plan_waves
from pulumi_snowdm._core.shares import Threshold, parse_max_failures
from pulumi_snowdm._core.wait.threshold import FleetRule, judge_fleet

FLEET = [f"smd-{n:03d}" for n in range(100)]


def cuts(devices, waves):
    return [(wave.start, wave.end) for wave in plan_waves(devices, waves)]


def test_waves_are_cumulative_cuts_of_the_device_list_in_order():
    assert cuts(FLEET, [1, "10%", "50%", "100%"]) == [(0, 1), (1, 10), (10, 50), (50, 100)]
    assert plan_waves(FLEET, [1, "100%"])[0].devices == ("smd-000",)
    # Percentages round down ("up to 10%"), without float noise: 29% of 100 is 29.
    assert cuts(FLEET[:15], ["10%", "29%", 15]) == [(0, 1), (1, 4), (4, 15)]
    assert cuts(FLEET, ["29%", "100%"]) == [(0, 29), (29, 100)]
    assert cuts(FLEET[:3], [1, 2, "100%"]) == [(0, 1), (1, 2), (2, 3)]


@pytest.mark.parametrize("waves, words", [
    ([], "non-empty list"),
    ("100%", "non-empty list"),
    ([0, "100%"], "item 0 a count must be at least 1"),
    ([1, "0%", "100%"], "item 1 a percentage must be above 0%"),
    ([1, "101%"], "item 1 a percentage must be above 0% up to 100%"),
    ([1, "ten"], 'item 1 must be a whole number or a percentage like "10%"'),
    ([True, "100%"], "item 0 must be a whole number"),
    ([1.5, "100%"], "item 0 a count must be a whole number"),
    ([10, 5, "100%"], "wave 2 (5 = 5 of 100 devices) is smaller than the 10 before it"),
    ([10, "10%", "100%"], "wave 2 (10% = 10 of 100 devices) adds no device to the 10 before it"),
    ([1, 101], "wave 2 (101) is above the 100 device(s)"),
    ([1, "50%"], 'the last wave must reach every device (end with "100%")'),
])
def test_bad_waves_say_what_is_wrong(waves, words):
    with pytest.raises(InputError) as raised:
        plan_waves(FLEET, waves)
    assert words in raised.value.problem and raised.value.prop == "waves"


def test_more_waves_than_devices_fail():
    with pytest.raises(InputError, match="4 waves for 3 device"):
        plan_waves(FLEET[:3], [1, 2, 3, "100%"])


def test_max_failures_is_a_count_or_a_percentage_of_the_devices_sent_to():
    assert parse_max_failures(None).rounded_down(50) == 0
    assert parse_max_failures(0).rounded_down(50) == 0
    assert parse_max_failures(3).rounded_down(50) == 3
    assert parse_max_failures("10%").rounded_down(10) == 1 and parse_max_failures("10%").rounded_down(9) == 0
    assert parse_max_failures("0%").rounded_down(100) == 0
    for bad in (-1, "-5%", "150%", "x", True):
        with pytest.raises(InputError):
            parse_max_failures(bad)


def test_a_wave_rule_holds_a_met_threshold_until_every_execution_ended():
    view = {("st-1", "a"): {"state": "SUCCEEDED"}, ("st-1", "b"): {"state": "IN_PROGRESS"}}
    rule = FleetRule(Threshold(count=1), fail_fast=True, until_ended=True)
    assert judge_fleet(view, rule).verdict is None
    view[("st-1", "b")] = {"state": "FAILED"}
    assert judge_fleet(view, rule).verdict.value == "pass"
    view[("st-1", "a")] = {"state": "FAILED"}
    assert judge_fleet(view, rule).verdict.value == "fail"  # two failures, one allowed
