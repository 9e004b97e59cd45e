"""Clearance reports: synthetic stores with known answers on both databases, hand-verified basis-changed cases
from the bundled sample (and the corpus where present), and for any as_of date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clearance.reports import REPORTS, ReportError, ReportOptions, max_validity_years, run_report
from crawlers.sources import lawrefbook
from fagui.errors import SettingsError
from fagui.records import DocumentRecord, RelationRef
from fagui.settings import BUNDLED_SAMPLE, load_settings
from indexer.ingest.pipeline import ingest
from indexer.store.app_store import Store
from indexer.store.citations import rebuild_links
from indexer.store.db import make_engine, session_factory
from indexer.store.migrate import upgrade
from indexer.store.upsert import upsert_record
from tests.conftest import CORPUS, needs_corpus

TODAY = date(2025, 6, 1)


def rec(title, *, doc_type="行政规范性文件", region="浙江省", published=None, effective=None, expires=None,
        status=None, text=None, bodies=("浙江省人民政府",), relations=(), n=0):
    return DocumentRecord(
        source="test", source_ref=f"{title}-{published}-{n}", title=title,
        text=text or f"第一条 {title}的内容{n}。\n第二条 施行。", doc_type=doc_type, region=region,
        published=published, effective=effective, expires=expires, source_status=status,
        issuing_bodies=list(bodies), relations=list(relations),
    )


@pytest.fixture
def synthetic(store):
    with store.sessions() as s:
        # expiring soon, and one that expires later
        upsert_record(s, rec("浙江省甲办法", published=date(2021, 1, 1), expires=TODAY + timedelta(days=30),
                             status="有效"))
        upsert_record(s, rec("浙江省乙办法", published=date(2022, 1, 1), expires=TODAY + timedelta(days=200)))
        # past its 有效期至 but the source still says 有效: a conflict, and not expiring
        upsert_record(s, rec("浙江省丙办法", published=date(2018, 1, 1), expires=date(2023, 1, 1), status="有效"))
        # normative documents: no validity period, a 10-year one and a 3-year one
        upsert_record(s, rec("浙江省丁通知", published=date(2020, 3, 1)))
        upsert_record(s, rec("浙江省戊意见", published=date(2020, 1, 1), expires=date(2030, 1, 1)))
        upsert_record(s, rec("浙江省己意见", published=date(2024, 1, 1), expires=date(2027, 1, 1)))
        # a national law amended in 2021 and two local regulations based on it, before and after
        upsert_record(s, rec("中华人民共和国安全生产法", doc_type="法律", region="全国", published=date(2014, 8, 31),
                             bodies=("全国人民代表大会常务委员会",), n=1))
        upsert_record(s, rec("中华人民共和国安全生产法", doc_type="法律", region="全国", published=date(2021, 6, 10),
                             bodies=("全国人民代表大会常务委员会",), n=2))
        basis = "第一条 为了加强安全生产工作，根据《中华人民共和国安全生产法》，结合本省实际，制定本条例。\n第二条 施行。"
        upsert_record(s, rec("浙江省安全生产条例", doc_type="地方性法规", published=date(2016, 9, 30), text=basis,
                             bodies=("浙江省人民代表大会常务委员会",)))
        upsert_record(s, rec("浙江省危险化学品条例", doc_type="地方性法规", published=date(2022, 1, 1), text=basis,
                             bodies=("浙江省人民代表大会常务委员会",)))
        # a rule repealed in 2024 by a decision, cited by a regulation of 2020
        upsert_record(s, rec("浙江省旧规定", doc_type="地方政府规章", published=date(2010, 1, 1)))
        upsert_record(s, rec("浙江省人民政府关于废止部分规章的决定", doc_type="地方政府规章",
                             published=date(2024, 2, 1),
                             relations=[RelationRef("repeals", title="浙江省旧规定", effective=date(2024, 3, 1),
                                                    evidence="决定废止《浙江省旧规定》")]))
        upsert_record(s, rec("浙江省新条例", doc_type="地方性法规", published=date(2020, 5, 1),
                             text="第一条 为了规范管理，制定本条例。\n第二条 具体程序适用《浙江省旧规定》第五条。",
                             bodies=("浙江省人民代表大会常务委员会",)))
        # a regulation still based on a law the store does not hold (replaced by the 民法典)
        upsert_record(s, rec("浙江省合同监督条例", doc_type="地方性法规", published=date(2019, 1, 1),
                             text="第一条 根据宪法和《中华人民共和国合同法》，制定本条例。\n第二条 施行。",
                             bodies=("浙江省人民代表大会常务委员会",)))
        rebuild_links(s)
        s.commit()
    return store


def report(store, name, **kw):
    kw.setdefault("as_of", TODAY)
    with store.sessions() as s:
        return run_report(s, name, ReportOptions(**kw))


def titles(rep):
    return sorted(r["title"] for r in rep.rows)


def test_expiring_within_days(synthetic):
    assert titles(report(synthetic, "expiring", days=90)) == ["浙江省甲办法"]
    assert titles(report(synthetic, "expiring", days=10)) == []
    rows = report(synthetic, "expiring", days=365).rows
    assert [(r["title"], r["days_left"]) for r in rows] == [("浙江省甲办法", 30), ("浙江省乙办法", 200)]
    # on an earlier date, 丙 was still in force and due to expire within the year
    assert "浙江省丙办法" in titles(report(synthetic, "expiring", as_of=date(2022, 6, 1), days=365))
    with pytest.raises(ReportError, match="天数不能为负数"):
        report(synthetic, "expiring", days=-1)


def test_status_conflicts(synthetic):
    rows = report(synthetic, "conflicts").rows
    assert [(r["title"], r["source_status"], r["computed"], r["reason"]) for r in rows] == [
        ("浙江省丙办法", "有效", "已失效", "有效期至2023-01-01")]
    # before the expiry there is no conflict
    assert report(synthetic, "conflicts", as_of=date(2022, 12, 31)).rows == []


def test_basis_changed_lists_documents_published_before_the_change_with_the_citation(synthetic):
    rows = report(synthetic, "basis-changed").rows
    got = {(r["title"], r["relation"], r["cited_title"], r["change"], r["change_date"]) for r in rows}
    assert got == {
        ("浙江省安全生产条例", "依据", "中华人民共和国安全生产法", "修改", date(2021, 6, 10)),
        ("浙江省新条例", "引用", "浙江省旧规定", "废止", date(2024, 3, 1)),
    }
    safety = next(r for r in rows if r["title"] == "浙江省安全生产条例")
    assert "根据《中华人民共和国安全生产法》" in safety["evidence"]
    repealed = next(r for r in rows if r["title"] == "浙江省新条例")
    assert repealed["cited_articles"] == "第5条" and repealed["cited_status"] == "已废止"
    # as of 2020 neither change had happened yet
    assert report(synthetic, "basis-changed", as_of=date(2020, 12, 31)).rows == []


def test_validity_period_of_normative_documents(synthetic):
    rows = report(synthetic, "validity-period", max_years=5).rows
    got = {r["title"]: r["problem"] for r in rows}
    assert got == {"浙江省丁通知": "未规定有效期", "浙江省戊意见": "有效期超过 5 年"}
    assert next(r for r in rows if r["title"] == "浙江省戊意见")["years"] == 10.0
    assert "浙江省戊意见" not in titles(report(synthetic, "validity-period", max_years=12))


def test_max_validity_years_setting():
    assert max_validity_years({}) == 5
    assert max_validity_years({"FAGUI_MAX_VALIDITY_YEARS": "3"}) == 3
    with pytest.raises(SettingsError, match="FAGUI_MAX_VALIDITY_YEARS 应为数字"):
        max_validity_years({"FAGUI_MAX_VALIDITY_YEARS": "五年"})


def test_counts_changes_and_catalogue(synthetic):
    rows = report(synthetic, "counts").rows
    total = next(r for r in rows if r["dimension"] == "合计")
    assert (total["effective"], total["expired"], total["repealed"], total["total"]) == (11, 1, 1, 13)
    by_type = {r["name"]: r["total"] for r in rows if r["dimension"] == "效力级别"}
    assert by_type == {"法律": 1, "地方性法规": 4, "地方政府规章": 2, "行政规范性文件": 6}
    body = next(r for r in rows if r["name"] == "浙江省人民代表大会常务委员会")
    assert body["effective"] == 4
    changes = report(synthetic, "changes", period_from=date(2021, 1, 1), period_to=date(2024, 12, 31)).rows
    got = [(r["date"], r["change"], r["title"]) for r in changes]
    assert (date(2021, 6, 10), "修改", "中华人民共和国安全生产法") in got
    assert (date(2023, 1, 1), "失效", "浙江省丙办法") in got
    assert (date(2024, 3, 1), "废止", "浙江省旧规定") in got
    assert (date(2022, 1, 1), "新制定", "浙江省危险化学品条例") in got
    with pytest.raises(ReportError, match="起始日期不能晚于截止日期"):
        report(synthetic, "changes", period_from=date(2025, 1, 1), period_to=date(2024, 1, 1))
    catalogue = titles(report(synthetic, "catalogue"))
    assert "浙江省旧规定" not in catalogue and "浙江省丙办法" not in catalogue and len(catalogue) == 11
    assert titles(report(synthetic, "catalogue", doc_type="法律")) == ["中华人民共和国安全生产法"]


def test_unresolved_citations(synthetic):
    rows = report(synthetic, "unresolved").rows
    # the bare 宪法 of the basis sentence is a basis too, and this store holds neither
    assert {(r["title"], r["relation"], r["cited_title"]) for r in rows} == {
        ("浙江省合同监督条例", "依据", "中华人民共和国合同法"), ("浙江省合同监督条例", "依据", "中华人民共和国宪法")}
    assert all("根据宪法和《中华人民共和国合同法》" in r["evidence"] for r in rows)
    assert report(synthetic, "unresolved", as_of=date(2018, 1, 1)).rows == []  # not yet in force then


def test_unknown_report_name(synthetic):
    with synthetic.sessions() as s, pytest.raises(ReportError, match="没有名为“nope”的报表"):
        run_report(s, "nope", ReportOptions(as_of=TODAY))
    assert {n for n, spec in REPORTS.items() if spec.public} == {"counts", "catalogue", "changes"}


# ----------------------------------------------------------------------------------------------------------
# Real documents


def _imported(tmp_path_factory, path) -> Store:
    data = tmp_path_factory.mktemp("reports-store")
    settings = load_settings({"FAGUI_DATA_DIR": str(data)})
    engine = make_engine(settings=settings)
    upgrade(engine)
    store = Store(settings, engine, session_factory(engine))
    corpus = lawrefbook.read_corpus(path)
    ingest(store.sessions, lawrefbook.SOURCE, corpus.records, corpus.errors)
    with store.sessions() as s:
        rebuild_links(s)
        s.commit()
    return store


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    store = _imported(tmp_path_factory, BUNDLED_SAMPLE)
    yield store
    store.engine.dispose()


def basis_rows(store, as_of=date(2025, 6, 1)):
    rows = report(store, "basis-changed", as_of=as_of).rows
    return {(r["title"], r["cited_title"]): r for r in rows}


# Checked by hand against the texts: each local regulation names the national law as its basis in 第一条,
# and the law was amended after the regulation's current text was published.
SAMPLE_CASES = [
    ("北京市安全生产条例", "中华人民共和国安全生产法", date(2016, 11, 25), date(2021, 6, 10)),
    ("滨州市城区道路管理条例", "中华人民共和国道路交通安全法", date(2016, 11, 28), date(2021, 4, 29)),
    ("河南省反不正当竞争条例", "中华人民共和国反不正当竞争法", date(2010, 7, 30), date(2017, 11, 4)),
    ("上海市文物保护条例", "中华人民共和国文物保护法", date(2014, 6, 19), date(2015, 4, 24)),
    ("重庆市统计管理条例", "中华人民共和国统计法", date(2016, 9, 29), date(2024, 9, 13)),
]


@pytest.mark.parametrize(("title", "law", "published", "changed"), SAMPLE_CASES)
def test_sample_basis_changed_cases(sample_store, title, law, published, changed):
    row = basis_rows(sample_store)[(title, law)]
    assert row["relation"] == "依据" and row["published"] == published
    assert row["change"] == "修改" and row["change_date"] == changed
    assert f"《{law}》" in row["evidence"] and row["evidence"].startswith("第一条")


def test_sample_basis_changed_respects_as_of(sample_store):
    # On 2020-01-01 the 2021 amendment of the 安全生产法 had not happened yet.
    assert ("北京市安全生产条例", "中华人民共和国安全生产法") not in basis_rows(sample_store, date(2020, 1, 1))
    assert ("河南省反不正当竞争条例", "中华人民共和国反不正当竞争法") in basis_rows(sample_store, date(2020, 1, 1))


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory):
    store = _imported(tmp_path_factory, CORPUS)
    yield store
    store.engine.dispose()


@needs_corpus
@pytest.mark.parametrize(("title", "law", "changed"), [
    ("山东省专利条例", "中华人民共和国专利法", date(2020, 10, 17)),
    ("宁波市专利管理条例", "中华人民共和国专利法", date(2020, 10, 17)),
    ("国防专利条例", "中华人民共和国专利法", date(2008, 12, 27)),
])
def test_corpus_basis_changed_cases(corpus_store, title, law, changed):
    row = basis_rows(corpus_store)[(title, law)]
    assert row["relation"] == "依据" and row["change_date"] == changed
    assert f"根据《{law}》" in row["evidence"]


def test_changes_lists_repeals_no_source_dates_apart_from_the_period(store):
    """A source that only says 失效 (LawRefBook's corpus: 92 works, ended_on empty) gives no date for the end:
    such a work is in no period (placing it at the day the store recorded it read as repealed today) but listed
    after the dated changes, date empty, and counted apart. A repeal link without a date takes the repealing
    decision's own date; a reported end date is used as it is."""
    import csv
    import io
    import json

    from openpyxl import load_workbook

    from clearance.exports import export

    with store.sessions() as s:
        marked = rec("浙江省仅标注失效办法", published=date(2015, 1, 1), status="失效")
        marked.extra["end_status"] = "repealed"
        upsert_record(s, marked)
        dated = rec("浙江省注明日期办法", published=date(2015, 1, 1), status="失效")
        dated.extra.update(end_status="repealed", ended_on="2022-02-02")
        upsert_record(s, dated)
        upsert_record(s, rec("浙江省被决定废止办法", doc_type="地方政府规章", published=date(2012, 1, 1)))
        upsert_record(s, rec("浙江省人民政府关于废止若干规章的决定", doc_type="地方政府规章",
                             published=date(2023, 5, 1), effective=date(2023, 6, 1),
                             relations=[RelationRef("repeals", title="浙江省被决定废止办法")]))  # no date given
        # a repeal link with no date whose decision has no date either: undated as well
        upsert_record(s, rec("浙江省无日期决定废止办法", doc_type="地方政府规章", published=date(2011, 1, 1)))
        upsert_record(s, rec("浙江省人民政府关于废止另一批规章的决定", doc_type="地方政府规章",
                             relations=[RelationRef("repeals", title="浙江省无日期决定废止办法")]))
        rebuild_links(s)
        s.commit()

    rep = report(store, "changes", period_from=date(1990, 1, 1), period_to=TODAY)
    dated_rows = [r for r in rep.rows if r["date"] is not None]
    repeals = {r["title"]: r for r in dated_rows if r["change"] == "废止"}
    assert {t: r["date"] for t, r in repeals.items()} == {
        "浙江省注明日期办法": date(2022, 2, 2),
        "浙江省被决定废止办法": date(2023, 6, 1),
    }
    assert "日期为《浙江省人民政府关于废止若干规章的决定》的施行日期" in repeals["浙江省被决定废止办法"]["reason"]
    assert "日期为" not in repeals["浙江省注明日期办法"]["reason"]  # a date of its own needs no note
    # the undated ends come last, as their own section, and count in none of the period's figures
    undated = rep.rows[len(dated_rows):]
    assert rep.rows[:len(dated_rows)] == dated_rows
    assert [(r["title"], r["date"], r["change"]) for r in undated] == [
        ("浙江省仅标注失效办法", None, "废止（日期不详）"), ("浙江省无日期决定废止办法", None, "废止（日期不详）")]
    assert all("未计入本期间的统计" in r["reason"] for r in undated)
    assert "来源未注明日期" in undated[0]["reason"]
    assert rep.summary["repealed"] == 2 and rep.summary["undated"] == 2
    assert rep.summary["total"] == len(dated_rows)
    assert dict(rep.chart)["废止"] == 2
    assert [(x.key, x.start, x.count) for x in rep.sections] == [
        ("dated", 0, len(dated_rows)), ("undated", len(dated_rows), 2)]
    assert "废止或失效日期不详" in rep.sections[1].title and "不计入本期间的统计" in rep.sections[1].note
    # every format carries the same rows: CSV and XLSX cell for cell (日期 empty), JSON with its sections
    from_csv = list(csv.reader(io.StringIO(export(rep, "csv").decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(export(rep, "xlsx"))).active
    from_xlsx = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert from_csv == from_xlsx and len(from_csv) == len(rep.rows) + 1
    assert [r[:2] for r in from_csv[-2:]] == [["", "废止（日期不详）"], ["", "废止（日期不详）"]]
    data = json.loads(export(rep, "json"))
    assert data["summary"]["undated"] == 2 and data["sections"][1]["count"] == 2
    assert data["rows"][-1]["date"] is None and data["rows"][-1]["title"] == "浙江省无日期决定废止办法"
    # the dates from decisions decide the period; the undated ends are listed apart in any period
    in_2023 = report(store, "changes", period_from=date(2023, 1, 1), period_to=date(2023, 12, 31))
    assert [r["title"] for r in in_2023.rows if r["change"] == "废止"] == ["浙江省被决定废止办法"]
    assert in_2023.summary["repealed"] == 1 and in_2023.summary["undated"] == 2
    assert [r["title"] for r in in_2023.rows if r["date"] is None] == ["浙江省仅标注失效办法", "浙江省无日期决定废止办法"]


def test_the_basis_reports_say_when_links_were_never_built(sqlite_store):
    import csv
    import io
    import json

    from openpyxl import load_workbook

    from clearance.exports import export

    with sqlite_store.sessions() as s:
        for n, effective in enumerate((date(2015, 1, 1), date(2022, 1, 1)), start=1):
            upsert_record(s, DocumentRecord(source="test", source_ref=f"law-{n}", title="中华人民共和国甲事务法",
                                            text=f"第一条 为了甲{'乙' * n}。\n第二条 施行。", doc_type="法律",
                                            region="全国", published=effective, effective=effective))
        upsert_record(s, DocumentRecord(source="test", source_ref="rule", title="浙江省甲事务管理办法",
                                        text="第一条 根据《中华人民共和国甲事务法》，制定本办法。\n第二条 施行。",
                                        doc_type="地方政府规章", region="浙江省", published=date(2020, 6, 1),
                                        effective=date(2020, 6, 1)))
        s.commit()
        opts = ReportOptions(as_of=date(2025, 1, 1))
        for name in ("basis-changed", "unresolved"):
            rep = run_report(s, name, opts)
            assert rep.rows == [] and "尚未建立引用关系" in rep.notice and "fagui links rebuild" in rep.notice
        rep = run_report(s, "basis-changed", opts)
        lines = list(csv.reader(io.StringIO(export(rep, "csv").decode("utf-8-sig"))))
        assert lines[0] == ["注意：" + rep.notice] and lines[1][0] == "标题"  # no empty table passes for "none"
        sheet = load_workbook(io.BytesIO(export(rep, "xlsx"))).active
        assert [["" if v is None else str(v) for v in r if v is not None] for r in sheet.iter_rows(values_only=True)] \
            == [[c for c in line if c] for line in lines]
        assert json.loads(export(rep, "json"))["notice"] == rep.notice
        assert run_report(s, "counts", opts).notice == ""  # reports that read no links say nothing
        rebuild_links(s)
        s.commit()
        rep = run_report(s, "basis-changed", opts)
    assert rep.notice == "" and [r["cited_title"] for r in rep.rows] == ["中华人民共和国甲事务法"]
    assert export(rep, "csv").decode("utf-8-sig").startswith("标题")


def test_basis_changed_only_for_texts_made_after_the_citing_one(store):
    """民法典 (adopted 2020-05-28, in force 2021-01-01, first and only stored text) cited by a regulation of
    2020-10-01 has not changed since; an amendment adopted before the citing text but in force after it is the text
    the document already cites; one adopted after it is a change."""
    basis = "第一条 根据《中华人民共和国民法典》和《中华人民共和国著作权法》，制定本条例。\n第二条 施行。"
    with store.sessions() as s:
        upsert_record(s, rec("中华人民共和国民法典", doc_type="法律", region="全国", published=date(2020, 5, 28),
                             effective=date(2021, 1, 1), bodies=("全国人民代表大会",)))
        for n, (published, effective) in enumerate(((date(2010, 2, 26), date(2010, 4, 1)),
                                                    (date(2020, 11, 11), date(2021, 6, 1)))):
            upsert_record(s, rec("中华人民共和国著作权法", doc_type="法律", region="全国", published=published,
                                 effective=effective, bodies=("全国人民代表大会常务委员会",), n=n))
        upsert_record(s, rec("浙江省甲条例", doc_type="地方性法规", published=date(2020, 10, 1), text=basis,
                             bodies=("浙江省人民代表大会常务委员会",)))
        upsert_record(s, rec("浙江省乙条例", doc_type="地方性法规", published=date(2020, 12, 1), text=basis,
                             bodies=("浙江省人民代表大会常务委员会",)))
        rebuild_links(s)
        s.commit()
    rows = report(store, "basis-changed").rows
    assert {(r["title"], r["cited_title"], r["change_date"]) for r in rows} == {
        ("浙江省甲条例", "中华人民共和国著作权法", date(2021, 6, 1))}


def test_changes_tell_a_new_law_from_an_amended_text_by_its_history_lines(store):
    """The first stored text of 刑法 (2023-12-29) records its adoption in 1979 and its amendments: a 修正, not a
    new law; a law whose history records only its adoption is 新制定; a later text's own history says 修订."""
    from fagui.records import HistoryEvent

    amended = rec("中华人民共和国刑法", doc_type="法律", region="全国", published=date(2023, 12, 29),
                  bodies=("全国人民代表大会常务委员会",))
    amended.history = [HistoryEvent("adopted", date(1979, 7, 1), "全国人民代表大会", "1979年7月1日 通过"),
                       HistoryEvent("revised", date(1997, 3, 14), "全国人民代表大会", "1997年3月14日 修订"),
                       HistoryEvent("amended", date(2023, 12, 29), "全国人民代表大会常务委员会", "2023年12月29日 修正")]
    new = rec("中华人民共和国粮食安全保障法", doc_type="法律", region="全国", published=date(2023, 12, 29),
              bodies=("全国人民代表大会常务委员会",))
    new.history = [HistoryEvent("adopted", date(2023, 12, 29), "全国人民代表大会常务委员会", "2023年12月29日 通过")]
    with store.sessions() as s:
        upsert_record(s, amended)
        upsert_record(s, new)
        s.commit()
    rows = report(store, "changes", period_from=date(2023, 1, 1), period_to=date(2023, 12, 31)).rows
    got = {r["title"]: (r["change"], r["reason"]) for r in rows}
    assert got["中华人民共和国粮食安全保障法"] == ("新制定", "")
    assert got["中华人民共和国刑法"] == ("修改", "修正（据文本沿革：2023年12月29日 修正）")


def test_conflicts_list_current_texts_first_and_superseded_versions_apart(store):
    """Older versions still labelled 有效 by their source are stale labels, listed after the one real conflict
    (a text in force that the source says is 失效)."""
    with store.sessions() as s:
        upsert_record(s, rec("浙江省甲条例", doc_type="地方性法规", published=date(2015, 1, 1), status="有效", n=1))
        upsert_record(s, rec("浙江省甲条例", doc_type="地方性法规", published=date(2020, 1, 1), status="有效", n=2))
        upsert_record(s, rec("浙江省乙条例", doc_type="地方性法规", published=date(2016, 1, 1), status="有效", n=1))
        upsert_record(s, rec("浙江省乙条例", doc_type="地方性法规", published=date(2021, 1, 1), status="有效", n=2))
        upsert_record(s, rec("浙江省壬条例", doc_type="地方性法规", published=date(2019, 3, 2), status="失效"))
        s.commit()
    rep = report(store, "conflicts")
    assert [(r["title"], r["version"], r["computed"]) for r in rep.rows] == [
        ("浙江省壬条例", 1, "现行有效"), ("浙江省乙条例", 1, "已修改"), ("浙江省甲条例", 1, "已修改")]
    assert [(x.key, x.start, x.count) for x in rep.sections] == [("current", 0, 1), ("superseded", 1, 2)]
    assert rep.summary == {"total": 3, "superseded": 2}


def test_point_in_time_says_unknown_where_the_store_cannot_place_the_date(store):
    """环境噪声污染防治法 marked 失效 without a date is not 已废止 on every past day; 刑法 stored only as its text
    of 2023 but adopted in 1979 (history lines) is not 尚未生效 in 2010: both are 不详 then, counted apart."""
    from clearance.snapshot import snapshot
    from fagui.records import HistoryEvent

    undated = rec("中华人民共和国环境噪声污染防治法", doc_type="法律", region="全国", published=date(1996, 10, 29),
                  status="失效", bodies=("全国人民代表大会常务委员会",))
    undated.extra["end_status"] = "repealed"
    later = rec("中华人民共和国刑法", doc_type="法律", region="全国", published=date(2023, 12, 29),
                bodies=("全国人民代表大会常务委员会",))
    later.history = [HistoryEvent("adopted", date(1979, 7, 1), "全国人民代表大会", "1979年7月1日 通过")]
    new = rec("中华人民共和国粮食安全保障法", doc_type="法律", region="全国", published=date(2023, 12, 29),
              bodies=("全国人民代表大会常务委员会",))
    with store.sessions() as s:
        for r in (undated, later, new):
            upsert_record(s, r)
        s.commit()
        works = {w.title: w for w in snapshot(s).values()}
    noise, criminal, grain = (works[t] for t in ("中华人民共和国环境噪声污染防治法", "中华人民共和国刑法",
                                                 "中华人民共和国粮食安全保障法"))
    assert noise.point_status(date(2020, 1, 1), today=TODAY).status == "unknown"
    assert noise.point_status(TODAY, today=TODAY).status == "repealed"  # the source says so now
    st = criminal.point_status(date(2010, 6, 30))
    assert st.status == "unknown" and "1979年7月1日 通过" in st.reason
    assert grain.point_status(date(2010, 6, 30)).status == "not_yet_effective"  # no history: not yet made
    counts = {r["name"]: r for r in report(store, "counts", as_of=date(2010, 6, 30)).rows}
    # 环境噪声污染防治法's undated end may be before 2010 or after it: 不详 too, never 已废止
    assert (counts["全部"]["unknown"], counts["全部"]["not_yet_effective"], counts["全部"]["repealed"]) == (2, 1, 0)
    catalogue = report(store, "catalogue", as_of=date(2010, 6, 30))
    assert titles(catalogue) == [] and catalogue.summary["unknown"] == 2
    assert "另有 2 件文件在该日的时效性不详" in catalogue.description


def test_empty_reports_say_which_data_is_missing(store):
    with store.sessions() as s:
        upsert_record(s, rec("浙江省甲条例", doc_type="地方性法规", published=date(2020, 1, 1)))
        s.commit()
    expiring = report(store, "expiring", days=90)
    assert expiring.rows == [] and "没有任何文件记有“有效期至”日期" in expiring.notice
    period = report(store, "validity-period", max_years=5, region="浙江省")
    assert period.rows == [] and period.notice.startswith("本库中浙江省没有收录行政规范性文件或其他规范性文件")
    with store.sessions() as s:
        upsert_record(s, rec("浙江省乙办法", published=date(2020, 1, 1), expires=date(2030, 1, 1)))
        s.commit()
    assert report(store, "expiring", days=90).notice == ""  # dates are there: none falls due, nothing missing
    assert report(store, "validity-period", max_years=5).notice == ""
