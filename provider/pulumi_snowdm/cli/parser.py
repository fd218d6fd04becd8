"""The command line of `snowdm`: its subcommands and options, with the exit codes in `--help`.

Values are read as text here and checked in `inputs.py`, against the same declarations as the resources' inputs,
so every problem is told at once and names the option as typed.
"""

from __future__ import annotations

import argparse

from pulumi_snowdm._core.settings import DEFAULT_MAX_REQUESTS_PER_SECOND
from pulumi_snowdm._core.spec import COMMANDS
from pulumi_snowdm._core.version import package_version
from pulumi_snowdm.cli.durations import EXAMPLES, GRAMMAR
from pulumi_snowdm.cli.exits import HELP

DESCRIPTION = ("Gate a CI step on AWS Snow Device Management task executions: wait until enough succeed, with a "
               "deadline, a limit on time QUEUED, a threshold and a report per device.")
CONFIGURATION = ("where calls go: --region, --profile and --endpoint-url, else AWS_ENDPOINT_URL_SNOW_DEVICE_MANAGEMENT "
                 "and the AWS environment (AWS_REGION, AWS_DEFAULT_REGION, AWS_PROFILE, the credentials chain)")
REGION_FALLBACK = "AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="snowdm", description=DESCRIPTION, epilog=HELP,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{wait,run,status}")
    connection, output, waiting = _connection(), _output(), _waiting()
    wait = commands.add_parser("wait", parents=[connection, output, waiting], epilog=HELP,
                               formatter_class=argparse.RawDescriptionHelpFormatter,
                               help="wait on the executions of existing tasks",
                               description="Wait on the executions of existing tasks until the gate decides.")
    wait.add_argument("--task-id", action="append", required=True, metavar="ST",
                      help="a task to wait on (repeat for more)")
    wait.add_argument("--device", action="append", metavar="ID",
                      help="wait only on these devices' executions (repeat; default: every target of the tasks)")
    run = commands.add_parser("run", parents=[connection, output, waiting], epilog=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter,
                              help="send a command to devices, then wait",
                              description="Create the tasks (10 devices per task, one client token per task from "
                                          "--run-id), then wait. A rerun with the same --run-id, devices and "
                                          "command gets the same tasks back: the command is never sent twice.")
    run.add_argument("--command", required=True, metavar="|".join(COMMANDS), help="what the devices run")
    run.add_argument("--device", action="append", metavar="ID", help="a device to send it to (repeat for more)")
    run.add_argument("--devices-file", metavar="FILE",
                     help="a file of device ids, one a line (blank lines and # comments are skipped; - is stdin)")
    run.add_argument("--run-id", required=True, metavar="R",
                     help="names this run: the same run id sends the command once, however often the job is retried")
    run.add_argument("--description", metavar="D", help="description of the tasks")
    rollout = run.add_argument_group("rollout", "waves and retries, as FleetGate's waves, maxFailures, bakeSeconds, "
                                                "promoteTo, retries, retryOn and retryPauseSeconds")
    rollout.add_argument("--waves", metavar="N|P%,...",
                         help="a staged rollout: cumulative wave sizes, such as 1,10%%,100%% (one canary, then up to "
                              "a tenth, then all)")
    rollout.add_argument("--max-failures", metavar="N|P%",
                         help="failures the rollout tolerates, a count or a percentage of the devices sent to so far "
                              "(default 0); past it no further wave is sent")
    rollout.add_argument("--bake", metavar="DURATION", help="wait after a wave passed, then look again (default 0s)")
    rollout.add_argument("--promote-to", metavar="N|all",
                         help="the last wave this run sends (default all); a rerun with the same --run-id and a "
                              "higher value carries on")
    rollout.add_argument("--retry", metavar="[STATES:]N",
                         help="send the command again to a device whose execution ended FAILED or TIMED_OUT, up to "
                              "N times (at most 10); STATES picks the end states, such as FAILED,REJECTED:2")
    rollout.add_argument("--retry-pause", metavar="DURATION", help="wait between attempts (default 0s)")
    status = commands.add_parser("status", parents=[connection, output], epilog=HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 help="one look at the executions of tasks, as a table",
                                 description="One look at the executions of tasks, as a table; exits 0 once read.")
    status.add_argument("--task-id", action="append", required=True, metavar="ST",
                        help="a task to look at (repeat for more)")
    return parser


def _connection() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("connection", CONFIGURATION)
    group.add_argument("--region", help=f"the SDM region (default: {REGION_FALLBACK})")
    group.add_argument("--profile", help="a named AWS profile (default: AWS_PROFILE)")
    group.add_argument("--endpoint-url", metavar="URL",
                       help="another SDM endpoint, such as snowdm-emulator; plain http only for loopback hosts")
    group.add_argument("--max-rps", metavar="N",
                       help="ListExecutions requests per second the wait may send, at most (default "
                            f"{DEFAULT_MAX_REQUESTS_PER_SECOND:g}; fewer on its own when throttled)")
    return parent


def _output() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("output", "progress goes to stderr: a live view on a terminal, else "
                                                "timestamped lines; the verdict table goes to stdout")
    group.add_argument("--output", choices=("table", "json"), default="table",
                       help="json: print the result as JSON on stdout (the table goes to stderr)")
    group.add_argument("--junit", metavar="FILE", help="also write JUnit XML, one test case per device")
    return parent


def _waiting() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("gate", f"durations: {GRAMMAR}, {EXAMPLES}")
    group.add_argument("--min-succeeded", metavar="N|P%",
                       help="how many must succeed: a count, or a percentage like 95%% (default: all)")
    group.add_argument("--fail-fast", action="store_true", help="fail as soon as the threshold cannot be met")
    group.add_argument("--accept-canceled", action="store_true", help="count CANCELED as succeeded")
    group.add_argument("--timeout", metavar="DURATION", help="deadline of the whole wait (default 30m)")
    group.add_argument("--queued-timeout", metavar="DURATION",
                       help="how long an execution may stay QUEUED before it counts as failed (default 15m)")
    group.add_argument("--poll-interval", metavar="DURATION",
                       help="first delay between looks; grows with backoff up to 20s (default 2s)")
    return parent
