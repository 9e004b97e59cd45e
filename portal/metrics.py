"""Prometheus metrics of the portal: requests by endpoint and status, and their latencies.

Under gunicorn every worker is its own process: `fagui serve` points PROMETHEUS_MULTIPROC_DIR at a fresh
directory before the workers start, so /metrics adds up all workers. Without it (tests, `--dev`) the numbers
are those of the one process."""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

REQUESTS = Counter("fagui_http_requests_total", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "fagui_http_request_duration_seconds", "Time to answer an HTTP request", ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0),
)
UNAVAILABLE = Counter("fagui_dependency_unavailable_total", "Requests answered 503 because a part was down",
                      ["part"])


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
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    if started is not None:
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    return response


def exposition() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = DEFAULT_REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
