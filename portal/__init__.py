"""The Flask portal: application factory and blueprints. The `fagui` commands are mounted on `flask --app wsgi`."""

from __future__ import annotations

from flask import Flask

from fagui.settings import Settings, load_settings


def create_app(settings: Settings | None = None, *, testing: bool = False) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["FAGUI_SETTINGS"] = settings
    app.config["TESTING"] = testing
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False
    app.config["MAX_QUERY_CHARS"] = 200
    app.config["SECRET_KEY"] = settings.secret_key

    from portal import errors, metrics, security, services

    services.init_app(app)
    metrics.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)
    app.add_template_global(lambda name: name in app.view_functions, "has_endpoint")

    from fagui.cli.commands import cli

    for name, command in cli.commands.items():
        app.cli.add_command(command, name)
    return app


def _register_blueprints(app: Flask) -> None:
    # Each blueprint module owns one part of the site; optional ones are registered when present so that
    # parts built in parallel can land independently.
    import importlib

    for module_name in ("portal.health", "portal.search_pages", "portal.document_pages", "portal.api", "portal.feeds",
                        "portal.reports", "portal.accounts", "portal.offline", "portal.clearance"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        app.register_blueprint(module.bp)
