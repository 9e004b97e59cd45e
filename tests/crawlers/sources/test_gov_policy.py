"""国务院政策文件库 adapter against its saved example site (tests/examples/gov_policy/): the search API list and
content pages of three styles, compared with their expected JSON; bad pages."""

from __future__ import annotations

import json
from datetime import date

import pytest

from crawlers.http import FetchResult
from crawlers.sources import gov_policy
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

FOLDER = EXAMPLES / "gov_policy"
SITE = ExampleSite(FOLDER)
DETAILS = SITE.files("detail")


def make() -> gov_policy.GovPolicySource:
    return gov_policy.make_source(base_url=SITE.base_url, page_size=SITE.manifest["page_size"])


def test_every_example_file_has_its_json():
    assert_every_example_has_its_json(FOLDER, SITE)


def test_listing_walks_every_page():
    site = ExampleSite(FOLDER)
    source = make()
    listings = list(source.listings(site.fetch))
    assert len(site.requests) == 2 and len(listings) == 4  # the 公报 copy of a 国务院文件 is not listed
    for page_num in (1, 2):
        rows, total = gov_policy.parse_list(site.fetch(source.list_url(page_num)), "list")
        compare_expected(FOLDER / f"list_page{page_num}.expected.json",
                         {"total": total, "listings": [vars(source.listing_of(r)) for r in rows]})


def test_since_stops_at_older_entries():
    assert [ls.hints["published"] for ls in make().listings(SITE.fetch, since=date(2020, 1, 1))] == [
        "2024-01-26", "2021-08-11", "2022-01-05"]


def test_since_ends_each_category_on_its_own():
    """A 国务院文件 older than `since` does not hide the newer 部门文件 on the same page."""
    got = [(ls.hints["published"], ls.title) for ls in make().listings(SITE.fetch, since=date(2021, 9, 1))]
    assert got == [("2024-01-26", "国务院关于经营者集中申报标准的规定"), ("2022-01-05", "机动车登记规定")]


def test_a_row_with_pubtime_only_gets_its_date():
    row = {"url": "https://www.gov.cn/zhengce/zhengceku/2022-01/05/content_1.htm", "title": "某规定",
           "pubtime": 1641344400000}
    assert make().listing_of(row).hints["published"] == "2022-01-05"


@pytest.mark.parametrize("number,doc_type", [
    ("交通运输部令2024年第1号", "部门规章"), ("中国人民银行令〔2024〕第1号", "部门规章"), ("公安部令第164号", "部门规章"),
    ("财政部令[2023]第112号", "部门规章"), ("国务院令第716号", "行政法规"), ("国办发〔2024〕1号", "行政规范性文件"),
    ("交办运〔2024〕1号", "行政规范性文件")])
def test_orders_numbered_by_year_are_rules(number, doc_type):
    assert gov_policy._doc_type(number, []) == doc_type


def test_no_result_answer_and_empty_first_page_make_an_incomplete_listing():
    from crawlers.sources.base import ListingIncomplete

    def none_found(url, **kwargs):
        body = '{"code": 1001, "msg": "抱歉，没有找到相关结果", "data": [], "searchVO": null, "paramsVO": null}'
        return FetchResult(url=url, status=200, content=body.encode())

    assert gov_policy.parse_list(none_found("x"), "x") == ([], {})
    with pytest.raises(ListingIncomplete) as info:
        list(make().listings(none_found))
    assert info.value.code == "empty_list"


def test_a_page_cap_before_the_end_is_an_incomplete_listing():
    from crawlers.sources.base import ListingIncomplete

    source = gov_policy.make_source(base_url=SITE.base_url, page_size=2, max_pages=1)
    with pytest.raises(ListingIncomplete) as info:
        list(source.listings(SITE.fetch))
    assert info.value.code == "page_cap" and "gongwen" in info.value.reason


@pytest.mark.parametrize("file", DETAILS)
def test_content_page_parses_to_its_expected_record(file):
    source = make()
    listing = next(ls for ls in source.listings(SITE.fetch) if ls.ref.endswith(file.split("_")[1][:-5] + ".htm"))
    record = source.record(listing, SITE.fetch(listing.url), SITE.fetch)
    compare_expected(expected_path(FOLDER, file), expected_of(record))


def _records() -> dict:
    source = make()
    return {ls.ref.rsplit("_", 1)[1]: source.record(ls, SITE.fetch(ls.url), SITE.fetch)
            for ls in source.listings(SITE.fetch)}


def test_facts_worth_saying_out_loud():
    records = _records()
    online, merger, outline = records["5389179.htm"], records["6928390.htm"], records["5630802.htm"]
    assert online.doc_number == "国务院令第716号" and online.doc_type == "行政法规"
    assert online.extra["index_no"] == "000014349/2019-00047" and online.extra["written"] == "2019-04-26"
    assert online.published == date(2019, 5, 6) and online.issuing_bodies == ["国务院"]
    assert "第一条 为了全面提升政务服务规范化、便利化水平" in online.text and "京ICP备" not in online.text
    assert merger.source_status == "现行有效" and merger.extra["status"] == "effective"
    assert merger.effective == date(2024, 1, 22)
    assert merger.attachments[0].url == "https://www.gov.cn/zhengce/content/202401/P020240126512345678901.pdf"
    assert outline.extra["page_style"] == "no_info_table" and outline.issuing_bodies == ["中共中央", "国务院"]
    assert outline.title.startswith("中共中央 国务院印发") and outline.published == date(2021, 8, 11)
    assert "推动政府管理依法进行" in outline.text  # the GB2312 page decoded
    plates = records["5666456.htm"]  # a 部门文件 whose info table has no colons
    assert plates.doc_number == "公安部令第164号" and plates.doc_type == "部门规章"
    assert plates.issuing_bodies == ["公安部"] and plates.published == date(2022, 1, 5)
    assert plates.extra["written"] == "2021-12-17" and plates.extra["index_no"] == "000019705/2021-00391"


def _page(content: bytes) -> FetchResult:
    return FetchResult(url="https://www.gov.cn/zhengce/x.htm", status=200, content=content,
                       headers={"content-type": "text/html; charset=utf-8"})


def _detail() -> str:
    return (FOLDER / DETAILS[0]).read_text(encoding="utf-8")


def _garbled() -> bytes:
    text = _detail()
    head, body = text.split('id="UCAP-CONTENT">', 1)
    damaged = "".join(ch if ch.isascii() else ch.encode("gbk").decode("utf-8", "replace") for ch in body)
    return (head + 'id="UCAP-CONTENT">').encode() + damaged.encode("utf-8").decode("gbk", "replace").encode()


BAD = {
    "truncated": lambda: _detail().encode()[:6000],
    "missing_title": lambda: _detail().replace("国务院关于在线政务服务的若干规定</td>", "</td>").encode(),
    "no_text_container": lambda: _detail().replace('id="UCAP-CONTENT"', "").replace("pages_content", "x").encode(),
    "wrong_encoding": _garbled,
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_pages_are_record_errors_with_chinese_reasons(case):
    with pytest.raises(RecordError) as info:
        make().record(Listing(url="https://www.gov.cn/zhengce/x.htm", ref="bad-" + case), _page(BAD[case]()),
                      SITE.fetch)
    compare_expected(FOLDER / "bad" / f"{case}.expected.json", error_of(info.value))


def test_search_api_error_is_a_record_error():
    page = FetchResult(url="https://sousuo.www.gov.cn/x", status=200,
                       content='{"code": 5001, "msg": "系统繁忙", "searchVO": null}'.encode())
    with pytest.raises(RecordError, match="代码 5001，系统繁忙"):
        gov_policy.parse_list(page, "list")


def test_rows_grouped_by_category_are_read_too():
    body = ('{"code": 200, "searchVO": {"catMap": {"gongwen": {"totalCount": 1, "listVO": [{"title": "关于<em>x</em>的通知",'
            ' "url": "https://www.gov.cn/zhengce/content/1.htm", "pubtimeStr": "2024.02.01"}]}}}}')
    rows, total = gov_policy.parse_list(FetchResult(url="u", status=200, content=body.encode()), "list")
    assert total == {"gongwen": 1} and make().listing_of(rows[0]).title == "关于x的通知"


def test_hosts_are_the_search_and_site_origins():
    assert gov_policy.SOURCE.hosts == ("https://sousuo.www.gov.cn", "https://www.gov.cn")
    assert make().hosts == (SITE.base_url,)


def test_a_list_row_linking_a_local_file_is_skipped():
    rows = [{"title": "本地文件", "url": "file://localhost/etc/passwd", "pubtimeStr": "2024.02.01"},
            {"title": "别的主机", "url": "FILE://x/dev/zero", "pubtimeStr": "2024.02.01"},
            {"title": "无主机", "url": "file:///etc/passwd", "pubtimeStr": "2024.02.01"},
            {"title": "正常", "url": "https://www.gov.cn/zhengce/content/1.htm", "pubtimeStr": "2024.02.01"}]
    body = json.dumps({"code": 200, "searchVO": {"totalCount": len(rows), "listVO": rows}}).encode()
    source = gov_policy.make_source(base_url=SITE.base_url, page_size=20)
    listings = list(source.listings(lambda url, **kw: FetchResult(url=url, status=200, content=body)))
    assert [ls.title for ls in listings] == ["正常"]
    assert listings[0].url == f"{SITE.base_url}/zhengce/content/1.htm"
    with pytest.raises(RecordError):
        make().listing_of(rows[0])


def test_attachment_links_are_web_links_only():
    page = ("<html><body><div id='UCAP-CONTENT'><p>关于印发某某管理办法的通知，各有关单位遵照执行。</p>"
            "<a href='file:///etc/passwd.pdf'>本地</a><a href='/files/a.pdf'>附件</a>"
            "<a href='javascript:alert(1).pdf'>脚本</a></div></body></html>")
    listing = Listing(url="https://www.gov.cn/x.htm", ref="/x.htm", title="关于印发某某管理办法的通知")
    record = gov_policy.parse_content_page(page, listing, "https://www.gov.cn/zhengce/x.htm")
    assert [a.url for a in record.attachments] == ["https://www.gov.cn/files/a.pdf"]
