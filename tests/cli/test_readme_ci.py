"""README's "Gate a CI step without Pulumi": the GitHub Actions step's script runs as written (in bash, with its env
and a run id for `${{ github.run_id }}`), starting `snowdm-emulator` and gating on `snowdm run`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from snowdm_command import SNOWDM

pytestmark = pytest.mark.cli

README = Path(__file__).resolve().parents[2] / "README.md"


def github_step() -> tuple[dict[str, str], str]:
    """(env, script) of the README's GitHub Actions step."""
    section = README.read_text().split("## Gate a CI step without Pulumi", 1)[1]
    step = re.search(r"```yaml\n(- name: .*?)```", section, re.S).group(1)
    env = dict(re.findall(r"^    (AWS_\w+): (\S+)$", step, re.M))
    script = "\n".join(line[4:] for line in step.split("  run: |\n", 1)[1].splitlines())
    return env, script


def test_the_github_actions_step_of_the_readme_runs(tmp_path):
    env, script = github_step()
    assert set(env) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}
    bin_dir = str(Path(SNOWDM).parent)
    out, err = tmp_path / "step.out", tmp_path / "step.err"
    with out.open("w") as stdout_file, err.open("w") as stderr_file:
        # Files, not pipes: the step's background emulator keeps its copy of them open after bash ends.
        process = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", script.replace("${{ github.run_id }}", "4242")], cwd=tmp_path,
            env={"PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true",
                 "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
                 **env},
            stdout=stdout_file, stderr=stderr_file, start_new_session=True)
        try:
            process.wait(timeout=60)
        finally:
            os.killpg(process.pid, signal.SIGTERM)  # the step's background emulator, as the runner would at job end
    stdout, stderr = out.read_text(), err.read_text()

    assert process.returncode == 0, stderr
    assert "snowdm run 4242: passed: 2/2 SUCCEEDED" in stdout
    cases = ElementTree.parse(tmp_path / "snowdm.xml").getroot().iter("testcase")
    assert sorted(case.get("name") for case in cases) == ["smd-demo-0000", "smd-demo-0001"]
