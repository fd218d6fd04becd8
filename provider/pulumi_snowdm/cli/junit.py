"""`--junit FILE`: JUnit XML with one test case per device, so CI systems show per-device results.

The layout follows the common JUnit schema (tests/junit.xsd): the suite's <properties> first, then a <testcase> per
device whose <failure>, <error> or <skipped> comes before its <system-out>. A failing device is a <failure> carrying
its diagnosis; a device still running when the gate passed (a threshold met early) is <skipped>; one still running
at the deadline or at an interrupt is an <error>. `time` is the execution's seconds from startedAt to lastUpdatedAt
(0 when DescribeExecution gave no times); the suite's is the span from the first start to the last update.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ElementTree

from pulumi_snowdm.cli.results import DeviceResult, Result


def write_junit(result: Result, path: str) -> None:
    """Write `result` as a JUnit XML file at `path`."""
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    cases = []
    for device in result.devices:
        case, kind = _case(device, result.verdict)
        cases.append(case)
        if kind:
            counts[kind] += 1
    time = _seconds(_span(result.devices))
    suites = ElementTree.Element("testsuites", name="snowdm", tests=str(len(cases)), failures=str(counts["failures"]),
                                 errors=str(counts["errors"]), time=time)
    suite = ElementTree.SubElement(suites, "testsuite", {
        "name": f"snowdm {result.command}", "tests": str(len(cases)),
        **{key: str(value) for key, value in counts.items()}, "time": time})
    properties = ElementTree.SubElement(suite, "properties")
    for name, value in (("verdict", result.verdict), ("message", result.message),
                        ("taskIds", ",".join(result.task_ids)),
                        *((line.split(":", 1)[0], line.split(": ", 1)[1]) for line in result.wave_lines())):
        ElementTree.SubElement(properties, "property", name=name, value=value)
    suite.extend(cases)
    ElementTree.indent(suites)
    ElementTree.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def _case(device: DeviceResult, verdict: str) -> tuple[ElementTree.Element, str | None]:
    case = ElementTree.Element("testcase", classname=device.task_id or "no-task", name=device.device_id,
                               time=_seconds(_span([device])))
    kind = None
    if device.failed:
        failure = ElementTree.SubElement(case, "failure", type=device.state,
                                         message=f"{device.device_id}: {device.state}")
        failure.text = device.diagnosis or ""
        kind = "failures"
    elif device.verdict == "pending" and verdict == "passed":
        ElementTree.SubElement(case, "skipped", message=f"still {device.state} when the gate passed")
        kind = "skipped"
    elif device.verdict == "pending":
        ElementTree.SubElement(case, "error", type=verdict,
                               message=f"still {device.state} when the wait ended ({verdict})")
        kind = "errors"
    ElementTree.SubElement(case, "system-out").text = (
        f"execution {device.execution_id or '-'}: {device.state}, started {device.started_at or '-'}, "
        f"last updated {device.last_updated_at or '-'}")
    return case, kind


def _span(devices) -> float:
    """Seconds from the earliest startedAt to the latest lastUpdatedAt of `devices` (0 without times)."""
    starts = [_instant(device.started_at) for device in devices if device.started_at]
    ends = [_instant(device.last_updated_at) for device in devices if device.last_updated_at]
    if not starts or not ends:
        return 0.0
    return max(0.0, (max(ends) - min(starts)).total_seconds())


def _instant(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _seconds(value: float) -> str:
    return f"{value:.3f}"
