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
from crawlers.sources.base import Listing, ListingIncomplete
from fagui.records import RecordError
from indexer.store.upsert import work_identity
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


WAITS: list[float] = []


def make(name: str) -> nl.NormativeLibrarySource:
    return nl.load_site(name, base_url=site(name).base_url, sleep=WAITS.append, rate_limit_waits=(30, 60, 120, 240))


def listed(source: nl.NormativeLibrarySource, fetch) -> tuple[list[Listing], ListingIncomplete | None]:
    """The listings a walk gives, and how it ended when it did not reach the end."""
    got: list[Listing] = []
    try:
        for listing in source.listings(fetch):
            got.append(listing)
    except ListingIncomplete as exc:
        return got, exc
    return got, None


def outcome(source: nl.NormativeLibrarySource, listing: Listing, example: ExampleSite) -> dict:
    """The expected JSON of a detail: its record, or the error it is recorded with (needs_ocr ...)."""
    try:
        return expected_of(source.record(listing, example.fetch(listing.url), example.fetch))
    except RecordError as exc:
        return {"error": error_of(exc), "code": getattr(exc, "code", "parse")}


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
    listings, stopped = listed(source, example.fetch)
    compare_expected(ROOT / name / "listings.expected.json", {
        "listings": [vars(ls) for ls in listings],
        "incomplete": {"code": stopped.code, "reason": stopped.reason} if stopped else None})
    details = {r["path"]: r["file"] for r in example.routes if r["kind"] == "detail"}
    for listing in listings:
        file = next(f for p, f in details.items() if listing.url.endswith(p))
        compare_expected(expected_path(ROOT / name, file), outcome(source, listing, example))
    for file in example.files("list"):  # the list pages' expected JSON: the rows each page gave
        compare_expected(expected_path(ROOT / name, file),
                         [vars(ls) for ls in listings if ls.ref in (example.folder / file).read_text(encoding="utf-8")])


def _records(name: str, example: ExampleSite | None = None) -> dict:
    example, source = example or site(name), make(name)
    found = {}
    for ls in listed(source, example.fetch)[0]:
        try:
            found[ls.ref] = source.record(ls, example.fetch(ls.url), example.fetch)
        except RecordError as exc:
            found[ls.ref] = exc
    return found


def test_guangdong_facts():
    example = site("guangdong")
    records = _records("guangdong", example)
    stats = records["8a8c81e583577a5d01837f0f4a1c0231"]
    houses = records["8a8c81e57d4a1c3b017d73b0c6f2012e"]
    nursery = records["8a8c81e578b5d6a10178c2a31f4b0a55"]
    scan = records["8a8c81e584f0b2c70184f9d3a6e20017"]
    assert stats.source == "norms-guangdong" and stats.region == "广东省" and stats.doc_type == "地方性法规"
    assert (stats.source_status, stats.extra["status"]) == ("有效", "effective")
    assert stats.published == date(2022, 9, 29) and stats.effective == date(2023, 1, 1)
    assert stats.extra["text_from"] == "docx" and stats.issuing_bodies == ["广东省人民代表大会常务委员会"]
    # The drafting note (起草说明, class 6) is listed but not read: the text is the class 37 PDF.
    assert houses.extra["text_from"] == "pdf" and len(houses.attachments) == 2
    assert "起草说明" not in houses.text and "第一条 为妥善处理城镇华侨房屋的征收补偿" in houses.text
    # a city's regulation belongs to the city (the identity flk gives it too); an old .doc file is read,
    # its path spelled the site's way; the record's address is its public text file, not the JSON API
    assert nursery.region == "广州市" and nursery.extra["text_from"] == "doc"
    assert work_identity(nursery) == "广州市|广州市幼儿园条例"  # what flk gives the same law
    assert "zLeft2021" in nursery.source_url and "lBracket1rBracket" in nursery.source_url
    assert "downloadFile" in stats.source_url and "getById" not in stats.source_url
    assert isinstance(scan, RecordError) and scan.code == "needs_ocr" and "需要 OCR" in scan.reason
    posted = [url for method, url in example.requests if method == "POST"]
    assert len(posted) == 1 + 5 + 1  # type 2 asked again four times while rate limited, type 3 still asked


def test_guangdong_run_is_incomplete_and_sends_the_q_token_and_referer():
    example = site("guangdong")
    sent: list[dict] = []

    def fetch(url, **kwargs):
        if kwargs.get("method") == "POST":
            sent.append(dict(kwargs.get("headers") or {}))
        return example.fetch(url, **kwargs)

    WAITS.clear()
    listings, stopped = listed(make("guangdong"), fetch)
    assert len(listings) == 4 and stopped is not None and stopped.code == "rate_limited"
    assert "lawRuleType=2 列表第 1 页：网站持续限制访问频率（网站答复：Too many requests）" in stopped.reason
    assert "lawRuleType=3 列表第 1 页没有任何条目" in stopped.reason  # both queries named
    assert WAITS == [30, 60, 120, 240]
    assert sent[0]["Q-Token"] == "" and sent[1]["Q-Token"] == "madeup-q-token-0001"
    assert all(h["Referer"] == "https://www.gdpc.gov.cn/" and h["Origin"] == "https://www.gdpc.gov.cn" for h in sent)


def test_a_rate_limit_that_passes_lets_the_query_go_on():
    example = site("guangdong")
    limited = iter([True, True])

    def fetch(url, **kwargs):
        body = kwargs.get("json") or {}
        if body.get("lawRuleType") == 1 and next(limited, False):
            return FetchResult(url=url, status=200, content=b'{"code": 500, "msg": "Too many requests"}')
        return example.fetch(url, **kwargs)

    WAITS.clear()
    listings, _ = listed(make("guangdong"), fetch)
    assert len(listings) == 4 and WAITS[:2] == [30, 60]


def test_a_page_cap_is_an_incomplete_listing():
    source = make("jiaxing")
    source.config.list["max_pages"] = 1
    try:
        listings, stopped = listed(source, site("jiaxing").fetch)
    finally:
        source.config.list["max_pages"] = 100
    assert stopped is not None and stopped.code == "page_cap" and len(listings) >= 1


def test_jiaxing_facts():
    example = site("jiaxing")
    records = _records("jiaxing", example)
    oil = records["/art/2020/4/10/art_1229426511_59123456.html"]
    plan = records["/art/2018/3/5/art_1229426511_58712345.html"]
    rent = records["/art/2018/4/17/art_1229426511_55012345.html"]  # listed on page 2, from build/unit
    assert oil.region == "浙江省" and oil.extra["written"] == "2019-12-27" and oil.published == date(2020, 4, 10)
    assert plan.doc_type == "行政规范性文件" and plan.doc_number == "嘉政办发〔2018〕12号"
    assert plan.extra["unified_no"] == "ZJFC00-2018-0012" and plan.issuing_bodies == ["嘉兴市人民政府办公室"]
    assert "分享到" not in plan.text and rent.title == "嘉兴市住房租赁管理若干规定"
    # page 1 is the static column page, pages 2 and 3 the build/unit API; the empty page 3 ends the list
    lists = [url for _, url in example.requests if "index.html" in url or "build/unit" in url]
    assert lists[0].endswith("/col/col1229426511/index.html") and "pageNo%22%3A3" in lists[-1] and len(lists) == 3


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
