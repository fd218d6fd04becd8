"""Input checks of every resource: each bad input fails with the property named and what is allowed.

check makes no API call, so it is exercised here directly; end-to-end tests show the same failures through
`pulumi preview`.
"""

import base64

import dill
import pytest
from pulumi.output import Unknown

from pulumi_snowdm._core.name_case import snake
from pulumi_snowdm.resources.task import TaskProvider
from pulumi_snowdm.resources.task_execution import TaskExecutionProvider

from check_failures import by_input


def failures(provider, news):
    result = provider.check({}, news)
    return {prop: "; ".join(reasons) for prop, reasons in by_input(result).items()}, result.inputs


GOOD_GATE = {"taskId": "st-0123456789abcdef", "managedDeviceId": "smd-0123456789abcdef"}


@pytest.mark.parametrize("news, prop, words", [
    ({"managedDeviceId": "smd-1"}, "taskId", "required"),
    ({**GOOD_GATE, "taskId": "t" * 65}, "taskId", "1 to 64"),
    ({**GOOD_GATE, "managedDeviceId": ""}, "managedDeviceId", "1 to 64"),
    ({**GOOD_GATE, "managedDeviceId": 7}, "managedDeviceId", "string"),
    ({**GOOD_GATE, "wait": "yes"}, "wait", "true or false"),
    ({**GOOD_GATE, "acceptCanceled": 1}, "acceptCanceled", "true or false"),
    ({**GOOD_GATE, "timeoutSeconds": 0}, "timeoutSeconds", "from 1 to 604800"),
    ({**GOOD_GATE, "timeoutSeconds": "soon"}, "timeoutSeconds", "number of seconds"),
    ({**GOOD_GATE, "queuedTimeoutSeconds": -5}, "queuedTimeoutSeconds", "from 1"),
    ({**GOOD_GATE, "pollIntervalSeconds": 30, "maxPollIntervalSeconds": 10}, "maxPollIntervalSeconds", "at least"),
])
def test_task_execution_rejects(news, prop, words):
    found, _ = failures(TaskExecutionProvider(), news)
    assert prop in found, found
    assert words in found[prop]
    assert f"'{snake(prop)}'" in found[prop]


def test_task_execution_fills_defaults_and_accepts_unknowns():
    found, inputs = failures(TaskExecutionProvider(), dict(GOOD_GATE))
    assert found == {}
    assert inputs["wait"] is True and inputs["acceptCanceled"] is False
    assert inputs["timeoutSeconds"] == 1800
    found, _ = failures(TaskExecutionProvider(), {"taskId": Unknown(), "managedDeviceId": "smd-1"})
    assert found == {}


GOOD_TASK = {"command": "reboot", "targets": ["smd-1", "smd-2"], "scope": "p/s/reboot"}


@pytest.mark.parametrize("news, prop, words", [
    ({"targets": ["smd-1"]}, "command", "required"),
    ({**GOOD_TASK, "command": "shutdown"}, "command", "one of reboot, unlock"),
    ({**GOOD_TASK, "targets": []}, "targets", "1 to 10"),
    ({**GOOD_TASK, "targets": [f"smd-{i}" for i in range(11)]}, "targets", "1 to 10"),
    ({**GOOD_TASK, "targets": "smd-1"}, "targets", "list"),
    ({**GOOD_TASK, "description": "no-dashes-allowed"}, "description", "match"),
    ({**GOOD_TASK, "description": "d" * 129}, "description", "1 to 128"),
    ({**GOOD_TASK, "runId": ""}, "runId", "1 to 128"),
    ({"existingTaskId": "st-1", "command": "reboot"}, "existingTaskId", "leave command unset"),
])
def test_task_rejects(news, prop, words):
    found, _ = failures(TaskProvider(), news)
    assert prop in found, found
    assert words in found[prop]


def test_task_accepts_a_good_task_and_an_adoption():
    assert failures(TaskProvider(), dict(GOOD_TASK))[0] == {}
    assert failures(TaskProvider(), {"existingTaskId": "st-0123", "scope": "p/s/x"})[0] == {}


@pytest.mark.parametrize("provider", [TaskExecutionProvider, TaskProvider])
def test_serialized_provider_is_small_and_holds_no_configuration(provider):
    instance = provider()
    instance._config = {"snowdm:region": "us-west-2", "snowdm:endpoint": "http://127.0.0.1:1"}
    serialized = base64.b64encode(dill.dumps(instance, recurse=True))
    assert len(serialized) < 200, len(serialized)
    assert b"us-west-2" not in base64.b64decode(serialized)


def test_command_choices_are_the_service_models():
    from pulumi_snowdm import Command
    from pulumi_snowdm._core.spec import COMMANDS

    assert sorted(c.value for c in Command) == list(COMMANDS) == ["reboot", "unlock"]


def test_task_keeps_its_scope_for_the_client_token():
    from pulumi_snowdm._core.task_actions import client_token

    _, inputs = failures(TaskProvider(), dict(GOOD_TASK))
    assert inputs["scope"] == "p/s/reboot"
    other_stack = {**inputs, "scope": "p/prod/reboot"}
    assert client_token(inputs["scope"], inputs) == client_token("p/s/reboot", dict(inputs))
    assert client_token(inputs["scope"], inputs) != client_token(other_stack["scope"], other_stack)


def test_a_long_first_poll_interval_raises_the_unset_maximum_with_it():
    found, inputs = failures(TaskExecutionProvider(), {**GOOD_GATE, "pollIntervalSeconds": 30})
    assert found == {}
    assert inputs["maxPollIntervalSeconds"] == 30
    found, _ = failures(TaskExecutionProvider(), {**GOOD_GATE, "pollIntervalSeconds": 30,
                                                  "maxPollIntervalSeconds": 10})
    assert "maxPollIntervalSeconds" in found
