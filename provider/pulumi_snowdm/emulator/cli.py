"""`snowdm-emulator`: run the emulator in the foreground until Ctrl-C or SIGTERM.

The first line on stdout is exactly `snowdm-emulator listening on http://HOST:PORT` (flushed; `http://[::1]:PORT`
for IPv6; a wildcard --host such as 0.0.0.0 prints the loopback URL a local client uses), so scripts can read the
URL; `--port 0` picks a free port. Ctrl-C or SIGTERM prints `snowdm-emulator stopped (...)` and exits 0. Every flag
is checked before anything starts: a bad one gets argparse's usage error naming it, exit 2. Only loopback addresses
are served unless `--allow-remote` is given, because the /_snowdm/ control API is unsigned. `-v` logs each request
on stderr.

This module imports the emulator only, never pulumi or gRPC, so the command starts quickly.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import math
import signal
import socket
import sys
import threading

from pulumi_snowdm._core.version import package_version
from pulumi_snowdm.emulator.app import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator, check_path_prefix
from pulumi_snowdm.emulator.rates import parse_rates_text, rates_to_dict
from pulumi_snowdm.emulator.scenario import Scenario, ScenarioError, load_scenario

DEFAULT_PORT = 4599
# Said when the emulator starts with time scale 0 (from --time-scale or the scenario's time_scale): the same rule.
STOPPED_CLOCK = ("the device clock is stopped (time scale 0): executions move only when POST /_snowdm/clock "
                 "{\"advance\": SECONDS} moves it, or {\"time_scale\": N} starts it")
CONTROL_API_RISK = (
    "the /_snowdm/ control API is unsigned: anyone who can reach the port can replace the emulator's credentials, "
    "scenario and clock"
)


STOPPED_BY = {signal.SIGTERM: "SIGTERM", signal.SIGINT: "Ctrl-C"}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    loopback = _is_loopback(args.host)
    if loopback is None:
        parser.error(f"argument --host: {args.host!r} is neither an IP address nor a name this machine resolves")
    if not loopback:
        if not args.allow_remote:
            parser.error(f"argument --host: {args.host} is not a loopback address, and {CONTROL_API_RISK}; "
                         "add --allow-remote to serve it anyway")
        print(f"snowdm-emulator: warning: serving on {args.host}; {CONTROL_API_RISK}", file=sys.stderr, flush=True)
    if args.verbose:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="snowdm-emulator: %(message)s")
    try:
        emulator = Emulator(scenario=args.scenario, host=args.host, port=args.port, time_scale=args.time_scale,
                            path_prefix=args.path_prefix, rates=args.rates).start()
    except OSError as error:
        print(f"snowdm-emulator: cannot serve on {args.host} port {args.port}: {error}", file=sys.stderr)
        return 1
    # SIGTERM and Ctrl-C are heard from the moment a client can know the address: a supervisor may stop it at once,
    # and a KeyboardInterrupt raised before the serving loop would leave the server's threads holding the process.
    stopped_by: list[str] = []
    stopped = threading.Event()

    def stop(signum: int, _frame) -> None:
        stopped_by.append(STOPPED_BY[signal.Signals(signum)])
        stopped.set()

    for signum in STOPPED_BY:
        signal.signal(signum, stop)
    print(f"snowdm-emulator listening on {emulator.url}", flush=True)
    if emulator.clock.time_scale == 0:
        print(f"snowdm-emulator: {STOPPED_CLOCK}", file=sys.stderr, flush=True)
    try:
        while not stopped.wait(0.5):  # a wait with a timeout lets the signal handler run promptly
            pass
    finally:
        emulator.stop()
    print(f"snowdm-emulator stopped ({stopped_by[0]})", flush=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="snowdm-emulator",
        description="A local AWS Snow Device Management endpoint for boto3, the AWS CLI and pulumi-snowdm.",
        epilog=f"Sign requests with access key {DEFAULT_ACCESS_KEY_ID} and secret {DEFAULT_SECRET_ACCESS_KEY} "
        "(any region) unless the scenario sets credentials. Control plane: /_snowdm/ (see the package docs).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind, e.g. ::1 (default 127.0.0.1)")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a --host other machines can reach (the /_snowdm/ control API is unsigned)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT}; 0 = any free)")
    parser.add_argument("--scenario", type=_scenario, help="scenario file (.json or .toml); default: four demo devices")
    parser.add_argument("--time-scale", type=_time_scale,
                        help="device seconds per wall second, 0 or more; 0 stops the device clock (default: the "
                             "scenario's, or 1)")
    parser.add_argument("--rates", type=_rates, metavar="OP=RATE[/BURST],...",
                        help="request-rate quotas, requests per second per operation (* for every other one), "
                             "answered past the rate with 429 ThrottlingException: e.g. ListExecutions=20,*=50 "
                             "(default: the scenario's, or none)")
    parser.add_argument("--path-prefix", type=_path_prefix, default="",
                        help="also serve under this path, as behind a proxy (e.g. /sdm)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log each request on stderr: operation, method, path, status, latency")
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    return parser


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535 (0 = any free port), got {text!r}")
    return int(text)


def _time_scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number >= 0 (device seconds per wall second, e.g. 60; 0 stops "
                                         f"the device clock), got {text!r}")
    return value


def _scenario(path: str) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _rates(text: str) -> dict:
    try:
        return rates_to_dict(parse_rates_text(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _path_prefix(text: str) -> str:
    try:
        check_path_prefix(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _is_loopback(host: str) -> bool | None:
    """Whether every address `host` stands for is a loopback address; None if it stands for none."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    return all(ipaddress.ip_address(str(info[4][0]).partition("%")[0]).is_loopback for info in infos)


if __name__ == "__main__":
    sys.exit(main())
