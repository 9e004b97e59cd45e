"""Search over the bundled corpus sample on the embedded engine: direct answers, ranking, filters, as_of,
facets, snippets, article hits, errors; and an index that stays equal to the store through crashes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from crawlers.sources import lawrefbook
from fagui.settings import BUNDLED_SAMPLE, load_settings
from fagui.vocabulary import STATUSES
from indexer.ingest.pipeline import ingest
from indexer.search.backends.tantivy_backend import TantivyBackend
from indexer.search.indexing import rebuild, store_digests, sync
from indexer.search.service import SearchError, SearchParams, search
from indexer.store.db import make_engine, session_factory
from indexer.store.migrate import upgrade
from indexer.store.models import Article, Version, Work


def run(corpus, q="", **kw):
    factory, backend = corpus
    with factory() as session:
        return search(session, backend, SearchParams(q=q, **kw))


class CountedTantivy(TantivyBackend):
    """The embedded engine, counting the searches asked of it."""

    calls = 0

    def search(self, request):
        self.calls += 1
        return super().search(request)


class UnfoldedTantivy(CountedTantivy):
    """The embedded engine as an engine that cannot fold facets: the service counts each wider facet alone."""

    folds_facets = False


@pytest.mark.parametrize("filters", [
    {"doc_types": ("地方性法规",)},
    {"regions": ("山东省",)},
    {"doc_types": ("地方性法规",), "regions": ("山东省",)},
    {"doc_types": ("地方性法规", "法律")},
    {"regions": ("河南省",), "as_of": date(2015, 1, 1)},
    {"doc_types": ("法律",), "statuses": ("effective", "repealed")},
    {"doc_types": ("部门规章",), "regions": ("西藏自治区",)},  # nothing matches: every count is zero or absent
])
def test_facets_folded_into_the_search_pass_equal_those_counted_alone(corpus, filters):
    factory, backend = corpus
    counted, unfolded = CountedTantivy(backend.root), UnfoldedTantivy(backend.root)
    for q in ("安全", "条例 管理"):
        counted.calls = unfolded.calls = 0
        with factory() as session:
            folded = search(session, counted, SearchParams(q=q, **filters))
            alone = search(session, unfolded, SearchParams(q=q, **filters))
        assert folded.facets == alone.facets and folded.total == alone.total, (q, filters)
        # one pass fewer for each facet the engine folded (a chosen 效力级别, 地区, and the default status)
        chosen = [k for k in ("doc_types", "regions") if len(filters.get(k, ())) == 1]
        if "statuses" not in filters:
            assert unfolded.calls - counted.calls == len(chosen) + ("as_of" not in filters), (q, filters)
        assert [h.work_id for h in folded.hits] == [h.work_id for h in alone.hits]
        if q == "安全" and "西藏自治区" not in filters.get("regions", ()):
            assert folded.facets is not None and folded.facets.doc_type and folded.facets.region, filters


@pytest.mark.parametrize("q", ["道路运输条例", "酒后驾驶", "安全 管理"])
@pytest.mark.parametrize("statuses", [("effective",), STATUSES, ("effective", "amended")])
def test_a_facet_value_counts_the_works_ticking_it_would_list(corpus, q, statuses):
    """Works with several versions (道路运输条例 2019, 2022, 2023) match once per version where several statuses
    are searched: the number beside a status or a type is the total the reader gets by ticking it."""
    facets = run(corpus, q, statuses=statuses).facets
    assert facets is not None and facets.status
    for value in facets.status:
        assert run(corpus, q, statuses=(value.value,)).total == value.count, (q, statuses, value)
    for value in facets.doc_type:
        assert run(corpus, q, statuses=statuses, doc_types=(value.value,)).total == value.count, (q, value)


def _articles_using(corpus, term: str, work_ids: list[str]) -> list[int]:
    """Per work, the articles of its current version holding the term, read from the store."""
    factory, _ = corpus
    with factory() as session:
        counts = []
        for work_id in work_ids:
            version_id = session.get(Work, work_id).current_version_id
            counts.append(session.scalar(select(func.count(Article.id)).where(
                Article.version_id == version_id, func.instr(Article.text, term) > 0)))
        return counts


@pytest.mark.parametrize("q", ["燃", "罚款", "渔"])
def test_a_short_term_ranks_the_texts_using_it_most_first(corpus, q):
    """One or two characters: the works whose articles use them most come first (BM25 of a character says little)."""
    hits = run(corpus, q, per_page=10).hits
    counts = _articles_using(corpus, q, [h.work_id for h in hits])
    assert len(hits) == 10 and counts == sorted(counts, reverse=True) and counts[0] > 1, counts
    # the pages go on in that order: no work twice, none lost between them
    pages = [h.work_id for page in (1, 2, 3) for h in run(corpus, q, page=page).hits]
    assert pages == [h.work_id for h in run(corpus, q, per_page=30).hits] and len(set(pages)) == len(pages) > 10


def test_a_short_title_typed_whole_stays_first_and_longer_terms_rank_by_score(corpus):
    assert run(corpus, "刑法").hits[0].title == "中华人民共和国刑法"
    # three characters and more rank by score and best articles, not by counting
    hits = run(corpus, "机动车").hits
    assert hits[0].title == "中华人民共和国道路交通安全法"


def test_work_and_article_opens_that_article(corpus):
    result = run(corpus, "道路交通安全法第九十一条")
    direct = result.direct
    assert direct.type == "article" and direct.title == "中华人民共和国道路交通安全法"
    assert direct.article.label == "第九十一条" and "饮酒" in direct.article.text
    assert result.hits[0].work_id == direct.work_id
    civil = run(corpus, "民法典 第1087条").direct
    assert civil.article.number == 1087 and civil.title == "中华人民共和国民法典"


def test_content_query_finds_law_with_matching_articles(corpus):
    result = run(corpus, "饮酒 驾驶 机动车")
    titles = [h.title for h in result.hits]
    assert "中华人民共和国道路交通安全法" in titles[:3]
    hit = next(h for h in result.hits if h.title == "中华人民共和国道路交通安全法")
    assert hit.articles and all(a.label.startswith("第") for a in hit.articles)
    assert "<mark>" in hit.articles[0].snippet
    assert all(h.status == "effective" for h in result.hits)
    assert result.total >= len(result.hits) > 0 and result.took_ms >= 0


def test_national_work_ranks_before_local_ones_of_same_title(corpus):
    hits = run(corpus, "道路运输条例").hits
    assert hits[0].title == "中华人民共和国道路运输条例" and hits[0].region == "全国"


def test_status_and_as_of_show_past_versions(corpus):
    amended = run(corpus, "道路运输条例", statuses=("amended",), regions=("全国",)).hits
    assert amended and all(h.status == "amended" for h in amended)
    assert len({h.work_id for h in amended}) == len(amended)  # one row per work
    then = run(corpus, "道路运输条例", as_of=date(2020, 1, 1), regions=("全国",)).hits
    national = [h for h in then if h.title == "中华人民共和国道路运输条例"]
    assert national and national[0].published == date(2019, 3, 2)


def test_filters_and_facets(corpus):
    result = run(corpus, "条例", regions=("山东",), doc_types=("地方性法规",))
    assert result.hits and all(h.region == "山东省" for h in result.hits)
    facets = run(corpus, "安全").facets
    # a filter's own facet is counted without it: statuses other than the default stay on offer
    statuses = {f.value: f.count for f in facets.status}
    assert statuses["effective"] > 0 and {"amended", "repealed"} & set(statuses)
    assert statuses["effective"] >= run(corpus, "安全", per_page=1).total
    laws = run(corpus, "安全", doc_types=("法律",))
    assert all(h.doc_type == "法律" for h in laws.hits)
    offered = {f.value: f.count for f in laws.facets.doc_type}
    assert len(offered) > 1 and offered["法律"] == laws.total
    assert sum(f.count for f in facets.region) >= 1
    assert any(f.value == "全国人民代表大会常务委员会" for f in facets.issuing_body)
    body = run(corpus, "安全", body="全国人大常委会")
    assert body.hits and all("全国人民代表大会常务委员会" in h.issuing_bodies for h in body.hits)


def test_sorting_and_paging(corpus):
    by_date = run(corpus, "安全", sort="published", per_page=5).hits
    dates = [h.published for h in by_date]
    assert dates == sorted(dates, reverse=True)
    first, second = run(corpus, "安全", per_page=5).hits, run(corpus, "安全", per_page=5, page=2).hits
    assert not {h.work_id for h in first} & {h.work_id for h in second}


def test_document_number_in_any_bracket_form(corpus):
    factory, _ = corpus
    with factory() as session:
        version = session.scalar(select(Version).where(Version.doc_number.like("%〔%")).limit(1))
    assert version is not None
    query = version.doc_number.replace("〔", "[").replace("〕", "]")
    direct = run(corpus, query).direct
    assert direct.type == "document" and direct.work_id == version.work_id


@pytest.mark.parametrize("bad", ["-罚款", "   "])
def test_malformed_query_is_a_clear_message(corpus, bad):
    if not bad.strip():
        assert run(corpus, bad).total > 0  # an empty box lists documents, it is not an error
        return
    with pytest.raises(SearchError) as err:
        run(corpus, bad)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))


@pytest.mark.parametrize(
    "params", [{"statuses": ("valid",)}, {"page": 0}, {"per_page": 500}, {"sort": "random"},
               {"doc_types": ("条例",)}, {"body": "不存在的机关"},
               {"published_from": date(2022, 1, 1), "published_to": date(2021, 1, 1)}])
def test_bad_parameters_are_refused_in_chinese(corpus, params):
    with pytest.raises(SearchError):
        run(corpus, "安全", **params)


def test_highlights_are_escaped(corpus):
    for hit in run(corpus, "安全").hits:
        text = hit.snippet.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in text and ">" not in text


def _change_a_work(factory):
    """A new version of a stored work arrives: the store changes and records it in the outbox."""
    from fagui.records import DocumentRecord
    from indexer.store.upsert import upsert_record

    with factory.begin() as session:
        work = session.scalar(select(Work).where(Work.current_version_id.is_not(None)).order_by(Work.id).limit(1))
        text = work.current_version.text + "\n第一百零一条 本条例所称的新增条款用于测试同步。\n"
        upsert_record(session, DocumentRecord(
            source="test", source_ref="sync-test", title=work.title, text=text, doc_type=work.doc_type,
            region=work.region, published=date(2030, 1, 1), effective=date(2030, 1, 1)))


class Dying:
    """Wraps a backend and dies after `allowed` writes, as a killed process would."""

    def __init__(self, inner, allowed: int):
        self.inner, self.allowed, self.name = inner, allowed, inner.name

    def replace_works(self, work_ids, docs):
        if self.allowed == 0:
            raise KeyboardInterrupt
        self.allowed -= 1
        self.inner.replace_works(work_ids, docs)

    def rebuild(self, batches):
        def cut():
            yield next(iter(batches))  # the first batch reaches the new index, then the process dies
            raise KeyboardInterrupt

        return self.inner.rebuild(cut())


def test_sync_and_rebuild_killed_half_way_then_rerun_leave_index_equal_to_store(tmp_path):
    settings = load_settings({"FAGUI_DATA_DIR": str(tmp_path)})
    engine = make_engine(settings=settings)
    upgrade(engine)
    factory = session_factory(engine)
    report = lawrefbook.read_corpus(BUNDLED_SAMPLE)
    ingest(factory, lawrefbook.SOURCE, report.records[:60], report.errors)
    backend = TantivyBackend(tmp_path / "tantivy")

    with pytest.raises(KeyboardInterrupt):
        rebuild(factory, Dying(backend, 0))
    rebuild(factory, backend)
    assert backend.digests() == store_digests(factory)

    ingest(factory, lawrefbook.SOURCE, report.records[60:100])  # 40 more works, all in the outbox
    _change_a_work(factory)
    with pytest.raises(KeyboardInterrupt):
        sync(factory, Dying(backend, 1), batch=20)
    assert backend.digests() != store_digests(factory)
    summary = sync(factory, backend, batch=20)
    assert summary.works > 0
    assert backend.digests() == store_digests(factory)
    assert sync(factory, backend).events == 0
    engine.dispose()


def test_short_names_people_use_find_the_law(corpus):
    assert run(corpus, "个保法").hits[0].title == "中华人民共和国个人信息保护法"
    result = run(corpus, "道交法第91条")
    assert result.direct.article.label == "第九十一条"
    assert result.hits[0].title == "中华人民共和国道路交通安全法"


def test_a_document_whose_text_omits_its_title_is_found_by_the_title(tmp_path):
    """Crawled pages often carry the body without the title line: the title must still find the document,
    also after a repeal reached the index through the outbox."""
    from fagui.records import DocumentRecord, RelationRef
    from indexer.store.upsert import upsert_record

    engine = make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    upgrade(engine)
    factory = session_factory(engine)
    title = "最高人民法院关于审理网络消费纠纷案件适用法律若干问题的规定（一）"
    record = DocumentRecord(source="s", source_ref="r1", title=title, doc_number="法释〔2022〕8号",
                            text="第一条 为了正确审理网络消费纠纷案件。\n第二条 本规定适用。", published=date(2022, 3, 1))
    with factory.begin() as session:
        upsert_record(session, record)
    backend = TantivyBackend(tmp_path / "t")
    rebuild(factory, backend)
    with factory() as session:
        for q in (title, "问题的规定", "规定（一）"):
            assert [h.title for h in search(session, backend, SearchParams(q=q)).hits] == [title], q
    decision = DocumentRecord(source="s", source_ref="r2", title="关于废止部分司法解释的决定", text="决定全文",
                              published=date(2024, 7, 1),
                              relations=[RelationRef("repeals", title=title, effective=date(2024, 7, 1))])
    with factory.begin() as session:
        upsert_record(session, decision)
    sync(factory, backend)
    with factory() as session:
        assert search(session, backend, SearchParams(q=title)).total == 0
        hits = search(session, backend, SearchParams(q=title, statuses=("repealed",))).hits
        assert [h.title for h in hits] == [title] and hits[0].status == "repealed"
    engine.dispose()


def test_a_work_gives_the_same_documents_whatever_order_its_bodies_load_in(tmp_path):
    """PostgreSQL returns a joint document's issuing bodies in no fixed order; the documents (and so the
    digests that prove the index equals the store) must not depend on it."""
    from fagui.records import DocumentRecord
    from indexer.search.index_docs import docs_for_work
    from indexer.store.upsert import upsert_record

    engine = make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    upgrade(engine)
    factory = session_factory(engine)
    with factory.begin() as session:
        upsert_record(session, DocumentRecord(
            source="s", source_ref="r", title="最高人民法院 最高人民检察院关于办理某类案件的解释",
            text="第一条 为依法办理某类案件，制定本解释。", issuing_bodies=["最高人民法院", "最高人民检察院"]))
    with factory() as session:
        work = session.scalars(select(Work)).one()
        assert len(work.issuing_bodies) == 2
        first = [d["digest"] for d in docs_for_work(session, work)]
        work.issuing_bodies.reverse()
        assert [d["digest"] for d in docs_for_work(session, work)] == first
    engine.dispose()


def test_work_and_article_with_as_of_opens_the_text_in_force_then(corpus):
    then = run(corpus, "道路运输条例第十条", as_of=date(2020, 1, 1)).direct
    now = run(corpus, "道路运输条例第十条").direct
    assert then.work_id == now.work_id and then.version < now.version
    assert not then.is_current and now.is_current
    assert "工商行政管理机关" in then.article.text and "市场监督管理部门" in now.article.text
    before = run(corpus, "道路运输条例第十条", as_of=date(1990, 1, 1))
    assert before.direct is None and any("尚未施行" in w for w in before.warnings)


def test_an_unknown_document_number_does_not_return_everything(corpus):
    everything = run(corpus).total
    result = run(corpus, "国务院令第99999号")
    assert result.direct is None and result.total < everything
    assert any("没有文号为“国务院令第99999号”的文件" in w for w in result.warnings)
    assert not any("下面列出" in w for w in result.warnings)  # nothing mentions it either
    # 道路运输条例's first order: its versions in the corpus carry later numbers, its text still names it
    mentioned = run(corpus, "国务院令第406号")
    assert mentioned.direct is None and "下面列出正文提到这个文号的文件" in mentioned.warnings
    assert "中华人民共和国道路运输条例" in [h.title for h in mentioned.hits]


def test_the_total_counts_every_work_exactly(corpus):
    factory, _ = corpus
    with factory() as session:
        effective = session.query(Work).filter(Work.status == "effective").count()
        works = session.query(Work).count()
    assert run(corpus).total == effective
    everything = run(corpus, statuses=("effective", "amended", "repealed", "expired", "not_yet_effective"))
    assert everything.total == works  # one row per work, however many of its versions match


def test_undated_texts_are_left_out_of_an_as_of_search_with_a_warning(corpus):
    factory, _ = corpus
    with factory() as session:
        undated = session.scalars(
            select(Version).join(Work, Work.current_version_id == Version.id)
            .where(Version.published.is_(None), Version.effective_from.is_(None))
        ).first()
        assert undated is not None, "the sample holds texts without dates"
        title, work_id = undated.title, undated.work_id
    now = run(corpus, title)
    assert work_id in {h.work_id for h in now.hits}
    then = run(corpus, title, as_of=date(1985, 1, 1))
    assert work_id not in {h.work_id for h in then.hits}
    assert any("日期不详" in w for w in then.warnings)


def test_every_work_in_force_is_found_by_its_full_title(corpus):
    """Titles are long phrases of many tokens; tantivy's own many-term sloppy phrase missed about one title in
    nine, differently from one index build to the next."""
    factory, _ = corpus
    with factory() as session:
        works = [(w.id, w.title) for w in session.scalars(select(Work).where(Work.status == "effective"))]
    ranks = {}
    for work_id, title in works:
        ids = [h.work_id for h in run(corpus, title, per_page=20, facets=False).hits]
        ranks[title] = ids.index(work_id) + 1 if work_id in ids else None
    assert len(works) > 200 and [t for t, r in ranks.items() if r is None] == []
    # A law's full name is that law, not the interpretations whose titles quote it.
    laws = [t for t in ranks if t.startswith("中华人民共和国") and t.endswith("法")]
    assert "中华人民共和国民法典" in ranks and ranks["中华人民共和国民法典"] == 1
    assert len(laws) > 20 and [t for t in laws if ranks[t] != 1] == []


def test_a_work_ended_on_an_unknown_day_is_left_out_of_as_of_searches(corpus):
    factory, _ = corpus
    with factory() as session:
        ended = session.scalars(
            select(Version).join(Work, Work.current_version_id == Version.id)
            .where(Version.end_status.is_not(None), Version.ended_on.is_(None), Version.published.is_not(None))
        ).first()
        assert ended is not None, "the sample holds texts a source marks 废止/失效 without a date"
        title, work_id, start = ended.title, ended.work_id, ended.effective_from or ended.published
    assert work_id in {h.work_id for h in run(corpus, title, statuses=("repealed", "expired")).hits}
    then = run(corpus, title, as_of=start + (date(2024, 1, 1) - date(2023, 12, 31)))  # the day after it began
    assert work_id not in {h.work_id for h in then.hits}
    assert any("废止、失效日期不详" in w for w in then.warnings)



# -- exact (精确检索) and fuzzy (模糊检索) --------------------------------------------------------------------
def _holds_every_term(session, hit, terms: list[str]) -> bool:
    """Each term stands, folded and without whitespace, as one run in the hit's title or text."""
    from indexer.search.analysis import exact_form

    version = session.scalar(select(Version).where(Version.work_id == hit.work_id, Version.seq == hit.version))
    places = (exact_form(version.title), exact_form(version.text))
    return all(any(exact_form(t) in place for place in places) for t in terms)


def _precise(corpus, q: str, terms: list[str], **kw):
    result = run(corpus, q, statuses=("effective", "repealed", "expired", "amended"), per_page=50, **kw)
    factory, _ = corpus
    with factory() as session:
        assert all(_holds_every_term(session, h, terms) for h in result.hits), q
    return result


def test_exact_search_finds_the_characters_whatever_the_segmentation(corpus):
    result = _precise(corpus, "酒后驾驶", ["酒后驾驶"])
    assert result.mode == "exact" and not result.warnings
    law = _precise(corpus, "饮酒后驾驶机动车", ["饮酒后驾驶机动车"])
    assert law.hits[0].title == "中华人民共和国道路交通安全法"
    article = law.hits[0].articles[0]
    assert article.label == "第九十一条" and "<mark>饮酒后驾驶机动车</mark>" in article.snippet
    assert "<mark>驾驶</mark>" not in article.snippet  # exactly the matched runs, not the words


def test_quoted_phrase_and_terms_are_matched_literally(corpus):
    _precise(corpus, '"机动车驾驶证" 吊销', ["机动车驾驶证", "吊销"])
    _precise(corpus, "信用卡", ["信用卡"])
    _precise(corpus, "2021年", ["2021年"])


def test_fuzzy_mode_matches_words_and_is_the_visible_fallback(corpus):
    fuzzy = run(corpus, "驾驶 饮酒", mode="fuzzy")
    assert fuzzy.mode == "fuzzy" and fuzzy.total > 0
    # 驾驶证吊销 never stands in a text as typed; its words do (吊销机动车驾驶证)
    fallback = run(corpus, "驾驶证吊销", statuses=("effective", "repealed"))
    assert fallback.mode == "fuzzy" and fallback.total > 0
    assert fallback.warnings[-1] == "没有找到与“驾驶证吊销”完全一致的内容，以下为近似结果"
    with pytest.raises(SearchError):
        run(corpus, "安全", mode="nearest")


@pytest.mark.parametrize(("q", "words"), [
    ("交通事故责任怎么划分", ["交通事故", "责任", "划分"]),
    ("机动车驾驶证被吊销后多久可以重新考", ["机动车驾驶证", "吊销", "可以", "重新"]),
])
def test_a_question_typed_as_a_sentence_finds_the_texts_holding_its_words(corpus, q, words):
    """Neither the run nor its words near each other stand in a text: the last fallback searches its words
    anywhere, without the question words (怎么, 多久) and single characters (被, 后), every one still required."""
    result = run(corpus, q, statuses=("effective", "repealed"), per_page=50)
    assert result.mode == "fuzzy" and result.total > 0
    assert result.warnings[-1] == f"没有找到与“{q}”完全一致或相近的内容，以下为同时包含“{'”“'.join(words)}”的结果"
    factory, _ = corpus
    with factory() as session:
        assert all(_holds_every_term(session, h, words) for h in result.hits)


@pytest.mark.parametrize("q", ["行政处罚 -听证 怎么办", '"量子" 通信', "title:什么条例"])
def test_a_query_with_operators_gets_no_word_fallback(corpus, q):
    result = run(corpus, q, statuses=("effective", "repealed"))
    assert not any("同时包含" in w for w in result.warnings)


def test_no_fallback_notice_when_the_words_are_not_there_either(corpus):
    nothing = run(corpus, "量子纠缠通信卫星", statuses=("effective", "repealed"))
    assert nothing.total == 0 and nothing.mode == "exact"
    assert not any("近似结果" in w for w in nothing.warnings)


@pytest.mark.parametrize("q", ["。，！？", "……", "〔〕"])
def test_punctuation_only_is_searched_as_typed(corpus, q):
    """Exact matching compares characters: punctuation pasted alone is looked for as it stands, never answered
    with every document (the word search it would fall back to has nothing to search)."""
    result = _precise(corpus, q, [q])
    assert result.mode == "exact"
    everything = run(corpus, "", statuses=("effective", "repealed", "expired", "amended"))
    assert result.total < everything.total


@pytest.mark.parametrize("q", ["《》", "|", "()", "-"])
def test_nothing_to_search_is_a_clear_message_not_an_error(corpus, q):
    result = run(corpus, q)
    assert (result.total, result.hits) == (0, ())
    assert any("请输入检索词" in w for w in result.warnings)


def test_one_character_long_paragraph_full_width_and_mixed_scripts(corpus):
    one = _precise(corpus, "罚", ["罚"])
    assert one.total > 0
    factory, _ = corpus
    with factory() as session:
        work = session.scalar(select(Work).where(Work.title == "中华人民共和国道路交通安全法"))
        text = "".join(work.current_version.text.split())
    start = text.index("第九十一条")
    pasted = text[start:start + 200]
    result = run(corpus, pasted)  # cut to 200 characters, split at its punctuation into terms
    assert result.hits[0].title == "中华人民共和国道路交通安全法"
    assert _precise(corpus, "２０２１年", ["2021年"]).total == run(corpus, "2021年", statuses=(
        "effective", "repealed", "expired", "amended"), per_page=50).total
    for q in ("PM2.5", "GB/T 2260", "5G网络", "ＡＢＣ法规", "個人信息保護"):
        result = run(corpus, q)  # no error; exact when found, the fallback otherwise
        assert result.mode in ("exact", "fuzzy")
    assert run(corpus, "個人信息保護").total == run(corpus, "个人信息保护").total > 0


def _road_traffic_text(corpus) -> str:
    factory, _ = corpus
    with factory() as session:
        work = session.scalar(select(Work).where(Work.title == "中华人民共和国道路交通安全法"))
        return work.current_version.text


def test_a_pasted_run_with_punctuation_matches_as_a_whole(corpus):
    text = _road_traffic_text(corpus)
    start = text.index("饮酒后驾驶机动车的")
    pasted = text[start:start + 20]
    assert "，" in pasted
    result = _precise(corpus, pasted, [pasted])  # every hit holds the whole run, commas included
    assert result.mode == "exact" and result.hits[0].title == "中华人民共和国道路交通安全法"


def test_terms_standing_together_as_typed_rank_first(corpus):
    result = _precise(corpus, "第九十一条 饮酒后", ["第九十一条", "饮酒后"])
    assert result.hits[0].title == "中华人民共和国道路交通安全法"


@pytest.mark.parametrize(("q", "first"), [
    ("第十六条 企业应当", True),  # an article's opening as copied: label, space, text
    ("第二百七十六条之一 以转移财产", True),
    ("行政处罚 听证", False),  # typed keywords: standing together elsewhere is only a bonus
    ("第十六条", False),  # one term: nothing to stand together
    ("第十六条 OR 企业", False),
    ("公布之日起\n施行", True),  # a line break: pasted across lines
    ("本条例自公布之日起施行。\r\n", False),  # one term
])
def test_terms_pasted_as_one_run_put_the_texts_holding_it_first(q, first):
    from indexer.search.query import parse_query
    from indexer.search.service import text_query

    text = text_query(parse_query(q, keep_punctuation=True))
    assert text.together_first is first


@pytest.mark.parametrize("q", ["例第十条", "本条例第十条", "依照本法第九十一条的规定"])
def test_a_reference_to_no_one_work_is_text_not_another_works_article(corpus, q):
    """例 or 本条例 is part of hundreds of titles: answering with one of them would show another text's article."""
    result = run(corpus, q, statuses=("effective", "repealed", "expired", "amended"))
    assert result.direct is None
    if result.mode == "exact":
        factory, _ = corpus
        with factory() as session:
            assert all(_holds_every_term(session, h, [q]) for h in result.hits)


@pytest.mark.parametrize(("q", "title", "label"), [
    ("道路交通安全法 91条", "中华人民共和国道路交通安全法", "第九十一条"),
    ("道交法91条", "中华人民共和国道路交通安全法", "第九十一条"),
    ("刑法二百三十四条", "中华人民共和国刑法", "第二百三十四条"),
    ("民法典1077", "中华人民共和国民法典", "第一千零七十七条"),
])
def test_everyday_article_spellings_land_on_the_article(corpus, q, title, label):
    for mode in ("exact", "fuzzy"):
        direct = run(corpus, q, mode=mode).direct
        assert direct is not None and (direct.title, direct.article.label) == (title, label), (q, mode)


def test_a_number_after_a_title_that_is_no_article_is_searched_as_text(corpus):
    """道路交通安全法 has no article 2021: the query is text (the year), in both modes, never a word 第二千零二十一条."""
    for mode in ("exact", "fuzzy"):
        result = run(corpus, "道路交通安全法 2021", mode=mode, statuses=("effective", "repealed", "expired", "amended"))
        assert result.direct is None
        assert result.hits and result.hits[0].title == "中华人民共和国道路交通安全法", mode


@pytest.mark.parametrize("statuses", [("effective",), ("effective", "repealed", "expired", "amended")])
def test_paging_through_a_ranked_list_neither_loses_nor_repeats_a_work(corpus, statuses):
    """Page 1 is ranked again by the best articles; a work that moves off it must come on page 2 or later."""
    q = "管理"
    total = run(corpus, q, statuses=statuses, per_page=10).total
    assert total > 120
    paged = [h.work_id for page in range(1, 13) for h in run(corpus, q, statuses=statuses, per_page=10,
                                                             page=page, facets=False).hits]
    assert len(paged) == len(set(paged)) == 120
    wide = [h.work_id for page in (1, 2, 3) for h in run(corpus, q, statuses=statuses, per_page=40,
                                                         page=page, facets=False).hits]
    assert paged == wide


def test_each_hit_shows_its_own_best_articles_whoever_else_matches(corpus):
    """Matching articles come from the ranking's own pool where it holds a version's best, else from a search
    of the rest; a long code with many matching articles must not take the other hits' places."""
    factory, backend = corpus
    from indexer.search import service
    from indexer.search.query import parse_query

    result = run(corpus, "罚款 吊销", per_page=10)
    assert len(result.hits) >= 5
    for hit in result.hits:
        assert hit.articles, hit.title  # every listed text holds both words, so it has a matching article
        assert len(hit.articles) <= service.ARTICLES_PER_HIT
        assert all("<mark>" in a.snippet for a in hit.articles)
    parsed = parse_query("罚款 吊销", keep_punctuation=True)
    text = service.text_query(parsed)
    with factory() as session:
        versions = [v for (v,) in session.execute(
            select(Version.id).join(Work, Work.current_version_id == Version.id)
            .where(Work.title.in_([h.title for h in result.hits])))]
        terms = service._highlight_terms(parsed)
        alone = service._article_hits(session, service._best_article_ids(backend, parsed, versions, terms), terms)
        pool = service._article_pool(backend, text, service.Filters())
        shared = service._article_hits(session, service._best_article_ids(
            backend, parsed, versions, terms, pool=service.ArticlePool(text, pool)), terms)
    assert alone and set(shared) >= set(alone)
    for version_id, articles in alone.items():  # never fewer than a search of its own would show
        assert len(shared[version_id]) >= len(articles)
