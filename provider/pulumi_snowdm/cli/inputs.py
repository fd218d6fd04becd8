"""The options of a `snowdm` command, checked before any API call, into what the wait engine takes.

The checks are the resources' own (`_core.input_checks` over the FleetGate declaration: device and task ids against the
service model, the threshold, the timing bounds and WaitPolicy's rules), with each property named as the option the
user typed (`--min-succeeded`, not `minSucceeded`). Durations (`90s`, `15m`) are read here, then checked in seconds.
Every problem is collected, so one run of the command tells them all.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Mapping
from typing import Any

from pulumi_snowdm._core.input_checks import InputCheck, check_reachable_threshold
from pulumi_snowdm._core.operations.fleet_gate import check_plan
from pulumi_snowdm._core.settings import ClientSettings, check_endpoint, check_region, settings_from_config
from pulumi_snowdm._core.shares import parse_threshold
from pulumi_snowdm._core.spec import FLEET_GATE
from pulumi_snowdm._core.wait.policy import WaitPolicy
from pulumi_snowdm._core.wait.threshold import FleetRule
from pulumi_snowdm._core.wait_inputs import check_timing, wait_policy
from pulumi_snowdm._core.wording import Wording
from pulumi_snowdm.cli.durations import EXAMPLES, GRAMMAR, parse_duration
from pulumi_snowdm.cli.exits import BadUsage

# Declared property -> the option that sets it.
OPTIONS = {
    "taskIds": "--task-id",
    "devices": "--device",
    "command": "--command",
    "description": "--description",
    "runId": "--run-id",
    "minSucceeded": "--min-succeeded",
    "failFast": "--fail-fast",
    "acceptCanceled": "--accept-canceled",
    "timeoutSeconds": "--timeout",
    "queuedTimeoutSeconds": "--queued-timeout",
    "pollIntervalSeconds": "--poll-interval",
    "waves": "--waves",
    "maxFailures": "--max-failures",
    "bakeSeconds": "--bake",
    "promoteTo": "--promote-to",
    "retries": "--retry",
    "retryOn": "--retry",
    "retryPauseSeconds": "--retry-pause",
}
DURATIONS = {"timeoutSeconds": "timeout", "queuedTimeoutSeconds": "queued_timeout",
             "pollIntervalSeconds": "poll_interval", "bakeSeconds": "bake", "retryPauseSeconds": "retry_pause"}
# The rollout's and the retries' options of `run`, as FleetGate's inputs.
PLAN = ("waves", "maxFailures", "bakeSeconds", "promoteTo", "retries", "retryOn", "retryPauseSeconds")


@dataclasses.dataclass(frozen=True)
class Request:
    """A checked command: what to create (run), what to wait on, the rule and the policy, and where to write."""

    subcommand: str
    task_ids: tuple[str, ...] = ()
    devices: tuple[str, ...] | None = None
    command: str | None = None
    run_id: str | None = None
    description: str | None = None
    rule: FleetRule = FleetRule()
    policy: WaitPolicy = WaitPolicy()
    plan: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # waves, retries..., as FleetGate's inputs
    output: str = "table"
    junit: str | None = None


def read_request(args: argparse.Namespace) -> Request:
    """The checked request, or BadUsage listing every problem."""
    news, devices_from = _values(args)
    labels = {**OPTIONS, "devices": devices_from}
    check = InputCheck(FLEET_GATE, news, label=lambda name: labels.get(name, name), unknown=lambda _: False)
    for name, problem in news.pop("problems", []):
        check.fail(name, problem)
    if args.subcommand == "run":
        _check_run(check, args)
    else:
        check.check("taskIds", required=True)
        if news.get("devices") is not None:
            check.check("devices")
    if args.subcommand != "status":
        for name in ("minSucceeded", "failFast", "acceptCanceled"):
            check.check(name)
        check_reachable_threshold(check)
        check_timing(check)
    if check.failures:
        raise BadUsage([f"invalid option '{check.label(name)}': {problem}" for name, problem in check.problems])
    return _request(args, check.inputs)


def option_of(name: str) -> str:
    """The option that sets a declared (camelCase) property."""
    return OPTIONS.get(name, name)


def wording(rerun: str) -> Wording:
    """How `snowdm`'s messages name properties and settings: options and AWS variables, never Pulumi config;
    `rerun` is how this command is run again."""
    return Wording(name=option_of, flag="{}", rerun=rerun, region="--region <region> (or AWS_REGION)",
                   profile="--profile (or AWS_PROFILE)",
                   endpoint="--endpoint-url (or AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT)", rate="--max-rps")


def client_settings(args: argparse.Namespace, environ: Mapping[str, str], rerun: str) -> ClientSettings:
    """Settings from --region/--profile/--endpoint-url/--max-rps, with the resources' fallbacks and the loopback
    rule; their messages say how to run this command again (`rerun`)."""
    words = wording(rerun)
    if args.region:
        check_region(args.region, "--region", words)
    if args.endpoint_url:
        check_endpoint(args.endpoint_url, "--endpoint-url")
    if args.max_rps is not None and not _positive(args.max_rps):
        raise BadUsage([f"invalid option '--max-rps': must be a number of requests per second above 0, "
                        f"got {args.max_rps!r}"])
    config = {"snowdm:region": args.region, "snowdm:profile": args.profile, "snowdm:endpoint": args.endpoint_url,
              "snowdm:maxRequestsPerSecond": args.max_rps}
    return settings_from_config({key: value for key, value in config.items() if value}, environ, words)


def _positive(text: str) -> bool:
    try:
        return 0 < float(text) < float("inf")
    except ValueError:
        return False


def _values(args: argparse.Namespace) -> tuple[dict, str]:
    """The options as declared properties (camelCase), and the option the device list came from."""
    news: dict = {"problems": []}
    devices_from = "--device"
    if args.subcommand in ("wait", "status"):
        news["taskIds"] = list(args.task_id)
    if args.subcommand == "status":
        return news, devices_from
    if args.subcommand == "run":
        news.update(command=args.command, runId=args.run_id, description=args.description,
                    waves=_list(args.waves), maxFailures=args.max_failures, promoteTo=args.promote_to)
        if args.retry is not None:
            _retry(args.retry, news)
        if args.devices_file is not None:
            devices_from = "--devices-file"
            news["devices"] = _devices_file(args.devices_file, news["problems"])
        else:
            news["devices"] = list(args.device) if args.device else None
    elif args.device:
        news["devices"] = list(args.device)
    news.update(minSucceeded=args.min_succeeded, failFast=args.fail_fast, acceptCanceled=args.accept_canceled)
    for name, attribute in DURATIONS.items():
        text = getattr(args, attribute, None)
        if text is None:
            continue
        seconds = parse_duration(text)
        if seconds is None:
            news["problems"].append((name, f"must be a duration {EXAMPLES} ({GRAMMAR}), got {text!r}"))
        else:
            news[name] = seconds
    return news, devices_from


def _list(text: str | None) -> list[Any] | None:
    """`1,10%,100%` -> [1, "10%", "100%"]; the checks say what is wrong with an item."""
    if text is None:
        return None
    items = [item.strip() for item in text.split(",")]
    return [int(item) if item.isdigit() else item for item in items]


def _retry(text: str, news: dict) -> None:
    """`--retry FAILED,TIMED_OUT:2` (or `--retry 2`) -> retryOn and retries."""
    states, _, count = text.rpartition(":")
    if not count.strip().isdigit():
        news["problems"].append(("retries", f"must be a number of retries N, or STATES:N like FAILED,TIMED_OUT:2, "
                                            f"got {text!r}"))
        return
    news["retries"] = int(count)
    if states:
        news["retryOn"] = [state.strip() for state in states.split(",")]


def _devices_file(path: str, problems: list) -> list[str] | None:
    """One device id a line; `#` starts a comment; a UTF-8 byte order mark is dropped; an id holding whitespace is
    refused, naming its line."""
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    except (OSError, UnicodeDecodeError) as error:
        problems.append(("devices", f"cannot be read: {error}"))
        return None
    devices = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), 1):
        device = line.split("#", 1)[0].strip()
        if any(character.isspace() for character in device):
            problems.append(("devices", f"line {number} holds {device!r}: a device id has no whitespace; put one id "
                                        f"on each line"))
        elif device:
            devices.append(device)
    return devices


def _check_run(check: InputCheck, args: argparse.Namespace) -> None:
    if args.device and args.devices_file is not None:
        check.fail("devices", "cannot be given with '--device': give the devices one way")
    elif not args.device and args.devices_file is None:
        check.fail("devices", "is required (or '--devices-file'): the devices to send the command to")
    elif not check.failed("devices"):
        check.check("devices", required=True)
    check.check("command", required=True)
    check.check("description")
    check.check("runId", required=True)
    for name in PLAN:
        check.check(name)
    check_plan(check)


def _request(args: argparse.Namespace, inputs: Mapping) -> Request:
    devices = inputs.get("devices")
    waits = args.subcommand != "status"
    return Request(
        subcommand=args.subcommand,
        task_ids=tuple(inputs.get("taskIds") or ()),
        devices=tuple(devices) if devices is not None else None,
        command=inputs.get("command"),
        run_id=inputs.get("runId"),
        description=inputs.get("description"),
        rule=FleetRule(parse_threshold(inputs.get("minSucceeded")), bool(inputs.get("failFast")),
                       bool(inputs.get("acceptCanceled"))) if waits else FleetRule(),
        policy=wait_policy(inputs) if waits else WaitPolicy(),
        plan={name: inputs[name] for name in PLAN if inputs.get(name) is not None},
        output=args.output,
        junit=args.junit,
    )
