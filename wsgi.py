"""gunicorn entry point (`gunicorn wsgi:app`) and `flask --app wsgi ...`, which reaches the fagui commands."""

from fagui.cli.commands import cli
from portal import create_app

app = create_app()
for name, command in cli.commands.items():
    app.cli.add_command(command, name)
