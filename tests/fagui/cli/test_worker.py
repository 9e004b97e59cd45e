"""The background worker: it drains the outbox, survives an engine that is down and catches up when it is
back, and keeps crawling the other sources when one fails."""

from __future__ import annotations

import shutil

from sqlalchemy import func, select

from crawlers.sources import lawrefbook
from fagui.cli.worker import run_worker
from fagui.settings import BUNDLED_SAMPLE, load_settings
from indexer.ingest.pipeline import ingest
from indexer.search.backends.tantivy_backend import TantivyBackend
from indexer.search.indexing import rebuild
from indexer.store.db import make_engine, session_factory
from indexer.store.migrate import upgrade
from indexer.store.models import OutboxEvent


def _pending(factory) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.processed_at.is_(None)))


def test_worker_syncs_and_survives_an_engine_outage(tmp_path):
    settings = load_settings({"FAGUI_DATA_DIR": str(tmp_path)})
    engine = make_engine(settings=settings)
    upgrade(engine)
    factory = session_factory(engine)
    records = lawrefbook.read_corpus(BUNDLED_SAMPLE).records
    ingest(factory, lawrefbook.SOURCE, records[:20], [])
    rebuild(factory, TantivyBackend(tmp_path / "tantivy"))
    ingest(factory, lawrefbook.SOURCE, records[20:30], [])
    assert _pending(factory) >= 10

    index_dir = next((tmp_path / "tantivy").glob("index-*"))
    shutil.move(index_dir, tmp_path / "away")
    state = run_worker(settings, [], 3600, 0, rounds=2)
    assert state.rounds == 2 and len(state.errors) == 2 and "索引同步失败" in state.errors[0]
    assert _pending(factory) >= 10  # nothing lost while the engine was away

    shutil.move(tmp_path / "away", index_dir)
    state = run_worker(settings, [], 3600, 0, rounds=1)
    assert not state.errors and state.synced_events >= 10
    assert _pending(factory) == 0
    engine.dispose()


def test_a_failing_source_does_not_stop_the_round(tmp_path):
    settings = load_settings({"FAGUI_DATA_DIR": str(tmp_path)})
    upgrade(make_engine(settings=settings))
    rebuild(session_factory(make_engine(settings=settings)), TantivyBackend(tmp_path / "tantivy"))

    def get_source(name):
        raise LookupError(f"未知的采集来源：{name}")

    state = run_worker(settings, ["nosuch", "other"], 3600, 0, rounds=1, get_source=get_source)
    assert [e.split("：")[0] for e in state.errors] == ["采集 nosuch 失败", "采集 other 失败"]
    assert state.rounds == 1


def test_the_worker_crawls_a_source_with_the_paths_of_its_settings(tmp_path):
    from fagui.cli.worker import crawl_once
    from indexer.store.models import Version
    from tests.crawlers.sources.test_files import DOCUMENTS, UPLOADS

    settings = load_settings({"FAGUI_DATA_DIR": str(tmp_path), "FAGUI_FILES_PATH": str(UPLOADS)})
    engine = make_engine(settings=settings)
    upgrade(engine)
    summary = crawl_once(settings, "files")
    assert "state='finished'" in summary and f"new={len(DOCUMENTS)}" in summary
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count(Version.id))) == len(DOCUMENTS)
    engine.dispose()
