"""Atom feeds of new and changed documents on the sample instance: valid Atom, the search filters, escaping,
400 for bad parameters."""

from __future__ import annotations

import re
from datetime import date, datetime
from types import SimpleNamespace
from xml.etree import ElementTree as ET

import pytest

from portal.feeds import build_feed

NS = {"a": "http://www.w3.org/2005/Atom"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def feed(client, **query) -> ET.Element:
    response = client.get("/feeds/atom.xml", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.data)


def entries(root: ET.Element) -> list[dict]:
    out = []
    for e in root.findall("a:entry", NS):
        out.append({
            "id": e.findtext("a:id", namespaces=NS),
            "title": e.findtext("a:title", namespaces=NS),
            "updated": e.findtext("a:updated", namespaces=NS),
            "link": e.find("a:link[@rel='alternate']", NS).get("href"),
            "summary": e.findtext("a:summary", namespaces=NS),
        })
    return out


def test_overall_feed_is_valid_atom(client):
    root = feed(client)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated", "a:author/a:name"):
        assert root.findtext(required, namespaces=NS), required
    assert RFC3339.match(root.findtext("a:updated", namespaces=NS))
    assert root.find("a:link[@rel='self']", NS).get("href") == "http://localhost/feeds/atom.xml"
    items = entries(root)
    assert len(items) == 30  # the default length
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        assert item["title"] and RFC3339.match(item["updated"]) and item["summary"]
        assert re.fullmatch(r"http://localhost/works/[a-z2-7]{12}", item["link"])
        assert item["id"].startswith(item["link"] + "/versions/")
    assert [i["updated"] for i in items] == sorted((i["updated"] for i in items), reverse=True)


def test_filters_narrow_the_feed(client):
    shandong = entries(feed(client, region="山东", doc_type="地方性法规", limit=100))
    assert shandong and all("行政区划：山东省" in i["summary"] and "效力级别：地方性法规" in i["summary"]
                            for i in shandong)
    repealed = entries(feed(client, status="repealed", limit=100))
    assert repealed and all("法规现行状态：已废止" in i["summary"] for i in repealed)
    council = entries(feed(client, body="国务院", limit=100))
    assert council and all("制定机关：国务院" in i["summary"] for i in council)
    road = feed(client, q="道路运输条例", status="all", limit=100)
    assert "检索词：道路运输条例" in road.findtext("a:title", namespaces=NS)
    titles = [i["title"] for i in entries(road)]
    # every version of the national regulation is an entry: the first as new, the later ones as changes
    assert {"中华人民共和国道路运输条例　[新增]", "中华人民共和国道路运输条例　[修改（第2版）]",
            "中华人民共和国道路运输条例　[修改（第3版）]"} <= set(titles)
    assert len(entries(feed(client, limit=5))) == 5


def test_a_query_nothing_matches_gives_an_empty_valid_feed(client):
    root = feed(client, q="并不存在的词语组合喵喵")
    assert entries(root) == [] and root.findtext("a:updated", namespaces=NS)


@pytest.mark.parametrize(("query", "message"), [
    ({"status": "bogus"}, "未知的时效性"),
    ({"doc_type": "小说"}, "未知的效力级别"),
    ({"limit": "0"}, "条目数应在 1 到 100 之间"),
    ({"limit": "many"}, "条目数应为整数"),
    ({"body": "并不存在的机关"}, "未找到制定机关"),
    ({"q": "法" * 201}, "检索词过长"),
    ({"region": "\x00"}, "含有不可见的控制字符"),
])
def test_bad_parameters_are_400(client, query, message):
    response = client.get("/feeds/atom.xml", query_string=query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_text_is_escaped(app):
    work = SimpleNamespace(id="abcdefghijkl", doc_type="地方政府规章", region="山东省", status="effective",
                           issuing_bodies=[SimpleNamespace(name="某市<人民>政府 & 办公厅")])
    version = SimpleNamespace(work=work, seq=1, title="关于<script>alert(1)</script>的规定 & 说明",
                              created_at=datetime(2024, 5, 6, 7, 8, 9), published=date(2024, 5, 1),
                              effective_from=None, expires=None, doc_number="某府发〔2024〕1号",
                              status="effective")
    with app.test_request_context("/feeds/atom.xml?q=<x>&region=山东"):
        xml = build_feed([version], "检索词：<x>")
    assert b"<script>" not in xml and b"&lt;script&gt;" in xml
    root = ET.fromstring(xml)
    entry = root.find("a:entry", NS)
    assert entry.findtext("a:title", namespaces=NS) == "关于<script>alert(1)</script>的规定 & 说明　[新增]"
    assert "制定机关：某市<人民>政府 & 办公厅" in entry.findtext("a:summary", namespaces=NS)
    assert entry.findtext("a:updated", namespaces=NS) == "2024-05-06T07:08:09Z"
    assert root.find("a:link[@rel='self']", NS).get("href") == "http://localhost/feeds/atom.xml?q=<x>&region=山东"
