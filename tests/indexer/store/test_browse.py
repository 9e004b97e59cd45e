"""Directories (bodies, regions, years, topics), the scope condition, provenance, breadcrumbs and the
completeness reports on SQLite and PostgreSQL, over a handful of records stored as a crawl would store them."""

from __future__ import annotations

from datetime import date, datetime

from clearance.completeness import by_body, gone_pages, missing_normative
from fagui.records import DocumentRecord, RelationRef
from indexer.store.browse import (
    assign_region_codes,
    body_directory,
    region_directory,
    topic_directory,
    year_directory,
)
from indexer.store.models import CrawlPage, Work
from indexer.store.provenance import breadcrumbs, provenance
from indexer.store.upsert import upsert_record

TEXT = "第一条 为了规范管理，制定本办法。\n第二条 本办法自公布之日起施行。"


def rec(ref: str, title: str, bodies: list[str], region: str, published: date, **kw) -> DocumentRecord:
    return DocumentRecord(source=kw.pop("source", "norms-test"), source_ref=ref, title=title, text=TEXT + title,
                          doc_type=kw.pop("doc_type", "行政规范性文件"), issuing_bodies=bodies, region=region,
                          published=published, effective=published, **kw)


def fill(session) -> dict[str, str]:
    ids = {}
    for r in (
        rec("a", "郑州市城市供水管理办法", ["郑州市人民政府"], "河南省", date(2021, 5, 1), extra={"subject": "城乡建设"}),
        rec("b", "郑州市金水区物业管理办法", ["郑州市金水区人民政府"], "河南省", date(2019, 1, 2)),
        rec("c", "洛阳市停车管理办法", ["洛阳市人民政府"], "河南省", date(2020, 7, 1),
            relations=[RelationRef("cites", title="洛阳市停车收费管理规定", doc_number="洛政〔2019〕3号"),
                       RelationRef("based_on", title="中华人民共和国道路交通安全法")]),
        rec("d", "河南省道路运输条例", ["河南省人民代表大会常务委员会"], "河南省", date(2018, 3, 1), doc_type="地方性法规"),
        rec("e", "浙江省消防条例", ["浙江省人民代表大会常务委员会"], "浙江省", date(2021, 1, 1), doc_type="地方性法规"),
        rec("f", "中华人民共和国消防法", ["全国人民代表大会常务委员会"], "全国", date(2021, 4, 29), doc_type="法律",
            source="lawrefbook"),
    ):
        ids[r.source_ref] = upsert_record(session, r).work_id
    session.flush()
    now = datetime(2026, 1, 5, 8, 0)
    session.add_all([
        CrawlPage(source="norms-test", ref="a", url="https://www.zhengzhou.gov.cn/a.html", work_id=ids["a"],
                  first_seen=datetime(2025, 1, 1), last_fetched=now),
        CrawlPage(source="norms-test", ref="c", url="https://www.ly.gov.cn/c.html", work_id=ids["c"],
                  first_seen=datetime(2025, 1, 1), last_fetched=now, gone_at=datetime(2025, 12, 1)),
    ])
    session.commit()
    return ids


def test_works_are_placed_and_counted_by_region_body_year_and_topic(store):
    with store.sessions() as s:
        ids = fill(s)
        codes = {k: s.get(Work, v).region_code for k, v in ids.items()}
        assert codes == {"a": "410100", "b": "410105", "c": "410300", "d": "410000", "e": "330000", "f": "000000"}
        assert assign_region_codes(s) == 0  # the same answer for stores filled before
        regions = {r.code: r.count for r in region_directory(s, ("410000", "000000"))}
        assert regions == {"000000": 1, "410000": 4, "410100": 2, "410105": 1, "410300": 1}
        assert {r.code: r.count for r in region_directory(s, ("410100",))} == {"410000": 2, "410100": 2, "410105": 1}
        bodies = {b.name: (b.count, b.depth) for b in body_directory(s, ("410000",))}
        assert bodies["郑州市人民政府"] == (2, 1)  # with 金水区人民政府 below it, under 河南省人民政府
        assert bodies["河南省人民政府"] == (3, 0) and "浙江省人民代表大会常务委员会" not in bodies
        assert dict(year_directory(s, ("410000",))) == {2021: 1, 2020: 1, 2019: 1, 2018: 1}
        assert topic_directory(s, ()) == [("城乡建设", 1)]


def test_provenance_and_breadcrumbs(store):
    with store.sessions() as s:
        ids = fill(s)
        [listed] = provenance(s, ids["a"])
        assert (listed.source, listed.url, listed.listed_label) == ("norms-test", "https://www.zhengzhou.gov.cn/a.html", "是")
        assert listed.first_seen is not None and listed.last_checked == datetime(2026, 1, 5, 8, 0)
        [gone] = provenance(s, ids["c"])
        assert gone.listed is False and gone.gone_at == datetime(2025, 12, 1)
        [corpus] = provenance(s, ids["f"])
        assert corpus.listed is None and corpus.listed_label == "不详"
        crumbs = breadcrumbs(s, ids["b"])
        assert [r.name for r in crumbs.regions] == ["河南省", "郑州市", "金水区"]
        assert [b.name for b in crumbs.bodies[0]] == ["河南省人民政府", "郑州市人民政府", "郑州市金水区人民政府"]
        from indexer.store.bodies import reparent_bodies

        assert reparent_bodies(s) == 0  # bodies stored now already sit where they belong


def test_completeness_reports(store):
    with store.sessions() as s:
        fill(s)
        report = by_body(s, date(2021, 12, 31), deployed="410000")
        rows = {r["body"]: r for r in report.rows}
        assert set(rows) == {"郑州市人民政府", "郑州市金水区人民政府", "洛阳市人民政府", "河南省人民代表大会常务委员会"}
        assert rows["郑州市人民政府"]["y2021"] == 1 and rows["郑州市人民政府"]["silent"] == "否"
        assert rows["河南省人民代表大会常务委员会"]["silent"] == "是"
        assert rows["郑州市金水区人民政府"]["region"] == "河南省郑州市金水区"
        assert report.summary == {"bodies": 4, "silent": 3, "documents": 4}  # 洛阳: 2020-07-01
        assert [r["title"] for r in gone_pages(s, date(2026, 1, 5), deployed="410000").rows] == ["洛阳市停车管理办法"]
        assert gone_pages(s, date(2026, 1, 5), deployed="410100").rows == []
        missing = missing_normative(s, date(2026, 1, 5), deployed="410000").rows
        assert [(r["title"], r["cited_number"]) for r in missing] == [("洛阳市停车管理办法", "洛政〔2019〕3号")]
