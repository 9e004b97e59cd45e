"""A damaged SQLite file (truncated, or random bytes where the database was) is StoreUnreadable, a Chinese
error, wherever it is met: opening the store, checking it page by page, or a query deep in a file that opened."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from fagui.errors import UnavailableError
from fagui.settings import load_settings
from indexer.store.app_store import open_store
from indexer.store.db import StoreUnreadable, as_store_error, check_readable, make_engine
from indexer.store.migrate import upgrade


def damage(path, how: str) -> None:
    """Truncate the file to a third, or write random bytes in its place (its WAL and index go too)."""
    for extra in ("-wal", "-shm"):
        if os.path.exists(str(path) + extra):
            os.remove(str(path) + extra)
    if how == "truncated":
        with open(path, "r+b") as f:
            f.truncate(os.path.getsize(path) // 3)
    else:
        size = os.path.getsize(path)
        with open(path, "wb") as f:
            f.write(os.urandom(size))


@pytest.fixture
def settings(tmp_path):
    settings = load_settings({"FAGUI_DATA_DIR": str(tmp_path)})
    engine = make_engine(settings=settings)
    upgrade(engine)
    with engine.begin() as conn:  # some pages of data, so a third of the file is not its whole schema
        conn.execute(text("create table filler (x text)"))
        for _ in range(200):
            conn.execute(text("insert into filler values (:x)"), {"x": "法" * 2000})
    check_readable(engine)
    engine.dispose()
    return settings


@pytest.mark.parametrize("how", ["truncated", "random"])
def test_opening_a_damaged_file_is_a_chinese_unavailable_error(settings, how):
    damage(settings.data_dir / "fagui.db", how)
    with pytest.raises(StoreUnreadable) as caught:
        open_store(settings)  # before: sqlalchemy.exc.DatabaseError, an English traceback
    assert isinstance(caught.value, UnavailableError) and caught.value.status == 503
    assert "无法读取" in str(caught.value) and "备份" in str(caught.value)
    assert str(settings.data_dir / "fagui.db") in str(caught.value)


@pytest.mark.parametrize("how", ["truncated", "random"])
def test_check_readable_fails_on_a_file_damaged_under_an_open_engine(settings, how):
    engine = make_engine(settings=settings)
    with engine.connect() as conn:
        conn.execute(text("select 1"))  # a pooled connection opened while the file was whole
    damage(settings.data_dir / "fagui.db", how)
    with pytest.raises(StoreUnreadable):
        check_readable(engine)
    engine.dispose()


def test_only_a_damaged_file_is_a_store_error():
    import sqlite3

    from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

    def driver(kind: type[sqlite3.Error], code: int) -> sqlite3.Error:
        error = kind("message")
        error.sqlite_errorcode = code  # type: ignore[attr-defined]
        return error

    assert as_store_error(DatabaseError("q", {}, driver(sqlite3.DatabaseError, 26))) is not None  # NOTADB
    assert as_store_error(DatabaseError("q", {}, driver(sqlite3.DatabaseError, 11))) is not None  # CORRUPT
    assert as_store_error(OperationalError("q", {}, driver(sqlite3.OperationalError, 522))) is not None  # SHORT_READ
    assert as_store_error(OperationalError("q", {}, driver(sqlite3.OperationalError, 5))) is None  # BUSY
    assert as_store_error(IntegrityError("q", {}, driver(sqlite3.IntegrityError, 2067))) is None  # UNIQUE
    assert as_store_error(ValueError("x")) is None
