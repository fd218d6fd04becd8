"""`--junit FILE`: JUnit XML with one test case per device, so CI systems show per-device results.

A failing device is a <failure> carrying its diagnosis; a device still running when the gate passed (a threshold met
early) is <skipped>; one still running at the deadline or at an interrupt is an <error>.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from pulumi_snowdm.cli.results import DeviceResult, Result


def write_junit(result: Result, path: str) -> None:
    """Write `result` as a JUnit XML file at `path`."""
    suites = ElementTree.Element("testsuites", name="snowdm")
    suite = ElementTree.SubElement(suites, "testsuite", name=f"snowdm {result.command}",
                                   tests=str(len(result.devices)))
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    for device in result.devices:
        kind = _case(suite, device, result.verdict)
        if kind:
            counts[kind] += 1
    suite.attrib.update({key: str(value) for key, value in counts.items()})
    properties = ElementTree.SubElement(suite, "properties")
    for name, value in (("verdict", result.verdict), ("message", result.message),
                        ("taskIds", ",".join(result.task_ids))):
        ElementTree.SubElement(properties, "property", name=name, value=value)
    ElementTree.indent(suites)
    ElementTree.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def _case(suite: ElementTree.Element, device: DeviceResult, verdict: str) -> str | None:
    case = ElementTree.SubElement(suite, "testcase", classname=device.task_id or "no-task", name=device.device_id)
    ElementTree.SubElement(case, "system-out").text = (
        f"execution {device.execution_id or '-'}: {device.state}, started {device.started_at or '-'}, "
        f"last updated {device.last_updated_at or '-'}")
    if device.failed:
        failure = ElementTree.SubElement(case, "failure", type=device.state,
                                         message=f"{device.device_id}: {device.state}")
        failure.text = device.diagnosis or ""
        return "failures"
    if device.outcome == "pending":
        if verdict == "passed":
            ElementTree.SubElement(case, "skipped", message=f"still {device.state} when the gate passed")
            return "skipped"
        ElementTree.SubElement(case, "error", type=verdict, message=f"still {device.state} when the wait ended "
                                                                     f"({verdict})")
        return "errors"
    return None
