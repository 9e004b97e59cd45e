"""Accounts for the clearance team: /login and /logout on Flask's signed session cookie and a server-side login.

Passwords are stored as werkzeug.security hashes; every form carries a CSRF token. The cookie carries a random
token whose hash is a LoginSession row: logging out, changing the password (set_password) or leaving the login
unused for FAGUI_SESSION_IDLE_MINUTES deletes the row, so a copy of the cookie opens nothing afterwards. A login
lasts at most PERMANENT_SESSION_LIFETIME (8 hours unless configured) from the moment of login, however active.
Failed logins are counted per account name and per client address (FAGUI_LOGIN_MAX_FAILURES...): past the
limit, logins are refused for the rest of FAGUI_LOGIN_LOCK_MINUTES without the password being tried."""

from __future__ import annotations

import functools
import hashlib
import math
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from fagui.errors import FaguiError
from indexer.store.models import LoginFailure, LoginSession, User, utcnow
from portal import services
from portal.csrf import check_csrf, csrf_token

bp = Blueprint("accounts", __name__)

ROLES = {"clearance": "清理工作人员", "admin": "管理员"}
SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD = 8
_FLASK_DEFAULT_LIFETIME = timedelta(days=31)
TOUCH_EVERY = timedelta(minutes=1)  # how often a login's last use is written down


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


def set_password(session_: Session, user: User, password: str) -> int:
    """Give user a new password and end every login of theirs; the number of logins ended is returned."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD} 个字符")
    user.password_hash = generate_password_hash(password)
    return end_logins(session_, user.id)


def end_logins(session_: Session, user_id: int) -> int:
    ended = session_.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
    return int(getattr(ended, "rowcount", 0) or 0)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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


def _settings():
    return current_app.config["FAGUI_SETTINGS"]


def current_user() -> dict | None:
    """The logged-in user as {id, name, role}, or None; a login that is over (its lifetime, idle too long,
    ended on the server) is cleared from the cookie here."""
    if "current_user" in g:
        return g.current_user
    user = None
    token, login_at = session.get("login"), session.get("login_at")
    if isinstance(token, str) and login_at is not None:
        started = datetime.fromtimestamp(float(login_at), UTC)
        if datetime.now(UTC) - started <= _lifetime():
            user = _live_login(token)
        if user is None:
            for key in ("login", "user_id", "login_at", "user_name", "role"):
                session.pop(key, None)
    g.current_user = user
    return user


def _live_login(token: str) -> dict | None:
    """The user of the login with this token, when its row exists, its user is active and it is not idle."""
    found = services.session().execute(
        select(LoginSession, User).join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == _token_hash(token))).first()
    if found is None:
        return None
    login, row = found
    now = utcnow()
    if not row.active or now - login.last_seen_at > timedelta(minutes=_settings().session_idle_minutes):
        return None
    if now - login.last_seen_at >= TOUCH_EVERY:
        db = services.writer_session()
        try:
            db.execute(update(LoginSession).where(LoginSession.id == login.id).values(last_seen_at=now))
            db.commit()
        except OperationalError:  # a busy database: the page is still served, the next request writes it down
            db.rollback()
    return {"id": row.id, "name": row.name, "role": row.role}


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


def _wait_minutes(name: str, address: str) -> int | None:
    """Minutes until this account name and address may try again, or None when they may now."""
    settings = _settings()
    window = timedelta(minutes=settings.login_lock_minutes)
    now = utcnow()
    db = services.session()
    wait = None
    for column, value, limit in ((LoginFailure.name, name, settings.login_max_failures),
                                 (LoginFailure.address, address, settings.login_max_failures_per_address)):
        recent = select(LoginFailure.at).where(column == value, LoginFailure.at > now - window)
        if db.scalar(select(func.count()).select_from(recent.subquery())) >= limit:
            # the pause lasts until enough failures have left the window
            times = db.scalars(recent.order_by(LoginFailure.at.desc()).limit(limit)).all()
            minutes = max(1, math.ceil((times[-1] + window - now).total_seconds() / 60))
            wait = max(wait or 0, minutes)
    return wait


def _record_failure(name: str, address: str) -> None:
    db = services.writer_session()
    db.execute(delete(LoginFailure).where(
        LoginFailure.at < utcnow() - timedelta(minutes=_settings().login_lock_minutes)))
    db.add(LoginFailure(name=name, address=address))
    db.commit()


def _start_login(user: User, name: str) -> str:
    """Write the server side of a new login and return its token; nothing reaches the cookie before this commits."""
    token = secrets.token_urlsafe(32)
    db = services.writer_session()
    idle = timedelta(minutes=_settings().session_idle_minutes)
    db.execute(delete(LoginSession).where(LoginSession.last_seen_at < utcnow() - max(idle, _lifetime())))
    db.add(LoginSession(token_hash=_token_hash(token), user_id=user.id))
    db.execute(update(User).where(User.id == user.id).values(last_login_at=utcnow()))
    db.execute(delete(LoginFailure).where(LoginFailure.name == name))
    db.commit()
    return token


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = request.values.get("next", "")
    error = None
    status = 200
    headers = {}
    if request.method == "POST":
        check_csrf()
        name = request.form.get("name", "").strip()[:80]
        address = (request.remote_addr or "unknown")[:64]
        wait = _wait_minutes(name, address)
        if wait is not None:
            error, status = f"登录失败次数过多，请 {wait} 分钟后再试", 429
            headers["Retry-After"] = str(wait * 60)
        else:
            user = authenticate(services.session(), name, request.form.get("password", ""))
            if user is not None:
                token = _start_login(user, name)
                session.clear()  # a fresh session on login: nothing from before the login survives (fixation)
                session.permanent = True
                session["login"] = token
                session["user_id"] = user.id
                session["user_name"] = user.name
                session["role"] = user.role
                session["login_at"] = datetime.now(UTC).timestamp()
                return redirect(_safe_next(next_url))
            _record_failure(name, address)
            error, status = "用户名或密码不正确", 401
    hours = _lifetime().total_seconds() / 3600
    page = render_template("accounts/login.html", error=error, next_url=next_url, hours=f"{hours:g}",
                           idle=f"{_settings().session_idle_minutes:g}")
    return page, status, headers


@bp.route("/password", methods=["GET", "POST"])
@login_required()
def password():
    """Change one's own password: every other login of the account ends; this browser gets a new login."""
    user = current_user()
    assert user is not None  # login_required
    error, status = None, 200
    if request.method == "POST":
        check_csrf()
        new = request.form.get("new_password", "")
        if authenticate(services.session(), user["name"], request.form.get("password", "")) is None:
            error, status = "当前密码不正确", 400
        elif new != request.form.get("new_password_again", ""):
            error, status = "两次输入的新密码不一致", 400
        else:
            db = services.writer_session()
            row = db.get(User, user["id"])
            if row is None:
                abort(403)
            try:
                set_password(db, row, new)
            except AccountError as exc:
                db.rollback()
                error, status = str(exc), 400
            else:
                db.commit()
                session["login"] = _start_login(row, row.name)
                session["login_at"] = datetime.now(UTC).timestamp()
                return redirect(url_for("accounts.password", done=1))
    return render_template("accounts/password.html", error=error, min_chars=MIN_PASSWORD), status


@bp.post("/logout")
def logout():
    check_csrf()
    token = session.get("login")
    if isinstance(token, str):
        db = services.writer_session()
        db.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
        db.commit()
    session.clear()
    return redirect(url_for("accounts.login", done=1))
