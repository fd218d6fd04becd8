"""`snowdm-emulator`: run the emulator in the foreground until Ctrl-C or SIGTERM.

The first line on stdout is exactly `snowdm-emulator listening on http://HOST:PORT` (flushed), so scripts can read
the URL; `--port 0` picks a free port.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from pulumi_snowdm.emulator.app import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator
from pulumi_snowdm.emulator.scenario import ScenarioError

DEFAULT_PORT = 4599


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="snowdm-emulator",
        description="A local AWS Snow Device Management endpoint for boto3, the AWS CLI and pulumi-snowdm.",
        epilog=f"Sign requests with access key {DEFAULT_ACCESS_KEY_ID} and secret {DEFAULT_SECRET_ACCESS_KEY} "
        "(any region) unless the scenario sets credentials. Control plane: /_snowdm/ (see the package docs).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 = any free)")
    parser.add_argument("--scenario", help="scenario file (.json or .toml); default: four demo devices")
    parser.add_argument("--time-scale", type=float, help="device seconds per wall second (default: scenario's, or 1)")
    parser.add_argument("--path-prefix", default="", help="also serve under this path, as behind a proxy (e.g. /sdm)")
    args = parser.parse_args(argv)
    try:
        emulator = Emulator(scenario=args.scenario, host=args.host, port=args.port, time_scale=args.time_scale,
                            path_prefix=args.path_prefix)
        emulator.start()
    except ScenarioError as error:
        print(f"snowdm-emulator: {error}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"snowdm-emulator: cannot serve on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    print(f"snowdm-emulator listening on {emulator.url}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
