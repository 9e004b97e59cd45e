"""Response headers that keep the site safe: a strict Content-Security-Policy with no inline script,
no framing, no sniffing, nothing loaded from outside the site, and no private page kept in any cache: every
answer to a logged-in user (it names the user, or holds clearance work) and the login page (its CSRF token)
is `Cache-Control: private, no-store`; static files stay cacheable. A site whose FAGUI_PUBLIC_URL is https tells
browsers to use nothing else (Strict-Transport-Security)."""

from __future__ import annotations

from flask import Flask, Response, current_app, request, session

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

HSTS = "max-age=31536000"  # a year; subdomains are not ours to decide

# What every answer carries; the gunicorn worker's own answers (408, 414, 503 before the site sees a request)
# send them too (fagui/cli/guarded_worker.py).
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    app.after_request(_headers)


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config["FAGUI_SETTINGS"].public_url.lower().startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static" and (request.endpoint == "accounts.login" or _logged_in()):
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _logged_in() -> bool:
    # Without a session cookie there is no login: the session is not opened (it would add Vary: Cookie).
    return bool(request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])) and "user_id" in session
