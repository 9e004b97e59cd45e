"""Per-client rate limits on the API: a fixed one-minute window per client address.

The counters live in the worker process, so with gunicorn -w N a client may make up to N x the limit per minute
in total; that bounds abuse without a shared store (Redis) the deployment would otherwise need."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request

WINDOW_SECONDS = 60.0
# Forget clients whose window has passed once this many are tracked, so memory stays bounded.
MAX_TRACKED = 10_000


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # whole seconds until the window resets (0 when allowed)


class FixedWindowLimiter:
    """`limit` requests per `window` seconds per key; thread-safe for gunicorn's threaded workers."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[float, int]] = {}  # key -> (window start, requests in it)

    def hit(self, key: str) -> Decision:
        now = self.clock()
        with self._lock:
            start, count = self._counts.get(key, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            if count >= self.limit:
                retry = max(1, math.ceil(start + self.window - now))
                return Decision(False, self.limit, 0, retry)
            count += 1
            self._counts[key] = (start, count)
            if len(self._counts) > MAX_TRACKED:
                self._forget_stale(now)
            return Decision(True, self.limit, self.limit - count, 0)

    def _forget_stale(self, now: float) -> None:
        for k in [k for k, (s, _) in self._counts.items() if now - s >= self.window]:
            del self._counts[k]


def init_app(app: Flask) -> None:
    limit = app.config["FAGUI_SETTINGS"].api_rate_limit
    # A limit of 0 (FAGUI_API_RATE_LIMIT=0) turns limiting off, e.g. behind a gateway that limits already.
    app.extensions["fagui.ratelimit"] = FixedWindowLimiter(limit) if limit > 0 else None


def client_key() -> str:
    # The direct peer address: X-Forwarded-For is only trustworthy behind a known proxy (werkzeug ProxyFix).
    return request.remote_addr or "unknown"


def check() -> Response | None:
    """before_request hook: None to continue, or the 429 response with Retry-After."""
    from portal.errors import error_response

    limiter: FixedWindowLimiter | None = current_app.extensions.get("fagui.ratelimit")
    if limiter is None:
        return None
    decision = limiter.hit(client_key())
    g.fagui_rate = decision
    if decision.allowed:
        return None
    response = error_response(429, f"请求过于频繁：每个客户端每分钟最多 {decision.limit} 次，请 {decision.retry_after} 秒后再试")
    response.headers["Retry-After"] = str(decision.retry_after)
    return response


def add_headers(response: Response) -> Response:
    decision: Decision | None = g.get("fagui_rate")
    if decision is not None:
        response.headers["X-RateLimit-Limit"] = str(decision.limit)
        response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
    return response
