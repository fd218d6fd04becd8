"""README's CLI section, `snowdm --help` and the code say the same about exit codes, durations and the region's
fallbacks: the help is built from the code's tables, and README is compared with them here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pulumi_snowdm.cli.durations import EXAMPLES, GRAMMAR, parse_duration
from pulumi_snowdm.cli.exits import MEANINGS, ExitCode
from pulumi_snowdm.cli.inputs import client_settings
from pulumi_snowdm.cli.parser import REGION_FALLBACK, build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
CLI_SECTION = README[README.index("## Gate a CI step without Pulumi"):README.index("## Development")]


def _plain(text: str) -> str:
    """Text as read: no Markdown code marks, one space between words."""
    return " ".join(text.replace("`", "").split())


def _help(*subcommand: str) -> str:
    parser = build_parser()
    if subcommand:
        parser = parser._subparsers._group_actions[0].choices[subcommand[0]]  # type: ignore[union-attr]
    return _plain(parser.format_help())


def test_readme_lists_the_exit_codes_the_code_has_with_the_same_meanings():
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", CLI_SECTION, flags=re.MULTILINE)

    assert {int(code): _plain(meaning) for code, meaning in rows} == {
        int(code): _plain(meaning) for code, meaning in MEANINGS.items()}
    assert set(MEANINGS) == set(ExitCode)


@pytest.mark.parametrize("subcommand", [(), ("wait",), ("run",), ("status",)])
def test_help_lists_every_exit_code_with_its_meaning(subcommand):
    shown = _help(*subcommand)

    for code, meaning in MEANINGS.items():
        assert f"{int(code)} {_plain(meaning)}" in shown


def test_readme_and_help_state_the_one_duration_grammar_the_code_reads():
    assert f"Durations: {GRAMMAR}, {EXAMPLES}" in _plain(CLI_SECTION)
    assert f"durations: {GRAMMAR}, {EXAMPLES}" in _help("wait")
    for example in re.findall(r"\d[\w.]*", EXAMPLES):
        assert parse_duration(example) is not None, example
    refused = re.search(r"anything else \(([^)]*)\) is refused", _plain(CLI_SECTION))
    assert refused, "README names examples of durations it refuses"
    for example in refused.group(1).split(", "):
        assert parse_duration(example) is None, example


def test_readme_help_and_code_agree_that_aws_region_wins_over_aws_default_region():
    assert f"--region (else {REGION_FALLBACK})" in _plain(CLI_SECTION)
    assert f"(default: {REGION_FALLBACK})" in _help("run")
    assert REGION_FALLBACK.index("AWS_REGION") < REGION_FALLBACK.index("AWS_DEFAULT_REGION")

    args = build_parser().parse_args(["status", "--task-id", "st-1"])
    both = {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2"}
    assert client_settings(args, both, "rerun").region == "eu-west-1"  # else botocore reads AWS_DEFAULT_REGION itself
