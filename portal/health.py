"""Health for load balancers and orchestrators: /healthz (the process answers), /readyz (the database and the
search engine answer), /metrics (Prometheus text)."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, jsonify, request

from indexer.store.db import StoreUnreadable, check_readable
from portal import metrics, services
from portal.errors import error_response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


FAILED = {"database": "数据库无法连接", "search": "检索引擎无法使用"}


def _check(name: str, probe) -> dict:
    started = time.perf_counter()
    try:
        detail = probe()
    except Exception as exc:  # any failure of a part is the answer here, not an error of this page
        # The exception's text can name hosts, ports, users and paths: it goes to the log, not the public page.
        current_app.logger.warning("readyz: %s failed: %s: %s", name, type(exc).__name__, exc)
        if isinstance(exc, StoreUnreadable):
            return {"name": name, "ok": False, "error": "数据库文件无法读取：文件已损坏或不完整"}
        return {"name": name, "ok": False, "error": f"{FAILED[name]}（{type(exc).__name__}）"}
    return {"name": name, "ok": True, "ms": round((time.perf_counter() - started) * 1000, 1), **(detail or {})}


def _database() -> dict:
    # Every page of an SQLite file is read (again only once it has changed): a truncated or overwritten file
    # answers `select 1` from a connection opened before, while every page that needs its data fails.
    check_readable(services.store().engine)
    # The kind of database only ("sqlite", "postgresql"): its URL names hosts, users and paths, not for the public.
    return {"kind": services.store().engine.dialect.name}


def _engine() -> dict:
    backend = services.backend()
    from indexer.search.backends.base import SearchRequest

    backend.search(SearchRequest(limit=0))  # raises BackendUnavailable when the index cannot be read
    return {"engine": backend.name, "documents": backend.count()}


@bp.get("/readyz")
def readyz() -> Response:
    checks = [_check("database", _database), _check("search", _engine)]
    ready = all(c["ok"] for c in checks)
    for c in checks:
        if not c["ok"]:
            metrics.UNAVAILABLE.labels(c["name"]).inc()
    response = jsonify({"status": "ready" if ready else "unavailable", "checks": checks})
    response.status_code = 200 if ready else 503
    return response


@bp.get("/metrics")
def metrics_endpoint() -> Response:
    """Only for the addresses of FAGUI_METRICS_ALLOW (this machine unless set) or FAGUI_METRICS_TOKEN's bearer."""
    if not metrics.may_read(current_app.config["FAGUI_SETTINGS"], request.remote_addr,
                            request.headers.get("Authorization", "")):
        return error_response(403, "无权读取监控指标：只对 FAGUI_METRICS_ALLOW 中的地址或持有 FAGUI_METRICS_TOKEN 的客户端开放")
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)
