"""Accounts for the clearance team: /login and /logout on Flask's signed session cookie.

Passwords are stored as werkzeug.security hashes; every form carries a CSRF token; a login lasts at most
PERMANENT_SESSION_LIFETIME (8 hours unless configured) from the moment of login, however active the session."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from fagui.errors import FaguiError
from indexer.store.models import User, utcnow
from portal import services
from portal.csrf import check_csrf, csrf_token

bp = Blueprint("accounts", __name__)

ROLES = {"clearance": "清理工作人员", "admin": "管理员"}
SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD = 8
_FLASK_DEFAULT_LIFETIME = timedelta(days=31)


class AccountError(FaguiError, ValueError):
    """A user the command line cannot create: the message is Chinese and says what to change."""


def create_user(session_: Session, name: str, password: str, role: str = "clearance") -> User:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise AccountError("用户名不能为空，且不超过 80 个字符")
    if role not in ROLES:
        raise AccountError(f"未知角色：{role}（可用：{'、'.join(ROLES)}）")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD} 个字符")
    if session_.scalar(select(User.id).where(User.name == name)) is not None:
        raise AccountError(f"用户已存在：{name}")
    user = User(name=name, role=role, password_hash=generate_password_hash(password))
    session_.add(user)
    session_.flush()
    return user


def authenticate(session_: Session, name: str, password: str) -> User | None:
    user = session_.scalar(select(User).where(User.name == (name or "").strip()))
    if user is None or not user.active:
        # Hash anyway so a wrong name takes as long as a wrong password.
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


_DUMMY_HASH = generate_password_hash("not-a-real-password")


@bp.record_once
def _configure(state) -> None:
    app = state.app
    if app.config.get("PERMANENT_SESSION_LIFETIME") in (None, _FLASK_DEFAULT_LIFETIME):
        app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME
    # Flask's defaults hold these keys already (SameSite None, Secure off): setdefault would change nothing.
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    settings = app.config.get("FAGUI_SETTINGS")
    if settings is not None and settings.public_url.lower().startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True  # the site is served over https: never send it over http
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.add_template_global(csrf_token, "csrf_token")
    app.add_template_global(current_user, "current_user")
    app.add_template_global(ROLES, "role_labels")


def _lifetime() -> timedelta:
    return current_app.permanent_session_lifetime


def current_user() -> dict | None:
    """The logged-in user as {id, name, role}, or None; a login older than the lifetime is ended here."""
    if "current_user" in g:
        return g.current_user
    user = None
    uid, login_at = session.get("user_id"), session.get("login_at")
    if uid is not None and login_at is not None:
        started = datetime.fromtimestamp(float(login_at), UTC)
        if datetime.now(UTC) - started <= _lifetime():
            row = services.session().get(User, uid)
            if row is not None and row.active:
                user = {"id": row.id, "name": row.name, "role": row.role}
        if user is None:
            for key in ("user_id", "login_at", "user_name", "role"):
                session.pop(key, None)
    g.current_user = user
    return user


def login_required(roles: tuple[str, ...] = tuple(ROLES)) -> Callable:
    """Send readers without a login to /login (and back afterwards); a user of another role gets 403."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            if user["role"] not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _safe_next(target: str | None) -> str:
    """target when it is a path on this site, else the reports page. "//evil.example", "https://..." and
    "/\\evil.example" would leave the site, and so would "/%09/evil.example" (a tab): browsers drop tabs and line
    breaks from a Location, so any control character refuses the target (and CR/LF never reach a header)."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not _UNSAFE_IN_NEXT.search(target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("reports.index") if "reports.index" in current_app.view_functions else "/"


_UNSAFE_IN_NEXT = re.compile(r"[\x00-\x1f\x7f]")


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = request.values.get("next", "")
    error = None
    status = 200
    if request.method == "POST":
        check_csrf()
        name = request.form.get("name", "")
        user = authenticate(services.session(), name, request.form.get("password", ""))
        if user is not None:
            session.clear()  # a fresh session on login: nothing from before the login survives (fixation)
            session.permanent = True
            session["user_id"] = user.id
            session["user_name"] = user.name
            session["role"] = user.role
            session["login_at"] = datetime.now(UTC).timestamp()
            db = services.session()
            db.get(User, user.id).last_login_at = utcnow()
            db.commit()
            return redirect(_safe_next(next_url))
        error, status = "用户名或密码不正确", 401
    hours = _lifetime().total_seconds() / 3600
    return render_template("accounts/login.html", error=error, next_url=next_url, hours=f"{hours:g}"), status


@bp.post("/logout")
def logout():
    check_csrf()
    session.clear()
    return redirect(url_for("accounts.login", done=1))
