"""Engine and sessions for the store: SQLite under FAGUI_DATA_DIR by default, PostgreSQL by URL."""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from fagui.errors import UnavailableError
from fagui.settings import Settings, load_settings


class StoreUnreadable(UnavailableError):
    """The database file cannot be read: damaged, truncated, or not a database at all."""


def _unreadable_message(path: str | None, reason: str) -> str:
    where = f"“{path}”" if path else ""
    return (f"数据库文件{where}无法读取：文件已损坏、不完整或不是数据库（{reason}）。"
            "请从备份恢复该文件（或用 `fagui import dump` 导入导出的备份），或删除后运行 `fagui db upgrade` 重新导入")


def as_store_error(exc: BaseException, path: str | None = None) -> StoreUnreadable | None:
    """The StoreUnreadable an error of the database driver stands for, or None: SQLite's "file is not a
    database", "database disk image is malformed" and the "disk I/O error" of a read past a truncated end
    (not a locked file or a constraint)."""
    if isinstance(exc, StoreUnreadable):
        return exc
    orig = exc.orig if isinstance(exc, DatabaseError) else exc
    if isinstance(orig, sqlite3.DatabaseError) and (getattr(orig, "sqlite_errorcode", 0) & 0xFF) in _UNREADABLE:
        return StoreUnreadable(_unreadable_message(path, str(orig)))
    return None


_UNREADABLE = {10, 11, 26}  # SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_NOTADB (primary codes; extended ones keep them)


def make_engine(url: str | None = None, settings: Settings | None = None) -> Engine:
    settings = settings or load_settings()
    url = url or settings.database_url
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", functools.partial(_sqlite_pragmas, path=engine.url.database))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record, path: str | None = None) -> None:
    # pysqlite opens transactions lazily, so a SAVEPOINT could be the outermost statement and its RELEASE
    # would commit: hand transaction control to SQLAlchemy, which then emits BEGIN itself (_sqlite_begin).
    dbapi_connection.isolation_level = None
    # WAL lets the portal read while an import or crawl writes; foreign keys are off by default in SQLite.
    cur = dbapi_connection.cursor()
    try:
        cur.execute("PRAGMA journal_mode=WAL")  # reads the schema: the first statement a damaged file fails
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as exc:
        error = as_store_error(exc, path)
        if error is None:
            raise
        raise error from None
    finally:
        cur.close()


_checked: dict[str, tuple] = {}


def _file_state(path: str) -> tuple:
    """What changes when the SQLite file (or its write-ahead log) does: size and modification time of both."""
    state: list[tuple[int, int, int] | None] = []
    for name in (path, path + "-wal"):
        try:
            st = os.stat(name)
            state.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            state.append(None)
    return tuple(state)


def check_readable(engine: Engine) -> None:
    """Raise StoreUnreadable unless every page of the store can be read: on SQLite `PRAGMA quick_check`
    (0.15 s on the whole corpus; run again only once the file has changed), elsewhere one query."""
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return
    path = engine.url.database
    state = _file_state(path)
    if _checked.get(path) == state:
        return
    try:
        with engine.connect() as conn:
            result = [row[0] for row in conn.exec_driver_sql("PRAGMA quick_check(1)")]
    except DatabaseError as exc:
        error = as_store_error(exc, path)
        if error is None:
            raise
        raise error from None
    if result != ["ok"]:
        raise StoreUnreadable(_unreadable_message(path, "; ".join(map(str, result))[:200]))
    _checked[path] = state


def _sqlite_begin(conn) -> None:
    # Writers start IMMEDIATE: a deferred transaction that read first and then writes cannot wait for another
    # writer (SQLite answers "database is locked" at once to avoid a deadlock); an immediate one waits its
    # turn under the busy timeout. Readers (the portal) stay deferred so they never queue behind each other.
    mode = conn.get_execution_options().get("fagui_sqlite_begin", "IMMEDIATE")
    conn.exec_driver_sql(f"BEGIN {mode}")


def session_factory(engine: Engine, *, reader: bool = False) -> sessionmaker[Session]:
    """Sessions on the store. reader=True (the portal): on SQLite, transactions start deferred, so many
    readers share the file; its rare writes still go through, waiting for a crawler's page at most."""
    from indexer.store import outbox  # registers the listener that writes outbox rows with every change

    outbox.install()
    bind = engine.execution_options(fagui_sqlite_begin="DEFERRED") if reader and engine.dialect.name == "sqlite" \
        else engine
    return sessionmaker(bind, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back (and nothing half-written) on error."""
    with factory() as session, session.begin():
        yield session
