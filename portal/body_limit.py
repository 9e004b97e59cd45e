"""The largest request body the site reads: MAX_BODY_BYTES for every endpoint, so an anonymous 300 MB POST to
/login is answered 413 at once, before a byte of it is read or spooled to disk. A view that accepts more (the
batch-check upload) is marked @large_body and sets its own cap (request.max_content_length)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, current_app, request

MAX_BODY_BYTES = 1024 * 1024  # forms are a few KB; only marked views take files


def init_app(app: Flask) -> None:
    # Flask's own limit: a body sent without a length stops here too, with 413.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.before_request(_refuse_a_declared_large_body)


def large_body(view: Callable) -> Callable:
    """Mark a view that accepts bodies above MAX_BODY_BYTES; it must bound them itself."""
    view.large_body = True  # type: ignore[attr-defined]
    return view


def _refuse_a_declared_large_body() -> None:
    length = request.content_length
    if length is None or length <= MAX_BODY_BYTES:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "large_body", False):
        abort(413)
