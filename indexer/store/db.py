"""Engine and sessions for the store: SQLite under FAGUI_DATA_DIR by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from fagui.settings import Settings, load_settings


def make_engine(url: str | None = None, settings: Settings | None = None) -> Engine:
    settings = settings or load_settings()
    url = url or settings.database_url
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # pysqlite opens transactions lazily, so a SAVEPOINT could be the outermost statement and its RELEASE
    # would commit: hand transaction control to SQLAlchemy, which then emits BEGIN itself (_sqlite_begin).
    dbapi_connection.isolation_level = None
    # WAL lets the portal read while an import or crawl writes; foreign keys are off by default in SQLite.
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


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
