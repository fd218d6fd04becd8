"""Every resource's check() over generated inputs: valid inputs pass, each invalid one is refused naming its property,
and no input at all (any JSON-like value under any key) makes check raise.

check runs in the dynamic-provider process before any API call, so this is the whole of input validation. The
rules the strategies encode come from the service's documented constraints (reference/sdm-api.md) and the resources'
own docs, written out here independently of the code under test.
"""

from __future__ import annotations

import math

from hypothesis import assume, given
from hypothesis import strategies as st

from pulumi_snowdm._core.name_case import snake
from pulumi_snowdm.resources.fleet_gate import FleetGateProvider
from pulumi_snowdm.resources.task import TaskProvider
from pulumi_snowdm.resources.task_execution import TaskExecutionProvider

from check_failures import by_input

WEEK = 7 * 24 * 3600
# name -> (lowest, highest) in seconds, as the resources document them.
TIMING = {
    "timeoutSeconds": (1, WEEK),
    "queuedTimeoutSeconds": (1, WEEK),
    "notFoundGraceSeconds": (0, 3600),
    "pollIntervalSeconds": (0.1, 600),
    "maxPollIntervalSeconds": (0.1, 3600),
    "heartbeatSeconds": (1, 3600),
}
FLAGS = {
    TaskExecutionProvider: ("wait", "acceptCanceled"),
    FleetGateProvider: ("failFast", "acceptCanceled", "executionTimes"),
}
DESCRIPTION_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _.,!#"

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80),
    lambda inner: st.lists(inner, max_size=12) | st.dictionaries(st.text(max_size=20), inner, max_size=6),
    max_leaves=10,
)
not_a_string = st.integers() | st.floats() | st.booleans() | st.lists(st.text(max_size=5), max_size=3) | \
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)
ids = st.text(min_size=1, max_size=64)
bad_ids = st.just("") | st.text(min_size=65, max_size=300) | not_a_string
descriptions = st.text(alphabet=DESCRIPTION_CHARACTERS, min_size=1, max_size=128)
bad_descriptions = st.just("") | st.text(alphabet=DESCRIPTION_CHARACTERS, min_size=129, max_size=300) | \
    st.text(min_size=1, max_size=128).filter(lambda s: any(c not in DESCRIPTION_CHARACTERS for c in s)) | not_a_string
tags = st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=40), max_size=5)
bad_tags = st.dictionaries(st.text(min_size=1, max_size=20), not_a_string | st.none(), min_size=1, max_size=3) | \
    st.text() | st.lists(st.text(), min_size=1, max_size=3) | st.integers()
run_ids = st.text(min_size=1, max_size=128)
bad_run_ids = st.just("") | st.text(min_size=129, max_size=300) | not_a_string
commands = st.sampled_from(["unlock", "reboot"])
bad_commands = st.text(max_size=20).filter(lambda s: s not in ("unlock", "reboot")) | not_a_string
not_a_flag = st.integers() | st.floats() | st.text(max_size=10) | st.lists(st.booleans(), max_size=2)


@st.composite
def timings(draw) -> dict:
    """Valid waiting inputs, some left unset (defaults apply); the max poll interval (default 20) >= the first one."""
    values = {}
    max_given = draw(st.booleans())
    for name, (low, high) in TIMING.items():
        if name == "pollIntervalSeconds" and not max_given:
            high = 20.0
        if name == "maxPollIntervalSeconds":
            if not max_given:
                continue
            low = max(low, values.get("pollIntervalSeconds", 2.0))
        if name == "maxPollIntervalSeconds" or draw(st.booleans()):
            values[name] = draw(st.floats(low, high, allow_nan=False) | st.integers(math.ceil(low), int(high)))
    return values


def bad_seconds(name: str):
    low, high = TIMING[name]
    return (st.floats(max_value=low, exclude_max=True) | st.floats(min_value=high, exclude_min=True) |
            st.just(math.nan) | st.just(math.inf) | st.text(max_size=10) | st.booleans())


@st.composite
def valid_gate(draw) -> dict:
    news = {"taskId": draw(ids), "managedDeviceId": draw(ids), **draw(timings())}
    for flag in FLAGS[TaskExecutionProvider]:
        if draw(st.booleans()):
            news[flag] = draw(st.booleans())
    return news


@st.composite
def valid_task(draw) -> dict:
    if draw(st.integers(0, 4)) == 0:
        news = {"existingTaskId": draw(ids)}
    else:
        news = {"command": draw(commands), "targets": draw(st.lists(ids, min_size=1, max_size=10))}
        if draw(st.booleans()):
            news["description"] = draw(descriptions)
    if draw(st.booleans()):
        news["tags"] = draw(tags)
    if draw(st.booleans()):
        news["runId"] = draw(run_ids)
    return news


@st.composite
def valid_fleet(draw) -> dict:
    news = dict(draw(timings()))
    if draw(st.booleans()):
        devices = draw(st.lists(ids, min_size=1, max_size=40, unique=True))
        news.update(devices=devices, command=draw(commands))
        for name, strategy in (("description", descriptions), ("tags", tags), ("runId", run_ids)):
            if draw(st.booleans()):
                news[name] = draw(strategy)
        count = len(devices)
    else:
        news["taskIds"] = draw(st.lists(ids, min_size=1, max_size=20, unique=True))
        count = None
    threshold = draw(st.sampled_from(["none", "count", "percent"]))
    if threshold == "count":
        news["minSucceeded"] = draw(st.integers(1, count or 1000))
    elif threshold == "percent":
        news["minSucceeded"] = f"{draw(st.integers(1, 100))}%"
    for flag in FLAGS[FleetGateProvider]:
        if draw(st.booleans()):
            news[flag] = draw(st.booleans())
    return news


def check(provider_class, news: dict):
    """check() as the engine calls it; it must answer, never raise."""
    result = provider_class().check({}, dict(news))
    return by_input(result), result.inputs


def assert_refused(provider_class, news: dict, prop: str) -> None:
    failures, _ = check(provider_class, news)
    assert prop in failures, (prop, news.get(prop), failures)
    for reason in failures[prop]:
        assert f"'{snake(prop)}'" in reason, reason  # the message names the input as the program wrote it


# ---- valid inputs pass ---------------------------------------------------------------------------------------

@given(valid_gate())
def test_valid_task_execution_inputs_pass(news):
    failures, inputs = check(TaskExecutionProvider, news)
    assert failures == {}
    assert {k: inputs[k] for k in news} == news


@given(valid_task())
def test_valid_task_inputs_pass(news):
    failures, inputs = check(TaskProvider, news)
    assert failures == {}
    assert {k: inputs[k] for k in news} == news


@given(valid_fleet())
def test_valid_fleet_gate_inputs_pass(news):
    failures, _ = check(FleetGateProvider, news)
    assert failures == {}


# ---- each invalid input is refused, naming its property ------------------------------------------------------

@st.composite
def gate_with_one_bad_input(draw):
    news = draw(valid_gate())
    prop = draw(st.sampled_from(["taskId", "managedDeviceId", *FLAGS[TaskExecutionProvider], *TIMING]))
    if prop in ("taskId", "managedDeviceId"):
        news[prop] = draw(bad_ids | st.none())
    elif prop in TIMING:
        news[prop] = draw(bad_seconds(prop))
    else:
        news[prop] = draw(not_a_flag)
    return news, prop


@given(gate_with_one_bad_input())
def test_task_execution_refuses_each_bad_input_by_name(case):
    assert_refused(TaskExecutionProvider, *case)


@given(valid_gate(), st.floats(0.1, 600), st.floats(0.1, 600))
def test_a_max_poll_interval_below_the_first_one_is_refused(news, first, highest):
    assume(highest < first)
    assert_refused(TaskExecutionProvider, {**news, "pollIntervalSeconds": first, "maxPollIntervalSeconds": highest},
                   "maxPollIntervalSeconds")


@st.composite
def task_with_one_bad_input(draw):
    news = {"command": draw(commands), "targets": draw(st.lists(ids, min_size=1, max_size=10))}
    prop = draw(st.sampled_from(["command", "targets", "description", "tags", "runId", "existingTaskId"]))
    bad = {
        "command": bad_commands | st.none(),
        "targets": st.none() | st.just([]) | st.lists(ids, min_size=11, max_size=30) |
        st.lists(not_a_string, min_size=1, max_size=3) | st.text(min_size=1) | st.integers(),
        "description": bad_descriptions,
        "tags": bad_tags,
        "runId": bad_run_ids,
        # Adopting a task excludes command and targets, which are set here; a bad id is refused too.
        "existingTaskId": ids | bad_ids,
    }[prop]
    news[prop] = draw(bad)
    return news, prop


@given(task_with_one_bad_input())
def test_task_refuses_each_bad_input_by_name(case):
    assert_refused(TaskProvider, *case)


@st.composite
def fleet_with_one_bad_input(draw):
    devices = draw(st.lists(ids, min_size=1, max_size=30, unique=True))
    news = {"devices": devices, "command": draw(commands)}
    prop = draw(st.sampled_from(["devices", "command", "description", "tags", "runId", "minSucceeded",
                                 *FLAGS[FleetGateProvider], *TIMING]))
    if prop == "devices":
        news[prop] = draw(st.just([]) | st.lists(bad_ids, min_size=1, max_size=5) | st.text(min_size=1) |
                          st.integers() | st.just(devices + devices[:1]))
    elif prop == "minSucceeded":
        news[prop] = draw(st.integers(max_value=0) | st.integers(len(devices) + 1, 10**6) | st.booleans() |
                          st.sampled_from(["0%", "101%", "-5%", "abc", "", "5 devices"]) |
                          st.floats(0.01, 1000).filter(lambda x: not float(x).is_integer()))
    elif prop in TIMING:
        news[prop] = draw(bad_seconds(prop))
    elif prop in FLAGS[FleetGateProvider]:
        news[prop] = draw(not_a_flag)
    else:
        news[prop] = draw({"command": bad_commands | st.none(), "description": bad_descriptions, "tags": bad_tags,
                           "runId": bad_run_ids}[prop])
    return news, prop


@given(fleet_with_one_bad_input())
def test_fleet_gate_refuses_each_bad_input_by_name(case):
    assert_refused(FleetGateProvider, *case)


@given(st.lists(ids, min_size=1, max_size=5, unique=True), st.lists(ids, min_size=1, max_size=5, unique=True))
def test_fleet_gate_refuses_devices_with_task_ids(devices, task_ids):
    failures, _ = check(FleetGateProvider, {"devices": devices, "taskIds": task_ids, "command": "reboot"})
    assert "devices" in failures and "'task_ids'" in failures["devices"][0]


# ---- nothing makes check raise -------------------------------------------------------------------------------

def anything_under(names):
    keys = st.sampled_from(names) | st.text(max_size=15)
    return st.dictionaries(keys, json_like, max_size=len(names) + 2)


@given(anything_under(["taskId", "managedDeviceId", *FLAGS[TaskExecutionProvider], *TIMING]))
def test_no_input_makes_task_execution_check_raise(news):
    check(TaskExecutionProvider, news)


@given(anything_under(["command", "targets", "description", "tags", "runId", "existingTaskId", "scope"]))
def test_no_input_makes_task_check_raise(news):
    check(TaskProvider, news)


@given(anything_under(["taskIds", "devices", "command", "description", "tags", "runId", "scope", "minSucceeded",
                       *FLAGS[FleetGateProvider], *TIMING]))
def test_no_input_makes_fleet_gate_check_raise(news):
    check(FleetGateProvider, news)
