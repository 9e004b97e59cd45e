"""Paragraphs (款) and items (项) can be linked: a search naming one lands on it, the page gives each its anchor,
and the article jump form takes them too (sample instance: 道路交通安全法)."""

from __future__ import annotations

import urllib.parse


def q(text: str) -> str:
    return urllib.parse.quote(text)


def test_search_naming_a_paragraph_lands_on_it(client):
    for query in ("道交法第91条第2款", "道路交通安全法第九十一条第二款", "道路交通安全法 91条2款"):
        r = client.get(f"/search?q={q(query)}")
        assert r.status_code == 302 and r.headers["Location"].endswith("#art-91-p2"), query
    body = client.get(f"/api/v1/search?q={q('道交法第99条第1款第2项')}").get_json()
    assert body["direct"]["anchor"] == "art-99-p1-i2" and body["direct"]["item"] == 2
    missing = client.get(f"/api/v1/search?q={q('道交法第91条第9款')}").get_json()
    assert missing["direct"]["anchor"] == "art-91" and "第九十一条没有第九款，已打开该条" in missing["warnings"]


def test_page_gives_each_paragraph_and_item_an_anchor(client):
    r = client.get(f"/search?q={q('道交法第91条第2款')}")
    html = client.get(r.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert 'id="art-91-p1"' in html and 'id="art-91-p2"' in html
    assert '<a class="pnum" href="#art-91-p2" title="本款链接">第二款</a>' in html
    assert 'id="art-99-p1-i1"' in html and 'id="art-99-p2"' in html


def test_jump_form_takes_a_paragraph(client):
    r = client.get(f"/search?q={q('道交法第91条')}")
    work = r.headers["Location"].split("?")[0].split("#")[0]
    jump = client.get(f"{work}?article={q('第九十一条第二款')}")
    assert jump.status_code == 302 and jump.headers["Location"].endswith("#art-91-p2")
    plain = client.get(f"{work}?article={q('第九十一条第十二款')}")
    assert plain.status_code == 302 and plain.headers["Location"].endswith("#art-91")
