"""The Flask portal: application factory. The `fagui` commands are mounted on `flask --app wsgi`."""

from __future__ import annotations

from flask import Flask

from fagui.settings import load_settings


def create_app(settings=None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["FAGUI_SETTINGS"] = settings
    from fagui.cli import cli

    for name, command in cli.commands.items():
        app.cli.add_command(command, name)
    return app
