"""Penalty links on the document page and in the API, and the 执法依据 card when a search lands on an article
(the sample instance: 未成年人保护法 names the articles its penalties enforce; 道路交通安全法 第九十一条 states its
act and penalty at once)."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from sqlalchemy import select


@pytest.fixture(scope="module")
def ids(app):
    from indexer.store.models import Work
    from portal import services

    with app.app_context():
        session = services.session()
        found = {w.title: w.id for w in session.scalars(select(Work).where(Work.title.in_(
            ["中华人民共和国未成年人保护法", "中华人民共和国道路交通安全法"])))}
    return found


def test_article_shows_both_directions(client, ids):
    html = client.get(f"/works/{ids['中华人民共和国未成年人保护法']}").get_data(as_text=True)
    block = html[html.index('id="art-59"'):html.index('id="art-60"')]
    assert "违反本条第一款的处罚：" in block and 'href="#art-123"' in block and "第一百二十三条" in block
    penalty = html[html.index('id="art-123"'):html.index('id="art-124"')]
    assert "本条处罚的行为：违反" in penalty and 'href="#art-58"' in penalty and "罚款（五万元以下）" in penalty


def test_search_landing_shows_the_legal_basis_card(client, ids):
    r = client.get("/search?q=" + urllib.parse.quote("酒驾"))
    assert r.status_code == 302
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    card = html[html.index('class="basis"'):html.index("</section>", html.index('class="basis"'))]
    for label in ("执法依据", "违法行为", "违反条款", "处罚依据", "处罚种类和幅度"):
        assert label in card
    assert "饮酒后驾驶机动车" in card and "一千元以上二千元以下" in card and "拘留（十日以下）" in card
    # Without a search that landed here, no card.
    plain = client.get(f"/works/{ids['中华人民共和国道路交通安全法']}").get_data(as_text=True)
    assert 'class="basis"' not in plain


def test_api_lists_the_links_of_a_version(client, ids):
    work = ids["中华人民共和国未成年人保护法"]
    body = client.get(f"/api/v1/works/{work}/versions/1/penalties").get_json()
    pairs = {(link["penalty"]["label"], link["enforced"]["label"]) for link in body["links"]}
    assert ("第一百二十三条", "第五十九条第一款") in pairs
    link = next(x for x in body["links"] if x["penalty"]["label"] == "第一百二十三条")
    assert "罚款" in link["kinds"] and link["fines"] == ["五万元以下"] and link["form"] == "violates"
    assert re.search("部门", link["authority"])
    missing = client.get(f"/api/v1/works/{work}/versions/99/penalties")
    assert missing.status_code == 404
