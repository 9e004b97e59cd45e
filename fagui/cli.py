"""The `fagui` command line: one click group, also mounted on the Flask app (`flask --app wsgi ...`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group()
def cli() -> None:
    """法规统一公开查询平台 fagui."""


@cli.command("normalise")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def normalise_cmd(file: Path) -> None:
    """Print the normalised text of a raw crawled page (FILE, any encoding)."""
    from crawlers.normalise import NormaliseError, normalise_page

    try:
        text = normalise_page(file.read_bytes())
    except NormaliseError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    click.echo(text)


def main() -> None:
    cli(prog_name="fagui")


if __name__ == "__main__":
    sys.exit(main())
