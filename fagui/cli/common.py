"""What the command modules share: the store and search engine as a command opens them, JSON output, dates."""

from __future__ import annotations

import json
from datetime import date

import click

from indexer.search.backends.base import SearchBackend
from indexer.store.app_store import Store


def echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def open_store(migrate: bool = False) -> Store:
    """The store from FAGUI_* settings; a store that is not ready is a FaguiError, shown in Chinese."""
    from indexer.store.app_store import open_store as open_app_store

    return open_app_store(migrate=migrate)


def search_backend(store: Store) -> SearchBackend:
    from indexer.search.backends import open_backend

    return open_backend(store.settings)


def date_option(value: str | None, label: str) -> date | None:
    if not value:
        return None
    from fagui.normalise.dates import parse_date

    parsed = parse_date(value)
    if parsed is None:
        raise click.BadParameter(f"无法识别的日期：{value}（例如 2021-08-20）", param_hint=label)
    return parsed
