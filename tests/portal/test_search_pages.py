"""The home and search pages through the Flask test client: filters in the URL, direct answers, Chinese 400s,
escaping and the security headers."""

from __future__ import annotations

import re
import urllib.parse

import pytest


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_home_lists_doc_types_with_counts(client):
    r = client.get("/")
    assert r.status_code == 200
    html = text_of(r)
    counts = re.findall(r'doc_type=([^"&]+)"><span>([^<]+)</span><b>(\d+)</b>', html)
    assert counts and all(int(n) > 0 for _, _, n in counts)
    assert "法律" in {name for _, name, _ in counts}


def test_search_filters_live_in_the_url(client):
    r = client.get("/search?q=" + urllib.parse.quote("安全生产") + "&doc_type=法律&region=全国&sort=published")
    assert r.status_code == 200
    html = text_of(r)
    assert 'name="doc_type" value="法律" checked' in html
    assert '<option value="published" selected>' in html
    # every page link keeps the filters
    pager = re.findall(r'href="(/search\?[^"]*page=\d+[^"]*)"', html)
    for href in pager:
        query = urllib.parse.parse_qs(urllib.parse.urlparse(href.replace("&amp;", "&")).query)
        assert query["doc_type"] == ["法律"] and query["sort"] == ["published"]


def test_default_status_is_effective_and_all_can_be_asked(client):
    effective = text_of(client.get("/search?q=" + urllib.parse.quote("道路运输条例")))
    everything = text_of(client.get("/search?status=all&q=" + urllib.parse.quote("道路运输条例")))
    assert 'value="effective" checked' in effective
    assert "已修改" not in re.sub(r"<fieldset>.*?</fieldset>", "", effective, flags=re.S)
    assert "已修改" in everything  # superseded versions show once asked for
    n = lambda html: int(re.search(r"共 <strong>(\d+)</strong> 件", html).group(1))  # noqa: E731
    # repealed works are left out by default and counted when all statuses are asked for
    assert n(text_of(client.get("/search?status=all"))) > n(text_of(client.get("/search")))


def test_work_and_article_query_redirects_to_the_article(client):
    r = client.get("/search?q=" + urllib.parse.quote("道交法第九十一条"))
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location.startswith("/works/") and location.endswith("#art-91")
    page = client.get(location.split("#")[0])
    assert 'id="art-91"' in text_of(page)
    # direct=0 shows the result list instead
    listing = client.get("/search?direct=0&q=" + urllib.parse.quote("道交法第九十一条"))
    assert listing.status_code == 200 and "直达" in text_of(listing)


def test_document_number_redirects_to_the_document(app, client):
    from sqlalchemy import select

    from indexer.store.models import Version
    from portal import services

    with app.app_context():
        version = services.session().scalars(
            select(Version).where(Version.doc_number.like("%令%号")).order_by(Version.id)).first()
        work_id, doc_number = version.work_id, version.doc_number
    r = client.get("/search?q=" + urllib.parse.quote(doc_number))
    assert r.status_code == 302, doc_number
    assert r.headers["Location"].startswith(f"/works/{work_id}")
    # the current text opens at the work's own address, not as a numbered version
    current = client.get("/search?q=" + urllib.parse.quote("国务院令第802号")).headers["Location"]
    assert current.startswith("/works/") and "/versions/" not in current


@pytest.mark.parametrize("query, message", [
    ("page=0", "页码"),
    ("page=abc", "页码"),
    ("per_page=500", "每页条数"),
    ("published_from=2020-13-01", "公布日期起格式不正确"),
    ("status=valid", "未知的时效性"),
    ("doc_type=小说", "未知的效力级别"),
    ("sort=random", "未知的排序方式"),
    ("published_from=2021-01-01&published_to=2020-01-01", "起始日期晚于结束日期"),
    ("q=" + "法" * 201, "检索词过长"),
    ("q=" + urllib.parse.quote('"未闭合的引号'), ""),
])
def test_bad_parameters_get_a_chinese_400_page(client, query, message):
    r = client.get("/search?" + query)
    if message == "":  # a malformed query is either understood or refused, never a 500
        assert r.status_code in (200, 400)
        return
    assert r.status_code == 400
    html = text_of(r)
    # the search form stays, around the message, so the reader corrects one field
    assert message in html and 'role="alert"' in html and 'class="filters"' in html


def test_a_filter_error_keeps_what_the_reader_chose(client):
    r = client.get("/search?q=" + urllib.parse.quote("安全生产") + "&doc_type=法律&body="
                   + urllib.parse.quote("不存在的机关") + "&published_from=2021-01-01&published_to=2020-01-01")
    assert r.status_code == 400
    html = text_of(r)
    assert "起始日期晚于结束日期" in html
    assert 'value="安全生产"' in html and 'value="不存在的机关"' in html
    assert 'name="doc_type" value="法律" checked' in html
    assert 'name="published_from" value="2021-01-01"' in html
    assert html.count('name="region"') > 3  # every region and level is still offered to change the search
    assert 'data-collapse-narrow="yes"' in html  # on a phone the folded filters leave the message on screen
    unknown_body = client.get("/search?body=" + urllib.parse.quote("不存在的机关"))
    assert unknown_body.status_code == 400 and "未找到制定机关“不存在的机关”" in text_of(unknown_body)
    api = client.get("/api/v1/search?body=" + urllib.parse.quote("不存在的机关"))
    assert api.status_code == 400 and api.get_json()["error"]["message"].startswith("未找到制定机关")


def test_work_and_article_with_as_of_redirects_to_the_version_then(client):
    r = client.get("/search?as_of=2020-01-01&q=" + urllib.parse.quote("道路运输条例第十条"))
    assert r.status_code == 302
    location = r.headers["Location"]
    assert "/versions/1" in location and location.endswith("#art-10")
    now = client.get("/search?q=" + urllib.parse.quote("道路运输条例第十条")).headers["Location"]
    assert "/versions/" not in now and now.endswith("#art-10")


def test_an_unknown_document_number_says_so_and_lists_no_everything(client):
    html = text_of(client.get("/search?q=" + urllib.parse.quote("国务院令第99999号")))
    everything = int(re.search(r"共 <strong>(\d+)</strong> 件", text_of(client.get("/search"))).group(1))
    found = int(re.search(r"共 <strong>(\d+)</strong> 件", html).group(1))
    assert "没有文号为“国务院令第99999号”的文件" in html and found < everything


def test_user_text_is_escaped_everywhere(client):
    hostile = '<script>alert("x")</script>'
    r = client.get("/search?q=" + urllib.parse.quote(hostile) + "&body=" + urllib.parse.quote(hostile))
    html = text_of(r)
    assert hostile not in html
    assert "&lt;script&gt;" in html


def test_security_headers(client):
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in text_of(r).replace('<script src=', '')  # no inline script in the page
    assert ' style="' not in text_of(r)


def test_pages_load_nothing_from_outside(client):
    for url in ("/", "/search?q=" + urllib.parse.quote("行政处罚")):
        html = text_of(client.get(url))
        assert not re.search(r'(src|href)="(https?:)?//', html), url


@pytest.mark.parametrize("query", ["body=%00", "q=%E6%B3%95%00", "region=%1F", "doc_type=%7F"])
def test_control_characters_are_refused(client, query):
    r = client.get("/search?" + query)
    assert r.status_code == 400 and "控制字符" in r.get_data(as_text=True)


def test_every_example_on_the_home_page_finds_something(client):
    from portal.search_pages import EXAMPLES

    for example in EXAMPLES:
        r = client.get("/search?q=" + urllib.parse.quote(example))
        if r.status_code == 302:  # a direct answer
            continue
        html = text_of(r)
        assert r.status_code == 200 and "没有文号为" not in html, example
        assert int(re.search(r"共 <strong>(\d+)</strong> 件", html).group(1)) > 0, example


def test_an_as_of_search_says_what_it_lists(client):
    html = text_of(client.get("/search?as_of=2020-01-01&status=repealed"))
    assert "时点 2020-01-01：列出当日有效的文本" in html and "已设时点：按当日是否有效筛选" in html
    assert "列出当日有效的文本" not in text_of(client.get("/search?status=repealed"))


def test_the_page_names_the_mode_and_offers_the_other(client):
    exact = text_of(client.get("/search?q=" + urllib.parse.quote("饮酒后驾驶机动车")))
    assert "精确检索" in exact and "mode=fuzzy" in exact
    fuzzy = client.get("/search?mode=fuzzy&q=" + urllib.parse.quote("饮酒后驾驶机动车"))
    html = text_of(fuzzy)
    assert fuzzy.status_code == 200 and "模糊检索" in html and "改用精确检索" in html
    assert 'name="mode" value="fuzzy"' in html  # the filters keep the mode
    fallback = text_of(client.get("/search?q=" + urllib.parse.quote("驾驶证吊销")))
    assert "完全一致的内容，以下为近似结果" in fallback


@pytest.mark.parametrize("q", ["《》", "-", "|", "()", "。，！", "……"])
def test_punctuation_or_operators_alone_get_a_page_not_an_error(client, q):
    r = client.get("/search?q=" + urllib.parse.quote(q))
    html = text_of(r)
    assert r.status_code == 200 and 'class="filters"' in html
    everything = int(re.search(r"共 <strong>(\d+)</strong> 件", text_of(client.get("/search"))).group(1))
    found = re.search(r"共 <strong>(\d+)</strong> 件", html)
    assert found is None or int(found.group(1)) < everything  # never "everything" for a query of nothing


def test_a_pasted_run_is_found_whole_and_marked_whole(client):
    q = "饮酒后驾驶机动车的，处暂扣"
    html = text_of(client.get("/search?q=" + urllib.parse.quote(q)))
    assert "中华人民共和国道路交通安全法" in html
    assert f"<mark>{q}</mark>" in html


@pytest.mark.parametrize("url", ["/search?q={q}", "/search?q={q}&region=四川省&doc_type=地方性法规&page=2"])
def test_a_refused_long_query_is_shown_once_and_cut(client, url):
    q = "交" + "法" * 7998 + "尾"
    page = client.get(url.format(q=urllib.parse.quote(q)))
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "检索词过长" in text
    unquoted = urllib.parse.unquote(text)  # links carry it percent-encoded
    assert unquoted.count("交" + "法" * 49) == 1  # before: 9 times, in the title, the fields and every link
    assert ("交" + "法" * 49 + "…") in text and "法" * 50 not in unquoted and "尾" not in unquoted
    assert len(text) < 40_000


def test_a_long_query_on_another_page_is_cut_in_the_header_search_box(client):
    page = client.get("/saved?q=" + "法" * 8000)
    assert "法" * 50 + "…" in page.get_data(as_text=True) and "法" * 51 not in page.get_data(as_text=True)
