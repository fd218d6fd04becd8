"""SigV4 checks with botocore's own signer: recompute the signature of the request as received and compare.

The canonical request is rebuilt from the raw request target (still percent-encoded, exactly as the client signed
it), the headers the client listed in SignedHeaders, and the body; botocore's SigV4Auth does the rest with the
region and service of the credential scope and the secret configured for the access key.

Answers, as AWS endpoints give them (all 403, so boto3 raises ClientError with status 403):
MissingAuthenticationTokenException (no Authorization header), UnrecognizedClientException (unknown access key),
InvalidSignatureException (malformed header, wrong service, expired date, or signature mismatch). Header values
arrive as latin-1 text, so any byte can be in them: a signature that is not 64 hex digits is malformed, never a 500.
"""

from __future__ import annotations

import calendar
import hmac
import re
import time
from collections.abc import Mapping
from typing import cast

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from pulumi_snowdm._core.service_model import SERVICE_NAME
from pulumi_snowdm.emulator.errors import (
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

_ALGORITHM = "AWS4-HMAC-SHA256"
_HEX_SIGNATURE = re.compile(r"[0-9a-f]{64}")
MAX_CLOCK_SKEW_SECONDS = 15 * 60


class SignatureVerifier:
    """Checks SigV4 Authorization headers against a table of access key id -> secret access key."""

    def __init__(self, credentials: Mapping[str, str], service: str = SERVICE_NAME) -> None:
        self.credentials = dict(credentials)
        self.service = service

    def verify(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> tuple[str, str]:
        """Return (access key id, region) of a correctly signed request; raise a 403 service error otherwise."""
        authorization = headers.get("authorization")
        if not authorization:
            raise MissingAuthenticationTokenException(
                "Missing Authentication Token: sign requests with SigV4 (boto3 does this when it has credentials)"
            )
        access_key, date, region, service, signed_headers, signature = _parse(authorization)
        if service != self.service:
            raise InvalidSignatureException(f"Credential should be scoped to correct service: '{self.service}'.")
        secret = self.credentials.get(access_key)
        if secret is None:
            raise UnrecognizedClientException(
                "The security token included in the request is invalid: the access key id is not one this "
                "emulator accepts (by default snowdm-emulator with secret snowdm-emulator-secret)"
            )
        amz_date = headers.get("x-amz-date", "")
        _check_date(amz_date, date)
        request = _ReceivedRequest(method, f"http://snowdm-emulator{target}", body, amz_date)
        for name in signed_headers:
            if name not in headers:
                raise InvalidSignatureException(f"signed header {name!r} is missing from the request")
            request.headers[name] = headers[name]
        signer = SigV4Auth(Credentials(access_key, secret), service, region)
        # The stubs ask for an AWSRequest; _ReceivedRequest has every field of one that SigV4Auth reads.
        as_signed = cast(AWSRequest, request)
        canonical_request = signer.canonical_request(as_signed)
        expected = signer.signature(signer.string_to_sign(as_signed, canonical_request), as_signed)
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise InvalidSignatureException(
                "The request signature we calculated does not match the signature you provided. Check your AWS "
                "Secret Access Key and signing method."
            )
        return access_key, region


class _ReceivedRequest:
    """The request as SigV4Auth reads it (method, url, headers, params, body, context), built as received.

    botocore's AWSRequest would re-prepare the request on every `body` access; the signer needs only these fields.
    """

    __slots__ = ("method", "url", "headers", "params", "body", "context")

    def __init__(self, method: str, url: str, body: bytes, amz_date: str) -> None:
        self.method = method
        self.url = url
        self.headers = HTTPHeaders()
        self.params: dict[str, str] = {}
        self.body = body
        self.context = {"timestamp": amz_date}


def _parse(authorization: str) -> tuple[str, str, str, str, list[str], str]:
    algorithm, _, rest = authorization.partition(" ")
    if algorithm != _ALGORITHM:
        raise InvalidSignatureException(f"only {_ALGORITHM} (SigV4) signatures are accepted, got {algorithm!r}")
    parts = [part.strip().partition("=") for part in rest.split(",")]
    fields = {key: value for key, _, value in parts}
    try:
        if len(parts) != len(fields) or set(fields) != {"Credential", "SignedHeaders", "Signature"}:
            raise ValueError(authorization)
        access_key, date, region, service, terminator = fields["Credential"].split("/")
        signed_headers = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
    except ValueError:
        raise InvalidSignatureException(
            "Authorization header is malformed: expected Credential=KEY/DATE/REGION/SERVICE/aws4_request, "
            "SignedHeaders=... and Signature=..., each once"
        ) from None
    if terminator != "aws4_request":
        raise InvalidSignatureException("Authorization header is malformed: the credential scope must end aws4_request")
    if not _HEX_SIGNATURE.fullmatch(signature):
        raise InvalidSignatureException("Authorization header is malformed: Signature must be 64 lowercase hex digits")
    return access_key, date, region, service, signed_headers, signature


def _check_date(amz_date: str, scope_date: str) -> None:
    try:
        if len(amz_date) != 16 or amz_date[8] != "T" or amz_date[15] != "Z":
            raise ValueError(amz_date)
        fields = (amz_date[0:4], amz_date[4:6], amz_date[6:8], amz_date[9:11], amz_date[11:13], amz_date[13:15])
        signed_at = calendar.timegm(tuple(int(field) for field in fields))
    except ValueError:
        raise InvalidSignatureException("X-Amz-Date header is missing or not in the form YYYYMMDDTHHMMSSZ") from None
    if amz_date[:8] != scope_date:
        raise InvalidSignatureException("the credential scope date does not match X-Amz-Date")
    if abs(time.time() - signed_at) > MAX_CLOCK_SKEW_SECONDS:
        raise InvalidSignatureException(
            f"Signature expired: {amz_date} is more than 15 minutes away from the emulator's clock; "
            "check this machine's time"
        )
