"""The store as the command line and the portal open it: engine, session factory, schema check."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from fagui.errors import UnavailableError
from fagui.settings import Settings, load_settings
from indexer.store.db import make_engine, session_factory
from indexer.store.migrate import is_current, upgrade


class StoreNotReady(UnavailableError, RuntimeError):
    pass


@dataclass
class Store:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]


def open_store(settings: Settings | None = None, migrate: bool = False, reader: bool = False) -> Store:
    settings = settings or load_settings()
    engine = make_engine(settings=settings)
    if migrate:
        upgrade(engine)
    elif not is_current(engine):
        raise StoreNotReady(
            f"数据库尚未初始化：请先运行 `fagui db upgrade`（{engine.url.render_as_string(hide_password=True)}）"
        )
    return Store(settings, engine, session_factory(engine, reader=reader))
