"""Everyday words on the search page and in the API: the expansion is shown and can be switched off, a word
naming one provision lands on it with the search named on the page, and a bad switch is a Chinese 400."""

from __future__ import annotations

import urllib.parse


def q(text: str) -> str:
    return urllib.parse.quote(text)


def test_search_page_shows_the_expansion_and_switches_it_off(client):
    html = client.get(f"/search?q={q('醉驾')}&direct=0").get_data(as_text=True)
    assert "同时检索：醉酒驾驶机动车" in html and "expand=0" in html
    assert "中华人民共和国道路交通安全法" in html
    off = client.get(f"/search?q={q('醉驾')}&expand=0").get_data(as_text=True)
    assert "同时检索：" not in off and "只检索原词" in off


def test_everyday_word_lands_on_its_article(client):
    r = client.get(f"/search?q={q('七天无理由退货')}")
    assert r.status_code == 302 and "#art-25" in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "检索“七天无理由退货”直达本文件" in page


def test_api_reports_the_expansion_and_refuses_a_bad_switch(client):
    body = client.get(f"/api/v1/search?q={q('假一赔三')}").get_json()
    assert body["also_searched"] == ["购买商品的价款或者接受服务的费用的三倍"]
    assert body["direct"]["article"]["label"] == "第五十五条"
    assert client.get(f"/api/v1/search?q={q('假一赔三')}&expand=0").get_json()["also_searched"] == []
    bad = client.get(f"/api/v1/search?q={q('假一赔三')}&expand=yes")
    assert bad.status_code == 400 and "expand" in bad.get_json()["error"]["message"]
