"""A local AWS Snow Device Management service that boto3 cannot tell from the real one.

    from pulumi_snowdm.emulator import Emulator
    with Emulator(scenario={"fleet": {"count": 20}}, time_scale=600) as emu:
        sdm = boto3.client("snow-device-management", endpoint_url=emu.url, region_name="us-west-2",
                           aws_access_key_id="snowdm-emulator", aws_secret_access_key="snowdm-emulator-secret")

Or from a shell: `snowdm-emulator --port 4599 --scenario lab.toml --time-scale 60`, which prints
`snowdm-emulator listening on http://127.0.0.1:4599` as its first line.

All 13 operations are served with routes, parameter locations, constraints and output shapes taken from botocore's
service model; requests must be SigV4-signed with a configured key (default `snowdm-emulator` /
`snowdm-emulator-secret`, any region). Without a scenario there are four online devices `smd-demo-0000` ..
`smd-demo-0003` whose executions succeed after a few device seconds. Scenario format: see scenario.py.

Control plane (Python on `emu` / `emu.model`, and JSON over HTTP under /_snowdm/, unsigned, never faulted):

    emu.load_scenario(dict | path)                   PUT    /_snowdm/scenario             body: scenario
    emu.scenario.source                              GET    /_snowdm/scenario
    emu.reset()                                      POST   /_snowdm/reset
    emu.model.device_ids()                           GET    /_snowdm/devices
    emu.model.add_device(id, **fields)               POST   /_snowdm/devices              body: {"id": ..., ...}
    emu.model.set_device(id, online=False, ...)      PATCH  /_snowdm/devices/{id}         body: fields
    emu.model.tasks()                                GET    /_snowdm/tasks
    emu.model.delete_task(task_id)                   DELETE /_snowdm/tasks/{taskId}
    emu.model.set_execution_state(task, dev, state)  PUT    /_snowdm/tasks/{taskId}/executions/{deviceId}
                                                                                          body: {"state": "FAILED"}
    emu.model.delete_execution(task, dev)            DELETE /_snowdm/tasks/{taskId}/executions/{deviceId}
    emu.set_faults(throttle_rate=0.2, seed=1)        PUT    /_snowdm/faults               body: settings
    emu.faults.settings                              GET    /_snowdm/faults
    emu.calls / emu.reset_calls()                    GET    /_snowdm/calls / DELETE /_snowdm/calls
    emu.set_rates({"ListExecutions": 20})           PUT    /_snowdm/rates                body: rates
    emu.rates.rates / emu.rates.throttled            GET    /_snowdm/rates                (quotas, throttled answers)
    emu.set_denied(["CancelTask"]) / emu.denied      PUT    /_snowdm/deny                 body: {"operations": [...]}
    emu.clock.advance(s) / emu.clock.time_scale = x  POST   /_snowdm/clock                body: {"advance": s,
                                                                                                 "time_scale": x}
    emu.clock.now()                                  GET    /_snowdm/clock
                                                     GET    /_snowdm/health

Faults (`faults` block or set_faults): throttle_rate (429 ThrottlingException), error_rate (500
InternalServerException), drop_rate (connection closed without an answer), latency and latency_spike_rate /
latency_spike (added seconds), seed (reproducible draws), operations (limit faults to these operations).

Rates (`rates` block, `--rates`, set_rates): request-rate quotas, a token bucket per operation answering 429
ThrottlingException past the rate, as AWS does: `{"ListExecutions": 20, "*": 50}`, or `{"rate": 20, "burst": 5}`
for a burst other than one second's worth (see rates.py).
"""

from pulumi_snowdm.emulator.app import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator
from pulumi_snowdm.emulator.clock import Clock
from pulumi_snowdm.emulator.faults import FaultSettings
from pulumi_snowdm.emulator.scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_SECRET_ACCESS_KEY",
    "Clock",
    "Emulator",
    "FaultSettings",
    "Scenario",
    "ScenarioError",
    "load_scenario",
]
