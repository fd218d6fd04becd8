"""Reading a provider's check() the way a user reads `pulumi preview`: each failure is one message that names the
input as the Python program wrote it (`'managed_device_id' must be ...`)."""

from pulumi_snowdm._core.name_case import camel


def by_input(result) -> dict[str, list[str]]:
    """check() failures keyed by the camelCase name of the input each message names first."""
    found: dict[str, list[str]] = {}
    for failure in result.failures:
        assert failure.property == "", failure  # the message itself names the input; see resources/declared.py
        assert failure.reason.startswith("'"), failure.reason
        found.setdefault(camel(failure.reason.split("'")[1]), []).append(failure.reason)
    return found
