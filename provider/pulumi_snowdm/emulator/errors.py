"""The errors the emulated service answers: one class per AWS error code, each with its HTTP status.

The model raises these; the protocol layer turns any of them into the service's wire format (`x-amzn-ErrorType`
header, `{"message": ...}` body). The codes and statuses are the ones the service model declares, plus the
authentication errors every AWS endpoint answers before an operation runs.
"""

from __future__ import annotations


class ServiceError(Exception):
    """An error answered to the client: `code` goes to x-amzn-ErrorType, `message` to the body."""

    code = "InternalServerException"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationException(ServiceError):
    """400: the request breaks an input constraint or makes no sense (the message names the field)."""

    code = "ValidationException"
    status = 400


class ServiceQuotaExceededException(ServiceError):
    """402: creating the task would exceed a quota."""

    code = "ServiceQuotaExceededException"
    status = 402


class AccessDeniedException(ServiceError):
    """403: the caller may not perform this operation."""

    code = "AccessDeniedException"
    status = 403


class UnrecognizedClientException(ServiceError):
    """403: the access key id is not known to the service."""

    code = "UnrecognizedClientException"
    status = 403


class InvalidSignatureException(ServiceError):
    """403: the SigV4 signature does not match the request, or it has expired."""

    code = "InvalidSignatureException"
    status = 403


class MissingAuthenticationTokenException(ServiceError):
    """403: the request carries no SigV4 Authorization header."""

    code = "MissingAuthenticationTokenException"
    status = 403


class ResourceNotFoundException(ServiceError):
    """404: the task, execution, device or ARN does not exist."""

    code = "ResourceNotFoundException"
    status = 404


class UnknownOperationException(ServiceError):
    """404: no operation of the service answers this method and path."""

    code = "UnknownOperationException"
    status = 404


class ThrottlingException(ServiceError):
    """429: too many requests; botocore's standard retry mode retries it."""

    code = "ThrottlingException"
    status = 429


class InternalServerException(ServiceError):
    """500: the service failed; botocore's standard retry mode retries it."""

    code = "InternalServerException"
    status = 500
