"""The site's gunicorn worker against slow and many clients, on a real server on 127.0.0.1 (`fagui serve`'s
options): slowloris connections do not stop it, a request that never finishes arriving is answered 408, and a
request that cannot be served soon is answered 503 with Retry-After at once."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack

import pytest
from click.testing import CliRunner

from fagui.cli.commands import cli
from fagui.cli.guarded_worker import BODY_PREREAD, request_complete

SERVER = """
import sys
from fagui.cli.serve import PortalServer, gunicorn_options, prepare_metrics_dir
from fagui.settings import load_settings
settings = load_settings()
options = gunicorn_options("127.0.0.1", int(sys.argv[1]), 1, threads=2)
options["accesslog"] = None
prepare_metrics_dir(settings, "127.0.0.1", int(sys.argv[1]))
PortalServer(settings, options).run()
"""


def test_request_complete_waits_for_the_head_and_a_small_body():
    assert not request_complete(b"GET / HTTP/1.1\r\nHost: a\r\n")
    assert request_complete(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert request_complete(b"\r\nGET / HTTP/1.1\nHost: a\n\n")
    post = b"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n"
    assert not request_complete(post + b"12345")
    assert request_complete(post + b"1234567890")
    large = b"POST /x HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (BODY_PREREAD + 1)
    assert request_complete(large)  # a thread reads a large body, within the socket's deadline
    assert request_complete(b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
    assert request_complete(post.replace(b"\r\n\r\n", b"\r\nExpect: 100-continue\r\n\r\n"))


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A server with one worker of two threads, no request queue, and 2 s to send a request."""
    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "FAGUI_READ_SECONDS": "2", "FAGUI_QUEUE_LIMIT": "0"}
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            if get(port, "/healthz").status == 200:
                break
        except OSError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)
    yield port
    proc.terminate()
    proc.wait(timeout=20)


def get(port: int, path: str, timeout: float = 10) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_slowloris_connections_do_not_stop_the_site(server):
    with ExitStack() as stack:
        slow = []
        for _ in range(32):
            s = stack.enter_context(socket.create_connection(("127.0.0.1", server)))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append(s)
        time.sleep(0.5)
        for i, s in enumerate(slow):
            s.sendall(b"X-Slow-%d: 1\r\n" % i)
        # Before, two threads each waited for one slow head and this request hung (the timeout raised).
        assert get(server, "/healthz", timeout=8).status == 200


def test_a_request_that_never_finishes_arriving_is_answered_408_and_closed(server):
    with socket.create_connection(("127.0.0.1", server), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        answer = b""
        while chunk := s.recv(4096):  # before, the server waited for the rest for ever: the timeout raised
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert "请求发送超时".encode() in answer


def test_when_every_thread_is_busy_a_request_is_answered_503_with_retry_after_at_once(server):
    head = b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n" % (BODY_PREREAD * 4)
    stop = threading.Event()
    with ExitStack() as stack:
        slow = []
        for _ in range(2):  # each holds a thread while the thread waits for its large body
            s = stack.enter_context(socket.create_connection(("127.0.0.1", server)))
            s.sendall(head + b"x" * 10)
            slow.append(s)

        def trickle() -> None:  # a byte now and then: each read succeeds, the threads stay taken
            while not stop.wait(0.1):  # well inside FAGUI_READ_SECONDS even on a loaded machine
                for s in slow:
                    try:
                        s.sendall(b"x")
                    except OSError:
                        return

        feeder = threading.Thread(target=trickle, daemon=True)
        feeder.start()
        try:
            # On a busy machine the two slow requests may reach their threads late: ask until the queue is full.
            deadline = time.monotonic() + 15
            while True:
                response = get(server, "/healthz", timeout=3)
                if response.status == 503 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert response.status == 503
            assert response.getheader("Retry-After") == "1"
        finally:
            stop.set()
            feeder.join()
    deadline = time.monotonic() + 15
    while get(server, "/healthz").status != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert get(server, "/healthz").status == 200  # the threads are free again


def test_a_kept_alive_connection_serves_its_next_request_sent_in_pieces(server):
    with socket.create_connection(("127.0.0.1", server), timeout=10) as s:
        for _ in range(2):
            s.sendall(b"GET /healthz HTTP/1.1\r\n")
            time.sleep(0.3)
            s.sendall(b"Host: 127.0.0.1\r\n\r\n")
            reply = s.recv(65536)
            while not reply.endswith(b'{"status":"ok"}\n') and (chunk := s.recv(65536)):
                reply += chunk  # the head and the body may come in separate reads
            assert reply.startswith(b"HTTP/1.1 200 "), reply[:100]


def test_a_300_mb_post_to_login_is_answered_413_without_being_read(server):
    with socket.create_connection(("127.0.0.1", server), timeout=5) as s:
        s.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                  b"Content-Length: %d\r\n\r\n" % (300 * 1024 * 1024))
        s.sendall(b"x" * 65536)  # the start of the body; the rest never comes, and is not waited for
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert "请求内容过大".encode() in answer


def raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return answer


def test_a_request_line_over_8190_bytes_is_a_chinese_414_with_the_security_headers(server):
    query = "%E6%B3%95" * 3000  # 27,000 bytes of 法 percent-encoded
    answer = raw(server, f"GET /search?q={query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 ")
    headers = head.decode().lower()
    assert "content-security-policy: default-src 'self'" in headers  # before: gunicorn's bare English page
    assert "x-content-type-options: nosniff" in headers and "x-frame-options: deny" in headers
    assert "text/html; charset=utf-8" in headers
    assert "网址过长".encode() in body and b"URI Too Long" not in body
    assert get(server, "/healthz?q=" + "%E6%B3%95" * 800).status == 200  # a long but allowed link still works


def test_the_workers_own_answers_carry_the_security_headers_and_hsts_on_https():
    from fagui.cli.guarded_worker import Answers

    for answer in vars(Answers()).values():
        assert b"Content-Security-Policy: " in answer and b"Strict-Transport-Security" not in answer
    assert all(b"Strict-Transport-Security: max-age=" in a for a in vars(Answers(https=True)).values())
