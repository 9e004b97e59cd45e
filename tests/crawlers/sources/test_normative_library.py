"""The configurable normative-document library against two differently built example sites
(tests/examples/normative_library/<site>/): Guangdong's JSON API with PDF/Word attachments and an HTML table
list with info-table detail pages; config checking; bad pages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from crawlers.http import FetchResult
from crawlers.sources import normative_library as nl
from crawlers.sources.base import Listing
from fagui.records import RecordError
from tests.crawlers.sources.example_site import (
    EXAMPLES,
    ExampleSite,
    assert_every_example_has_its_json,
    compare_expected,
    error_of,
    expected_of,
    expected_path,
)

ROOT = EXAMPLES / "normative_library"
SITES = ["guangdong", "jiaxing"]


def site(name: str) -> ExampleSite:
    return ExampleSite(ROOT / name)


def make(name: str) -> nl.NormativeLibrarySource:
    return nl.load_site(name, base_url=site(name).base_url)


def test_every_configured_site_is_a_source():
    found = nl.sources()
    assert set(found) == {"norms-guangdong", "norms-jiaxing"}
    assert found["norms-guangdong"].hosts == ("https://www.gdpc.gov.cn",)
    assert nl.SOURCE().keys() == found.keys()
    assert (ROOT / "README.md").exists()


@pytest.mark.parametrize("name", SITES)
def test_every_example_file_has_its_json(name):
    assert_every_example_has_its_json(ROOT / name, site(name))


@pytest.mark.parametrize("name", SITES)
def test_listings_and_records_match_the_expected_json(name):
    example = site(name)
    source = make(name)
    listings = list(source.listings(example.fetch))
    compare_expected(ROOT / name / "listings.expected.json", [vars(ls) for ls in listings])
    details = {r["path"]: r["file"] for r in example.routes if r["kind"] == "detail"}
    for listing in listings:
        file = next(f for p, f in details.items() if listing.url.endswith(p))
        record = source.record(listing, example.fetch(listing.url), example.fetch)
        compare_expected(expected_path(ROOT / name, file), expected_of(record))
    for file in example.files("list"):  # the list pages' expected JSON: the rows each page gave
        compare_expected(expected_path(ROOT / name, file),
                         [vars(ls) for ls in listings if ls.ref in (example.folder / file).read_text(encoding="utf-8")])


def _records(name: str, example: ExampleSite | None = None) -> dict:
    example, source = example or site(name), make(name)
    return {ls.ref: source.record(ls, example.fetch(ls.url), example.fetch) for ls in source.listings(example.fetch)}


def test_guangdong_facts():
    example = site("guangdong")
    records = _records("guangdong", example)
    stats = records["8a8c81e583577a5d01837f0f4a1c0231"]
    houses = records["8a8c81e57d4a1c3b017d73b0c6f2012e"]
    assert stats.source == "norms-guangdong" and stats.region == "广东省" and stats.doc_type == "地方性法规"
    assert (stats.source_status, stats.extra["status"]) == ("有效", "effective")
    assert stats.published == date(2022, 9, 29) and stats.effective == date(2023, 1, 1)
    assert stats.extra["text_from"] == "docx" and stats.issuing_bodies == ["广东省人民代表大会常务委员会"]
    # The drafting note (起草说明, class 6) is listed but not read: the text is the class 37 PDF.
    assert houses.extra["text_from"] == "pdf" and len(houses.attachments) == 2
    assert "起草说明" not in houses.text and "第一条 为妥善处理城镇华侨房屋的征收补偿" in houses.text
    posted = [url for method, url in example.requests if method == "POST"]
    assert len(posted) == 3  # one query per lawRuleType


def test_jiaxing_facts():
    records = _records("jiaxing")
    oil = records["/art/2020/4/10/art_1229426511_59123456.html"]
    plan = records["/art/2018/3/5/art_1229426511_58712345.html"]
    assert oil.doc_type == "地方性法规" and oil.region == "浙江省" and oil.extra["written"] == "2019-12-27"
    assert plan.doc_type == "行政规范性文件" and plan.doc_number == "嘉政办发〔2018〕12号"
    assert (plan.source_status, plan.extra["status"], plan.extra["end_status"]) == ("失效", "expired", "expired")
    assert plan.expires == date(2019, 12, 31) and "分享到" not in plan.text


def test_since_stops_at_older_entries():
    listings = list(make("jiaxing").listings(site("jiaxing").fetch, since=date(2019, 1, 1)))
    assert [ls.title for ls in listings] == ["嘉兴市餐饮业油烟管理办法"]


def _page(content: bytes, url: str = "https://www.jiaxing.gov.cn/art/x.html") -> FetchResult:
    return FetchResult(url=url, status=200, content=content, headers={"content-type": "text/html; charset=utf-8"})


def _jiaxing_detail() -> str:
    return (ROOT / "jiaxing" / "art_1229426511_58712345.html").read_text(encoding="utf-8")


def _garbled(text: str) -> bytes:
    head, body = text.split('id="zoom">', 1)
    damaged = "".join(ch if ch.isascii() else ch.encode("gbk").decode("utf-8", "replace") for ch in body)
    return (head + 'id="zoom">').encode() + damaged.encode("utf-8").decode("gbk", "replace").encode()


BAD_HTML = {
    "truncated": lambda: _jiaxing_detail().encode()[:5000],
    "missing_title": lambda: _jiaxing_detail().replace("<h1>全市人民政府全年度法治政府建设工作方案</h1>", "<h1></h1>")
    .replace("<title>全市人民政府全年度法治政府建设工作方案</title>", "<title></title>").encode(),
    "wrong_encoding": lambda: _garbled(_jiaxing_detail()),
}


@pytest.mark.parametrize("case", list(BAD_HTML))
def test_bad_html_pages_are_record_errors(case):
    with pytest.raises(RecordError) as info:
        make("jiaxing").record(Listing(url="https://www.jiaxing.gov.cn/art/x.html", ref="bad-" + case),
                               _page(BAD_HTML[case]()), site("jiaxing").fetch)
    compare_expected(ROOT / "jiaxing" / "bad" / f"{case}.expected.json", error_of(info.value))


BAD_JSON = {
    "api_error": b'{"code": 500, "msg": "\xe7\xb3\xbb\xe7\xbb\x9f\xe5\xbc\x82\xe5\xb8\xb8"}',
    "truncated": (ROOT / "guangdong" / "detail_8a8c81e583577a5d01837f0f4a1c0231.json").read_bytes()[:700],
    "no_text_attachment": json.dumps({"lawRule": {"id": "x", "title": "广东省某条例"}, "list": [
        {"fileClass": "6", "fileExt": "docx", "filePath": "/a.docx", "fileName": "起草说明.docx"}]},
        ensure_ascii=False).encode(),
}


@pytest.mark.parametrize("case", list(BAD_JSON))
def test_bad_api_answers_are_record_errors(case):
    with pytest.raises(RecordError) as info:
        make("guangdong").record(Listing(url="https://www.gdpc.gov.cn/x", ref="bad-" + case),
                                 _page(BAD_JSON[case]), site("guangdong").fetch)
    compare_expected(ROOT / "guangdong" / "bad" / f"{case}.expected.json", error_of(info.value))


def test_missing_attachment_file_names_the_fetch_failure():
    detail = {"lawRule": {"id": "x", "title": "广东省某条例"}, "list": [
        {"fileClass": "37", "fileExt": "pdf", "filePath": "/gone.pdf", "fileName": "法规文本.pdf"}]}
    with pytest.raises(RecordError, match="无法读取正文附件：页面不存在"):
        make("guangdong").record(Listing(url="u", ref="x"), _page(json.dumps(detail).encode()),
                                 site("guangdong").fetch)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text,reason", [
    ('title = "x"\n', "缺少必填项：base_url, list, detail"),
    ('title = "x"\nbase_url = "https://a.gov.cn"\n[status]\n"有效" = "valid"\n[list]\nkind = "html"\n'
     'url = "/l?p={page}"\n[detail]\nkind = "html"\n', "未知的时效性：valid"),
    ('title = "x"\nbase_url = "https://a.gov.cn"\ndoc_type = "通知"\n[list]\nkind = "html"\nurl = "/l?p={page}"\n'
     '[detail]\nkind = "html"\n', "不在效力级别词表中：通知"),
    ('title = "x"\nbase_url = "https://a.gov.cn"\n[list]\nkind = "xml"\nurl = "/l"\n[detail]\nkind = "html"\n',
     "kind 只能是 html 或 json"),
    ('title = "x"\nbase_url = "https://a.gov.cn"\n[list]\nkind = "html"\nurl = "/l"\n[detail]\nkind = "html"\n',
     "需要含 {page}"),
    ('title = "x"\nbase_url = "https://a.gov.cn"\n[list]\nkind = "html"\nurl = "/l?p={page}"\n[list.fields]\n'
     'author = "td"\n[detail]\nkind = "html"\n', "未知字段：author"),
    ("title = \n", "无法读取站点配置"),
])
def test_bad_configs_are_refused_with_a_reason(tmp_path, text, reason):
    with pytest.raises(nl.SiteConfigError, match=reason.replace("{", r"\{").replace("}", r"\}")):
        nl.read_config(_write(tmp_path, text))


def test_unknown_site_names_the_configured_ones():
    with pytest.raises(nl.SiteConfigError, match="可用：guangdong, jiaxing"):
        nl.load_site("nowhere")
