"""An endpoint that stops answering while `snowdm` waits: an outage to outlast until --timeout, told as such.

Before the wait, the command has read its tasks from the endpoint, so the endpoint is right: a connection refused
or timed out during the wait is the service out of reach for a while, not a wrong `--endpoint-url`. The wait's
lister turns it into ServiceUnavailable, which the wait engine outlasts until the deadline as it does a busy service
(a wrong endpoint still fails at once, with exit 4, on the first calls). Progress names the difference: a service
that cannot be reached is not a busy one, and executions last seen IN_PROGRESS are not known to be so now.
"""

from __future__ import annotations

import botocore.exceptions

from pulumi_snowdm._core.errors import ConfigurationError, ServiceUnavailable
from pulumi_snowdm._core.settings import ClientSettings
from pulumi_snowdm._core.wait.listing import Lister, settings_lister

# botocore's errors for a connection that could not be made, or that ended without an answer.
CONNECTION_ERRORS = (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)


def unreachable(error: BaseException) -> bool:
    """Whether `error` comes from a connection to the service that failed (not from an answer of the service)."""
    return _connection_error(error) is not None


def _connection_error(error: BaseException) -> BaseException | None:
    link: BaseException | None = error
    seen = set()
    while link is not None and id(link) not in seen:
        if isinstance(link, CONNECTION_ERRORS):
            return link
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return None


def wait_lister(settings: ClientSettings) -> Lister:
    """ListExecutions for a wait on tasks already read from this endpoint: a failed connection is an outage."""
    list_executions = settings_lister(settings)

    def lister(task_id: str) -> list[dict]:
        try:
            return list_executions(task_id)
        except ConfigurationError as error:
            cause = _connection_error(error)
            if cause is None:
                raise
            raise ServiceUnavailable(f"ListExecutions (task {task_id}): {cause}") from error
    return lister
