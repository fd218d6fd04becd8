"""The emulator's HTTP surface under hostile input: garbage on the wire, random methods and paths, malformed JSON,
wrong types, bad encodings and huge bodies each get a clear 4xx, never a 500 nor a hang, and leave its state as it was.

Requests are sent raw (http.client, or a bare socket for bytes that are not HTTP at all); requests meant to reach
input parsing are SigV4-signed with botocore's own signer, and the tests check that the signature was accepted
(the answer is not one of the 403 authentication errors), so the fuzz really reaches the parser. The control plane
under /_snowdm/ is left out: it is unsigned by design (tests and rehearsals drive it).

Every socket has a timeout: a request the emulator never answers fails the test as a hang.
"""

from __future__ import annotations

import http.client
import json
import socket
from urllib.parse import quote, urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_snowdm.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY
from pulumi_snowdm.emulator.server import MAX_BODY_BYTES

# A limit that turns a hang into a failure; no test measures time.
HANG_SECONDS = 15
AUTH_ERRORS = ("MissingAuthenticationTokenException", "UnrecognizedClientException", "InvalidSignatureException")
OFFLINE_DEVICE = "smd-fuzz-b"
# Huge bodies cost megabytes each: a twentieth of the profile's cases (10 in CI, 150 in the larger run).
HUGE_CASES = max(6, settings.default.max_examples // 20)


@pytest.fixture(scope="module")
def emulator(shared_emulator):
    """The module's emulator with one task whose execution stays QUEUED (its device is offline), so state is fixed."""
    shared_emulator.model.set_device(OFFLINE_DEVICE, online=False)
    if not shared_emulator.model.tasks():
        answer = send(shared_emulator, *signed(shared_emulator, "POST", "/task", json.dumps(
            {"command": {"reboot": {}}, "targets": [OFFLINE_DEVICE], "clientToken": "fuzz-fixture"}).encode()))
        assert answer[0] == 200, answer
    return shared_emulator


def snapshot(emulator) -> tuple:
    return json.dumps(emulator.model.tasks(), sort_keys=True), tuple(emulator.model.device_ids())


def address(emulator) -> tuple[str, int]:
    parts = urlsplit(emulator.url)
    return parts.hostname, parts.port


def send(emulator, method: str, target: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection(*address(emulator), timeout=HANG_SECONDS)
    try:
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def signed(emulator, method: str, target: str, body: bytes, headers: dict | None = None) -> tuple:
    """(method, target, headers, body) signed as boto3 would sign it, for the emulator's default keys."""
    request = AWSRequest(method=method, url=f"{emulator.url}{target}", data=body,
                         headers={"Content-Type": "application/json", **(headers or {})})
    SigV4Auth(Credentials(DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY), "snow-device-management",
              "us-west-2").add_auth(request)
    prepared = request.prepare()
    parts = urlsplit(prepared.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return method, target, {**dict(prepared.headers), "Host": parts.netloc}, prepared.body or b""


def assert_clear_refusal(status: int, headers: dict, body: bytes, *, signed_request: bool) -> None:
    assert 400 <= status < 500, (status, body[:300])
    error = headers.get("x-amzn-errortype", "")
    assert error, headers  # botocore reads the error code from this header
    message = json.loads(body).get("message", "")
    assert message, body[:300]
    if signed_request:
        assert error not in AUTH_ERRORS, (error, message)  # the fuzz got past the signature check


# ---- bytes that are not HTTP at all --------------------------------------------------------------------------

@given(st.binary(min_size=1, max_size=2000).filter(lambda b: b.strip()))
def test_garbage_on_the_wire_gets_a_4xx_or_a_closed_connection(emulator, garbage):
    before = snapshot(emulator)
    with socket.create_connection(address(emulator), timeout=HANG_SECONDS) as connection:
        connection.sendall(garbage.replace(b"\n", b" ") + b"\r\n\r\n")
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    if answer:
        status_line = answer.split(b"\r\n", 1)[0].split()
        assert status_line[0].startswith(b"HTTP/1.") and 400 <= int(status_line[1]) < 500, answer[:200]
    assert snapshot(emulator) == before


# ---- random methods, paths and bodies, unsigned -------------------------------------------------------------

methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]) | \
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12)
paths = st.lists(st.text(max_size=30), min_size=1, max_size=6).map(
    lambda parts: "/" + "/".join(quote(part, safe="") for part in parts)).filter(
    lambda path: not path.startswith("/_snowdm"))


@given(methods, paths, st.binary(max_size=3000))
def test_random_unsigned_requests_get_a_clear_4xx(emulator, method, path, body):
    before = snapshot(emulator)
    status, headers, answer = send(emulator, method, path, {"Host": "snowdm", "Content-Length": str(len(body))},
                                   body)
    if method == "HEAD":
        assert 400 <= status < 500
    else:
        assert_clear_refusal(status, headers, answer, signed_request=False)
    assert snapshot(emulator) == before


# ---- signed requests with bodies that are wrong -------------------------------------------------------------

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
VALID_CREATE = {"command": {"reboot": {}}, "targets": [OFFLINE_DEVICE]}


@st.composite
def wrong_create_bodies(draw) -> bytes:
    """CreateTask bodies that must be refused: not JSON, badly encoded, or JSON with one member of a wrong kind."""
    kind = draw(st.sampled_from(["not-json", "bad-encoding", "wrong-member", "not-an-object"]))
    if kind == "not-json":
        return draw(st.binary(min_size=1, max_size=2000).filter(lambda b: not _is_json(b)))
    if kind == "bad-encoding":
        text = json.dumps({**VALID_CREATE, "description": draw(st.text(min_size=1, max_size=30))})
        return draw(st.sampled_from([text.encode("utf-16"), text.encode("utf-32"),
                                     text.encode() + b"\xff\xfe", b"\xc3\x28" + text.encode()]))
    if kind == "not-an-object":
        return json.dumps(draw(st.lists(json_like, max_size=3) | st.text() | st.integers())).encode()
    member = draw(st.sampled_from(["command", "targets", "description", "tags", "clientToken"]))
    wrong = {
        "command": json_like.filter(lambda v: not (isinstance(v, dict) and len(v) == 1 and
                                                   set(v) <= {"unlock", "reboot"} and v[next(iter(v))] == {})),
        "targets": json_like.filter(lambda v: not (isinstance(v, list) and 1 <= len(v) <= 10 and
                                                   all(isinstance(x, str) for x in v))),
        "description": json_like.filter(lambda v: not (isinstance(v, str) and 1 <= len(v) <= 128 and
                                                       all(c.isalnum() and c.isascii() or c in " _.,!#" for c in v))),
        "tags": json_like.filter(lambda v: not (isinstance(v, dict) and all(isinstance(x, str) for x in v.values()))),
        "clientToken": json_like.filter(lambda v: not (isinstance(v, str) and 1 <= len(v) <= 64 and
                                                       all("!" <= c <= "~" for c in v))),
    }[member]
    # JSON null means "not set" in rest-json, which is fine for the optional members.
    value = draw(wrong.filter(lambda v: v is not None or member in ("command", "targets")))
    return json.dumps({**VALID_CREATE, member: value}).encode()


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


@given(wrong_create_bodies())
def test_signed_create_task_with_a_wrong_body_gets_a_400_and_creates_nothing(emulator, body):
    before = snapshot(emulator)
    status, headers, answer = send(emulator, *signed(emulator, "POST", "/task", body))
    assert_clear_refusal(status, headers, answer, signed_request=True)
    assert status == 400, answer
    assert snapshot(emulator) == before


@given(st.sampled_from(["/task/{id}", "/task/{id}/execution/{id}", "/managed-device/{id}/describe",
                        "/task/{id}/cancel"]),
       st.text(min_size=65, max_size=200) | st.just(""), st.binary(max_size=200))
def test_signed_calls_with_bad_ids_get_a_4xx_and_change_nothing(emulator, route, bad_id, body):
    before = snapshot(emulator)
    target = route.replace("{id}", quote(bad_id, safe=""))
    status, headers, answer = send(emulator, *signed(emulator, "POST", target, body))
    assert_clear_refusal(status, headers, answer, signed_request=True)
    assert snapshot(emulator) == before


@given(st.dictionaries(st.sampled_from(["taskId", "state", "maxResults", "nextToken"]) | st.text(max_size=10),
                       st.text(max_size=80) | st.integers().map(str), max_size=4))
def test_signed_list_executions_with_any_query_never_fails_on_the_server(emulator, query):
    before = snapshot(emulator)
    target = "/executions?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query.items())
    status, headers, answer = send(emulator, *signed(emulator, "GET", target, b""))
    if status != 200:
        assert_clear_refusal(status, headers, answer, signed_request=True)
    assert snapshot(emulator) == before



# ---- signatures that are malformed or not ASCII ---------------------------------------------------------------

# Header values travel as latin-1: any byte but CR and LF can be in one.
header_text = st.text(st.characters(min_codepoint=0, max_codepoint=255, blacklist_characters="\r\n"), max_size=120)


@st.composite
def mangled_authorizations(draw, authorization: str) -> str:
    """A valid Authorization value with its signature, a slice, or everything replaced by arbitrary header text."""
    kind = draw(st.sampled_from(["signature", "slice", "whole"]))
    junk = draw(header_text)
    if kind == "signature":
        return authorization[:-64] + junk
    if kind == "whole":
        return junk
    start = draw(st.integers(0, len(authorization)))
    end = draw(st.integers(start, len(authorization)))
    return authorization[:start] + junk + authorization[end:]


@given(st.data())
def test_a_malformed_or_non_ascii_signature_gets_a_403_never_a_500(emulator, data):
    before = snapshot(emulator)
    method, target, headers, body = signed(emulator, "GET", "/tasks", b"")
    original = headers["Authorization"]
    headers["Authorization"] = mangled = data.draw(mangled_authorizations(original))
    status, answer_headers, answer = send(emulator, method, target, headers, body)
    if "".join(mangled.split()) == "".join(original.split()):
        assert status in (200, 403), answer[:300]  # only whitespace changed: the parser may skip it
    else:
        assert status == 403, (mangled, answer[:300])
        assert answer_headers["x-amzn-errortype"] in AUTH_ERRORS, answer_headers
        assert json.loads(answer)["message"]
    assert snapshot(emulator) == before


# ---- huge bodies -----------------------------------------------------------------------------------------------

@settings(max_examples=HUGE_CASES)
@given(st.integers(MAX_BODY_BYTES - 1000, 2 * MAX_BODY_BYTES), st.sampled_from([b" ", b"[", b"\xff", b"A"]))
def test_huge_signed_bodies_are_refused_with_a_4xx(emulator, size, filler):
    before = snapshot(emulator)
    body = filler * size
    status, headers, answer = send(emulator, *signed(emulator, "POST", "/task", body))
    assert_clear_refusal(status, headers, answer, signed_request=size <= MAX_BODY_BYTES)
    assert status == (413 if size > MAX_BODY_BYTES else 400), answer[:300]
    assert snapshot(emulator) == before


@settings(max_examples=max(3, HUGE_CASES // 2))
@given(st.integers(MAX_BODY_BYTES + 1, 3 * MAX_BODY_BYTES))
def test_huge_chunked_bodies_are_refused_with_a_413(emulator, size):
    before = snapshot(emulator)
    chunk = b"x" * 65536
    connection = http.client.HTTPConnection(*address(emulator), timeout=HANG_SECONDS)
    try:
        connection.request("POST", "/task", body=iter([chunk] * (size // len(chunk) + 1)),
                           headers={"Transfer-Encoding": "chunked", "Host": "snowdm"}, encode_chunked=True)
        response = connection.getresponse()
        assert response.status == 413, response.read()[:300]
    except (BrokenPipeError, ConnectionResetError):
        pass  # the emulator answered 413 and closed while the client was still sending: also a refusal
    finally:
        connection.close()
    assert snapshot(emulator) == before
