"""The status-conflict report lists where a version's sources disagree (来源之间不一致: the field and each
source's value, the one used first), beside the label conflicts; a version its sources agree on is not listed."""

from __future__ import annotations

from datetime import date

from clearance.exports import to_csv
from clearance.reports import ReportOptions, run_report
from fagui.records import DocumentRecord
from indexer.store.upsert import upsert_record

TEXT = "中华人民共和国道路运输条例\n第一条 为了维护道路运输市场秩序，制定本条例。\n第二条 从事道路运输经营的，应当遵守本条例。"
OTHER = "示范条例\n第一条 为了示范，制定本条例。"


def corpus(title: str, text: str, label: str = "有效") -> DocumentRecord:
    return DocumentRecord(source="lawrefbook", source_ref=title, title=title, text=text, doc_type="行政法规",
                          published=date(2022, 3, 29), effective=date(2022, 3, 29), source_status=label,
                          extra={"date_sources": {"published": "history", "effective": "published"}})


def flk(title: str, text: str, effective: date, label: str) -> DocumentRecord:
    return DocumentRecord(source="flk-snapshot", source_ref=f"flk-{title}", title=title, text=text,
                          doc_type="行政法规", published=date(2022, 3, 29), effective=effective, source_status=label)


def test_disagreements_between_sources_are_listed_with_each_value(store):
    with store.sessions.begin() as s:
        upsert_record(s, corpus("中华人民共和国道路运输条例", TEXT))
        upsert_record(s, flk("中华人民共和国道路运输条例", TEXT, date(2022, 5, 1), "有效"))
        upsert_record(s, corpus("示范条例", OTHER))
        upsert_record(s, flk("示范条例", OTHER, date(2022, 3, 29), "现行有效"))  # the same facts, in other words
    with store.sessions() as s:
        report = run_report(s, "conflicts", ReportOptions(as_of=date(2026, 1, 1)))
    rows = [r for r in report.rows if r["origin"] == "来源之间不一致"]
    assert [(r["title"], r["field"], r["source_values"]) for r in rows] == [
        ("中华人民共和国道路运输条例", "施行日期", "flk-snapshot：2022-05-01（官方数据库，采用）；lawrefbook：2022-03-29（推定）")]
    assert rows[0]["effective"] == date(2022, 5, 1) and rows[0]["computed"] == "现行有效"
    assert ("来源之间不一致·施行日期", 1) in report.chart
    csv_text = to_csv(report).decode("utf-8-sig")
    assert "不一致字段,各来源的值" in csv_text.splitlines()[0]
    assert "flk-snapshot：2022-05-01（官方数据库，采用）" in csv_text
