"""The `snowdm` command imports neither pulumi nor gRPC (checked with `python -X importtime`): it starts fast on a CI
runner, and works where only boto3 and rich are wanted."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.cli

# Every module of the command, the live view's rich modules included (they load only on a terminal).
MODULES = ("pulumi_snowdm.cli.app", "pulumi_snowdm.cli.progress", "rich.progress", "rich.live")


def test_the_command_imports_neither_pulumi_nor_grpc():
    code = "; ".join(f"import {module}" for module in MODULES)
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                          check=True)

    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "pulumi_snowdm.cli.app" in imported
    assert not {module for module in imported if re.match(r"(pulumi|grpc)(\.|$)", module)}
