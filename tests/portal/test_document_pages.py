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
    from indexer.store.models import Work
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
    from indexer.store.citations import rebuild_links
    from indexer.store.models import Work
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

    cited = {"道路交通安全法": ("w1", None, False), "旧条例": ("w2", 2, False), "更早的法": ("w3", None, True)}
    with app.test_request_context():
        html = str(cite_links("依照《道路交通安全法》第九十一条之一处理<b>", cited))
        assert html == ('依照<a class="cite" href="/works/w1#art-91-1">《道路交通安全法》第九十一条之一</a>'
                        "处理&lt;b&gt;")
        assert str(cite_links("《未收录的办法》<i>", cited)) == "《未收录的办法》&lt;i&gt;"
        # the text the citation means: a past version, or no article when that text is not stored
        assert 'href="/works/w2/versions/2#art-3"' in str(cite_links("《旧条例》第三条", cited))
        assert 'href="/works/w3"' in str(cite_links("《更早的法》第三条", cited))


def test_article_jump_takes_sub_articles_and_reports_missing_ones(app, client):
    from indexer.store.models import Work
    from portal import services

    with app.app_context():
        criminal = services.session().scalar(select(Work.id).where(Work.title == "中华人民共和国刑法"))
    for raw in ("133-1", "133之一", "133之1", "第一百三十三条之一", "133条之一", "１３３－１"):
        r = client.get(f"/works/{criminal}?article={urllib.parse.quote(raw)}")
        assert r.status_code == 302 and r.headers["Location"].endswith("#art-133-1"), raw
    # no such article: the document itself with a notice, not a jump to an anchor that is not there
    r = client.get(f"/works/{criminal}?article=999")
    assert r.status_code == 404 and "Location" not in r.headers
    html = text_of(r)
    assert '<p class="notice" role="alert">本文件没有第九百九十九条。' in html
    assert '<h1>中华人民共和国刑法</h1>' in html and 'id="art-133-1"' in html
    assert "没有第一百三十三条之九" in text_of(client.get(f"/works/{criminal}?article=133-9"))
    assert client.get(f"/works/{criminal}?article=133-x").status_code == 400


def test_article_labels():
    from fagui.normalise.articles import chinese_numeral as cn_numeral
    from portal.document_pages import article_key_label

    assert [cn_numeral(n) for n in (1, 10, 11, 20, 91, 103, 110, 133, 1000, 1010, 1260)] == [
        "一", "十", "十一", "二十", "九十一", "一百零三", "一百一十", "一百三十三", "一千", "一千零一十", "一千二百六十"]
    assert article_key_label("133-1") == "第一百三十三条之一" and article_key_label("91") == "第九十一条"


def test_search_banner_only_for_a_direct_answer_to_this_work(client, works):
    wid = works["road_safety"]
    banner = text_of(client.get(f"/works/{wid}?q=" + urllib.parse.quote("道路交通安全法第九十一条")))
    assert '<p class="direct">检索“道路交通安全法第九十一条”直达本文件。' in banner
    # text a link makes up is not echoed on the page
    for q in ("官方通知：本法已废止，请致电 400-000-0000", "道路运输条例第一条", "<script>x</script>", "安全" * 80):
        html = text_of(client.get(f"/works/{wid}?q=" + urllib.parse.quote(q)))
        assert 'class="direct"' not in html and "400-000-0000" not in html and "<script>x" not in html, q


def test_relations_put_the_article_anchor_on_the_cited_work_only(app, client):
    from indexer.store.citations import rebuild_links
    from indexer.store.documents import relations_of
    from indexer.store.models import Relation
    from portal import services

    def current_text_cited(rel) -> bool:
        """The citing text cites the article as the cited work's current text numbers it."""
        return any(i.work_id == rel.object_work_id and i.article == rel.object_article
                   and i.version is None and not i.article_may_differ
                   for g in relations_of(session, rel.subject_work_id) if g.direction == "outgoing"
                   for i in g.items)

    with app.app_context():
        session = services.session()
        rebuild_links(session)
        session.commit()
        rel = next(r for r in session.scalars(select(Relation).where(
            Relation.object_work_id.is_not(None), Relation.object_article.is_not(None),
            Relation.relation_type.in_(("cites", "based_on"))).order_by(Relation.id))
            if r.object_article[0].isdigit() and current_text_cited(r))
        citing, cited, article = rel.subject_work_id, rel.object_work_id, rel.object_article
    # the citing work links to the cited work at the article
    relations = text_of(client.get(f"/works/{citing}")).split('id="rel-h"')[1].split("</section>")[0]
    assert f'href="/works/{cited}#art-{article}"' in relations
    # the cited work links back to the citing work as a whole; the article is one of its own, on this page
    html = text_of(client.get(f"/works/{cited}"))
    assert f'href="/works/{citing}"' in html and f'href="/works/{citing}#' not in html
    assert f'涉及本文件<a href="#art-{article}">' in html and f'id="art-{article}"' in html


@pytest.fixture(scope="module")
def cite_app(tmp_path_factory):
    """A portal over 某市养犬管理条例 (2010 and 2020 texts, 第三条 renumbered 第四条) and three texts citing
    its 第三条: from 2021 (the current text), 2015 (the 2010 text) and 2005 (a text the store does not hold)."""
    from datetime import date

    from fagui.records import DocumentRecord
    from fagui.settings import load_settings
    from indexer.store.citations import rebuild_links
    from indexer.store.db import make_engine, session_factory
    from indexer.store.migrate import upgrade
    from indexer.store.upsert import upsert_record
    from portal import create_app
    from tests.indexer.store.test_documents import DOG_V1, DOG_V2, _citing

    def record(title, text, day, doc_type="地方政府规章"):
        return DocumentRecord(source="test", source_ref=f"{title}-{day.year}", title=title, text=text,
                              doc_type=doc_type, issuing_bodies=["某市人民政府"], region="山东省", published=day,
                              effective=day)

    root = tmp_path_factory.mktemp("cite")
    settings = load_settings({"FAGUI_DATA_DIR": str(root), "FAGUI_SECRET_KEY": "t",
                              "FAGUI_API_RATE_LIMIT": "100000"})
    engine = make_engine(settings=settings)
    upgrade(engine)
    ids = {}
    with session_factory(engine).begin() as s:
        for text, day in ((DOG_V1, date(2010, 1, 1)), (DOG_V2, date(2020, 1, 1))):
            ids["dog"] = upsert_record(s, record("某市养犬管理条例", text, day, "地方性法规")).work_id
        for key, title, day in (("current", "某市公园游览规定", date(2021, 3, 1)),
                                ("first", "某市城市公园管理规定", date(2015, 3, 1)),
                                ("before", "某市公园管理暂行规定", date(2005, 3, 1))):
            ids[key] = upsert_record(s, record(title, _citing(title), day)).work_id
    with session_factory(engine).begin() as s:
        rebuild_links(s)
    engine.dispose()
    app = create_app(settings, testing=True)
    app.config["TEST_IDS"] = ids
    return app


def _relations_section(html: str) -> str:
    return html.split('id="rel-h"')[1].split("</section>")[0]


def test_cited_articles_link_to_the_text_the_citing_document_meant(cite_app):
    client, ids = cite_app.test_client(), cite_app.config["TEST_IDS"]
    dog = ids["dog"]
    # cited when the current text was in force: the current text at the article
    current = _relations_section(text_of(client.get(f"/works/{ids['current']}")))
    assert f'href="/works/{dog}#art-3"' in current and "引用时施行" not in current
    # cited in 2015: the 2010 text (version 1) at the article, not the current 第三条
    first = _relations_section(text_of(client.get(f"/works/{ids['first']}")))
    assert f'href="/works/{dog}/versions/1#art-3"' in first and "（引用时施行的第1版）" in first
    assert f'href="/works/{dog}#art-3"' not in first
    # cited in 2005, before any stored text: the work without an anchor, and a plain warning
    before = _relations_section(text_of(client.get(f"/works/{ids['before']}")))
    assert f'href="/works/{dog}"' in before and f"/works/{dog}#" not in before
    assert "第三条（引用的是 2010 年以前的文本，本库未收录，条文序号可能已变动）" in before
    # the cited work's page: each citing work's article points into the text it meant
    cited = _relations_section(text_of(client.get(f"/works/{dog}")))
    assert '涉及本文件<a href="#art-3">第三条</a>' in cited
    assert f'涉及本文件<a href="/works/{dog}/versions/1#art-3">第三条</a>（引用时施行的第1版）' in cited
    assert "涉及本文件第三条（引用的是 2010 年以前的文本，本库未收录，条文序号可能已变动）" in cited
    # viewed as version 1, the 2015 citation is on this page and the 2021 one in the current text
    old = _relations_section(text_of(client.get(f"/works/{dog}/versions/1")))
    assert '涉及本文件<a href="#art-3">第三条</a>（引用时施行的第1版）' in old
    assert f'涉及本文件<a href="/works/{dog}#art-3">第三条</a>' in old
    # the links inside the citing texts agree with their relations
    first_text = text_of(client.get(f"/works/{ids['first']}"))
    assert f'<a class="cite" href="/works/{dog}/versions/1#art-3">《某市养犬管理条例》第三条</a>' in first_text
    before_text = text_of(client.get(f"/works/{ids['before']}"))
    assert f'<a class="cite" href="/works/{dog}">《某市养犬管理条例》第三条</a>' in before_text
    # and the API says the same
    items = {i["work_id"]: (i["version"], i["article_may_differ"], i["stored_from"])
             for g in client.get(f"/api/v1/works/{dog}").json["relations"] for i in g["items"]}
    assert items == {ids["current"]: (None, False, None), ids["first"]: (1, False, None),
                     ids["before"]: (None, True, "2010-01-01")}


V1 = """某市停车管理办法

第一条 为了规范停车管理（试行），制定本办法。

第二条 本办法适用于本市，包括：城区、郊区。

第三条 违反本办法的，处一百元罚款。
"""
# Only width and spacing differ in 第一条 and 第二条; 第三条 is amended.
V2 = """某市停车管理办法

第一条 为了规范停车管理(试行)，制定本办法。

第二条 本办法适用于本市,包括:城区、 郊区。

第三条 违反本办法的，处二百元罚款。
"""


@pytest.fixture(scope="module")
def small_app(tmp_path_factory):
    """A portal over one work with two versions that differ in one article and in width and spacing."""
    from datetime import date

    from fagui.records import DocumentRecord
    from fagui.settings import load_settings
    from indexer.store.db import make_engine, session_factory
    from indexer.store.migrate import upgrade
    from indexer.store.upsert import upsert_record
    from portal import create_app

    root = tmp_path_factory.mktemp("compare")
    settings = load_settings({"FAGUI_DATA_DIR": str(root), "FAGUI_SECRET_KEY": "t",
                              "FAGUI_API_RATE_LIMIT": "100000"})
    engine = make_engine(settings=settings)
    upgrade(engine)
    with session_factory(engine).begin() as s:
        for text, day in ((V1, date(2020, 1, 1)), (V2, date(2023, 1, 1))):
            work_id = upsert_record(s, DocumentRecord(
                source="test", source_ref=f"parking-{day.year}", title="某市停车管理办法", text=text,
                doc_type="地方政府规章", issuing_bodies=["某市人民政府"], region="山东省", published=day,
                effective=day)).work_id
    engine.dispose()
    app = create_app(settings, testing=True)
    app.config["TEST_WORK_ID"] = work_id
    return app


def test_comparison_ignores_width_and_spacing_and_orders_versions(small_app):
    client = small_app.test_client()
    wid = small_app.config["TEST_WORK_ID"]
    html = text_of(client.get(f"/works/{wid}/compare?a=1&b=2"))
    counts = dict(re.findall(r"<span>(新增|删除|修改|未变) (\d+) 条</span>", html))
    assert counts == {"新增": "0", "删除": "0", "修改": "1", "未变": "2"}
    # each side still reads as it was published
    assert "规范停车管理（试行）" in html and "规范停车管理(试行)" in html and "本市,包括:城区、 郊区" in html
    assert "仅全角半角或空格不同" in html
    assert "<del>一</del>" in html and "<ins>二</ins>" in html
    # asked the wrong way round: the earlier version is still the old side
    swapped = text_of(client.get(f"/works/{wid}/compare?a=2&b=1"))
    assert "已按版本先后对照" in swapped
    assert re.search(r'<th scope="col">旧版本 <a href="[^"]*/versions/1">第1版</a>', swapped)
    assert re.search(r'<th scope="col">新版本 <a href="/works/[^"]+">第2版</a>', swapped)
    assert '<option value="1" selected>' in swapped.split('name="b"')[0].split('name="a"')[1]
    assert "<del>一</del>" in swapped and "<ins>二</ins>" in swapped
    api = client.get(f"/api/v1/works/{wid}/compare?a=2&b=1").json
    assert api["old"]["seq"] == 1 and api["new"]["seq"] == 2 and api["counts"]["changed"] == 1
    same = text_of(client.get(f"/works/{wid}/compare?a=2&b=2"))
    assert "两侧是同一版本（第2版）" in same and "已按版本先后对照" not in same
