"""A portal over the bundled corpus sample, shared by the page, API, feed and browser tests: the sample is
imported into a fresh SQLite store under a temporary FAGUI_DATA_DIR and indexed with Tantivy once per run."""

from __future__ import annotations

import os

import pytest

from crawlers.sources import lawrefbook
from fagui.settings import BUNDLED_SAMPLE, Settings, load_settings
from indexer.ingest.pipeline import ingest
from indexer.search.backends import open_backend
from indexer.search.indexing import rebuild
from indexer.store.db import make_engine, session_factory
from indexer.store.migrate import upgrade

# High enough that no test but the rate-limit tests (which build their own app) ever sees a 429.
TEST_RATE_LIMIT = "1000000"


@pytest.fixture(scope="session")
def portal_instance(tmp_path_factory) -> Settings:
    """Settings of an instance holding the imported and indexed bundled sample."""
    root = tmp_path_factory.mktemp("portal")
    env = {"FAGUI_DATA_DIR": str(root), "FAGUI_CORPUS_PATH": str(BUNDLED_SAMPLE),
           "FAGUI_API_RATE_LIMIT": TEST_RATE_LIMIT, "FAGUI_SECRET_KEY": "test-secret"}
    if os.environ.get("FAGUI_ES_URL"):  # the portal tests then run on Elasticsearch (docker compose up)
        env["FAGUI_ES_URL"] = os.environ["FAGUI_ES_URL"]
        env["FAGUI_ES_ALIAS"] = os.environ["FAGUI_ES_ALIAS"]  # this run's own alias (tests/conftest.py)
    settings = load_settings(env)
    engine = make_engine(settings=settings)
    upgrade(engine)
    factory = session_factory(engine)
    report = lawrefbook.read_corpus(BUNDLED_SAMPLE)
    ingest(factory, lawrefbook.SOURCE, report.records, report.errors)
    backend = open_backend(settings)
    rebuild(factory, backend)
    backend.close()
    engine.dispose()
    return settings


@pytest.fixture(scope="session")
def app(portal_instance):
    from portal import create_app

    return create_app(portal_instance, testing=True)


@pytest.fixture
def client(app):
    return app.test_client()


def build_clearance_instance(root, users: dict[str, bool], secret: str, password: str) -> Settings:
    """An instance holding the bundled sample with citation links and the given clearance accounts
    (name -> active), for the report and clearance pages."""
    from indexer.store.citations import rebuild_links
    from portal.accounts import create_user

    settings = load_settings({"FAGUI_DATA_DIR": str(root), "FAGUI_SECRET_KEY": secret})
    engine = make_engine(settings=settings)
    upgrade(engine)
    factory = session_factory(engine)
    report = lawrefbook.read_corpus(BUNDLED_SAMPLE)
    ingest(factory, lawrefbook.SOURCE, report.records, report.errors)
    with factory() as s:
        rebuild_links(s)
        for name, active in users.items():
            create_user(s, name, password, "clearance").active = active
        s.commit()
    engine.dispose()
    return settings


def token_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
