"""32+ client threads creating, reading and cancelling at once never see lost, duplicated or backward state."""

from __future__ import annotations

import random
import threading

import pytest

FINAL = {"SUCCEEDED", "FAILED", "REJECTED", "TIMED_OUT", "CANCELED"}
RANK = {"QUEUED": 0, "IN_PROGRESS": 1, **{state: 2 for state in FINAL}}
THREADS = 32
TASKS_PER_THREAD = 4
SCENARIO = {
    "scenario": {"fleet": {"count": 40, "prefix": "smd-c-"}, "default": {"queued_seconds": 1, "run_seconds": 3}},
    "time_scale": 200,
}


def run_threads(count: int, work) -> list[BaseException]:
    failures: list[BaseException] = []
    start = threading.Barrier(count)

    def runner(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            failures.append(error)

    threads = [threading.Thread(target=runner, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_concurrent_clients_keep_state_consistent(emulator, make_sdm_client):
    clients = [make_sdm_client(emulator, max_pool_connections=4) for _ in range(THREADS)]
    devices = [f"smd-c-{index:04d}" for index in range(40)]
    created: list[list[tuple[str, list[str]]]] = [[] for _ in range(THREADS)]
    backwards: list[str] = []

    def work(index: int) -> None:
        client, rng = clients[index], random.Random(index)
        for _ in range(TASKS_PER_THREAD):
            targets = rng.sample(devices, rng.randint(1, 10))
            task_id = client.create_task(targets=targets, command={"reboot": {}})["taskId"]
            created[index].append((task_id, targets))
        last_rank: dict[tuple[str, str], int] = {}
        for round_number in range(6):
            for task_id, targets in created[index]:
                device = rng.choice(targets)
                state = client.describe_execution(taskId=task_id, managedDeviceId=device)["state"]
                listed = client.list_executions(taskId=task_id)["executions"]
                assert sorted(item["managedDeviceId"] for item in listed) == sorted(targets)
                for key, rank in [((task_id, device), RANK[state])] + [
                    ((task_id, item["managedDeviceId"]), RANK[item["state"]]) for item in listed
                ]:
                    if rank < last_rank.get(key, 0):
                        backwards.append(f"{key}: went back to rank {rank}")
                    last_rank[key] = max(rank, last_rank.get(key, 0))
            if round_number == 2 and index % 3 == 0:
                client.cancel_task(taskId=created[index][0][0])

    failures = run_threads(THREADS, work)
    assert failures == []
    assert backwards == []

    all_created = {task_id: targets for per_thread in created for task_id, targets in per_thread}
    assert len(all_created) == THREADS * TASKS_PER_THREAD
    model_tasks = {task["taskId"]: task for task in emulator.model.tasks()}
    assert set(model_tasks) == set(all_created)
    for task_id, targets in all_created.items():
        assert model_tasks[task_id]["targets"] == targets
        assert set(model_tasks[task_id]["executions"]) == set(targets)
    assert emulator.calls["CreateTask"] == THREADS * TASKS_PER_THREAD

    listed = [task["taskId"] for page in clients[0].get_paginator("list_tasks").paginate(
        PaginationConfig={"PageSize": 7}) for task in page["tasks"]]
    assert sorted(listed) == sorted(all_created)

    # Per device, at most one execution is ever IN_PROGRESS at a time.
    running: dict[str, int] = {}
    for task in emulator.model.tasks():
        for device, state in task["executions"].items():
            running[device] = running.get(device, 0) + (state == "IN_PROGRESS")
    assert max(running.values(), default=0) <= 1


@pytest.mark.parametrize("emulator", [SCENARIO], indirect=True)
def test_concurrent_creates_with_one_client_token_make_one_task(emulator, make_sdm_client):
    clients = [make_sdm_client(emulator, max_pool_connections=2) for _ in range(THREADS)]
    task_ids: list[str] = []

    def work(index: int) -> None:
        result = clients[index].create_task(
            targets=["smd-c-0000", "smd-c-0001"], command={"unlock": {}}, clientToken="one-token"
        )
        task_ids.append(result["taskId"])

    assert run_threads(THREADS, work) == []
    assert len(set(task_ids)) == 1 and len(task_ids) == THREADS
    assert len(emulator.model.tasks()) == 1
