"""The plugin's command line: what the engine passes (its address, logging and tracing flags), `--help` and
`--version` for a person, and a refusal of anything else that says the engine is what starts this program."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from pulumi_snowdm._core.schema import VERSION

PROG = "pulumi-resource-snowdm"
DESCRIPTION = (
    "The snowdm provider plugin for Pulumi: serves snowdm:index:Task, TaskExecution and FleetGate (AWS Snow Device "
    "Management task executions as deployment gates) to Pulumi programs in any language. The Pulumi engine starts "
    "it, passing its own address; the plugin prints its gRPC port and serves until the engine ends it (or is gone)."
)
HINT = ("the Pulumi engine starts this program (it passes ENGINE_ADDRESS, and --logtostderr, -v and --tracing); "
        "use it through `pulumi up` with snowdm resources in the program, or see --help")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n{self.prog}: {HINT}\n")


def parser() -> argparse.ArgumentParser:
    found = _Parser(prog=PROG, description=DESCRIPTION)
    found.add_argument("engine", nargs="?", metavar="ENGINE_ADDRESS",
                       help="the engine's gRPC address (host:port): resources' progress goes to their rows there")
    found.add_argument("--version", action="version", version=f"{PROG} {VERSION}")
    found.add_argument("--logtostderr", action="store_true", help="passed by the engine; accepted, not used")
    found.add_argument("-v", type=int, default=0, metavar="LEVEL", help="passed by the engine; accepted, not used")
    found.add_argument("--tracing", metavar="ENDPOINT", help="passed by the engine; accepted, not used")
    return found


def engine_address(args: list[str]) -> str | None:
    """The engine's address from the plugin's arguments; `--help`, `--version` and a bad flag exit here."""
    address: str | None = parser().parse_args(args).engine
    return address
