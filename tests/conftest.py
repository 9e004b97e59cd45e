"""Shared fixtures: a migrated store on SQLite and on the PostgreSQL server (skipped with the reason when
none is reachable), and the paths of the shared corpus and samples."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fagui.settings import load_settings
from indexer.store.app_store import Store
from indexer.store.db import make_engine, session_factory
from indexer.store.migrate import upgrade

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "lawrefbook.jsonl.gz"
PAGES = SHARED / "samples" / "pages"
PG_URL = os.environ.get("FAGUI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason=f"shared corpus not present at {CORPUS}")


@pytest.fixture(scope="session", autouse=True)
def es_test_alias():
    """With FAGUI_ES_URL set, whatever a test builds on Elasticsearch (the CLI, the portal, subprocesses) goes
    under a random FAGUI_ES_ALIAS of this run, never a deployment's fagui-docs, and is deleted at the end."""
    url = os.environ.get("FAGUI_ES_URL")
    if not url:
        yield None
        return
    alias = f"fagui-test-{uuid.uuid4().hex[:10]}"
    before = os.environ.get("FAGUI_ES_ALIAS")
    os.environ["FAGUI_ES_ALIAS"] = alias
    try:
        yield alias
    finally:
        if before is None:
            os.environ.pop("FAGUI_ES_ALIAS", None)
        else:
            os.environ["FAGUI_ES_ALIAS"] = before
        import warnings

        from indexer.search.backends.base import BackendUnavailable
        from indexer.search.backends.elasticsearch_backend import ElasticsearchBackend

        backend = ElasticsearchBackend(url, alias=alias)
        try:
            backend.drop_all()
        except BackendUnavailable as exc:  # the server went away: whatever is left there is named fagui-test-*
            warnings.warn(f"could not delete the test indices {alias}-*: {exc}", stacklevel=1)
        finally:
            backend.close()


def _pg_admin_engine():
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # any connection failure means: no server to test against
        engine.dispose()
        return None, f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}"
    return engine, None


@pytest.fixture(scope="session")
def pg_admin():
    engine, reason = _pg_admin_engine()
    if engine is None:
        pytest.skip(reason)
    yield engine
    engine.dispose()


def _fresh_pg_url(admin) -> str:
    name = f"fagui_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _drop_pg(admin, url: str) -> None:
    name = make_url(url).database
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A URL of an empty database, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fagui.db'}"
        return
    admin = request.getfixturevalue("pg_admin")
    url = _fresh_pg_url(admin)
    yield url
    _drop_pg(admin, url)


@pytest.fixture
def store(db_url, tmp_path) -> Store:
    """A migrated store on each backend."""
    settings = load_settings({"FAGUI_DATA_DIR": str(tmp_path), "FAGUI_DATABASE_URL": db_url})
    engine = make_engine(settings=settings)
    upgrade(engine)
    yield Store(settings, engine, session_factory(engine))
    engine.dispose()


@pytest.fixture
def sqlite_store(tmp_path) -> Store:
    settings = load_settings({"FAGUI_DATA_DIR": str(tmp_path)})
    engine = make_engine(settings=settings)
    upgrade(engine)
    yield Store(settings, engine, session_factory(engine))
    engine.dispose()
