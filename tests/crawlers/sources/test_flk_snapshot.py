"""The 国家法律法规数据库 snapshot reader: lines as records, the mapping it shares with the live flk adapter, and
bad lines named with a Chinese reason."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest

from crawlers.sources import flk, flk_snapshot
from crawlers.sources.base import Listing
from fagui.normalise.articles import split_articles
from fagui.records import RecordError
from fagui.settings import BUNDLED_FLK_SAMPLE, SHARED_FLK_SNAPSHOT

# A line as the snapshot writes it (道路运输条例 2022, shortened): flk's id, address, dates, status, articles.
ROAD_2022 = {
    "source": "flk.npc.gov.cn via Ansvar-Systems/chinese-law-mcp@dcc22ba",
    "bbbs": "ff80818180e0a44101811e3947411441",
    "url": "https://flk.npc.gov.cn/detail?bbbs=ff80818180e0a44101811e3947411441",
    "title": "中华人民共和国道路运输条例", "status": "amended", "issued_date": "2022-03-29",
    "in_force_date": "2022-05-01", "issuing_body": "国务院", "category": "行政法规 (Administrative Regulations)",
    "provisions": [
        {"provision_ref": "1", "chapter": "第一章 总则", "section": "1", "title": "",
         "content": "为了维护道路运输市场秩序，保障道路运输安全，制定本条例。"},
        {"provision_ref": "2", "chapter": "第一章 总则", "section": "2", "title": "",
         "content": "从事道路运输经营以及道路运输相关业务的，应当遵守本条例。\n前款所称道路运输经营包括道路旅客运输经营。"},
        {"provision_ref": "8", "chapter": "第二章 道路运输经营 > 第一节 客运", "section": "8", "title": None,
         "content": "申请从事客运经营的，应当具备下列条件："},
        {"provision_ref": "8", "chapter": "第二章 道路运输经营 > 第一节 客运", "section": "8", "title": None,
         "content": "之一\u3000客运经营者应当遵守本条例。"},
    ],
}


def test_a_line_becomes_a_record_with_flk_provenance_dates_status_and_articles():
    record = flk_snapshot.parse_record(ROAD_2022, "s.jsonl:1")
    assert (record.source, record.source_ref) == ("flk-snapshot", "ff80818180e0a44101811e3947411441")
    assert record.source_url == "https://flk.npc.gov.cn/detail?bbbs=ff80818180e0a44101811e3947411441"
    assert (record.published, record.effective) == (date(2022, 3, 29), date(2022, 5, 1))
    assert (record.source_status, record.extra["status"], record.extra["sxx"]) == ("已修改", "amended", 2)
    assert (record.doc_type, record.region, record.issuing_bodies) == ("行政法规", "全国", ["国务院"])
    articles = split_articles(record.text)
    assert [a.label for a in articles] == ["第一条", "第二条", "第八条", "第八条之一"]
    assert articles[1].text.endswith("前款所称道路运输经营包括道路旅客运输经营。")
    assert articles[3].path == "第二章 道路运输经营 / 第一节 客运" and articles[3].text == "第八条之一 客运经营者应当遵守本条例。"
    assert record.text.splitlines()[0] == "中华人民共和国道路运输条例"


def test_the_snapshot_and_the_live_crawler_store_the_same_facts_for_one_version():
    snap = flk_snapshot.parse_record(ROAD_2022, "s.jsonl:1")
    detail = {"bbbs": ROAD_2022["bbbs"], "title": ROAD_2022["title"], "flxz": "行政法规", "zdjgName": "国务院",
              "gbrq": "2022-03-29", "sxrq": "2022-05-01", "sxx": 2}
    live = flk.build_record(detail, Listing(url="x", ref=ROAD_2022["bbbs"]), snap.text, "docx", [],
                            "https://flk.npc.gov.cn")
    for name in ("title", "text", "doc_type", "issuing_bodies", "region", "published", "effective", "source_status"):
        assert getattr(live, name) == getattr(snap, name), name
    assert live.extra["status"] == snap.extra["status"] and live.extra["sxx"] == snap.extra["sxx"]


@pytest.mark.parametrize(("category", "body", "doc_type"), [
    ("经济法 (Economic)", "全国人民代表大会常务委员会", "法律"),
    ("宪法 (Constitution)", "全国人民代表大会", "宪法"),
    (None, "国家互联网信息办公室、工业和信息化部、公安部", "部门规章"),
])
def test_categories_map_to_document_types(category, body, doc_type):
    record = flk_snapshot.parse_record({**ROAD_2022, "category": category, "issuing_body": body}, "s:1")
    assert record.doc_type == doc_type
    assert record.issuing_bodies == body.split("、")


def test_not_yet_in_force_and_missing_in_force_date():
    record = flk_snapshot.parse_record({**ROAD_2022, "status": "not_yet_in_force", "in_force_date": None}, "s:1")
    assert (record.source_status, record.extra["status"], record.effective) == ("尚未生效", "not_yet_effective", None)


@pytest.mark.parametrize(("change", "reason"), [
    ({"bbbs": ""}, "缺少 flk 编号（bbbs）"),
    ({"provisions": []}, "快照中该版本没有条文"),
    ({"status": "abolished"}, "未知的时效性：abolished"),
    ({"issued_date": None}, "缺少公布日期（issued_date）"),
    ({"title": ""}, "缺少标题"),
    ({"provisions": [{"provision_ref": "", "chapter": "", "content": "x"}]}, "条文编号或内容缺失（provision_ref=空）"),
])
def test_bad_lines_are_named_with_a_chinese_reason(change, reason):
    with pytest.raises(RecordError) as caught:
        flk_snapshot.parse_record({**ROAD_2022, **change}, "s.jsonl:7")
    assert caught.value.reason == reason and caught.value.ref.startswith("s.jsonl:7")


def test_reading_a_file_keeps_good_lines_and_names_bad_ones(tmp_path):
    path = tmp_path / "snap.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(ROAD_2022, ensure_ascii=False) + "\n")
        fh.write("{not json\n")
        fh.write(json.dumps([1, 2]) + "\n")
    report = flk_snapshot.read_snapshot(path)
    assert report.lines == 3 and len(report.records) == 1
    assert [(e.ref, e.reason) for e in report.errors] == [("snap.jsonl.gz:2", "不是有效的 JSON 行"),
                                                          ("snap.jsonl.gz:3", "不是 JSON 对象")]


def test_a_file_that_is_not_gzip_is_a_clear_error(tmp_path):
    path = tmp_path / "snap.jsonl.gz"
    path.write_bytes(b"this is no gzip file")
    with pytest.raises(RecordError) as caught:
        flk_snapshot.read_snapshot(path)
    assert "快照文件无法读取" in caught.value.reason


def test_the_bundled_slice_reads_whole():
    report = flk_snapshot.read_snapshot(BUNDLED_FLK_SAMPLE)
    assert report.errors == [] and len(report.records) == report.lines > 100
    assert any(r.title == "中华人民共和国道路运输条例" for r in report.records)
    assert any(r.source_status == "尚未生效" for r in report.records)


@pytest.mark.skipif(not SHARED_FLK_SNAPSHOT.exists(), reason="../shared/corpus/flk-snapshot.jsonl.gz 不在代码目录旁")
def test_the_shared_snapshot_reads_with_one_named_failure():
    report = flk_snapshot.read_snapshot(SHARED_FLK_SNAPSHOT)
    assert report.lines == 1188 and len(report.records) == 1187
    assert [e.reason for e in report.errors] == ["快照中该版本没有条文"]
