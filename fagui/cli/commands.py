"""The `fagui` command line: one click group; each command module owns one concern and is listed here, so a
missing one fails at start-up with its name. wsgi.py mounts the same commands on `flask --app wsgi`."""

from __future__ import annotations

import click

from fagui.cli import (
    clearance_commands,
    ingest_commands,
    search_commands,
    site_commands,
    sites_commands,
    store_commands,
)
from fagui.cli.click_zh import ChineseGroup


@click.group(cls=ChineseGroup)
def cli() -> None:
    """法规统一公开查询平台 fagui。"""


for _module in (store_commands, ingest_commands, sites_commands, search_commands, site_commands,
                clearance_commands):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    cli(prog_name="fagui")


if __name__ == "__main__":
    main()
