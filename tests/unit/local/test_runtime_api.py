"""The Runtime API server speaks the 2018-06-01 protocol with the right status codes."""

from __future__ import annotations

import http.client
import json
import threading
import time

import pytest

from lamtrace.local.runtime_api import MAX_RESPONSE_BYTES, Invocation, RuntimeAPIServer

BASE = "/2018-06-01/runtime"


@pytest.fixture
def server():
    api = RuntimeAPIServer().start()
    yield api
    api.stop()


def request(server, method, path, body=b"", headers=None):
    conn = http.client.HTTPConnection(server.address, timeout=5)
    conn.request(method, path, body, headers or {})
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read(), conn


def invocation(request_id="11111111-2222-3333-4444-555555555555", **kw):
    defaults = dict(
        event=b'{"a": 1}',
        deadline_ms=1_900_000_000_000,
        invoked_function_arn="arn:aws:lambda:us-east-1:1:function:f",
    )
    return Invocation(request_id=request_id, **{**defaults, **kw})


def test_next_returns_the_event_and_lambda_headers(server):
    server.submit(
        invocation(
            trace_header="Root=1-a-b;Sampled=1",
            client_context='{"custom":{}}',
            cognito_identity='{"cognitoIdentityId":"x"}',
        )
    )
    status, headers, body, conn = request(server, "GET", f"{BASE}/invocation/next")
    assert status == 200 and body == b'{"a": 1}' and headers["Content-Type"] == "application/json"
    assert headers["Lambda-Runtime-Aws-Request-Id"] == "11111111-2222-3333-4444-555555555555"
    assert headers["Lambda-Runtime-Deadline-Ms"] == "1900000000000"
    assert headers["Lambda-Runtime-Invoked-Function-Arn"] == "arn:aws:lambda:us-east-1:1:function:f"
    assert headers["Lambda-Runtime-Trace-Id"] == "Root=1-a-b;Sampled=1"
    assert headers["Lambda-Runtime-Client-Context"] == '{"custom":{}}'
    assert headers["Lambda-Runtime-Cognito-Identity"] == '{"cognitoIdentityId":"x"}'
    assert server.first_poll.is_set()


def test_next_blocks_until_an_invocation_arrives(server):
    got = {}
    thread = threading.Thread(target=lambda: got.update(r=request(server, "GET", f"{BASE}/invocation/next")))
    thread.start()
    time.sleep(0.2)
    assert "r" not in got and server.first_poll.is_set()
    server.submit(invocation())
    thread.join(5)
    assert got["r"][0] == 200


def test_response_and_error_are_accepted_once(server):
    inv = invocation()
    server.submit(inv)
    request(server, "GET", f"{BASE}/invocation/next")
    status, _, body, _ = request(
        server, "POST", f"{BASE}/invocation/{inv.request_id}/response", b'{"ok":true}'
    )
    assert status == 202 and inv.done.is_set() and inv.response == b'{"ok":true}' and inv.responded_at
    status, _, body, _ = request(server, "POST", f"{BASE}/invocation/{inv.request_id}/error", b"{}")
    assert status == 400 and json.loads(body)["errorType"] == "InvalidRequestID"


def test_error_keeps_type_and_xray_cause(server):
    inv = invocation()
    server.submit(inv)
    headers = {
        "Lambda-Runtime-Function-Error-Type": "Unhandled",
        "Lambda-Runtime-Function-XRay-Error-Cause": '{"exceptions":[]}',
    }
    status, *_ = request(
        server, "POST", f"{BASE}/invocation/{inv.request_id}/error", b'{"errorType":"ValueError"}', headers
    )
    assert status == 202 and inv.error == b'{"errorType":"ValueError"}'
    assert inv.error_type == "Unhandled" and inv.xray_error_cause == '{"exceptions":[]}'


def test_unknown_request_id_and_route(server):
    assert request(server, "POST", f"{BASE}/invocation/nope/response", b"{}")[0] == 400
    assert request(server, "POST", f"{BASE}/invocation/x/other", b"{}")[0] == 404
    assert request(server, "GET", "/2018-06-01/elsewhere")[0] == 404


def test_oversized_response_is_413(server):
    inv = invocation()
    server.submit(inv)
    status, _, body, _ = request(
        server, "POST", f"{BASE}/invocation/{inv.request_id}/response", b"x" * (MAX_RESPONSE_BYTES + 1)
    )
    assert status == 413 and not inv.done.is_set()


def test_init_error_is_recorded(server):
    status, *_ = request(
        server,
        "POST",
        f"{BASE}/init/error",
        b'{"errorType":"Runtime.ImportModuleError"}',
        {"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"},
    )
    assert status == 202 and server.init_error_event.is_set()
    assert server.init_error.error_type == "Runtime.ImportModuleError"


def test_abandoned_invocation_rejects_late_answers(server):
    inv = invocation()
    server.submit(inv)
    server.abandon(inv.request_id)
    assert request(server, "POST", f"{BASE}/invocation/{inv.request_id}/response", b"{}")[0] == 400


def test_server_sockets_disable_nagle(server):
    # the handler class sets TCP_NODELAY on accepted sockets (else ~40-90 ms per small response)
    handler = server._httpd.RequestHandlerClass
    assert handler.disable_nagle_algorithm is True and handler.protocol_version == "HTTP/1.1"


def test_keep_alive_round_trips_are_fast(server):
    conn = http.client.HTTPConnection(server.address, timeout=5)
    began = time.perf_counter()
    for i in range(20):
        inv = invocation(request_id=f"req-{i}")
        server.submit(inv)
        conn.request("GET", f"{BASE}/invocation/next")
        conn.getresponse().read()
        conn.request("POST", f"{BASE}/invocation/req-{i}/response", b"{}")
        response = conn.getresponse()
        response.read()
        assert response.status == 202
    # 40 requests: with Nagle's delays this takes seconds; without, milliseconds (generous bound for a loaded box)
    assert time.perf_counter() - began < 1.5
