"""A real HTTP server on 127.0.0.1 (random port) serving a fixture site, with the faults real sites have:
500s (once or always), hanging and slow answers, truncated bodies, redirect loops and redirects to other
hosts, 404s, oversized files, a robots.txt, and ETag / Last-Modified answered with 304.

Every request is logged (path, method, request headers, status, body bytes sent) so tests can prove what
the crawler did and did not download."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int = 0
    sent: int = 0  # body bytes written
    started: float = 0.0  # time.monotonic() when the request arrived and when its answer was done
    ended: float = 0.0
    # time.monotonic() just before the last piece of a slow body was written: the client cannot have the
    # whole answer before this moment (`ended` is taken later, after the write, and on a busy machine the
    # handler thread may only get to it after the client has already sent its next request).
    last_piece: float = 0.0


@dataclass
class Route:
    """How one path answers. kind: page, hang, slow, truncated, redirect, status, oversized."""

    kind: str = "page"
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    etag: bool = True
    last_modified: bool = True
    fail_first: int = 0  # answer 500 to this many requests first
    status: int = 200
    location: str = ""
    seconds: float = 0.0
    size: int = 0
    declare_length: bool = True
    headers: dict[str, str] = field(default_factory=dict)  # more response headers (pages only)
    hits: int = 0
    modified_at: float = field(default_factory=lambda: time.time() - 86400)


class FixtureSite:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.matched: dict[str, list[tuple[str, dict, Route]]] = {}
        self.log: list[Hit] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection: truncation is a closed socket

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                site._serve(self)

            def do_POST(self) -> None:
                site._serve(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> FixtureSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FixtureSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- routes ------------------------------------------------------------------------------------------

    def add(self, path: str, route: Route) -> Route:
        self.routes[path] = route
        return route

    def page(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8", **opts) -> Route:
        data = body.encode("utf-8") if isinstance(body, str) else body
        return self.add(path, Route(body=data, content_type=content_type, **opts))

    def add_matched(self, method: str, path: str, match: dict, route: Route) -> Route:
        """A route for requests whose JSON (or form) body carries these fields (POST list APIs by page)."""
        self.matched.setdefault(path, []).append((method.upper(), match, route))
        return route

    def serve_examples(self, folder: Path) -> dict:
        """Serve a source's saved example site: tests/examples/<source>/routes.json maps method, path with
        query and the body fields a POST must carry to a saved file. Returns the manifest."""
        manifest = json.loads((folder / "routes.json").read_text(encoding="utf-8"))
        for r in manifest["routes"]:
            route = Route(body=(folder / r["file"]).read_bytes(), content_type=r.get("content_type", ""),
                          status=r.get("status", 200))
            if r.get("match"):
                self.add_matched(r["method"], r["path"], r["match"], route)
            else:
                self.add(r["path"], route)
        return manifest

    def set_body(self, path: str, body: bytes | str) -> None:
        """Change a page (a later crawl must see a new ETag and a newer Last-Modified)."""
        route = self.routes[path]
        route.body = body.encode("utf-8") if isinstance(body, str) else body
        route.modified_at = time.time()

    def remove(self, path: str) -> None:
        self.routes.pop(path, None)

    def hits(self, path: str | None = None, status: int | None = None) -> list[Hit]:
        with self._lock:
            return [h for h in self.log if (path is None or h.path == path) and (status is None or h.status == status)]

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    # -- serving -----------------------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        path = urlsplit(handler.path).path
        hit = Hit(handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()}, body,
                  started=time.monotonic())
        with self._lock:
            self.log.append(hit)
        route = self._matched(handler, body) or self.routes.get(handler.path) or self.routes.get(path)
        if route is None:
            self._send(handler, hit, 404, b"<html><body>404 Not Found</body></html>")
            return
        route.hits += 1
        try:
            self._answer(handler, hit, route)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a size limit, a timeout): that is what the test wanted
        finally:
            hit.ended = time.monotonic()

    def _matched(self, handler: BaseHTTPRequestHandler, body: bytes) -> Route | None:
        candidates = self.matched.get(handler.path)
        if not candidates:
            return None
        try:
            fields = json.loads(body) if body.strip().startswith(b"{") else dict(parse_qsl(body.decode()))
        except ValueError:
            fields = {}
        for method, match, route in candidates:
            # Form fields arrive as strings: compare as text so {"pageNum": 1} matches pageNum=1.
            if method == handler.command and all(str(fields.get(k)) == str(v) for k, v in match.items()):
                return route
        return None

    def _answer(self, handler: BaseHTTPRequestHandler, hit: Hit, route: Route) -> None:
        if route.hits <= route.fail_first:
            self._send(handler, hit, 500, b"<html><body>Internal Server Error</body></html>")
            return
        kind = route.kind
        if kind == "status":
            self._send(handler, hit, route.status, route.body)
        elif kind == "redirect":
            status = route.status if route.status in (301, 302, 303, 307, 308) else 302
            self._send(handler, hit, status, b"", {"Location": route.location})
        elif kind == "hang":
            self._stop.wait(route.seconds)  # never answers within the client's timeout
            self._send(handler, hit, 200, route.body)
        elif kind == "slow":
            self._slow(handler, hit, route)
        elif kind == "truncated":
            self._truncated(handler, hit, route)
        elif kind == "oversized":
            self._oversized(handler, hit, route)
        else:
            self._page(handler, hit, route)

    @staticmethod
    def _validators(route: Route) -> tuple[dict[str, str], str, str]:
        etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
        modified = formatdate(route.modified_at, usegmt=True)
        headers = {}
        if route.etag:
            headers["ETag"] = etag
        if route.last_modified:
            headers["Last-Modified"] = modified
        return headers, etag, modified

    def _not_modified(self, handler, hit: Hit, route: Route) -> bool:
        """Answer 304 when the request's validators match the page (If-None-Match wins, as in RFC 9110)."""
        headers, etag, modified = self._validators(route)
        inm = hit.headers.get("if-none-match")
        ims = hit.headers.get("if-modified-since")
        if (route.etag and inm == etag) or (not inm and route.last_modified and ims == modified):
            self._send(handler, hit, 304, b"", headers)
            return True
        return False

    def _page(self, handler: BaseHTTPRequestHandler, hit: Hit, route: Route) -> None:
        if self._not_modified(handler, hit, route):
            return
        headers = {"Content-Type": route.content_type, **self._validators(route)[0], **route.headers}
        self._send(handler, hit, route.status, route.body, headers)

    def _send(self, handler, hit: Hit, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        hit.status = status
        handler.send_response(status)
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        if "Content-Type" not in (headers or {}) and status != 304:
            handler.send_header("Content-Type", "text/html; charset=utf-8")
        if status != 304:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if status != 304 and handler.command != "HEAD":
            handler.wfile.write(body)
            hit.sent = len(body)

    def _slow(self, handler, hit: Hit, route: Route) -> None:
        """The body in ten pieces, route.seconds apart."""
        if self._not_modified(handler, hit, route):
            return
        hit.status = 200
        handler.send_response(200)
        handler.send_header("Content-Type", route.content_type)
        for k, v in self._validators(route)[0].items():
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(route.body)))
        handler.end_headers()
        step = max(1, len(route.body) // 10)
        for i in range(0, len(route.body), step):
            if self._stop.wait(route.seconds):
                return
            if i + step >= len(route.body):
                hit.last_piece = time.monotonic()
            handler.wfile.write(route.body[i:i + step])
            handler.wfile.flush()
            hit.sent += len(route.body[i:i + step])

    def _truncated(self, handler, hit: Hit, route: Route) -> None:
        """Declares the whole page, sends half of it, closes the connection."""
        hit.status = 200
        handler.send_response(200)
        handler.send_header("Content-Type", route.content_type)
        handler.send_header("Content-Length", str(len(route.body)))
        handler.end_headers()
        half = route.body[: len(route.body) // 2]
        handler.wfile.write(half)
        handler.wfile.flush()
        hit.sent = len(half)
        handler.close_connection = True

    def _oversized(self, handler, hit: Hit, route: Route) -> None:
        hit.status = 200
        handler.send_response(200)
        handler.send_header("Content-Type", "application/pdf")
        if route.declare_length:
            handler.send_header("Content-Length", str(route.size))
        handler.end_headers()
        chunk = b"%PDF" + b"0" * 65532
        sent = 0
        while sent < route.size and not self._stop.is_set():
            piece = chunk[: min(len(chunk), route.size - sent)]
            handler.wfile.write(piece)
            sent += len(piece)
            hit.sent = sent


def serve(setup: Callable[[FixtureSite], None]) -> FixtureSite:
    """A started site after `setup` registered its routes."""
    site = FixtureSite()
    setup(site)
    return site.start()
