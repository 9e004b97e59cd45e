"""Errors as the reader sees them: a Chinese page for the site, a JSON body for /api, never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import DatabaseError, OperationalError
from werkzeug.exceptions import HTTPException

from fagui.errors import FaguiError
from indexer.search.backends.base import BackendUnavailable
from indexer.store.db import StoreUnreadable, as_store_error
from portal.metrics import UNAVAILABLE

log = logging.getLogger(__name__)

MESSAGES = {
    400: "请求参数有误",
    404: "未找到该页面或文件",
    405: "不支持该请求方法",
    413: "请求内容过大",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误",
    503: "服务暂时不可用，请稍后再试",
}


class BadParameter(FaguiError, ValueError):
    """A request parameter the reader must correct (400); the message is Chinese and names the parameter."""


def init_app(app: Flask) -> None:
    # The one place the site turns the project's errors (fagui.errors) into answers: their own Chinese
    # message with their status; an unreachable search engine is also counted for /metrics.
    app.register_error_handler(FaguiError, lambda e: error_response(e.status, str(e)))
    app.register_error_handler(BackendUnavailable, _unavailable_engine)
    app.register_error_handler(OperationalError, _unavailable_database)
    app.register_error_handler(DatabaseError, _database_error)
    app.register_error_handler(StoreUnreadable, _database_error)  # its message names the file: not for the public
    app.register_error_handler(OSError, _os_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.args.get("format") == "json"


def error_response(status: int, message: str | None = None) -> Response:
    message = message or MESSAGES.get(status, "请求失败")
    if wants_json():
        response = jsonify({"error": {"status": status, "message": message}})
    else:
        response = Response(render_template("error.html", status=status, message=message,
                                            title=MESSAGES.get(status, "出错了")))
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = "30"
    return response


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = MESSAGES.get(status)
    if status in (400, 404, 429) and exc.description and not exc.description.isascii():
        message = exc.description  # our own Chinese description, raised with abort(status, msg)
    response = error_response(status, message)
    if status == 429 and exc.response is not None and "Retry-After" in exc.response.headers:
        response.headers["Retry-After"] = exc.response.headers["Retry-After"]
    return response


def _unavailable_engine(exc: BackendUnavailable) -> Response:
    log.warning("search engine unavailable: %s", exc)
    UNAVAILABLE.labels("search").inc()
    return error_response(503, "检索服务暂时不可用，请稍后再试。" + (str(exc) if str(exc) else ""))


def _os_error(exc: OSError) -> Response:
    """A file the search engine cannot read (an index folder without permissions, a disk gone) is the engine
    being unavailable, answered like it; any other OSError is unexpected."""
    if not _raised_in("indexer.search", exc):
        return _unexpected(exc)
    log.warning("search index unreadable: %s", exc)
    UNAVAILABLE.labels("search").inc()
    return error_response(503, "检索服务暂时不可用，请稍后再试。检索索引无法读取：请检查索引目录的权限，或运行 `fagui index rebuild`")


def _raised_in(package: str, exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith(package + "."):
            return True
        tb = tb.tb_next
    return False


def _unavailable_database(exc: OperationalError) -> Response:
    log.warning("database unavailable: %s", exc)
    UNAVAILABLE.labels("database").inc()
    return error_response(503, "数据库暂时不可用，请稍后再试。")


def _database_error(exc: DatabaseError | StoreUnreadable) -> Response:
    """A damaged or truncated SQLite file is the database being unavailable (503, said in Chinese, counted);
    any other database error (a constraint, a programming error) is unexpected."""
    if as_store_error(exc) is None:
        return _unexpected(exc)
    log.warning("database unreadable: %s", exc)
    UNAVAILABLE.labels("database").inc()
    return error_response(503, "数据库暂时不可用，请稍后再试。数据库文件无法读取：请管理员检查或从备份恢复。")


def _unexpected(exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.path)
    return error_response(500)
