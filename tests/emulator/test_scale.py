"""A 1,000-device fleet with a thousand tasks stays cheap to read: executions are indexed by task and device."""

from __future__ import annotations

import time

import pytest

FLEET = {"scenario": {"fleet": {"count": 1000, "prefix": "smd-f-"}, "default": {"queued_seconds": 5,
                                                                               "run_seconds": 5}},
         "time_scale": 0}


@pytest.mark.parametrize("emulator", [FLEET], indirect=True)
def test_reads_stay_cheap_with_a_thousand_devices_and_tasks(emulator, sdm_client):
    devices = emulator.model.device_ids()
    assert len(devices) == 1000
    task_ids = []
    for _round in range(10):
        for start in range(0, 1000, 10):
            created = emulator.model.create_task(
                targets=devices[start : start + 10], command={"reboot": {}}, region="us-west-2"
            )
            task_ids.append(created["taskId"])
    emulator.clock.advance(12)  # first round running or done on every device, nine more queued behind it

    began = time.perf_counter()
    for task_id in task_ids[-100:]:
        executions = sdm_client.list_executions(taskId=task_id)["executions"]
        assert [execution["state"] for execution in executions] == ["QUEUED"] * 10
    assert time.perf_counter() - began < 5

    first = sdm_client.list_executions(taskId=task_ids[0])["executions"]
    assert {execution["state"] for execution in first} == {"SUCCEEDED"}

    began = time.perf_counter()
    listed = [task["taskId"] for page in sdm_client.get_paginator("list_tasks").paginate() for task in page["tasks"]]
    assert listed == task_ids
    devices_listed = [d["managedDeviceId"] for page in sdm_client.get_paginator("list_devices").paginate(
        PaginationConfig={"PageSize": 100}) for d in page["devices"]]
    assert devices_listed == devices
    assert time.perf_counter() - began < 5

    # Work per read does not grow with the number of tasks: one model read takes well under a millisecond.
    began = time.perf_counter()
    for task_id in task_ids[:500]:
        emulator.model.list_executions(task_id=task_id, state=None, after=None, limit=100)
    assert (time.perf_counter() - began) / 500 < 0.001
