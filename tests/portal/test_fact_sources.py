"""The document page of a text two sources describe (issue 21): where each date and the status come from, the
other sources' values beside them, and a text not yet in force shown with its date."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from crawlers.sources import flk_snapshot, lawrefbook
from fagui.records import DocumentRecord
from fagui.settings import BUNDLED_FLK_SAMPLE, BUNDLED_SAMPLE, load_settings
from indexer.ingest.pipeline import ingest
from indexer.search.backends import open_backend
from indexer.search.indexing import rebuild
from indexer.store.db import make_engine, session_factory
from indexer.store.migrate import upgrade
from indexer.store.upsert import work_id_for

TITLE = "中华人民共和国道路运输条例"
SOON = date.today() + timedelta(days=40)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("facts")
    settings = load_settings({"FAGUI_DATA_DIR": str(root), "FAGUI_SECRET_KEY": "test-secret",
                              "FAGUI_API_RATE_LIMIT": "1000000"})
    engine = make_engine(settings=settings)
    upgrade(engine)
    factory = session_factory(engine)
    ingest(factory, lawrefbook.SOURCE, [r for r in lawrefbook.read_corpus(BUNDLED_SAMPLE).records if r.title == TITLE])
    road = [r for r in flk_snapshot.read_snapshot(BUNDLED_FLK_SAMPLE).records if r.title == TITLE]
    upcoming = DocumentRecord(source=flk_snapshot.NAME, source_ref="soon", title="示范供水条例",
                              text="示范供水条例\n第一条　为了保障供水，制定本条例。", doc_type="行政法规",
                              issuing_bodies=["国务院"], published=date.today(), effective=SOON,
                              source_status="尚未生效", source_url="https://flk.npc.gov.cn/detail?bbbs=soon")
    ingest(factory, flk_snapshot.NAME, [*road, upcoming],
           source_fields={"title": flk_snapshot.TITLE, "kind": "snapshot"})
    backend = open_backend(settings)
    rebuild(factory, backend)
    backend.close()
    engine.dispose()
    from portal import create_app

    return create_app(settings, testing=True).test_client()


def plain(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_each_date_and_the_status_name_their_source(client):
    wid = work_id_for(f"全国|{TITLE.removeprefix('中华人民共和国')}")
    page = plain(client.get(f"/works/{wid}/versions/2"))
    assert "施行日期 2022-05-01 来源：国家法律法规数据库（快照）（官方数据库）；其他来源：" in page
    assert "2022-03-29（推定）" in page
    assert "来源标注：已修改 来源：国家法律法规数据库（快照）（官方数据库）" in page
    status_row = page[page.index("时效性 "):page.index("时效性 ") + 200]
    assert "来源：国家法律法规数据库（快照）（官方数据库）；其他来源：" in status_row and "有效（汇编）" in status_row
    api = client.get(f"/api/v1/works/{wid}/versions/2").get_json()
    chosen = [f for f in api["facts"] if f["chosen"] and f["field"] == "effective"]
    assert chosen == [{"field": "effective", "value": "2022-05-01", "source": "国家法律法规数据库（快照）",
                       "basis": "official", "basis_label": "官方数据库",
                       "source_ref": "ff80818180e0a44101811e3947411441",
                       "source_url": "https://flk.npc.gov.cn/detail?bbbs=ff80818180e0a44101811e3947411441",
                       "chosen": True}]


def test_a_text_not_yet_in_force_is_shown_so_with_its_date(client):
    page = plain(client.get(f"/works/{work_id_for('全国|示范供水条例')}"))
    assert f"尚未生效（官方标注），{SOON.isoformat()} 起施行" in page
