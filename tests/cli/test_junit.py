"""`--junit FILE` validates against the common JUnit schema (tests/cli/junit.xsd): properties before the test cases,
a case's outcome before its output, and `time` from the executions' own timestamps."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from lxml import etree
from snowdm_command import parse_json

pytestmark = pytest.mark.cli

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("junit.xsd"))))
MIXED = {"default": {"run_seconds": 2},
         "devices": {"smd-ok": {}, "smd-bad": {"outcome": "FAILED", "run_seconds": 4},
                     "smd-slow": {"run_seconds": 100000}},
         "time_scale": 20}


def _seconds(record: dict) -> float:
    start, end = (datetime.datetime.fromisoformat(record[key].replace("Z", "+00:00"))
                  for key in ("startedAt", "lastUpdatedAt"))
    return (end - start).total_seconds()


@pytest.mark.parametrize("emulator", [{"scenario": MIXED}], indirect=True)
def test_the_junit_file_validates_against_the_junit_schema_with_times(snowdm, tmp_path):
    junit = tmp_path / "snowdm.xml"
    done = snowdm("run", "--command", "reboot", "--device", "smd-ok", "--device", "smd-bad", "--device", "smd-slow",
                  "--run-id", "r1", "--min-succeeded", "1", "--poll-interval", "0.2s", "--output", "json",
                  "--junit", str(junit))

    assert done.returncode == 0, done.stderr
    document = etree.parse(str(junit))
    assert SCHEMA.validate(document), SCHEMA.error_log
    [suite] = document.getroot()
    assert suite[0].tag == "properties"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert [child.tag for child in cases["smd-bad"]] == ["failure", "system-out"]
    assert [child.tag for child in cases["smd-ok"]] == ["system-out"]
    records = {record["deviceId"]: record for record in parse_json(done.stdout)["executions"]}
    assert [child.tag for child in cases[next(d for d, r in records.items() if r["outcome"] == "pending")]] == [
        "skipped", "system-out"]
    for device in ("smd-ok", "smd-bad"):
        assert float(cases[device].get("time")) == pytest.approx(_seconds(records[device]), abs=0.001)
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    assert float(suite.get("time")) >= max(float(case.get("time")) for case in cases.values())


def test_the_schema_refuses_properties_after_the_test_cases():
    late = etree.fromstring(b'<testsuites><testsuite name="s" tests="1"><testcase name="d"/><properties/>'
                            b'</testsuite></testsuites>')
    assert not SCHEMA.validate(late)
