"""Prometheus metrics of the portal: requests by endpoint and status, and their latencies.

Under gunicorn every worker is its own process: `fagui serve` points PROMETHEUS_MULTIPROC_DIR at a fresh
directory before the workers start, so /metrics adds up all workers. Without it (tests, `--dev`) the numbers
are those of the one process."""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

from fagui.settings import Settings

REQUESTS = Counter("fagui_http_requests_total", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "fagui_http_request_duration_seconds", "Time to answer an HTTP request", ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0),
)
UNAVAILABLE = Counter("fagui_dependency_unavailable_total", "Requests answered 503 because a part was down",
                      ["part"])


# The methods the site answers; anything else a client makes up shares one label value.
METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"})


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_record)


def _start() -> None:
    g.fagui_started = time.perf_counter()


def _record(response: Response) -> Response:
    started = g.pop("fagui_started", None)
    # Unknown URLs share one label so that scanners cannot blow up the number of series.
    endpoint = request.url_rule.endpoint if request.url_rule is not None else "unmatched"
    if endpoint == "health.metrics_endpoint":
        return response
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    if started is not None:
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    return response


def may_read(settings: Settings, address: str | None, authorization: str) -> bool:
    """Whether a client may read /metrics: its address is in an allowed network, or it sends the token."""
    token = settings.metrics_token
    if token and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 on a dual-stack socket
    return any(ip in ipaddress.ip_network(net) for net in settings.metrics_allow)


def exposition() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = DEFAULT_REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
