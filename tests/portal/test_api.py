"""The JSON API on the sample instance: search and facets with the page's parameters, works, versions,
articles, comparison; Chinese JSON errors (400, 404, 405, 429, 503, never 500); per-client rate limits."""

from __future__ import annotations

import pytest

from fagui.settings import load_settings
from indexer.search.service import SearchParams, search
from portal import create_app
from portal.openapi import openapi_spec
from portal.ratelimit import FixedWindowLimiter


def get(client, path, **query):
    response = client.get(path, query_string=query or None)
    assert response.content_type.startswith("application/json"), (path, response.status_code)
    return response.status_code, response.get_json()


@pytest.fixture(scope="module")
def road(app) -> str:
    hits = app.test_client().get("/api/v1/search", query_string={"q": "道路运输条例", "region": "全国"}).get_json()
    assert hits["hits"][0]["title"] == "中华人民共和国道路运输条例"
    return hits["hits"][0]["work_id"]


def test_search_is_the_search_service_json(client, app):
    status, body = get(client, "/api/v1/search", q="饮酒 驾驶 机动车", per_page=5)
    assert status == 200 and body["per_page"] == 5 and len(body["hits"]) <= 5
    with app.app_context():
        from portal.services import backend, session

        expected = search(session(), backend(), SearchParams(q="饮酒 驾驶 机动车", per_page=5))
    # The API writes the typed result's own JSON, field for field (only the time taken differs).
    assert {**body, "took_ms": 0} == {**expected.to_json(), "took_ms": 0}
    assert [h["work_id"] for h in body["hits"]] == [h.work_id for h in expected.hits]
    assert "中华人民共和国道路交通安全法" in [h["title"] for h in body["hits"]]


def test_search_direct_answer_and_filters_from_the_url(client):
    _, body = get(client, "/api/v1/search", q="道路交通安全法第九十一条")
    assert body["direct"]["type"] == "article" and body["direct"]["article"]["anchor"] == "art-91"
    _, body = get(client, "/api/v1/search", q="条例", region="山东", doc_type="地方性法规", status="all")
    assert body["hits"] and {h["region"] for h in body["hits"]} == {"山东省"}
    assert {h["doc_type"] for h in body["hits"]} == {"地方性法规"}
    _, repeated = get(client, "/api/v1/search?q=条例&status=amended&status=repealed")
    _, comma = get(client, "/api/v1/search?q=条例&status=amended,repealed")
    assert repeated["total"] == comma["total"] > 0
    assert {h["status"] for h in comma["hits"]} <= {"amended", "repealed"}


@pytest.mark.parametrize(("query", "message"), [
    ({"per_page": "0"}, "每页条数应在 1 到 50 之间"),
    ({"per_page": "x"}, "每页条数应为整数"),
    ({"page": "201"}, "页码应在 1 到 200 之间"),
    ({"status": "bogus"}, "未知的时效性"),
    ({"doc_type": "小说"}, "未知的效力级别"),
    ({"sort": "random"}, "未知的排序方式"),
    ({"as_of": "2020-13-01"}, "时点格式不正确"),
    ({"published_from": "2021-01-01", "published_to": "2020-01-01"}, "公布日期范围的起始日期晚于结束日期"),
    ({"q": "法" * 201}, "检索词过长：最多 200 个字符"),
    ({"body": "并不存在的机关"}, "未找到制定机关"),
    ({"body": "\x00"}, "参数 body 含有不可见的控制字符"),  # PostgreSQL would refuse it: a 400, not a 500
    ({"region": "山东\x01"}, "参数 region 含有不可见的控制字符"),
    ({"q": "安全", "mode": "nearest"}, "未知的检索方式"),
    ({"q": "-罚款"}, "不能只包含排除词"),
])
def test_bad_search_parameters_are_400_with_chinese_message(client, query, message):
    for path in ("/api/v1/search", "/api/v1/facets"):
        status, body = get(client, path, **query)
        assert status == 400 and body["error"]["status"] == 400, (path, body)
        assert message in body["error"]["message"]


@pytest.mark.parametrize(("q", "searched"), [("。，！", True), ("……", True), ("《》", False), ("-", False)])
def test_punctuation_alone_is_an_answer_not_an_error(client, q, searched):
    """精确检索 looks for punctuation as typed; brackets or operators alone leave nothing to look for, which the
    answer says, with 200 like any search that finds nothing."""
    status, body = get(client, "/api/v1/search", q=q, status="all")
    assert status == 200 and body["mode"] == "exact"
    assert any("请输入检索词" in w for w in body["warnings"]) != searched
    assert (body["total"] == 0) == (body["hits"] == [])
    if not searched:
        assert body["total"] == 0


def test_facets_count_for_a_query(client):
    _, body = get(client, "/api/v1/facets", q="条例", status="all")
    assert set(body) == {"query", "total", "facets"} and body["query"] == "条例"
    statuses = {f["value"]: f for f in body["facets"]["status"]}
    assert statuses["effective"]["label"] == "现行有效" and statuses["effective"]["count"] > 0
    assert sum(f["count"] for f in body["facets"]["status"]) >= body["total"] > 0
    _, national = get(client, "/api/v1/facets", q="条例", status="all", region="全国")
    # A filtered field keeps counting its other values (to widen the choice); the other fields narrow.
    assert 0 < national["total"] < body["total"]
    assert "地方性法规" not in {f["value"] for f in national["facets"]["doc_type"]}
    assert "地方性法规" in {f["value"] for f in body["facets"]["doc_type"]}


def test_work_versions_and_version(client, road):
    _, work = get(client, f"/api/v1/works/{road}")
    assert work["title"] == "中华人民共和国道路运输条例" and work["status_label"] == "现行有效"
    assert [v["seq"] for v in work["versions"]] == [1, 2, 3] and work["current_version"] == 3
    _, versions = get(client, f"/api/v1/works/{road}/versions")
    assert versions["versions"] == work["versions"] and versions["work_id"] == road
    _, v1 = get(client, f"/api/v1/works/{road}/versions/1")
    assert v1["version"]["published"] == "2019-03-02" and v1["version"]["status"] == "amended"
    assert v1["articles"][0]["anchor"] == "art-1" and v1["toc"][0]["title"] == "第一章 总则"


def test_article_by_number_anchor_form_and_chinese_label(client, road):
    _, by_number = get(client, f"/api/v1/works/{road}/versions/3/articles/63")
    _, by_label = get(client, f"/api/v1/works/{road}/versions/3/articles/第六十三条")
    assert by_number == by_label and by_number["article"]["label"] == "第六十三条"
    _, older = get(client, f"/api/v1/works/{road}/versions/2/articles/63")
    assert older["article"]["text"] != by_number["article"]["text"]
    _, criminal = get(client, "/api/v1/search", q="刑法第一百三十三条之一")
    law = criminal["direct"]["work_id"]
    _, work = get(client, f"/api/v1/works/{law}")
    _, sub = get(client, f"/api/v1/works/{law}/versions/{work['current_version']}/articles/133-1")
    assert sub["article"]["label"] == "第一百三十三条之一" and sub["article"]["anchor"] == "art-133-1"


def test_compare_with_defaults_and_explicit_versions(client, road):
    _, default = get(client, f"/api/v1/works/{road}/compare")
    assert (default["old"]["seq"], default["new"]["seq"]) == (2, 3)
    _, explicit = get(client, f"/api/v1/works/{road}/compare", a=2, b=3)
    assert explicit == default
    removed = [p for p in explicit["pairs"] if p["op"] == "removed"]
    assert [p["old"]["label"] for p in removed] == ["第六十八条"]
    _, same = get(client, f"/api/v1/works/{road}/compare", a=1, b=1)
    assert same["counts"]["unchanged"] == len(same["pairs"])


@pytest.mark.parametrize("path", [
    "/api/v1/works/aaaaaaaaaaaa", "/api/v1/works/aaaaaaaaaaaa/versions", "/api/v1/works/aaaaaaaaaaaa/versions/1",
    "/api/v1/works/aaaaaaaaaaaa/compare", "/api/v1/works/aaaaaaaaaaaa/versions/1/articles/1",
    "/api/v1/works/%00%27/versions/1", "/api/v1/nothing-here",
])
def test_unknown_ids_and_routes_are_404_json(client, path):
    status, body = get(client, path)
    assert status == 404 and body["error"]["status"] == 404 and not body["error"]["message"].isascii()


def test_unknown_version_and_article_of_a_real_work(client, road):
    status, body = get(client, f"/api/v1/works/{road}/versions/4")
    assert status == 404 and body["error"]["message"] == "未找到该法规的第 4 版"
    status, body = get(client, f"/api/v1/works/{road}/versions/99999999999999999999")
    assert status == 404
    status, body = get(client, f"/api/v1/works/{road}/versions/3/articles/999")
    assert status == 404 and body["error"]["message"] == "该版本中没有第999条"
    status, body = get(client, f"/api/v1/works/{road}/versions/3/articles/abc")
    assert status == 400 and "条号格式不正确" in body["error"]["message"]
    status, body = get(client, f"/api/v1/works/{road}/compare", a=1, b=7)
    assert status == 404 and "对照版本 b" in body["error"]["message"]
    status, body = get(client, f"/api/v1/works/{road}/compare", a="x")
    assert status == 400 and "对照版本 a应为整数" in body["error"]["message"]


def test_wrong_method_is_405_json(client):
    response = client.post("/api/v1/search")
    assert response.status_code == 405 and response.get_json()["error"]["message"] == "不支持该请求方法"


def test_openapi_document_lists_every_api_route(client, app):
    status, spec = get(client, "/api/v1/openapi.json")
    assert status == 200 and spec == openapi_spec() and spec["openapi"].startswith("3.")
    routes = {rule.rule.removeprefix("/api/v1").replace("<int:seq>", "{seq}").replace("<work_id>", "{work_id}")
              .replace("<ref>", "{article}") for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert routes - {"/openapi.json"} == set(spec["paths"])
    for path, item in spec["paths"].items():
        codes = set(item["get"]["responses"])
        assert {"200", "429", "503"} <= codes, path
        assert ("404" in codes) == ("{work_id}" in path)


def _limited_app(tmp_path, portal_instance, limit: int):
    env = {"FAGUI_DATA_DIR": str(portal_instance.data_dir), "FAGUI_API_RATE_LIMIT": str(limit),
           "FAGUI_SECRET_KEY": "x"}
    return create_app(load_settings(env), testing=True)


def test_rate_limit_per_client_gives_429_with_retry_after(tmp_path, portal_instance):
    client = _limited_app(tmp_path, portal_instance, 3).test_client()
    seen = [client.get("/api/v1/facets", query_string={"q": "条例"}) for _ in range(3)]
    assert [r.status_code for r in seen] == [200, 200, 200]
    assert [r.headers["X-RateLimit-Remaining"] for r in seen] == ["2", "1", "0"]
    blocked = client.get("/api/v1/search", query_string={"q": "条例"})
    assert blocked.status_code == 429 and 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert blocked.get_json()["error"]["status"] == 429
    assert "每个客户端每分钟最多 3 次" in blocked.get_json()["error"]["message"]
    # Another client address has its own budget; the API description is never limited.
    other = client.get("/api/v1/facets", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_rate_limit_zero_turns_limiting_off(tmp_path, portal_instance):
    client = _limited_app(tmp_path, portal_instance, 0).test_client()
    assert all(client.get("/api/v1/works/aaaaaaaaaaaa").status_code == 404 for _ in range(5))


def test_fixed_window_resets_after_a_minute():
    now = [1000.0]
    limiter = FixedWindowLimiter(2, clock=lambda: now[0])
    assert [limiter.hit("a").allowed for _ in range(3)] == [True, True, False]
    now[0] += 59.2
    blocked = limiter.hit("a")
    assert not blocked.allowed and blocked.retry_after == 1
    now[0] += 1
    assert limiter.hit("a").allowed and limiter.hit("b").allowed


def test_store_not_ready_is_503_json(tmp_path):
    app = create_app(load_settings({"FAGUI_DATA_DIR": str(tmp_path), "FAGUI_SECRET_KEY": "x"}), testing=True)
    response = app.test_client().get("/api/v1/works/aaaaaaaaaaaa")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "fagui db upgrade" in response.get_json()["error"]["message"]


def test_search_modes_exact_fuzzy_and_the_fallback(client):
    status, exact = get(client, "/api/v1/search", q="饮酒后驾驶机动车")
    assert status == 200 and exact["mode"] == "exact" and exact["total"] > 0
    status, fuzzy = get(client, "/api/v1/search", q="饮酒后驾驶机动车", mode="fuzzy")
    assert status == 200 and fuzzy["mode"] == "fuzzy" and fuzzy["total"] >= exact["total"]
    status, fallback = get(client, "/api/v1/search", q="驾驶证吊销")
    assert status == 200 and fallback["mode"] == "fuzzy"
    assert "没有找到与“驾驶证吊销”完全一致的内容，以下为近似结果" in fallback["warnings"]


@pytest.mark.parametrize("proxies", [0, 1])
def test_the_client_address_is_the_forwarded_one_only_behind_a_trusted_proxy(tmp_path, portal_instance, proxies):
    env = {"FAGUI_DATA_DIR": str(portal_instance.data_dir), "FAGUI_API_RATE_LIMIT": "1",
           "FAGUI_SECRET_KEY": "x", "FAGUI_TRUSTED_PROXIES": str(proxies)}
    client = create_app(load_settings(env), testing=True).test_client()
    nginx = {"REMOTE_ADDR": "172.18.0.5"}
    statuses = [client.get("/api/v1/facets", environ_base=nginx, headers={"X-Forwarded-For": address}).status_code
                for address in ("203.0.113.1", "203.0.113.2")]
    # behind nginx two readers have a budget each; without a trusted proxy a forged header changes nothing
    assert statuses == ([200, 429] if proxies == 0 else [200, 200])
