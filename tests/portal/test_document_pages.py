"""Document pages: metadata, versions, comparison, print view, downloads, article jumps, 404s."""

from __future__ import annotations

import io
import re
import urllib.parse

import pytest
from sqlalchemy import select


@pytest.fixture(scope="module")
def works(app):
    """Ids of a single-version law and of a work with three versions, looked up in the test store."""
    from indexer.models import Work
    from portal import services

    with app.app_context():
        session = services.session()
        found = {w.title: w.id for w in session.scalars(select(Work).where(Work.title.in_(
            ["中华人民共和国道路交通安全法", "中华人民共和国道路运输条例"])))}
    return {"road_safety": found["中华人民共和国道路交通安全法"], "transport": found["中华人民共和国道路运输条例"]}


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_document_page_has_metadata_articles_and_toc(client, works):
    html = text_of(client.get(f"/works/{works['road_safety']}"))
    for label in ("制定机关", "发文字号", "效力级别", "公布日期", "施行日期", "时效性"):
        assert f'<th scope="row">{label}</th>' in html
    anchors = re.findall(r'<div class="article" id="(art-\d+(?:-\d+)?)">', html)
    assert len(anchors) > 100 and len(set(anchors)) == len(anchors)
    assert 'href="#art-91">第九十一条</a>' in html
    assert '<aside aria-labelledby="toc-h"' in html and "第五章 交通事故处理" in html


def test_past_version_is_marked_and_links_to_current(client, works):
    wid = works["transport"]
    current = text_of(client.get(f"/works/{wid}"))
    assert "版本沿革" in current and current.count('<li class="') >= 3
    old = text_of(client.get(f"/works/{wid}/versions/1"))
    assert "您正在查看历史版本" in old and f'href="/works/{wid}"' in old
    assert 'class="badge st-amended"' in old


def test_comparison_marks_changes(client, works):
    wid = works["transport"]
    html = text_of(client.get(f"/works/{wid}/compare?a=1&b=3"))
    assert "<ins>" in html and "<del>" in html
    counts = dict(re.findall(r"<span>(新增|删除|修改|未变) (\d+) 条</span>", html))
    assert int(counts["修改"]) > 0
    only = text_of(client.get(f"/works/{wid}/compare?a=1&b=3&changes=1"))
    assert 'class="unchanged"' not in only and 'class="changed"' in only


@pytest.mark.parametrize("url, status", [
    ("/works/nosuchwork", 404),
    ("/works/nosuchwork/compare", 404),
    ("/works/{transport}/versions/99", 404),
    ("/works/{transport}/versions/0", 404),
    ("/works/{transport}/compare?a=x", 400),
    ("/works/{transport}/compare?a=1&b=42", 404),
    ("/works/{transport}/download.pdf", 404),
    ("/works/{transport}?article=abc", 400),
    ("/works/" + "x" * 500, 404),
])
def test_bad_ids_and_parameters(client, works, url, status):
    r = client.get(url.format(**works))
    assert r.status_code == status
    assert "<h1>" in text_of(r) and "错误代码" in text_of(r)


def test_article_jump_without_scripts(client, works):
    wid = works["road_safety"]
    for raw in ("91", "九十一", "第九十一条"):
        r = client.get(f"/works/{wid}?article={urllib.parse.quote(raw)}")
        assert r.status_code == 302 and r.headers["Location"].endswith("#art-91")


def test_print_view_and_downloads(client, works):
    wid = works["road_safety"]
    printed = text_of(client.get(f"/works/{wid}/print"))
    assert 'class="printview"' in printed and 'id="art-91"' in printed and "主导航" not in printed
    txt = client.get(f"/works/{wid}/download.txt")
    assert txt.status_code == 200 and txt.headers["Content-Type"] == "text/plain; charset=utf-8"
    body = txt.get_data(as_text=True)
    assert "中华人民共和国道路交通安全法" in body and "第九十一条" in body
    assert "filename*=UTF-8''" in txt.headers["Content-Disposition"]
    docx = client.get(f"/works/{wid}/download.docx")
    assert docx.status_code == 200
    import docx as python_docx

    document = python_docx.Document(io.BytesIO(docx.data))
    assert any("第九十一条" in p.text for p in document.paragraphs)


def test_citations_link_to_the_cited_work_and_article(app, client):
    from indexer.citations import rebuild_links
    from indexer.models import Work
    from portal import services

    with app.app_context():
        session = services.session()
        rebuild_links(session)
        session.commit()
        beijing = session.scalar(select(Work.id).where(Work.title == "北京市安全生产条例"))
        national = session.scalar(select(Work.id).where(Work.title == "中华人民共和国安全生产法"))
    html = text_of(client.get(f"/works/{beijing}"))
    assert f'<a class="cite" href="/works/{national}">《中华人民共和国安全生产法》</a>' in html
    assert "<dt>依据（1）</dt>" in html
    # and the cited law lists what rests on it
    assert "北京市安全生产条例" in text_of(client.get(f"/works/{national}"))


def test_cite_links_escapes_and_points_at_articles(app):
    from portal.document_pages import cite_links

    cited = {"道路交通安全法": "w1"}
    with app.test_request_context():
        html = str(cite_links("依照《道路交通安全法》第九十一条之一处理<b>", cited))
        assert html == ('依照<a class="cite" href="/works/w1#art-91-1">《道路交通安全法》第九十一条之一</a>'
                        "处理&lt;b&gt;")
        assert str(cite_links("《未收录的办法》<i>", cited)) == "《未收录的办法》&lt;i&gt;"
