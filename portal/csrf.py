"""A small CSRF guard: one random token per session, put in every form as a hidden field and checked on every
POST of the blueprints that ask for it (compare_digest, so timing says nothing about the token)."""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

FIELD = "csrf_token"


def csrf_token() -> str:
    token = session.get(FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[FIELD] = token
    return token


def check_csrf() -> None:
    """Abort with 400 (in Chinese) unless an unsafe request carries the session's token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get(FIELD) or request.headers.get("X-CSRF-Token") or ""
    expected = session.get(FIELD) or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")
