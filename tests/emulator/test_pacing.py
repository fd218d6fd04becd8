"""Several gates waiting in one process (FleetGate and TaskExecution operations, as either Pulumi host runs them) keep
together to one request budget, `snowdm:maxRequestsPerSecond`: real boto3 over HTTP, the emulator's quota and its
record of every ListExecutions. Twenty tasks listed as often as the registry allows (once a second each) would be 20
calls a second; the budget is 8."""

from __future__ import annotations

import threading
import time

import pytest

from pulumi_snowdm._core.context import Context
from pulumi_snowdm._core.operations import fleet_gate, task_execution
from pulumi_snowdm._core.run_scope import deliver_sent, scope_key
from pulumi_snowdm._core.settings import ClientSettings
from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator

BUDGET = 8
DEVICES = [f"smd-fleet-{n:04d}" for n in range(200)]
SCENARIO = {"default": {"outcome": "SUCCEEDED", "queued_seconds": 2, "run_seconds": 20},
            "fleet": {"count": len(DEVICES), "prefix": "smd-fleet-"}}
TIMING = {"pollIntervalSeconds": 0.1, "maxPollIntervalSeconds": 0.1, "timeoutSeconds": 60}


class ListingLog:
    """Wraps the emulator's handler: when each ListExecutions was answered, and whether it was throttled."""

    def __init__(self, emulator: Emulator) -> None:
        self.times: list[float] = []
        self.throttled: list[float] = []
        self._handle, self._lock = emulator.handle, threading.Lock()

    def __call__(self, request):
        response = self._handle(request)
        if request.target.startswith("/executions"):
            with self._lock:
                self.times.append(time.monotonic())
                if response.status == 429:
                    self.throttled.append(self.times[-1])
        return response

    def busiest_second(self) -> int:
        return max(sum(1 for other in self.times if start <= other < start + 1) for start in self.times)


@pytest.fixture
def served(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DEFAULT_SECRET_ACCESS_KEY)

    def serve(quota: dict) -> tuple[Emulator, ListingLog]:
        emulator = Emulator(scenario=SCENARIO, time_scale=10, rates=quota)
        log = emulator.handle = ListingLog(emulator)  # before start(): the server keeps the handler it is given
        emulator.start()
        started.append(emulator)
        return emulator, log

    started: list[Emulator] = []
    yield serve
    for emulator in started:
        emulator.stop()


def gates_side_by_side(settings: ClientSettings) -> tuple[list[str], list[str]]:
    """Two FleetGates (10 and 6 tasks) and four TaskExecutions, each on its own task of four more, each in its own
    thread, as a provider process runs them; returns (their verdicts, the warnings said)."""
    lines: list[str] = []
    warnings: list[str] = []
    ctx = Context(settings, say=lines.append, warn=warnings.append)
    devices = DEVICES[160:]
    tasks = deliver_sent(ctx.client(), key=scope_key("pacing/te", "reboot", None), props={"command": "reboot"},
                         devices=devices, label="tasks", say=lines.append, rerun="rerun").task_ids(devices)
    jobs = [lambda: fleet_gate.create(ctx, {"devices": DEVICES[:100], "command": "reboot", "scope": "pacing/a",
                                            **TIMING}),
            lambda: fleet_gate.create(ctx, {"devices": DEVICES[100:160], "command": "reboot", "scope": "pacing/b",
                                            **TIMING})]
    jobs += [lambda task=task, device=device: task_execution.create(ctx, {"taskId": task, "managedDeviceId": device,
                                                                         **TIMING})
             for task, device in zip(tasks, DEVICES[160::10], strict=True)]
    verdicts: list[str] = []

    def run(job) -> None:
        try:
            job()
            verdicts.append("passed")
        except Exception as error:  # the verdict is what the test asserts on
            verdicts.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return verdicts, warnings


def test_gates_in_one_process_keep_together_to_one_budget_and_are_never_throttled_by_a_quota_that_matches(served):
    emulator, log = served({"ListExecutions": {"rate": BUDGET, "burst": BUDGET}})
    settings = ClientSettings(region="us-west-2", endpoint=emulator.url, max_requests_per_second=BUDGET)

    verdicts, warnings = gates_side_by_side(settings)

    assert verdicts == ["passed"] * 6
    assert emulator.rates.throttled["ListExecutions"] == 0 and not warnings
    # Calls leave evenly spaced, but a server thread starved on a loaded machine takes a backlog at once: arrivals are
    # bounded by what the matching quota lets through in a second (its rate plus its burst), where unpaced these gates
    # would ask for about 100.
    assert log.busiest_second() <= 2 * BUDGET
    seconds = log.times[-1] - log.times[0]
    assert len(log.times) >= 0.7 * BUDGET * seconds  # the budget is used, not left idle


def test_a_budget_above_the_quota_adapts_down_with_a_warning_and_few_throttled_answers(served):
    emulator, log = served({"ListExecutions": {"rate": BUDGET, "burst": BUDGET}})
    settings = ClientSettings(region="us-west-2", endpoint=emulator.url, max_requests_per_second=5 * BUDGET)

    verdicts, warnings = gates_side_by_side(settings)

    assert verdicts == ["passed"] * 6
    assert 0 < emulator.rates.throttled["ListExecutions"] == len(log.throttled) < 0.5 * len(log.times)
    # Once adapted, the pace stays near the quota: the second half of the wait is rarely throttled.
    middle = (log.times[0] + log.times[-1]) / 2
    later = [at for at in log.times if at >= middle]
    assert sum(at >= middle for at in log.throttled) <= 0.1 * len(later)
    assert any("the service throttled" in line and "snowdm:maxRequestsPerSecond 40" in line for line in warnings)
    assert not any("busy" in line for line in warnings)
