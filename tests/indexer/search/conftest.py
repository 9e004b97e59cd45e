"""The bundled corpus sample imported and indexed once, read by the search tests of this package."""

from __future__ import annotations

import pytest

from crawlers.sources import lawrefbook
from fagui.settings import BUNDLED_SAMPLE, load_settings
from indexer.ingest.pipeline import ingest
from indexer.search.backends.tantivy_backend import TantivyBackend
from indexer.search.indexing import rebuild
from indexer.store.db import make_engine, session_factory
from indexer.store.migrate import upgrade


@pytest.fixture(scope="package")
def corpus(tmp_path_factory):
    """(session factory, Tantivy backend) over the sample; tests only read it."""
    root = tmp_path_factory.mktemp("search")
    settings = load_settings({"FAGUI_DATA_DIR": str(root)})
    engine = make_engine(settings=settings)
    upgrade(engine)
    factory = session_factory(engine)
    report = lawrefbook.read_corpus(BUNDLED_SAMPLE)
    ingest(factory, lawrefbook.SOURCE, report.records, report.errors)
    backend = TantivyBackend(root / "tantivy")
    rebuild(factory, backend)
    yield factory, backend
    engine.dispose()
