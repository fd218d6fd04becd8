"""`snowdm`: read the options, run the command, write its outputs, and exit with a stable code (see exits.py)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping

from pulumi_snowdm._core.client import sdm_client
from pulumi_snowdm._core.errors import SnowdmError
from pulumi_snowdm.cli.annotations import github_actions, write_annotations
from pulumi_snowdm.cli.exits import ExitCode, exit_code
from pulumi_snowdm.cli.gate import label_of, look, rerun_of, run_gate
from pulumi_snowdm.cli.inputs import Request, client_settings, read_request
from pulumi_snowdm.cli.interrupts import stop_on_termination
from pulumi_snowdm.cli.junit import write_junit
from pulumi_snowdm.cli.parser import build_parser
from pulumi_snowdm.cli.progress import progress_view
from pulumi_snowdm.cli.results import Result, result_of
from pulumi_snowdm.cli.verdict_table import print_verdict


def main(argv: list[str] | None = None) -> int:
    """Run `snowdm` with `argv` (default: the process's arguments); return the exit code."""
    args = build_parser().parse_args(argv)
    stop_on_termination()
    try:
        return int(_run(args, os.environ))
    except KeyboardInterrupt:
        _error("interrupted")
        return int(ExitCode.INTERRUPTED)
    except SnowdmError as error:
        code = exit_code(error)
        _error(str(error))
        if code is ExitCode.USAGE and args.subcommand:
            _error(f"see `snowdm {args.subcommand} --help`")
        _write_files(_error_result(args, code, str(error)), args.output == "json", args.junit)
        return int(code)


def _run(args, environ: Mapping[str, str]) -> ExitCode:
    request = read_request(args)
    settings = client_settings(args, environ, rerun_of(request))
    label = label_of(request)
    with progress_view(sys.stderr, label) as progress:
        if request.subcommand == "status":
            gate_result = look(request, settings, progress.say)
        else:
            gate_result = run_gate(request, settings, progress.say, progress)
    result = result_of(gate_result, sdm_client(settings), progress.say)
    _write(result, request, environ)
    return result.exit_code


def _write(result: Result, request: Request, environ: Mapping[str, str]) -> None:
    """The verdict table (stdout, or stderr under --output json), JSON, JUnit and GitHub annotations."""
    machine = request.output == "json"
    print_verdict(result, sys.stderr if machine else sys.stdout)
    if github_actions(environ):
        # stdout is the JSON document under --output json; the runner reads workflow commands on stderr too.
        write_annotations(result, sys.stderr if machine else sys.stdout)
    _write_files(result, machine, request.junit)


def _write_files(result: Result, machine: bool, junit: str | None) -> None:
    """What a CI job reads, whatever the exit code: the JSON document (--output json) and the JUnit file."""
    if junit:
        write_junit(result, junit)
    if machine:
        json.dump(result.as_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    sys.stdout.flush()


def _error_result(args, code: ExitCode, message: str) -> Result:
    """The result of a command that ended on an error before judging any execution."""
    return Result(command=args.subcommand, verdict="error", exit_code=code, message=message, task_ids=(),
                  counts={}, succeeded=0, total=0, required=None, devices=())


def _error(message: str) -> None:
    sys.stderr.write("".join(f"snowdm: error: {line}\n" for line in message.splitlines()))
    sys.stderr.flush()
