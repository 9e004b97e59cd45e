"""Decisions that repeal and amend: parsed into links, matched to stored works by document number or title,
the works' status changed in the store, in the document read model and in search; unmatched entries kept."""

from __future__ import annotations

import html
import logging
from datetime import date

import pytest
from sqlalchemy import select

from crawlers.decisions import AMENDS, REPEALS, decision_links, is_decision, with_decision_links
from crawlers.runner import Runner
from fagui.records import DocumentRecord
from indexer.ingest.crawl_state import StoreSink
from indexer.search.backends.tantivy_backend import TantivyBackend
from indexer.search.indexing import rebuild, sync
from indexer.search.service import SearchParams, search
from indexer.store.documents import work_detail
from indexer.store.models import Relation, Work
from tests.crawlers.fixture_site import FixtureSite
from tests.crawlers.site_source import FAST, Doc, Site, SiteSource, corpus_docs

DECISION_TEXT = """某某市人民政府关于废止和修改部分规范性文件的决定
某政发〔2024〕5号
根据《中华人民共和国立法法》和《某某省行政规范性文件管理办法》，市政府决定：
一、废止的规范性文件 1.《某某市城市道路管理办法》（某政发〔2015〕3号） 2.《某某市户外广告管理规定》（某政办发〔2016〕12号）
二、对下列规范性文件予以修改：
1.《某某市养犬管理办法》（某政发〔2018〕7号）
2. 某某市停车场管理规定（某政发〔2019〕8号）
三、继续有效的规范性文件
1.《某某市菜市场管理办法》（某政发〔2017〕1号）
本决定自2024年3月1日起施行。"""


def test_numbered_sections_give_repeals_and_amends_with_numbers_and_the_effective_date():
    links = decision_links("某某市人民政府关于废止和修改部分规范性文件的决定", DECISION_TEXT)
    got = [(r.relation_type, r.title, r.doc_number) for r in links]
    assert got == [
        (REPEALS, "某某市城市道路管理办法", "某政发〔2015〕3号"),
        (REPEALS, "某某市户外广告管理规定", "某政办发〔2016〕12号"),
        (AMENDS, "某某市养犬管理办法", "某政发〔2018〕7号"),
        (AMENDS, "某某市停车场管理规定", "某政发〔2019〕8号"),
    ]
    assert all(r.effective == date(2024, 3, 1) for r in links)
    assert "废止《某某市城市道路管理办法》" in links[0].evidence
    # the grounds (根据《立法法》) and what stays in force (继续有效) are no targets
    assert not any("立法法" in r.title or "菜市场" in r.title for r in links)


def test_tables_with_a_column_of_what_is_done():
    page = """<p>附件：规范性文件清理结果</p><table>
    <tr><th>序号</th><th>文件名称</th><th>文号</th><th>清理结果</th></tr>
    <tr><td>1</td><td>某某市A办法</td><td>某政发〔2010〕1号</td><td>废止</td></tr>
    <tr><td>2</td><td>《某某市B规定》</td><td>某政发[2011]02号</td><td>修改</td></tr>
    <tr><td>3</td><td>某某市C规定</td><td>某政发〔2012〕3号</td><td>继续有效</td></tr>
    <tr><td>4</td><td>某某市D细则（某政发〔2013〕4号）</td><td></td><td>宣布失效</td></tr>
    </table><p>本通知自印发之日起施行。</p>"""
    links = decision_links("关于公布规范性文件清理结果的通知", "", page, published=date(2024, 1, 2))
    got = [(r.relation_type, r.title, r.doc_number) for r in links]
    assert got == [
        (REPEALS, "某某市A办法", "某政发〔2010〕1号"),
        (AMENDS, "某某市B规定", "某政发[2011]02号"),
        (REPEALS, "某某市D细则", "某政发〔2013〕4号"),
    ]
    assert all(r.effective == date(2024, 1, 2) for r in links)


def test_a_table_without_an_action_column_takes_its_section_heading():
    page = """<p>一、决定废止的规章</p><table><tr><td>规章名称</td><td>发文字号</td></tr>
    <tr><td>某某省水利工程管理办法</td><td>某省政府令第12号</td></tr></table>
    <p>二、决定修改的规章</p><table><tr><td>规章名称</td><td>发文字号</td></tr>
    <tr><td>某某省河道管理办法</td><td>某省政府令第30号</td></tr></table>"""
    links = decision_links("某某省人民政府关于废止和修改部分省政府规章的决定", "", page)
    assert [(r.relation_type, r.title) for r in links] == [(REPEALS, "某某省水利工程管理办法"),
                                                           (AMENDS, "某某省河道管理办法")]


def test_a_single_repeal_names_its_target_in_the_title():
    links = decision_links("某某省人民政府关于废止《某某省水利工程管理办法》的决定",
                           "省政府决定废止《某某省水利工程管理办法》（某省政府令第12号）。本决定自公布之日起施行。",
                           published=date(2023, 5, 6))
    assert [(r.relation_type, r.title, r.doc_number, r.effective) for r in links] == [
        (REPEALS, "某某省水利工程管理办法", "某省政府令第12号", date(2023, 5, 6))]


def test_only_decisions_get_links():
    assert is_decision("某某市人民政府关于废止和修改部分规范性文件的决定")
    assert not is_decision("某某市城市道路管理办法")
    plain = DocumentRecord(source="x", source_ref="1", title="某某市城市道路管理办法",
                           text="第一条 根据《中华人民共和国公路法》，废止的道路……")
    assert with_decision_links(plain) is plain
    decision = DocumentRecord(source="x", source_ref="2", title="某某市人民政府关于废止和修改部分规范性文件的决定",
                              text=DECISION_TEXT)
    assert len(with_decision_links(decision).relations) == 4


def test_the_links_a_decision_makes_are_logged(caplog):
    decision = DocumentRecord(source="x", source_ref="2", title="某某市人民政府关于废止和修改部分规范性文件的决定",
                              text=DECISION_TEXT)
    with caplog.at_level(logging.INFO, logger="crawlers.decisions"):
        with_decision_links(decision)
    assert "decision 《某某市人民政府关于废止和修改部分规范性文件的决定》 repeals 《某某市城市道路管理办法》某政发〔2015〕3号" \
        in caplog.messages
    assert len(caplog.messages) == 4


# --- end to end: a decision crawled from the fixture site --------------------------------------------------

def decision_page(title: str, number: str, rows: list[tuple[str, str, str]], published: date) -> str:
    cells = "".join(f"<tr><td>{i}</td><td>{html.escape(t)}</td><td>{html.escape(n)}</td><td>{a}</td></tr>"
                    for i, (t, n, a) in enumerate(rows, start=1))
    text = f"根据《中华人民共和国立法法》，决定对下列文件进行清理。\n{title}清理结果见附表。本决定自公布之日起施行。"
    return (f"<html><head><meta charset='utf-8'></head><body><h1>{html.escape(title)}</h1>"
            f"<span class=\"docno\">{number}</span><span class=\"published\">{published.isoformat()}</span>"
            f"<div id=\"text\">{html.escape(text)}</div>"
            f"<table><tr><th>序号</th><th>文件名称</th><th>文号</th><th>处理意见</th></tr>{cells}</table>"
            f"</body></html>")


class DecisionSource(SiteSource):
    """The fixture format, with the page's table kept as the record's html (as adapters keep the page)."""


@pytest.mark.parametrize("decision_first", [False, True])
def test_a_crawled_repeal_decision_changes_the_status_of_the_works_it_names(store, tmp_path, decision_first):
    docs = corpus_docs()[:4]
    by_number, by_title, amended, untouched = docs
    title = "国务院关于废止和修改部分行政法规和规范性文件的决定"
    published = date(2024, 6, 1)
    rows = [(by_number.title.removeprefix("中华人民共和国") + "（旧称）", by_number.doc_number, "废止"),
            (by_title.title, "", "废止"),
            (amended.title, amended.doc_number, "修改"),
            ("某某部关于并不存在的办法的通知", "某发〔2001〕99号", "废止")]
    site = FixtureSite()
    s = Site(site)
    decision = Doc("decision", title, "x", "国发〔2024〕9号", published)
    page = decision_page(title, "国发〔2024〕9号", rows, published).encode("utf-8")
    if decision_first:
        s.add_doc(decision, body=page)
    for doc in docs:
        s.add_doc(doc)
    if not decision_first:
        s.add_doc(decision, body=page)
    s.publish()
    backend = TantivyBackend(tmp_path / "index")
    with site:
        summary = Runner(StoreSink(store.sessions), DecisionSource(site), data_dir=store.settings.data_dir,
                         fetcher_options=FAST).run()
    assert summary.new == 5 and summary.failed == 0
    # Whether the named works came before or after the decision, only the one that exists nowhere stays
    # unmatched at the end of the run.
    assert [u["doc_number"] for u in summary.unmatched] == ["某发〔2001〕99号"]

    with store.sessions() as session:
        works = {w.title: w for w in session.scalars(select(Work))}
        decision_work = works[title]
        rels = session.scalars(select(Relation).where(Relation.subject_work_id == decision_work.id)).all()
        targets = {r.object_title: r for r in rels}  # table cells are read without their spaces
        targets.update({"".join(k.split()): v for k, v in list(targets.items())})
        assert targets["".join(by_number.title.removeprefix("中华人民共和国").split()) + "（旧称）"].object_work_id == \
            works[by_number.title].id  # matched by document number though the title differs
        assert targets["".join(by_title.title.split())].object_work_id == works[by_title.title].id  # matched by title
        assert targets["".join(amended.title.split())].relation_type == AMENDS
        assert targets["某某部关于并不存在的办法的通知"].object_work_id is None  # kept, unresolved
        for doc in (by_number, by_title):
            work = works[doc.title]
            assert work.status == "repealed" and work.status_official
            assert title in work.status_reason and "2024-06-01" in work.status_reason
            detail = work_detail(session, work.id)
            assert detail.status_label == "已废止"
            incoming = [g for g in detail.relations if g.direction == "incoming"]
            assert incoming and incoming[0].items[0].title == title
        assert works[amended.title].status == "effective"
        assert works[untouched.title].status == "effective"

    rebuild(store.sessions, backend)
    with store.sessions() as session:
        effective = search(session, backend, SearchParams(q=by_title.title))
        repealed = search(session, backend, SearchParams(q=by_title.title, statuses=("repealed",)))
    assert by_title.title not in [h.title for h in effective.hits]
    hit = next(h for h in repealed.hits if h.title == by_title.title)
    assert hit.status == "repealed" and hit.status_label == "已废止"


def test_the_outbox_carries_a_repeal_into_an_existing_index(sqlite_store, tmp_path):
    """Works indexed as effective; a decision crawled later; `sync` alone makes search show them repealed."""
    target = corpus_docs()[2]
    assert "网络消费纠纷" in target.title
    query = "网络消费纠纷"  # words of the title
    site = FixtureSite()
    s = Site(site)
    s.add_doc(target)
    s.publish()
    backend = TantivyBackend(sqlite_store.settings.data_dir / "tantivy")  # where the portal reads it
    source = DecisionSource(site)
    with site:
        Runner(StoreSink(sqlite_store.sessions), source, data_dir=sqlite_store.settings.data_dir, fetcher_options=FAST).run()
        rebuild(sqlite_store.sessions, backend)
        with sqlite_store.sessions() as session:
            before = search(session, backend, SearchParams(q=query))
        assert target.title in [h.title for h in before.hits]

        title = "国务院关于废止部分行政法规的决定"
        page = decision_page(title, "国发〔2024〕10号", [(target.title, target.doc_number, "废止")], date(2024, 7, 1))
        s.add_doc(Doc("decision", title, "x", None, date(2024, 7, 1)), body=page.encode("utf-8"))
        s.publish()
        Runner(StoreSink(sqlite_store.sessions), source, data_dir=sqlite_store.settings.data_dir, fetcher_options=FAST).run()
    assert sync(sqlite_store.sessions, backend).events > 0
    with sqlite_store.sessions() as session:
        after = search(session, backend, SearchParams(q=query))
        repealed = search(session, backend, SearchParams(q=query, statuses=("repealed",)))
    assert target.title not in [h.title for h in after.hits]
    hit = next(h for h in repealed.hits if h.title == target.title)
    assert hit.status == "repealed" and hit.status_label == "已废止"
    backend.close()

    # The portal's document page and search page show it.
    from portal import create_app

    client = create_app(sqlite_store.settings, testing=True).test_client()
    page = client.get(f"/works/{hit.work_id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "已废止" in body and title in body
    listed = client.get("/search", query_string={"q": query, "status": "repealed"}).get_data(as_text=True)
    assert target.title in listed and "已废止" in listed
    default = client.get("/search", query_string={"q": query}).get_data(as_text=True)
    assert target.title not in default


def test_an_amendment_decision_names_each_amended_document_once_and_not_the_words_it_quotes():
    text = """最高人民法院关于修改《关于审理甲案件的解释》等二件司法解释的决定
一、修改《最高人民法院关于审理甲案件的解释》
1.将第一条修改为：
“为正确审理甲案件，根据《中华人民共和国民法典》《中华人民共和国民事诉讼法》等法律规定，制定本解释。”
2.删去《解释》第二条。
二、修改《最高人民法院关于审理乙案件的规定》（法释〔2015〕2号）
1.将第三条中的《乙目录》修改为《乙目录（2020）》。
“多行引用的新条文，
其中提到《中华人民共和国行政诉讼法》。”
本决定自2021年1月1日起施行。"""
    links = decision_links("最高人民法院关于修改《关于审理甲案件的解释》等二件司法解释的决定", text)
    assert [(r.relation_type, r.title, r.doc_number) for r in links] == [
        (AMENDS, "最高人民法院关于审理甲案件的解释", None),
        (AMENDS, "最高人民法院关于审理乙案件的规定", "法释〔2015〕2号"),
    ]


def test_the_bundled_sample_repeal_decision_names_its_four_regulations():
    from crawlers.sources import lawrefbook
    from fagui.settings import BUNDLED_SAMPLE

    decision = next(r for r in lawrefbook.read_corpus(BUNDLED_SAMPLE).records
                    if r.title == "北京市人民代表大会常务委员会关于废止部分地方性法规的决定")
    links = with_decision_links(decision).relations
    assert [r.title for r in links] == ["北京市社会治安综合治理条例", "北京市反不正当竞争条例", "北京市邮政通信条例",
                                        "北京市信息化促进条例"]
    assert {r.relation_type for r in links} == {REPEALS}
