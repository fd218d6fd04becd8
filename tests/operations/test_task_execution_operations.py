"""The TaskExecution operations every host calls (`_core.operations.task_execution`), over real boto3 and the
in-process emulator, no engine: create waits for one device's execution and records what DescribeExecution
answered; every failing final state fails it with the device's story in the host's words; read follows the
execution (gone: None, failed since: the same failure); update waits only for a gate that recorded an unfinished
state; delete makes no call.
"""

from __future__ import annotations

import logging
import re

import pytest

from pulumi_snowdm._core.errors import ExecutionFailed, SnowdmError, WaitTimedOut
from pulumi_snowdm._core.operations import task_execution
from pulumi_snowdm.plugin import config

SCENARIO = {"scenario": {"default": {"outcome": "SUCCEEDED", "queued_seconds": 0.5, "run_seconds": 2},
                         "devices": {"smd-ok": {},
                                     "smd-failed": {"outcome": "FAILED", "deviceState": "LOCKED"},
                                     "smd-rejected": {"outcome": "REJECTED"},
                                     "smd-timed-out": {"outcome": "TIMED_OUT"},
                                     "smd-offline": {"online": False},
                                     "smd-slow": {"run_seconds": 3600}}},
            "time_scale": 50}
# Polls fast enough for device time run 50x.
FAST = {"pollIntervalSeconds": 0.05, "maxPollIntervalSeconds": 0.2, "notFoundGraceSeconds": 5}


def gate(task_id: str, device: str, **extra) -> dict:
    """A TaskExecution's inputs as a host hands them over after check."""
    return {"taskId": task_id, "managedDeviceId": device, **FAST, **extra}


def unlock(sdm_client, device: str) -> str:
    """A task made the way a pipeline step makes one, for the gate to wait on."""
    return sdm_client.create_task(command={"unlock": {}}, targets=[device])["taskId"]


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_create_waits_for_success_and_records_what_describe_execution_answered(host, emulator, sdm_client):
    task_id = unlock(sdm_client, "smd-ok")
    id_, outputs = task_execution.create(host, gate(task_id, "smd-ok"))

    described = sdm_client.describe_execution(taskId=task_id, managedDeviceId="smd-ok")
    assert id_ == f"{task_id}/smd-ok" and described["state"] == "SUCCEEDED"
    assert {key: outputs[key] for key in ("executionId", "state", "managedDeviceId", "taskId")} == {
        key: described[key] for key in ("executionId", "state", "managedDeviceId", "taskId")}
    assert outputs["startedAt"].startswith(described["startedAt"].strftime("%Y-%m-%dT%H:%M:%S"))
    assert outputs["lastUpdatedAt"].startswith(described["lastUpdatedAt"].strftime("%Y-%m-%dT%H:%M:%S"))
    # The last word is SUCCEEDED, whether the first poll already found it or saw it arrive.
    assert re.fullmatch(rf"task {task_id} on smd-ok: (SUCCEEDED \(succeeded\)|\w+ -> SUCCEEDED after \d+s)",
                        host.said[-1]), host.said

    calls = sum(emulator.calls.values())
    task_execution.delete(host, id_, {**gate(task_id, "smd-ok"), **outputs})
    assert sum(emulator.calls.values()) == calls  # an execution cannot be deleted: only the gate goes


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
@pytest.mark.parametrize("device, state, hint", [
    ("smd-failed", "FAILED", "failed on the device"),
    ("smd-rejected", "REJECTED", "refused the command"),
    ("smd-timed-out", "TIMED_OUT", "did not finish in time"),
])
def test_each_failing_state_fails_create_naming_the_device_and_its_story(host, sdm_client, device, state, hint):
    task_id = unlock(sdm_client, device)
    with pytest.raises(ExecutionFailed) as failed:
        task_execution.create(host, gate(task_id, device))

    execution = sdm_client.describe_execution(taskId=task_id, managedDeviceId=device)
    assert execution["state"] == state
    message = str(failed.value)
    for fact in (f"task {task_id} on device {device}", execution["executionId"], f"ended {state}", "started ",
                 "last updated ", f"Device {device}: LOCKED", "last reached out", hint, "change run_id"):
        assert fact in message, fact


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_canceled_fails_in_the_host_s_words_unless_accepted(make_host, sdm_client):
    task_id = unlock(sdm_client, "smd-offline")
    sdm_client.cancel_task(taskId=task_id)

    with pytest.raises(ExecutionFailed) as python:
        task_execution.create(make_host(), gate(task_id, "smd-offline"))
    assert "ended CANCELED" in str(python.value)
    assert "set `accept_canceled=True` if a canceled task is acceptable" in str(python.value)
    assert "acceptCanceled" not in str(python.value) and "runId" not in str(python.value)

    with pytest.raises(ExecutionFailed) as yaml:
        task_execution.create(make_host(wording=config.WORDING), gate(task_id, "smd-offline"))
    assert "set `acceptCanceled: true` if a canceled task is acceptable" in str(yaml.value)
    assert "change runId" in str(yaml.value) and "accept_canceled" not in str(yaml.value)

    _, accepted = task_execution.create(make_host(), gate(task_id, "smd-offline", acceptCanceled=True))
    assert accepted["state"] == "CANCELED"


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_an_offline_device_fails_after_the_queued_timeout(host, sdm_client):
    task_id = unlock(sdm_client, "smd-offline")
    with pytest.raises(WaitTimedOut) as timed_out:
        task_execution.create(host, gate(task_id, "smd-offline", queuedTimeoutSeconds=1))
    assert "still QUEUED after" in str(timed_out.value) and "may be offline" in str(timed_out.value)


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
@pytest.mark.parametrize("task_id", ["st-bad id/with?chars", "st-0123456789abcdef0"])
def test_a_missing_task_fails_at_once_saying_so(host, emulator, task_id):
    # Its first look that misses asks DescribeTask and stops, rather than looking through the not-found grace.
    with pytest.raises(SnowdmError) as failed:
        task_execution.create(host, gate(task_id, "smd-ok", notFoundGraceSeconds=60))
    message = str(failed.value)
    assert f"task {task_id} (given as task_id) was not found" in message
    assert "check `task_id` names an existing task" in message and "not found yet" not in message
    assert emulator.calls["DescribeTask"] >= 1
    assert emulator.calls["ListExecutions"] + emulator.calls["DescribeExecution"] <= 3, dict(emulator.calls)


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_read_fails_an_execution_failed_since_and_drops_one_that_is_gone(host, emulator, sdm_client):
    task_id = unlock(sdm_client, "smd-ok")
    props = gate(task_id, "smd-ok")
    id_, outputs = task_execution.create(host, props)
    assert task_execution.read(host, id_, {**props, **outputs})["state"] == "SUCCEEDED"

    emulator.model.set_execution_state(task_id, "smd-ok", "FAILED")
    with pytest.raises(ExecutionFailed) as failed:
        task_execution.read(host, id_, {**props, **outputs})
    assert f"task {task_id} on device smd-ok" in str(failed.value) and "ended FAILED" in str(failed.value)

    emulator.model.delete_task(task_id)
    assert task_execution.read(host, id_, {**props, **outputs}) is None


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_wait_false_records_the_state_read_shows_the_final_one_and_an_update_that_waits_waits(host, emulator,
                                                                                            sdm_client):
    task_id = unlock(sdm_client, "smd-slow")
    props = gate(task_id, "smd-slow", wait=False)
    id_, recorded = task_execution.create(host, props)
    assert recorded["state"] in ("QUEUED", "IN_PROGRESS")
    assert f"task {task_id} on smd-slow: recorded {recorded['state']} without waiting (wait=False)" in host.said

    # Still not waiting: the update keeps what was recorded and calls nothing.
    calls = sum(emulator.calls.values())
    kept = task_execution.update(host, id_, {**props, **recorded}, {**props, "heartbeatSeconds": 30})
    assert kept["state"] == recorded["state"] and sum(emulator.calls.values()) == calls

    emulator.clock.advance(4000)
    assert task_execution.read(host, id_, {**props, **recorded})["state"] == "SUCCEEDED"

    waited = task_execution.update(host, id_, {**props, **recorded}, gate(task_id, "smd-slow", wait=True))
    assert waited["state"] == "SUCCEEDED" and waited["executionId"] == recorded["executionId"]
    assert waited["wait"] is True


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_an_update_of_a_gate_that_passed_changes_no_execution_and_calls_nothing(host, emulator, sdm_client):
    task_id = unlock(sdm_client, "smd-ok")
    props = gate(task_id, "smd-ok")
    id_, outputs = task_execution.create(host, props)
    emulator.model.set_execution_state(task_id, "smd-ok", "FAILED")  # would fail a wait: no wait happens

    calls = sum(emulator.calls.values())
    updated = task_execution.update(host, id_, {**props, **outputs}, {**props, "acceptCanceled": True,
                                                                      "timeoutSeconds": 60})
    assert sum(emulator.calls.values()) == calls
    assert {key: updated[key] for key in task_execution.OUTPUTS} == {key: outputs[key] for key in
                                                                     task_execution.OUTPUTS}
    assert updated["acceptCanceled"] is True and updated["timeoutSeconds"] == 60


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_throttling_and_server_errors_change_no_verdict(host, emulator, sdm_client, caplog):
    caplog.set_level(logging.INFO, logger="pulumi_snowdm.emulator.requests")
    passing, failing = unlock(sdm_client, "smd-ok"), unlock(sdm_client, "smd-failed")
    emulator.set_faults(throttle_rate=0.3, error_rate=0.05, seed=11)

    assert task_execution.create(host, gate(passing, "smd-ok"))[1]["state"] == "SUCCEEDED"
    with pytest.raises(ExecutionFailed, match="ended FAILED"):
        task_execution.create(host, gate(failing, "smd-failed"))
    answers = [record.getMessage().split()[3] for record in caplog.records]
    assert "429" in answers and "200" in answers  # throttling was really met, and outlasted
