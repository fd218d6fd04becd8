"""Fixtures for the emulator conformance suite: raw HTTP (signed by botocore's signer) for what boto3 cannot send."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator


class RawResponse:
    """Status, lower-cased headers and body of one raw HTTP exchange."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


def send_raw(
    emulator: Emulator,
    method: str,
    target: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    sign: bool = True,
    secret: str = DEFAULT_SECRET_ACCESS_KEY,
) -> RawResponse:
    """Send one request as given (path not re-encoded), SigV4-signed for us-west-2 unless sign=False."""
    url = urlsplit(emulator.url)
    all_headers = {"Host": url.netloc, **(headers or {})}
    if sign:
        request = AWSRequest(method=method, url=f"{emulator.url}{target}", data=body, headers=dict(all_headers))
        SigV4Auth(Credentials(DEFAULT_ACCESS_KEY_ID, secret), "snow-device-management", "us-west-2").add_auth(request)
        all_headers = dict(request.headers.items())
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in all_headers.items():
            connection.putheader(name, value)
        if body or method in ("POST", "PUT"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return RawResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


@pytest.fixture
def raw(emulator: Emulator) -> Callable[..., RawResponse]:
    """raw(method, target, body=b"", headers=None, sign=True) against this test's emulator."""
    return lambda *args, **kwargs: send_raw(emulator, *args, **kwargs)


def wait_for(check: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` wall seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last: {result!r})")
        time.sleep(interval)


@pytest.fixture(name="wait_for")
def wait_for_fixture() -> Callable[..., Any]:
    """wait_for(check, timeout=5.0): poll until check() is truthy."""
    return wait_for
