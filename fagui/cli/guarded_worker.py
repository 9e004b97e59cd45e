"""A gunicorn gthread worker that slow and many clients cannot stall.

gunicorn's gthread worker hands a connection to one of its few threads as soon as its first byte arrives, and
the thread then waits, without a deadline, for the rest of the request: a handful of clients sending one header
line every few seconds (slowloris) holds every thread and the site stops for everyone. This worker instead reads
each request's head (and a small body) in its event loop, which holds thousands of connections at no cost,
and gives a thread only a request that has fully arrived:

- a request that has not arrived within `FAGUI_READ_SECONDS` is answered 408 and its connection closed;
- when the requests waiting for a thread reach `FAGUI_QUEUE_LIMIT`, a further one is answered 503 with
  Retry-After at once instead of waiting for seconds;
- a thread's reads and writes of one socket (a large upload's body, a response the client does not read)
  give up after `FAGUI_READ_SECONDS` as well, so no client holds a thread indefinitely;
- beyond `worker_connections` open connections, a new one is closed at once;
- a request line longer than gunicorn's limit (8,190 bytes) is answered with a Chinese 414 page, headers over
  its limits with a Chinese 431; every answer of the worker's own carries the site's
  security headers (portal/security.py).
"""

from __future__ import annotations

import re
import socket
import time
from collections import deque
from functools import partial
from selectors import EVENT_READ
from typing import Any

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.gthread import TConn, ThreadWorker

from fagui.settings import load_settings
from portal.security import HEADERS, HSTS

HEAD_LIMIT = 64 * 1024  # the largest request head (gunicorn's own limits on lines and fields apply after)
BODY_PREREAD = 64 * 1024  # bodies up to this size are read in the loop too; larger ones by the thread
_CONTENT_LENGTH = re.compile(rb"\r?\ncontent-length:[ \t]*(\d{1,12})[ \t]*\r?\n", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r?\ntransfer-encoding:[^\r\n]*chunked", re.IGNORECASE)
_EXPECT = re.compile(rb"\r?\nexpect:[ \t]*100-continue", re.IGNORECASE)  # the client waits before its body


def plain_response(status: str, message: str, extra: str = "", https: bool = False) -> bytes:
    """A complete answer of the worker's own: a small Chinese page with the site's security headers."""
    code, _, reason = status.partition(" ")
    body = (f'<!doctype html>\n<html lang="zh-CN">\n<head><meta charset="utf-8"><title>{message}</title>'
            f'<link rel="stylesheet" href="/static/site.css"></head>\n<body><main><h1>{code} {message}</h1>'
            f'<p><a href="/">返回首页</a></p></main></body>\n</html>\n').encode()
    headers = {**HEADERS, **({"Strict-Transport-Security": HSTS} if https else {})}
    return (f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
            f"{extra}Connection: close\r\nCache-Control: no-store\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n").encode() + body


class Answers:
    """The worker's own answers, made once (with HSTS when the site is https)."""

    def __init__(self, https: bool = False) -> None:
        self.busy = plain_response("503 Service Unavailable", "服务繁忙，请稍后再试", "Retry-After: 1\r\n", https)
        self.too_slow = plain_response("408 Request Timeout", "请求发送超时，请重试", "", https)
        self.too_large = plain_response("431 Request Header Fields Too Large", "请求头过大", "", https)
        self.uri_too_long = plain_response("414 URI Too Long", "网址过长：请缩短检索词或减少筛选条件后重试", "", https)


class BoundedSocket(socket.socket):
    """A client socket whose blocking mode always has a deadline: gunicorn's thread sets it blocking with
    setblocking(True), which would otherwise wait forever for a client that stops sending or reading."""

    io_timeout: float = 10.0

    def setblocking(self, flag: bool) -> None:
        if flag:
            self.settimeout(self.io_timeout)
        else:
            super().setblocking(False)


def request_complete(data: bytes) -> bool:
    """Whether data holds a request head and, for a small body of declared length, the body too."""
    start = len(data) - len(data.lstrip(b"\r\n"))  # empty lines before a request are allowed
    end = data.find(b"\r\n\r\n", start)
    size = 4
    if end < 0:
        end, size = data.find(b"\n\n", start), 2
        if end < 0:
            return False
    head = data[start:end + size]
    if _CHUNKED.search(head) or _EXPECT.search(head):
        return True  # the thread reads such a body, bounded by the socket's deadline
    match = _CONTENT_LENGTH.search(head)
    length = int(match.group(1)) if match else 0
    return length > BODY_PREREAD or len(data) >= end + size + length


class GuardedThreadWorker(ThreadWorker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = load_settings()
        self.answers = Answers(settings.public_url.lower().startswith("https://"))
        self.read_seconds = settings.read_seconds
        self.queue_limit = settings.queue_limit
        # Accepting never stops (a client waiting in the kernel's backlog would wait unseen): the cap is ours.
        self.connection_cap: int = self.cfg.worker_connections
        self.worker_connections = 1 << 30
        self.reading: deque[TConn] = deque()  # connections whose request is arriving, oldest first
        self.in_pool = 0  # requests handed to the thread pool and not finished

    # -- connections in ---------------------------------------------------------------------------------------

    def accept(self, listener: socket.socket) -> None:
        try:
            client, address = listener.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        if self.nr_conns >= self.connection_cap:
            client.close()
            return
        sock = BoundedSocket(client.family, client.type, client.proto, fileno=client.detach())
        sock.io_timeout = self.read_seconds
        self.nr_conns += 1
        self.start_reading(TConn(self.cfg, sock, address, listener.getsockname()), b"")

    def on_client_socket_readable(self, conn: TConn, client: socket.socket) -> None:
        """A kept-alive connection's next request is arriving: read it here too, not in a thread."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self.start_reading(conn, b"")

    def start_reading(self, conn: TConn, data: bytes) -> None:
        conn.sock.setblocking(False)
        conn.head = bytearray(data)
        if data and request_complete(data):
            self.dispatch(conn)
            return
        conn.timeout = time.monotonic() + self.read_seconds
        self.reading.append(conn)
        self.poller.register(conn.sock, EVENT_READ, partial(self.on_request_readable, conn))

    def on_request_readable(self, conn: TConn, _client: socket.socket) -> None:
        try:
            chunk = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.stop_reading(conn)
            self.drop(conn)
            return
        conn.head += chunk
        if request_complete(conn.head):
            self.stop_reading(conn)
            self.dispatch(conn)
        elif len(conn.head) > HEAD_LIMIT + BODY_PREREAD:
            self.stop_reading(conn)
            self.drop(conn, self.answers.too_large)

    def stop_reading(self, conn: TConn) -> None:
        self.poller.unregister(conn.sock)
        self.reading.remove(conn)

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        while self.reading and self.reading[0].timeout <= now:
            conn = self.reading.popleft()
            self.poller.unregister(conn.sock)
            self.drop(conn, self.answers.too_slow if conn.head else b"")

    def drop(self, conn: TConn, answer: bytes = b"") -> None:
        """Close a connection no thread has; answer it first when there is something to say."""
        if answer:
            try:
                conn.sock.send(answer)  # a few hundred bytes: the socket's buffer always takes them
                conn.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        self.nr_conns -= 1
        conn.close()

    # -- to a thread and back ------------------------------------------------------------------------------------

    def dispatch(self, conn: TConn) -> None:
        if self.in_pool >= self.cfg.threads + self.queue_limit:
            self.drop(conn, self.answers.busy)
            return
        self.enqueue_req(conn)

    def enqueue_req(self, conn: TConn) -> None:
        self.in_pool += 1
        super().enqueue_req(conn)

    def finish_request(self, conn: TConn, fs: Any) -> None:
        self.in_pool -= 1
        if self.alive and not fs.cancelled() and fs.exception() is None and fs.result() is True \
                and conn.parser.unreader.buf.getvalue():
            # The client sent its next request already (pipelining): read whatever is missing of it here too.
            self.start_reading(conn, conn.parser.unreader.take_buffered())
            return
        super().finish_request(conn, fs)

    def handle(self, conn: TConn) -> Any:
        head = bytes(getattr(conn, "head", b""))
        conn.head = b""
        conn.data_ready = True  # the request is here: gunicorn need not wait for its first byte
        conn.sock.setblocking(True)
        try:
            conn.init()
        except OSError:
            return False
        if head:
            conn.parser.unreader.unread(head)
        return super().handle(conn)

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        """gunicorn answers a request it cannot parse with a bare English page and no security headers: the
        cases a reader can meet (a shared search link grown too long) get the site's Chinese answer instead."""
        if isinstance(exc, LimitRequestLine):
            answer = self.answers.uri_too_long
        elif isinstance(exc, LimitRequestHeaders):
            answer = self.answers.too_large
        else:
            super().handle_error(req, client, addr, exc)
            return
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            util.write_nonblock(client, answer)
        except Exception:  # the client went away: nothing to tell it
            self.log.debug("Failed to send error message.")
