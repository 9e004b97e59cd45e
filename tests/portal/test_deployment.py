"""A region's deployment (FAGUI_REGION): the default scope (the region and below, with the national texts unless
含国家法律法规 is switched off, other regions only on request), the platform's name, the browse pages with their
feeds and CSV, breadcrumbs and provenance on document pages. The store holds the bundled sample plus documents
crawled over HTTP from two city sites of 浙江省 (嘉兴市, 湖州市; tests/portal/deployment_store.py)."""

from __future__ import annotations

import csv
import io
import re
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import text

from indexer.store.app_store import open_store
from tests.portal import deployment_store

NS = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture(scope="module")
def base_settings(tmp_path_factory):
    return deployment_store.build(tmp_path_factory.mktemp("deployment"))


def _client(settings, code):
    from portal import create_app

    return create_app(deployment_store.with_region(settings, code), testing=True).test_client()


@pytest.fixture(scope="module")
def province(base_settings):
    return _client(base_settings, "330000")


@pytest.fixture(scope="module")
def city(base_settings):
    return _client(base_settings, "330400")


@pytest.fixture(scope="module")
def nationwide(base_settings):
    return _client(base_settings, None)


@pytest.fixture(scope="module")
def counts(base_settings):
    """What each scope must hold, counted from the store by the sources' own region names and by the names
    in titles and bodies, apart from the code under test."""
    store = open_store(base_settings)
    with store.sessions() as s:
        def one(sql: str) -> int:
            return int(s.execute(text(sql)).scalar_one())

        effective = "status = 'effective'"
        in_city = ("(title LIKE '{c}%' OR id IN (SELECT wb.work_id FROM work_issuing_bodies wb JOIN issuing_bodies b "
                   "ON b.id = wb.body_id WHERE wb.position = 0 AND b.name LIKE '{c}%'))")
        out = {
            "all": one(f"SELECT count(*) FROM works WHERE {effective}"),
            "national": one(f"SELECT count(*) FROM works WHERE {effective} AND region = '全国'"),
            "zhejiang": one(f"SELECT count(*) FROM works WHERE {effective} AND region = '浙江省'"),
            "jiaxing": one(f"SELECT count(*) FROM works WHERE {effective} AND region = '浙江省' AND "
                           + in_city.format(c="嘉兴市")),
            "huzhou": one(f"SELECT count(*) FROM works WHERE {effective} AND region = '浙江省' AND "
                          + in_city.format(c="湖州市")),
        }
    store.engine.dispose()
    return out


def total(client, url: str, **query) -> int:
    response = client.get(url, query_string=query or None)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return int(re.search(r"共 <strong>(\d+)</strong>", response.get_data(as_text=True)).group(1))


def api_total(client, **query) -> int:
    response = client.get("/api/v1/search", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["total"]


def test_the_store_holds_both_crawled_city_sites(counts):
    # Each city site gave its 3 documents, all in force (one of 湖州's since gone from its list); the sample adds
    # 嘉兴's own regulations.
    assert counts["huzhou"] == deployment_store.CRAWLED_EFFECTIVE_PER_CITY
    assert counts["jiaxing"] >= deployment_store.CRAWLED_EFFECTIVE_PER_CITY
    assert counts["national"] > 0 and counts["zhejiang"] > counts["jiaxing"] + counts["huzhou"]


def test_province_deployment_shows_the_province_and_national_texts(province, counts):
    expected = counts["national"] + counts["zhejiang"]
    assert total(province, "/search") == expected
    assert api_total(province) == expected
    assert total(province, "/browse/list") == expected
    assert total(province, "/") == expected
    home = province.get("/").get_data(as_text=True)
    chips = dict(re.findall(r'region_code=(\d+)">([^<]+) <b>', home))
    assert {"330400": "嘉兴市", "330500": "湖州市"}.items() <= chips.items()  # the cities, from the directory
    regions = {f["value"] for f in province.get("/api/v1/facets").get_json()["facets"]["region"]}
    assert regions == {"全国", "浙江省"}
    # 含国家法律法规 switched off, then other regions on request.
    assert total(province, "/search", national="0") == counts["zhejiang"]
    assert api_total(province, national="0") == counts["zhejiang"]
    assert total(province, "/search", scope="all") == counts["all"]
    # A search finds the other city's document within the province, and a text of another province only with scope=all.
    assert api_total(province, q="湖州市餐饮业油烟管理办法") >= 1


def test_city_deployment_shows_only_the_city_and_national_texts(city, counts):
    expected = counts["national"] + counts["jiaxing"]
    assert total(city, "/search") == expected
    assert api_total(city) == expected
    assert total(city, "/browse/list") == expected
    assert total(city, "/browse/list", national="0") == counts["jiaxing"]
    hits = city.get("/api/v1/search", query_string={"q": "餐饮业油烟管理办法", "status": "all"}).get_json()["hits"]
    assert [h["title"] for h in hits] == ["嘉兴市餐饮业油烟管理办法"]  # 湖州's namesake stays out
    assert api_total(city, q="湖州市餐饮业油烟管理办法", scope="all") >= 1


def test_unset_region_is_the_nationwide_site(nationwide, counts):
    assert total(nationwide, "/search") == counts["all"]
    page = nationwide.get("/").get_data(as_text=True)
    assert "<title>法规统一公开查询平台</title>" in page and "含国家法律法规" not in page


def test_the_platform_name_is_carried_by_titles_home_feeds_and_exports(city):
    home = city.get("/").get_data(as_text=True)
    assert "<title>嘉兴市法规统一公开查询平台</title>" in home and "嘉兴市法规统一公开查询</h1>" in home
    assert "含国家法律法规" in home
    feed = ET.fromstring(city.get("/feeds/atom.xml").data)
    assert feed.findtext("a:title", namespaces=NS).startswith("嘉兴市法规统一公开查询平台")
    listed = city.get("/browse/list.csv", query_string={"national": "0"}).get_data(as_text=True)
    assert listed.lstrip("\ufeff").startswith("嘉兴市法规统一公开查询平台")
    manifest = city.get("/manifest.webmanifest").get_json()
    assert manifest["name"] == "嘉兴市法规统一公开查询平台"


def test_browse_lists_are_paged_by_date_with_status_number_and_dates(province, counts):
    page = province.get("/browse/list").get_data(as_text=True)
    rows = re.findall(r'<td data-label="公布日期">([^<]+)</td>', page)
    assert len(rows) == 20
    dated = [r for r in rows if r != "不详"]
    assert dated == sorted(dated, reverse=True)
    assert page.count('data-label="时效性"') == 20 and page.count('data-label="发文字号"') == 20
    assert "第 1 / " in page and 'rel="next"' in page
    second = province.get("/browse/list", query_string={"page": 2}).get_data(as_text=True)
    assert re.findall(r'<td data-label="公布日期">([^<]+)</td>', second)[0] <= rows[-1]


def test_every_list_is_a_csv_and_a_feed(province):
    query = {"doc_type": "地方性法规", "national": "0"}
    n = total(province, "/browse/list", **query)
    rows = list(csv.reader(io.StringIO(province.get("/browse/list.csv", query_string=query).get_data(as_text=True))))
    assert rows[1][:4] == ["标题", "效力级别", "制定机关", "发文字号"]
    assert len(rows) - 2 == n and {r[1] for r in rows[2:]} == {"地方性法规"}
    assert {r[7] for r in rows[2:]} == {"浙江省"}
    feed = ET.fromstring(province.get("/browse/list.atom", query_string=query).data)
    entries = feed.findall("a:entry", NS)
    assert 0 < len(entries) <= 20
    assert all("行政区划：浙江省" in e.findtext("a:summary", namespaces=NS) for e in entries)


def test_directories_count_what_their_lists_hold(province, city):
    bodies = province.get("/browse/bodies").get_data(as_text=True)
    found = re.search(r'<a href="([^"]+)">嘉兴市人民代表大会常务委员会</a> <span class="count">(\d+)</span>', bodies)
    assert found, "the body directory lists 嘉兴市人民代表大会常务委员会"
    assert total(province, found.group(1).replace("&amp;", "&")) == int(found.group(2))
    regions = province.get("/browse/regions").get_data(as_text=True)
    for name in ("全国（国家法律法规）", "浙江省", "嘉兴市", "湖州市"):
        found = re.search(rf'<a href="([^"]+)">{name}</a> <span class="count">(\d+)</span>', regions)
        assert found, name
        assert total(province, found.group(1).replace("&amp;", "&")) == int(found.group(2)), name
    assert "湖州市" not in city.get("/browse/regions").get_data(as_text=True)
    years = province.get("/browse/years").get_data(as_text=True)
    found = re.search(r'<a href="([^"]+)">2020 年</a> <span class="count">(\d+)</span>', years)
    assert found and total(province, found.group(1).replace("&amp;", "&")) == int(found.group(2))
    topics = province.get("/browse/topics")
    assert topics.status_code == 200


def test_bad_browse_input_is_a_chinese_400(province):
    response = province.get("/browse/list", query_string={"region_code": "999999"})
    assert response.status_code == 400 and "行政区划代码" in response.get_data(as_text=True)
    response = province.get("/browse/list", query_string={"year": "二〇二〇"})
    assert response.status_code == 400 and "年份" in response.get_data(as_text=True)
    response = province.get("/api/v1/search", query_string={"region_code": "12"})
    assert response.status_code == 400 and "行政区划代码" in response.get_json()["error"]["message"]


def _work_page(client, title: str) -> str:
    hit = client.get("/api/v1/search", query_string={"q": title, "status": "all", "scope": "all"}).get_json()["hits"][0]
    assert hit["title"] == title
    return client.get(f"/works/{hit['work_id']}").get_data(as_text=True)


def test_document_pages_show_breadcrumbs_and_provenance(province):
    page = _work_page(province, "嘉兴市餐饮业油烟管理办法")
    crumbs = re.search(r'<nav class="crumbs[^"]*" aria-label="位置">(.*?)</nav>', page, re.S).group(1)
    assert re.findall(r">([^<>]+)</a>", crumbs) == ["首页", "行政区划", "浙江省", "嘉兴市",
                                                       "浙江省人民代表大会常务委员会", "嘉兴市人民代表大会常务委员会"]
    provenance = re.search(r'<section class="panel provenance.*?</section>', page, re.S).group(0)
    assert "嘉兴市行政规范性文件库" in provenance and "art_1229426511_59123456.html" in provenance
    assert "<dt>来源仍列出</dt><dd>是" in provenance and "首次收录</dt><dd>20" in provenance
    gone = _work_page(province, "湖州市餐饮业油烟管理办法")
    assert "<dt>来源仍列出</dt><dd>否（" in gone and "起来源不再列出" in gone
    corpus = _work_page(province, "中华人民共和国道路交通安全法")
    assert "<dt>来源仍列出</dt><dd>不详" in corpus
    assert '>全国</a> ›' in corpus


def _login(client):
    from tests.portal.conftest import token_from

    page = client.get("/login", query_string={"next": "/reports/"})
    response = client.post("/login", data={"name": "office", "password": deployment_store.PASSWORD, "next": "/reports/",
                                           "csrf_token": token_from(page.get_data(as_text=True))})
    assert response.status_code == 302


def _csv(client, url: str, **query) -> list[list[str]]:
    response = client.get(url, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _table(rows: list[list[str]], first: str) -> tuple[list[str], list[list[str]]]:
    start = next(i for i, r in enumerate(rows) if r and r[0] == first)
    return rows[start], rows[start + 1:]


def test_completeness_report_per_body_with_chart_and_exports(base_settings):
    province = _client(base_settings, "330000")
    assert province.get("/reports/completeness").status_code == 302  # for the office: a login first
    _login(province)
    page = province.get("/reports/completeness", query_string={"as_of": "2020-12-31"}).get_data(as_text=True)
    assert "发布完整性：各制定机关" in page and "<svg" in page and "export.csv" in page and "export.xlsx" in page
    header, rows = _table(_csv(province, "/reports/completeness/export.csv", as_of="2020-12-31"), "制定机关")
    assert header[:4] == ["制定机关", "行政区划", "文件数", "现行有效"] and "2020年" in header
    by_body = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    huzhou = by_body["湖州市人民代表大会常务委员会"]
    assert huzhou["行政区划"] == "浙江省湖州市" and huzhou["文件数"] == "2" and huzhou["2020年"] == "1"
    assert huzhou["最近公布日期"] == "2020-04-10" and huzhou["近12个月无新文件"] == "否"
    assert by_body["湖州市人民政府办公室"]["近12个月无新文件"] == "是"  # its only document: 2018
    # Only this province's bodies, never a national one.
    assert all(r["行政区划"].startswith("浙江省") for r in by_body.values()) and "国务院" not in by_body
    city = _client(base_settings, "330400")
    _login(city)
    _, rows = _table(_csv(city, "/reports/completeness/export.csv", as_of="2020-12-31"), "制定机关")
    assert {r[1] for r in rows} == {"浙江省嘉兴市"}


def test_gone_source_pages_and_missing_normative_reports(base_settings):
    province = _client(base_settings, "330000")
    _login(province)
    header, rows = _table(_csv(province, "/reports/gone-sources/export.csv"), "标题")
    assert [r[0] for r in rows] == ["湖州市餐饮业油烟管理办法"]
    assert dict(zip(header, rows[0], strict=True))["来源"] == "湖州市行政规范性文件库"
    city = _client(base_settings, "330400")
    _login(city)
    assert _table(_csv(city, "/reports/gone-sources/export.csv"), "标题")[1] == []
    page = province.get("/reports/missing-normative").get_data(as_text=True)
    assert page.count("<h1") == 1 and "引用而未收录的规范性文件" in page


def test_cited_documents_that_look_normative():
    from clearance.completeness import looks_normative

    assert looks_normative("嘉兴市住房租赁管理办法", None)
    assert looks_normative("关于进一步加强安全生产工作的通知", None)
    assert looks_normative(None, "浙政发〔2018〕12号")
    assert not looks_normative("中华人民共和国行政处罚法", None)
    assert not looks_normative("浙江省道路运输条例", None)
    assert not looks_normative("关于修改部分地方性法规的决定", None)
    assert not looks_normative("全国人民代表大会常务委员会关于加强社会治安综合治理的决定", None)


def test_command_line_search_takes_the_same_default_scope(base_settings, counts, monkeypatch):
    import json

    from click.testing import CliRunner

    from fagui.cli.commands import cli

    monkeypatch.setenv("FAGUI_DATA_DIR", str(base_settings.data_dir))
    monkeypatch.setenv("FAGUI_REGION", "330400")

    def found(*args: str) -> int:
        result = CliRunner().invoke(cli, ["search", "", "--json", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["total"]

    assert found() == counts["national"] + counts["jiaxing"]
    assert found("--no-national") == counts["jiaxing"]
    assert found("--all-regions") == counts["all"]
    assert found("--all-regions", "--region-code", "330500") == counts["huzhou"]
