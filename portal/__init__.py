"""The Flask portal: application factory and blueprints. The portal only reads the store and the search
index; the command line sits above it and is mounted on the app by wsgi.py (`flask --app wsgi ...`)."""

from __future__ import annotations

from flask import Flask

from fagui.settings import Settings, load_settings


def create_app(settings: Settings | None = None, *, testing: bool = False) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["FAGUI_SETTINGS"] = settings
    app.config["TESTING"] = testing
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # the default provider has it
    app.config["MAX_QUERY_CHARS"] = 200
    app.config["SECRET_KEY"] = settings.secret_key
    if settings.trusted_proxies > 0:
        # Behind nginx (docker-compose.yml) the peer is the proxy: the client's address and scheme are the ones
        # it forwards, believed for exactly that many proxies.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]

    from portal import (
        accounts,
        api,
        body_limit,
        browse,
        clearance,
        document_pages,
        errors,
        feeds,
        health,
        metrics,
        offline,
        reports,
        search_pages,
        security,
        services,
        static_assets,
    )

    static_assets.init_app(app)  # first: its compression runs after every other after_request hook
    services.init_app(app)
    metrics.init_app(app)
    body_limit.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    # Every part of the site, listed: a missing module fails here, at start-up, with its name.
    for module in (health, search_pages, document_pages, browse, api, feeds, reports, accounts, offline, clearance):
        app.register_blueprint(module.bp)
    return app
