"""国家法律法规数据库 adapter against its saved example site (tests/examples/flk/): list pages, details, the
Word/PDF texts and the contents-tree fallback, each compared with its expected JSON; bad responses."""

from __future__ import annotations

import json
from datetime import date

import pytest

from crawlers.http import FetchError, FetchResult
from crawlers.sources import flk
from crawlers.sources.base import Listing
from fagui.records import RecordError
from indexer.store.upsert import work_identity
from tests.crawlers.sources.example_site import (
    EXAMPLES,
    ExampleSite,
    compare_expected,
    error_of,
    expected_of,
    expected_path,
)

FOLDER = EXAMPLES / "flk"
SITE = ExampleSite(FOLDER)
DETAILS = SITE.files("detail")


def make() -> flk.FlkSource:
    return flk.make_source(base_url=SITE.base_url, page_size=SITE.manifest["page_size"])


def test_every_example_file_has_its_json():
    for file in SITE.files("list") + SITE.files("detail"):
        assert expected_path(FOLDER, file).exists(), file
    served = set(SITE.files())
    for path in FOLDER.iterdir():
        if path.is_file() and path.name not in ("README.md", "routes.json") and \
                not path.name.endswith(".expected.json"):
            assert path.name in served, f"{path.name} is not served by routes.json"
    assert (FOLDER / "README.md").exists()


def test_listing_walks_every_page_newest_first():
    site = ExampleSite(FOLDER)
    listings = list(make().listings(site.fetch))
    assert [m for m, _ in site.requests] == ["POST", "POST"]
    for page_num in (1, 2):
        page = site.fetch(f"{site.base_url}/law-search/search/list", method="POST", json={"pageNum": page_num})
        rows, total = flk.parse_list(page, "list")
        got = [vars(make().listing_of(r)) for r in rows]
        compare_expected(FOLDER / f"list_page{page_num}.expected.json", {"total": total, "listings": got})
    assert len(listings) == 4 and len({ls.ref for ls in listings}) == 4


def test_since_stops_at_older_entries():
    listings = list(make().listings(SITE.fetch, since=date(2015, 1, 1)))
    assert [ls.hints["gbrq"] for ls in listings] == ["2023-03-13", "2017-09-01", "2015-03-15"]


@pytest.mark.parametrize("file", DETAILS)
def test_detail_parses_to_its_expected_record(file):
    source = make()
    listing = next(ls for ls in source.listings(SITE.fetch) if ls.ref in file)
    record = source.record(listing, SITE.fetch(listing.url), SITE.fetch)
    compare_expected(expected_path(FOLDER, file), expected_of(record))


def _records() -> dict[str, object]:
    source = make()
    return {ls.ref: source.record(ls, SITE.fetch(ls.url), SITE.fetch) for ls in source.listings(SITE.fetch)}


def test_facts_worth_saying_out_loud():
    records = _records()
    new, old = records["ff8081818f5e7e3c018fe0a0b1b2001a"], records["ff808181796a636a0179822a19350acb"]
    # two versions, one work: the store's identity (region and title), shared with every other source
    assert work_identity(new) == work_identity(old) == "全国|立法法"
    assert (new.source_status, new.extra["status"]) == ("有效", "effective")
    assert (old.source_status, old.extra["status"]) == ("已修改", "amended") and "end_status" not in old.extra
    # the download API's signed link is on the object store's host and is an old binary Word file
    assert new.extra["text_from"] == "doc" and new.text.startswith("中华人民共和国立法法\n")
    assert old.extra["text_from"] == "docx" and new.attachments == []
    assert new.extra["oss_paths"]["ossWordPath"].startswith("prod/20230313/")
    assert [e.kind for e in new.history][:1] == ["adopted"] and new.history[-1].date == date(2023, 3, 13)
    review = records["ff808181653e2d1b01659c2b6ff204c7"]
    assert review.extra["text_from"] == "pdf" and "docx：接口返回错误：代码 500，文件不存在" in review.extra["text_problems"][0]
    assert "第一条 为了防止和纠正违法的或者不当的具体行政行为，保护公民、法人和其他组织的合法权益" in review.text  # PDF lines rejoined
    rules = records["ff8080816f135f46016f202df4eb0e49"]
    assert rules.extra["text_from"] == "doc" and rules.doc_type == "行政法规" and rules.issuing_bodies == ["国务院"]
    assert "第一百二十七条" not in rules.text and "第六十六条" in rules.text


@pytest.mark.parametrize("sxx,label,status", [(3, "有效", "effective"), (4, "尚未生效", "not_yet_effective"),
                                              (2, "已修改", "amended"), (1, "已废止", "repealed")])
def test_sxx_codes_map_to_statuses(sxx, label, status):
    detail = {"title": "中华人民共和国某法", "flxz": "法律", "zdjgName": "全国人民代表大会常务委员会", "sxx": sxx,
              "content": {"title": "中华人民共和国某法", "children": [{"title": "第一条", "content": ["为了规范。"]}]}}
    record = make().record(Listing(url="x", ref="abc"), _page(detail), _no_files)
    assert (record.source_status, record.extra["status"]) == (label, status)
    assert record.extra.get("end_status") == ("repealed" if sxx == 1 else None)


def test_local_regulation_gets_its_province():
    detail = {"title": "广东省统计条例", "flxz": "地方性法规", "zdjgName": "广东省人民代表大会常务委员会", "sxx": 3,
              "content": [{"title": "第一条", "content": ["为了科学、有效地组织统计工作，制定本条例。"]}]}
    record = make().record(Listing(url="x", ref="gd"), _page(detail), _no_files)
    assert record.region == "广东省" and record.doc_type == "地方性法规" and work_identity(record) == "广东省|广东省统计条例"


def test_city_regulation_gets_its_city():
    detail = {"title": "广州市养犬管理条例", "flxz": "地方性法规", "zdjgName": "广州市人民代表大会常务委员会", "sxx": 3,
              "content": [{"title": "第一条", "content": ["为了规范养犬行为，制定本条例。"]}]}
    record = make().record(Listing(url="x", ref="gz"), _page(detail), _no_files)
    assert record.region == "广州市"


def _page(detail: dict, envelope: bool = True) -> FetchResult:
    body = {"code": 200, "msg": "操作成功", "data": detail} if envelope else detail
    return FetchResult(url="https://flk.npc.gov.cn/x", status=200, content=json.dumps(body, ensure_ascii=False).encode())


def _no_files(url, **kwargs):
    raise FetchError(url, "not_found", "页面不存在（HTTP 404）", 404)


def _detail_bytes() -> bytes:
    return (FOLDER / DETAILS[-1]).read_bytes()


BAD = {
    "truncated": lambda: _detail_bytes()[:3000],
    "missing_title": lambda: json.dumps({"code": 200, "data": {"bbbs": "x", "title": "", "sxx": 3, "content": {
        "title": "", "children": [{"title": "第一条", "content": ["为了规范。"]}]}}}, ensure_ascii=False).encode(),
    "api_error": lambda: json.dumps({"code": 500, "msg": "系统繁忙，请稍后再试", "data": None},
                                    ensure_ascii=False).encode(),
    "html_instead_of_json": lambda: b"<html><head><title>\xe5\xae\x89\xe5\x85\xa8\xe9\xaa\x8c\xe8\xaf\x81</title>"
                                    b"</head><body>captcha</body></html>",
    "not_text": lambda: _detail_bytes().decode("utf-8").encode("gbk", "replace").decode(
        "utf-8", "replace").encode("utf-8"),
    "wrong_encoding": lambda: _gbk_read_as_utf8_then_gbk(_detail_bytes()),
}


def _gbk_read_as_utf8_then_gbk(data: bytes) -> bytes:
    """The classic damage: a GBK page read as UTF-8 (every character lost to U+FFFD), saved as UTF-8 and read
    back as GBK: 锟斤拷 where the text was. JSON syntax survives, the text does not."""
    text = data.decode("utf-8")
    damaged = "".join(ch if ch.isascii() else ch.encode("gbk").decode("utf-8", "replace") for ch in text)
    return damaged.encode("utf-8").decode("gbk", "replace").encode("utf-8")


@pytest.mark.parametrize("case", list(BAD))
def test_bad_responses_are_record_errors_with_chinese_reasons(case):
    page = FetchResult(url="https://flk.npc.gov.cn/x", status=200, content=BAD[case]())
    with pytest.raises(RecordError) as info:
        make().record(Listing(url=page.url, ref="bad-" + case), page, _no_files)
    compare_expected(FOLDER / "bad" / f"{case}.expected.json", error_of(info.value))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.reason)


def test_list_api_error_stops_the_listing_with_a_reason():
    def fetch(url, **kwargs):
        return FetchResult(url=url, status=200, content='{"code": 401, "msg": "请求过于频繁"}'.encode())

    with pytest.raises(RecordError, match="代码 401，请求过于频繁"):
        list(make().listings(fetch))


def test_no_text_anywhere_names_every_attempt():
    detail = {"title": "中华人民共和国某法", "flxz": "法律", "sxx": 3, "content": {"title": "第一章", "children": []}}
    with pytest.raises(RecordError) as info:
        make().record(Listing(url="x", ref="t"), _page(detail), _no_files)
    assert "docx：页面不存在" in info.value.reason and "pdf：" in info.value.reason and "不含条文" in info.value.reason


def test_hosts_name_the_file_store_of_the_signed_links():
    assert flk.SOURCE.hosts == ("https://flk.npc.gov.cn", "https://flkoss.obs-bj2.cucloud.cn")
    rebased = flk.make_source(base_url="http://127.0.0.1:8123")
    assert rebased.hosts[0] == "http://127.0.0.1:8123"
    signed = "https://flkoss.obs-bj2.cucloud.cn/prod/20230313/a.doc?X-Amz-Signature=0"
    assert rebased.file_url(signed) == "http://127.0.0.1:8123/prod/20230313/a.doc?X-Amz-Signature=0"
    assert flk.SOURCE.file_url(signed) == signed  # production: fetched where it points (a declared host)
    assert flk.SOURCE.name == "flk" and flk.SOURCE.title == "国家法律法规数据库"


def test_a_law_from_flk_and_from_the_corpus_is_one_work(sqlite_store):
    """The same law reached through two sources: one work, and the same texts are not stored twice."""
    from sqlalchemy import select

    from crawlers.sources import lawrefbook
    from fagui.settings import BUNDLED_SAMPLE
    from indexer.store.models import Work
    from indexer.store.upsert import upsert_record

    corpus = [r for r in lawrefbook.read_corpus(BUNDLED_SAMPLE).records if r.title == "中华人民共和国立法法"]
    crawled = [r for r in _records().values() if r.title == "中华人民共和国立法法"]
    assert len(corpus) == 2 and len(crawled) == 2
    with sqlite_store.sessions.begin() as session:
        ids = {upsert_record(session, r).work_id for r in corpus}
        results = [upsert_record(session, r) for r in crawled]
    assert {r.work_id for r in results} == ids and len(ids) == 1
    assert not any(r.new_version for r in results)  # the Word texts are the corpus texts, once normalised
    with sqlite_store.sessions() as session:
        work = session.scalars(select(Work).where(Work.title == "中华人民共和国立法法")).one()
        assert [v.status for v in work.versions] == ["amended", "effective"]


def test_requests_carry_referer_and_origin_like_the_site():
    seen: list[tuple[str, dict]] = []
    site = ExampleSite(FOLDER)

    def fetch(url, **kwargs):
        seen.append((url, dict(kwargs.get("headers") or {})))
        return site.fetch(url, **kwargs)

    source = make()
    listing = next(iter(source.listings(fetch)))
    assert seen[0][1]["Referer"].endswith("/search") and seen[0][1]["Origin"] == source.base_url
    assert listing.headers["Referer"] == f"{source.base_url}/detail?id={listing.ref}"
    source.record(listing, site.fetch(listing.url), fetch)
    assert seen[1][0].endswith(f"format=docx&bbbs={listing.ref}")
    assert seen[1][1]["Referer"] == f"{source.base_url}/detail?id={listing.ref}"


def test_a_429_is_asked_again_after_a_wait_and_a_lasting_one_makes_the_run_incomplete():
    from crawlers.sources.base import ListingIncomplete

    waits: list[float] = []
    site = ExampleSite(FOLDER)
    answers = iter([429, 429])

    def fetch(url, **kwargs):
        if next(answers, None) == 429:
            raise FetchError(url, "http_429", "网站限制访问频率（HTTP 429）", 429)
        return site.fetch(url, **kwargs)

    source = flk.make_source(base_url=SITE.base_url, page_size=2, sleep=waits.append, rate_limit_waits=(5, 10, 20))
    assert len(list(source.listings(fetch))) == 4 and waits == [5, 10]

    def always_429(url, **kwargs):
        raise FetchError(url, "http_429", "网站限制访问频率（HTTP 429）", 429)

    waits.clear()
    with pytest.raises(ListingIncomplete) as info:
        list(source.listings(always_429))
    assert info.value.code == "rate_limited" and waits == [5, 10, 20] and "不标记下线" in info.value.reason


def test_a_page_cap_and_an_empty_list_are_incomplete_listings():
    from crawlers.sources.base import ListingIncomplete

    capped = flk.make_source(base_url=SITE.base_url, page_size=2, max_pages=1)
    got = []
    with pytest.raises(ListingIncomplete) as info:
        for listing in capped.listings(SITE.fetch):
            got.append(listing)
    assert len(got) == 2 and info.value.code == "page_cap"

    def empty(url, **kwargs):
        return FetchResult(url=url, status=200, content=b'{"code": 200, "msg": "\xe6\x9f\xa5", "total": 0, "rows": []}')

    with pytest.raises(ListingIncomplete) as info:
        list(make().listings(empty))
    assert info.value.code == "empty_list"


@pytest.mark.parametrize("flxz,code,body,title,doc_type,region", [
    ("修改、废止的决定", 310, "广东省人民代表大会常务委员会", "广东省人民代表大会常务委员会关于修改《广东省统计条例》的决定",
     "地方性法规", "广东省"),
    ("修改、废止的决定", 310, "全国人民代表大会常务委员会", "全国人民代表大会常务委员会关于修改《中华人民共和国某法》的决定",
     "法律", "全国"),
    ("地方法规", 230, "广州市人民代表大会常务委员会", "广州市养犬管理条例", "地方性法规", "广州市"),
    (None, 260, "延边朝鲜族自治州人民代表大会", "延边朝鲜族自治州自治条例", "自治条例和单行条例", "延边朝鲜族自治州"),
    (None, 310, "上海市人民代表大会常务委员会", "上海市人民代表大会常务委员会关于废止《上海市某条例》的决定",
     "地方性法规", "上海市"),
])
def test_local_decisions_and_codes_get_a_local_type_and_region(flxz, code, body, title, doc_type, region):
    detail = {"title": title, "flxz": flxz, "flfgCodeId": code, "zdjgName": body, "sxx": 3,
              "content": {"title": title, "children": [{"title": "第一条", "content": ["为了规范。"]}]}}
    record = make().record(Listing(url="x", ref="d"), _page(detail), _no_files)
    assert (record.doc_type, record.region) == (doc_type, region)


def test_a_scanned_pdf_is_recorded_as_needing_ocr():
    from crawlers.sources._common import NeedsOcr
    from tests.examples.example_files import make_pdf

    blank = make_pdf([" "])
    answers = {"format=docx": b'{"code": 500, "msg": "\xe6\x96\x87", "data": null}',
               "format=pdf": b'{"code": 200, "data": {"url": "https://flkoss.obs-bj2.cucloud.cn/prod/1/a.pdf"}}'}

    def fetch(url, **kwargs):
        body = next((v for k, v in answers.items() if k in url), blank)
        return FetchResult(url=url, status=200, content=body)

    detail = {"title": "中华人民共和国某法", "flxz": "法律", "sxx": 3, "content": {"title": "第一章", "children": []}}
    with pytest.raises(NeedsOcr) as info:
        make().record(Listing(url="x", ref="scan"), _page(detail), fetch)
    assert info.value.code == "needs_ocr" and "需要 OCR" in info.value.reason and "扫描件" in info.value.reason
