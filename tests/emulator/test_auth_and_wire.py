"""SigV4 checks, the deny list, and what raw HTTP gets: error wire format, bad bodies, unknown routes."""

from __future__ import annotations

import datetime
import json
import socket
from urllib.parse import urlsplit

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from botocore.exceptions import ClientError

ARN = "arn:aws:snow-device-management:us-west-2:123456789012:managed-device/smd-demo-0000"


def error_of(call) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def test_wrong_secret_is_403(make_sdm_client, emulator):
    client = make_sdm_client(emulator, secret_key="not-the-secret", retries={"total_max_attempts": 1})
    code, status, message = error_of(client.list_tasks)
    assert (code, status) == ("InvalidSignatureException", 403)
    assert "signature" in message


def test_unknown_access_key_is_403(make_sdm_client, emulator):
    client = make_sdm_client(emulator, access_key="AKIDUNKNOWN", retries={"total_max_attempts": 1})
    code, status, message = error_of(client.list_devices)
    assert (code, status) == ("UnrecognizedClientException", 403)
    assert "snowdm-emulator" in message
    assert emulator.calls["ListDevices"] == 1


def test_missing_authorization_is_403(raw):
    response = raw("GET", "/tasks", sign=False)
    assert response.status == 403
    assert response.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert "message" in response.json()


def test_a_tampered_body_fails_the_signature(raw, emulator):
    url = urlsplit(emulator.url)
    request = botocore.awsrequest.AWSRequest(method="POST", url=f"{emulator.url}/task", data=b'{"a": 1}',
                                             headers={"Host": url.netloc})
    botocore.auth.SigV4Auth(
        botocore.credentials.Credentials("snowdm-emulator", "snowdm-emulator-secret"),
        "snow-device-management", "us-west-2",
    ).add_auth(request)
    headers = dict(request.headers.items())
    response = raw("POST", "/task", b'{"a": 2}', headers=headers, sign=False)
    assert response.status == 403
    assert response.headers["x-amzn-errortype"] == "InvalidSignatureException"



def signed_headers(emulator, method: str, target: str, body: bytes = b"") -> dict:
    request = botocore.awsrequest.AWSRequest(method=method, url=f"{emulator.url}{target}", data=body,
                                             headers={"Host": urlsplit(emulator.url).netloc})
    botocore.auth.SigV4Auth(
        botocore.credentials.Credentials("snowdm-emulator", "snowdm-emulator-secret"),
        "snow-device-management", "us-west-2",
    ).add_auth(request)
    return dict(request.headers.items())


@pytest.mark.parametrize(
    "mangle",
    [
        lambda auth: auth[:-1] + "\u00e9",  # a non-ASCII character in the signature (sent as latin-1)
        lambda auth: (auth[:-2] + "\u00e9").encode(),  # ... and as the UTF-8 bytes a client might send
        lambda auth: auth[:-64] + auth[-64:].upper(),
        lambda auth: auth[:-64],  # Signature= and nothing after it
        lambda auth: auth.replace("/us-west-2/", "/us-west-\u00fc/"),
        lambda auth: auth.replace("/aws4_request", "/aws4_request/extra"),
        lambda auth: "AWS4-HMAC-SHA256 " + "=,=,=" * 10,
        lambda auth: "AWS4-HMAC-SHA256",
        lambda auth: "Bearer token",
    ],
    ids=["non-ascii", "utf8-bytes", "upper-hex", "empty", "non-ascii-region", "long-scope", "commas", "bare", "bearer"],
)
def test_a_malformed_or_non_ascii_authorization_is_403_invalid_signature(raw, emulator, mangle):
    headers = signed_headers(emulator, "GET", "/tasks")
    headers["Authorization"] = mangle(headers["Authorization"])
    response = raw("GET", "/tasks", headers=headers, sign=False)
    assert (response.status, response.headers["x-amzn-errortype"]) == (403, "InvalidSignatureException")
    assert response.json()["message"]


def test_an_old_signature_is_expired(make_sdm_client, emulator, monkeypatch):
    client = make_sdm_client(emulator, retries={"total_max_attempts": 1})
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC).replace(tzinfo=None)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: long_ago)
    code, status, message = error_of(client.list_tasks)
    assert (code, status) == ("InvalidSignatureException", 403)
    assert "expired" in message


def test_configured_credentials_replace_the_default(make_emulator, make_sdm_client):
    emulator = make_emulator(credentials={"AKIDTEAM": "team-secret"})
    assert make_sdm_client(emulator, access_key="AKIDTEAM", secret_key="team-secret").list_tasks()["tasks"] == []
    default = make_sdm_client(emulator, retries={"total_max_attempts": 1})
    assert error_of(default.list_tasks)[1] == 403


@pytest.mark.parametrize("region", ["us-west-2", "ap-southeast-1", "eu-north-1"])
def test_signatures_verify_for_encoded_arn_paths_and_query_lists(make_sdm_client, emulator, region):
    client = make_sdm_client(emulator, region=region)
    keys = {"plain": "1", "with space": "2", "slash/and:colon": "3", "ünï": "4", "a+b=c&d": "5", "~tilde": "6"}
    client.tag_resource(resourceArn=ARN, tags=keys)
    client.untag_resource(resourceArn=ARN, tagKeys=["with space", "slash/and:colon", "a+b=c&d"])
    assert client.list_tags_for_resource(resourceArn=ARN)["tags"] == {"plain": "1", "ünï": "4", "~tilde": "6"}
    task_id = client.create_task(targets=["smd-demo-0000"], command={"reboot": {}})["taskId"]
    assert client.list_executions(taskId=task_id, state="QUEUED", maxResults=5)["executions"]


def test_denied_operations_answer_403_access_denied(sdm_client, emulator):
    emulator.set_denied(["CancelTask"])
    task_id = sdm_client.create_task(targets=["smd-demo-0000"], command={"reboot": {}})["taskId"]
    code, status, message = error_of(lambda: sdm_client.cancel_task(taskId=task_id))
    assert (code, status) == ("AccessDeniedException", 403)
    assert "snow-device-management:CancelTask" in message
    emulator.set_denied([])
    sdm_client.cancel_task(taskId=task_id)


def test_every_answer_carries_a_request_id_and_errors_carry_their_type(raw):
    ok = raw("GET", "/managed-devices")
    assert ok.status == 200 and ok.headers["x-amzn-requestid"]
    missing = raw("POST", "/task/st-nope")
    assert missing.status == 404
    assert missing.headers["x-amzn-requestid"]
    assert missing.headers["x-amzn-errortype"] == "ResourceNotFoundException"
    assert set(missing.json()) == {"message"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"text"', "must be a JSON object"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b'{"targets": "smd-demo-0000", "command": {"reboot": {}}}', "targets: must be a list, got string"),
        (b'{"targets": ["smd-demo-0000"], "command": {"reboot": true}}', "command.reboot: must be an object"),
        (b'{"targets": ["smd-demo-0000"], "command": {"reboot": {}}, "tags": {"a": 1}}', "tags['a']"),
        (b'{"targets": ["smd-demo-0000"], "command": {"reboot": {}}, "surprise": 1}', "surprise"),
        (b'{"targets": [], "command": {"reboot": {}}}', "targets: must have 1 to 10 items, got 0"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    ],
)
def test_bad_bodies_are_400_validation_errors(raw, body, expected):
    response = raw("POST", "/task", body)
    assert response.status == 400
    assert response.headers["x-amzn-errortype"] == "ValidationException"
    assert expected in response.json()["message"]


def test_huge_bodies_are_refused_without_a_hang(raw):
    response = raw("POST", "/task", b"{" + b" " * (2 * 1024 * 1024) + b"}")
    assert response.status in (400, 413)
    assert response.headers["x-amzn-errortype"] == "ValidationException"
    assert "limit" in response.json()["message"]


@pytest.mark.parametrize(
    ("method", "target", "status"),
    [
        ("GET", "/nothing/here", 404),
        ("PATCH", "/task", 404),
        ("GET", "/task/st-1", 404),
        ("GET", "/tasks?maxResults=many", 400),
        ("GET", "/tasks?state=%FF", 400),
        ("POST", "/task/%FF%FE", 400),
    ],
)
def test_unknown_routes_and_bad_encodings(raw, method, target, status):
    response = raw(method, target)
    assert response.status == status
    assert response.json()["message"]
    if status == 404:
        assert response.headers["x-amzn-errortype"] == "UnknownOperationException"


def test_wrong_method_says_which_methods_the_path_takes(raw):
    message = raw("GET", "/task/st-1").json()["message"]
    assert "POST" in message


def test_garbage_on_the_socket_gets_a_400_and_a_close(emulator):
    url = urlsplit(emulator.url)
    with socket.create_connection((url.hostname, url.port), timeout=5) as connection:
        connection.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        answer = connection.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"Connection: close" in answer


def test_chunked_bodies_are_read(raw):
    body = b'{"targets": ["smd-demo-0000"], "command": {"reboot": {}}}'
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    response = raw("POST", "/task", chunked, headers={"Transfer-Encoding": "chunked"}, sign=False)
    # Unsigned on purpose: this proves the body was read (the answer is a clean 403, not a hang or a 400).
    assert response.status == 403


def test_keep_alive_serves_many_requests_on_one_connection(emulator, sdm_client):
    for _ in range(20):
        sdm_client.list_devices()
    assert emulator.calls["ListDevices"] == 20


def test_control_plane_over_http(raw, emulator):
    task = raw("POST", "/task", b'{"targets": ["smd-demo-0000"], "command": {"reboot": {}}}').json()
    tasks = raw("GET", "/_snowdm/tasks", sign=False).json()["tasks"]
    assert [item["taskId"] for item in tasks] == [task["taskId"]]

    target = f"/_snowdm/tasks/{task['taskId']}/executions/smd-demo-0000"
    changed = raw("PUT", target, json.dumps({"state": "FAILED"}).encode(), sign=False).json()
    assert changed["state"] == "FAILED"
    assert raw("PUT", target, b'{"state": "NOPE"}', sign=False).status == 400

    assert raw("PATCH", "/_snowdm/devices/smd-demo-0001", b'{"online": false}', sign=False).status == 200
    assert raw("PATCH", "/_snowdm/devices/smd-nope", b'{"online": false}', sign=False).status == 404
    assert raw("PATCH", "/_snowdm/devices/smd-demo-0001", b'{"outcome": "MAYBE"}', sign=False).status == 400
    assert raw("POST", "/_snowdm/devices", b'{"id": "smd-new", "outcome": "FAILED"}', sign=False).status == 200
    assert "smd-new" in raw("GET", "/_snowdm/devices", sign=False).json()["devices"]

    assert raw("PUT", "/_snowdm/faults", b'{"latency": 0.01}', sign=False).json()["latency"] == 0.01
    assert raw("GET", "/_snowdm/faults", sign=False).json()["latency"] == 0.01
    assert raw("PUT", "/_snowdm/deny", b'{"operations": ["ListTasks"]}', sign=False).json() == {
        "operations": ["ListTasks"]
    }
    assert raw("GET", "/tasks").status == 403
    assert raw("GET", "/_snowdm/calls", sign=False).json()["ListTasks"] == 1
    assert raw("DELETE", "/_snowdm/calls", sign=False).status == 200
    assert raw("GET", "/_snowdm/calls", sign=False).json() == {}

    clock = raw("POST", "/_snowdm/clock", b'{"advance": 60, "time_scale": 2}', sign=False).json()
    assert clock["time_scale"] == 2 and clock["now"] >= 60

    assert raw("DELETE", f"/_snowdm/tasks/{task['taskId']}", sign=False).status == 200
    assert raw("POST", f"/task/{task['taskId']}").status == 404

    assert raw("PUT", "/_snowdm/scenario", b'{"fleet": {"count": 2, "prefix": "smd-x-"}}', sign=False).status == 200
    assert raw("GET", "/_snowdm/devices", sign=False).json()["devices"] == ["smd-x-0000", "smd-x-0001"]
    assert raw("GET", "/_snowdm/scenario", sign=False).json() == {"fleet": {"count": 2, "prefix": "smd-x-"}}
    assert raw("PUT", "/_snowdm/scenario", b'{"fleet": {"count": -1}}', sign=False).status == 400
    assert raw("POST", "/_snowdm/reset", sign=False).status == 200
    assert raw("GET", "/_snowdm/nothing", sign=False).status == 404
    assert raw("GET", "/_snowdm/health", sign=False).json()["ok"] is True


def test_a_control_route_that_does_not_exist_lists_the_routes_as_documented(raw):
    answer = raw("GET", "/_snowdm/nothing", sign=False)

    assert answer.status == 404
    message = answer.json()["message"]
    assert "PATCH /_snowdm/devices/{device}" in message
    assert "PUT /_snowdm/tasks/{task}/executions/{device}" in message
    assert "(?P<" not in message and "[^/]" not in message


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("DELETE", "/_snowdm/clock", "GET, POST"),
    ("GET", "/_snowdm/devices/smd-demo-0000", "PATCH"),
    ("POST", "/_snowdm/tasks/st-1/executions/smd-demo-0000", "PUT, DELETE"),
])
def test_a_wrong_method_on_a_control_route_is_405_with_allow(raw, method, path, allow):
    answer = raw(method, path, sign=False)

    assert answer.status == 405
    assert answer.headers["allow"] == allow
    assert answer.json() == {"error": "MethodNotAllowed",
                             "message": f"{path} does not take {method}; it takes {allow}"}
