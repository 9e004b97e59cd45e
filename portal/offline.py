"""Offline use: the web app manifest, the service worker (served from the site root so that its scope is the
whole site), the saved-documents page and the page shown when a page is neither online nor saved."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, send_from_directory, url_for

bp = Blueprint("offline", __name__)

# Bumped when the cached shell changes, so the service worker replaces old copies.
SHELL_VERSION = "2"


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    data = {
        "name": current_app.config["FAGUI_SETTINGS"].platform_name,
        "short_name": "法规查询",
        "lang": "zh-CN",
        "start_url": url_for("search_pages.home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#8c1c13",
        "icons": [{"src": url_for("static", filename="icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = current_app.response_class(current_app.json.dumps(data), mimetype="application/manifest+json")
    return response


@bp.get("/sw.js")
def service_worker() -> Response:
    response = send_from_directory(current_app.static_folder or "static", "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/saved")
def saved() -> str:
    return render_template("saved.html")


@bp.get("/offline")
def offline() -> str:
    return render_template("offline.html")
