"""Health, readiness and metrics; and what readers see when a part is down: the search engine's index made
unavailable, the database refusing connections. Both answer 503 with a Chinese message, recover by themselves,
and the outbox catches the index up afterwards with nothing lost."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from crawlers.sources import lawrefbook
from fagui.settings import BUNDLED_SAMPLE, load_settings
from indexer.ingest.pipeline import ingest
from indexer.search.backends.tantivy_backend import TantivyBackend
from indexer.search.indexing import rebuild, sync
from indexer.store.db import make_engine, session_factory
from indexer.store.migrate import upgrade
from indexer.store.models import OutboxEvent
from tests.conftest import _drop_pg, _fresh_pg_url
from tests.portal.tcp_proxy import TcpProxy


def test_health_readiness_and_metrics(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = {c["name"]: c for c in ready.json["checks"]}
    assert checks["database"]["ok"] and checks["search"]["ok"] and checks["search"]["documents"] > 0
    # the kind of database, never its URL (hosts, users, file paths)
    assert checks["database"]["kind"] == "sqlite" and "url" not in checks["database"]
    assert "sqlite:" not in ready.get_data(as_text=True)
    client.get("/search?q=安全")
    client.get("/no/such/page")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'fagui_http_requests_total{endpoint="search_pages.search_page",method="GET",status="200"}' in text
    assert 'endpoint="unmatched",method="GET",status="404"' in text
    assert 'fagui_http_request_duration_seconds_bucket{endpoint="search_pages.search_page",le="0.5"}' in text


def _instance(tmp_path, database_url: str | None = None, records: int = 40):
    env = {"FAGUI_DATA_DIR": str(tmp_path), "FAGUI_API_RATE_LIMIT": "100000", "FAGUI_SECRET_KEY": "t",
           "FAGUI_SEARCH_CACHE_SECONDS": "0"}
    if database_url:
        env["FAGUI_DATABASE_URL"] = database_url
    settings = load_settings(env)
    engine = make_engine(settings=settings)
    upgrade(engine)
    factory = session_factory(engine)
    report = lawrefbook.read_corpus(BUNDLED_SAMPLE)
    ingest(factory, lawrefbook.SOURCE, report.records[:records], [])
    rebuild(factory, TantivyBackend(tmp_path / "tantivy"))
    return settings, engine, factory, report


def test_an_unreadable_index_folder_is_the_chinese_503_not_a_500(tmp_path, monkeypatch):
    from pathlib import Path

    from portal import create_app

    settings, engine, *_ = _instance(tmp_path, records=5)
    client = create_app(settings, testing=True).test_client()
    assert client.get("/search?q=条例").status_code == 200
    root = str(tmp_path / "tantivy")
    real_stat = Path.stat

    def stat(self, *args, **kwargs):  # what a folder without permissions gives (tests may run as root)
        if str(self).startswith(root + "/"):
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    page = client.get("/search?q=办法")
    assert page.status_code == 503 and page.headers["Retry-After"]  # before: 500 服务器内部错误
    assert "检索服务暂时不可用" in page.get_data(as_text=True) and "权限" in page.get_data(as_text=True)
    api = client.get("/api/v1/search?q=规定")
    assert api.status_code == 503 and "检索服务暂时不可用" in api.json["error"]["message"]
    assert client.get("/readyz").status_code == 503
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'fagui_dependency_unavailable_total{part="search"}' in metrics
    monkeypatch.undo()
    assert client.get("/search?q=通知").status_code == 200
    engine.dispose()


def test_search_engine_down_then_back(tmp_path):
    from portal import create_app

    settings, engine, factory, report = _instance(tmp_path)
    client = create_app(settings, testing=True).test_client()
    assert client.get("/search?q=条例").status_code == 200

    root = tmp_path / "tantivy"
    index_dir = next(root.glob("index-*"))
    moved = tmp_path / "moved-away"
    shutil.move(index_dir, moved)
    try:
        page = client.get("/search?q=条例")
        assert page.status_code == 503
        assert "检索服务暂时不可用" in page.get_data(as_text=True)
        assert page.headers["Retry-After"]
        api = client.get("/api/v1/search?q=条例")
        assert api.status_code == 503 and "检索服务暂时不可用" in api.json["error"]["message"]
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200  # the process itself is fine
        # the store keeps changing meanwhile; the sync refuses to write a partial index and keeps its work
        ingest(factory, lawrefbook.SOURCE, report.records[40:50], [])
        with pytest.raises(Exception, match="检索索引"):
            sync(factory, TantivyBackend(root))
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(OutboxEvent)
                                  .where(OutboxEvent.processed_at.is_(None))) >= 10
    finally:
        shutil.move(moved, index_dir)

    # back without a restart, and the outbox catches up
    assert client.get("/search?q=条例").status_code == 200
    assert client.get("/readyz").status_code == 200
    summary = sync(factory, TantivyBackend(root))
    assert summary.events >= 10 and summary.works > 0
    new_title = report.records[45].title
    hits = client.get("/api/v1/search?status=all&q=" + new_title).json["hits"]
    assert any(h["title"] == new_title for h in hits)
    engine.dispose()


@pytest.mark.postgres
def test_database_refusing_connections_then_back(tmp_path, pg_admin):
    from portal import create_app

    url = _fresh_pg_url(pg_admin)
    try:
        settings, engine, _, _ = _instance(tmp_path, url, records=20)
        engine.dispose()
        proxy = TcpProxy("127.0.0.1", 5432).start()
        proxied = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        app = create_app(load_settings({**_env(settings), "FAGUI_DATABASE_URL": proxied}), testing=True)
        client = app.test_client()
        assert client.get("/search?q=条例").status_code == 200

        proxy.stop()
        page = client.get("/search?q=条例")
        assert page.status_code == 503 and "数据库暂时不可用" in page.get_data(as_text=True)
        works = client.get("/api/v1/works/nosuchwork")
        assert works.status_code == 503 and works.json["error"]["message"].startswith("数据库暂时不可用")
        ready = client.get("/readyz")
        assert ready.status_code == 503
        database = {c["name"]: c for c in ready.json["checks"]}["database"]
        assert not database["ok"] and database["error"].startswith("数据库无法连接")
        assert str(proxy.port) not in ready.get_data(as_text=True)  # no host or port for the public

        proxy = TcpProxy("127.0.0.1", 5432, port=proxy.port).start()  # the database is back on the same address
        assert client.get("/search?q=条例").status_code == 200
        assert client.get("/readyz").status_code == 200
        proxy.stop()
        app.extensions["fagui.store"].engine.dispose()
    finally:
        _drop_pg(pg_admin, url)


def _env(settings) -> dict[str, str]:
    return {"FAGUI_DATA_DIR": str(settings.data_dir), "FAGUI_API_RATE_LIMIT": "100000", "FAGUI_SECRET_KEY": "t",
            "FAGUI_SEARCH_CACHE_SECONDS": "0"}


@pytest.mark.parametrize("how", ["truncated", "random"])
def test_a_damaged_database_file_is_not_ready_and_pages_answer_a_chinese_503(tmp_path, how):
    """Truncated under a running site (its connections open), or random bytes before it starts (a connection
    opened on a file still cached in memory may keep serving those pages: only what it must read fails)."""
    from indexer.store.models import Work
    from portal import create_app
    from tests.indexer.store.test_damaged_file import damage

    settings, engine, factory, _ = _instance(tmp_path, records=40)
    with factory() as session:
        work = session.scalars(select(Work.id).limit(1)).one()
    engine.dispose()
    if how == "random":
        damage(tmp_path / "fagui.db", how)
    client = create_app(settings, testing=True).test_client()
    if how == "truncated":
        assert client.get("/readyz").status_code == 200
        assert client.get(f"/works/{work}").status_code == 200  # the app's connections are open on a whole file
        damage(tmp_path / "fagui.db", how)
    ready = client.get("/readyz")
    assert ready.status_code == 503  # before: 200 ready, while pages answered 500
    checks = {c["name"]: c for c in ready.json["checks"]}
    assert not checks["database"]["ok"] and "无法读取" in checks["database"]["error"]
    assert str(tmp_path) not in ready.get_data(as_text=True)
    for url in (f"/works/{work}", f"/works/{work}/print", "/"):
        page = client.get(url)
        assert page.status_code == 503, url
        assert "数据库暂时不可用" in page.get_data(as_text=True) and str(tmp_path) not in page.get_data(as_text=True)
    api = client.get(f"/api/v1/works/{work}")
    assert api.status_code == 503 and "数据库" in api.json["error"]["message"]
