"""One behaviour on every engine: matching, filters, as_of, sorting, paging, facets, replace and rebuild."""

from __future__ import annotations

from dataclasses import replace

import pytest

from indexer.search.backends.base import (
    TOGETHER_BOOST,
    TOGETHER_FIRST_BOOST,
    BackendUnavailable,
    Clause,
    Filters,
    SearchRequest,
    TextQuery,
)
from indexer.search.index_docs import OPEN_END, digest


def doc(id_, work, version, text, title="", **kw):
    d = {
        "id": id_, "kind": "version", "work_id": work, "version_id": version, "doc_type": "法律",
        "region": "全国", "status": "effective", "body_ids": ["1"], "published": 20200101,
        "effective": 20200101, "effective_to": OPEN_END, "ended": OPEN_END, "is_current": 1,
        "weight": 6.0, "doc_number_key": "", "title_tok": title, "text_tok": f"{title} {text}",
    }
    d.update(kw)
    d["digest"] = digest(d)
    return d


DOCS = [
    doc("v1", "w1", 1, "机动车 驾驶人 饮酒 驾驶 机动车 并 依照 本法 有关 规定 从重 处 罚款", title="道路 交通 安全法",
        published=20210429, effective=20210429),
    doc("v2", "w2", 2, "网络 安全 数据 安全 个人 信息", title="网络 安全法", body_ids=["2", "1"],
        published=20161107, effective=20170601),
    doc("v3", "w3", 3, "道路 运输 经营 驾驶人", title="山东省 道路 运输 条例", region="山东省",
        doc_type="地方性法规", weight=2.0, body_ids=["3"], published=20200101),
    doc("v4", "w3", 4, "道路 运输 经营 旧 文本", title="山东省 道路 运输 条例", region="山东省",
        doc_type="地方性法规", status="amended", is_current=0, weight=0.0, body_ids=["3"],
        published=20150101, effective=20150101, effective_to=20200101),
    doc("v5", "w4", 5, "驾驶人 培训 管理", title="已废止 的 办法", status="repealed", ended=20190101,
        published=20100101, effective=20100101),
]


def counted(docs: list[dict]) -> list[dict]:
    """Each document with its work id as versioned_work when the work has several versions, as index_docs gives
    it (works are counted by it)."""
    versions: dict[str, int] = {}
    for d in docs:
        if d["kind"] == "version":
            versions[d["work_id"]] = versions.get(d["work_id"], 0) + 1
    for d in docs:
        if versions.get(d["work_id"], 1) > 1:
            d["versioned_work"] = d["work_id"]
        d["digest"] = digest({k: v for k, v in d.items() if k != "digest"})
    return docs


DOCS = counted(DOCS)


def q(*words, phrase=False, **kw) -> TextQuery:
    return TextQuery(must=tuple(Clause(tuple(w.split()), phrase=phrase) for w in words), **kw)


def ids(backend, text: TextQuery | None = None, **kw):
    filters = kw.pop("filters", Filters())
    request = SearchRequest(text=text or TextQuery(), filters=filters, limit=20, **kw)
    return [h.doc_id for h in backend.search(request).hits]


@pytest.fixture
def indexed(backend):
    backend.replace_works(["w1", "w2", "w3", "w4"], DOCS)
    return backend


def test_search_before_any_index_is_a_clear_error(backend):
    with pytest.raises(BackendUnavailable) as err:
        backend.search(SearchRequest())
    assert "索引" in str(err.value) or "不可用" in str(err.value)


def test_words_must_all_match_and_default_status_is_effective(indexed):
    assert ids(indexed, q("驾驶人")) == ["v1", "v3"] or set(ids(indexed, q("驾驶人"))) == {"v1", "v3"}
    assert ids(indexed, q("驾驶人", "罚款")) == ["v1"]
    assert ids(indexed, q("驾驶人"), filters=Filters(statuses=("repealed",))) == ["v5"]
    assert set(ids(indexed, q("道路 运输"), filters=Filters(statuses=()))) == {"v3", "v4"}


def test_several_statuses_and_several_values_keep_exactly_those(indexed):
    both = Filters(statuses=("effective", "amended"))
    assert set(ids(indexed, filters=both)) == {"v1", "v2", "v3", "v4"}
    assert set(ids(indexed, q("驾驶人"), filters=Filters(statuses=("repealed", "amended")))) == {"v5"}
    every = Filters(statuses=("effective", "not_yet_effective", "amended", "repealed", "expired",
                              "partially_invalid"))
    assert set(ids(indexed, filters=every)) == {"v1", "v2", "v3", "v4", "v5"}
    assert ids(indexed, filters=Filters(statuses=("expired",))) == []
    assert set(ids(indexed, filters=Filters(statuses=(), doc_types=("法律", "地方性法规"), regions=("山东省",
                                                                                              "全国")))) == {
        "v1", "v2", "v3", "v4", "v5"}
    assert set(ids(indexed, filters=Filters(statuses=(), regions=("山东省", "山东省")))) == {"v3", "v4"}


def test_phrase_exclusion_any_of_and_title_only(indexed):
    assert ids(indexed, q("饮酒 驾驶", phrase=True)) == ["v1"]
    assert ids(indexed, q("罚款 饮酒", phrase=True)) == []  # both present, far apart: no phrase
    assert ids(indexed, q("驾驶人", exclude=(Clause(("罚款",)),))) == ["v3"]
    either = TextQuery(any_of=((Clause(("数据",)), Clause(("罚款",))),))
    assert set(ids(indexed, either)) == {"v1", "v2"}
    assert ids(indexed, q("驾驶人", title_only=True)) == []
    assert ids(indexed, q("安全法", title_only=True)) == ["v1", "v2"] or set(
        ids(indexed, q("安全法", title_only=True))) == {"v1", "v2"}


def test_title_match_and_weight_rank_first(indexed):
    # 安全 occurs twice in v2's text but v1 and v2 both have it in the title; 道路 only in v1/v3 titles:
    # the national current work outranks the local one.
    assert ids(indexed, q("道路"))[0] == "v1"


def test_filters_and_body_hierarchy(indexed):
    assert ids(indexed, filters=Filters(regions=("山东省",))) == ["v3"]
    assert set(ids(indexed, filters=Filters(doc_types=("法律",)))) == {"v1", "v2"}
    assert set(ids(indexed, filters=Filters(body_ids=("1",)))) == {"v1", "v2"}  # 2 sits under 1
    assert ids(indexed, filters=Filters(body_ids=("2",))) == ["v2"]
    assert ids(indexed, filters=Filters(published_from=20210101)) == ["v1"]
    assert set(ids(indexed, filters=Filters(effective_from=20170101, effective_to=20201231))) == {"v2", "v3"}


def test_as_of_finds_what_was_in_force_then(indexed):
    assert set(ids(indexed, filters=Filters(as_of=20180101))) == {"v2", "v4", "v5"}
    assert set(ids(indexed, filters=Filters(as_of=20200101))) == {"v2", "v3"}


def test_sort_paging_facets_and_distinct_total(indexed):
    request = SearchRequest(filters=Filters(statuses=()), sort="published", limit=2, facets=True)
    result = indexed.search(request)
    assert [h.doc_id for h in result.hits] == ["v1", "v3"] and result.total == 5
    page2 = indexed.search(SearchRequest(filters=Filters(statuses=()), sort="published", limit=2, offset=2))
    assert [h.doc_id for h in page2.hits] == ["v2", "v4"]
    assert dict(result.facets["status"]) == {"effective": 3, "amended": 1, "repealed": 1}
    assert dict(result.facets["region"]) == {"全国": 3, "山东省": 2}
    assert dict(result.facets["body_ids"])["1"] == 3
    distinct = indexed.search(SearchRequest(filters=Filters(statuses=()), count_field="work_id"))
    assert distinct.total == 4



def test_status_facet_counted_beside_the_default_search(indexed):
    """Asked to count the status facet without its filter, an engine that can (folds_facets) does it in
    the same pass; its own facets stay those of the 现行有效 search, the same as without the request."""
    text = q("驾驶人")
    plain = indexed.search(SearchRequest(text=text, limit=5, facets=True))
    folded = indexed.search(SearchRequest(text=text, limit=5, facets=True, wide_facets=True))
    assert [h.doc_id for h in folded.hits] == [h.doc_id for h in plain.hits] and folded.total == plain.total == 2
    assert {k: dict(v) for k, v in folded.facets.items()} == {k: dict(v) for k, v in plain.facets.items()}
    assert dict(plain.facets["region"]) == {"全国": 1, "山东省": 1}
    if indexed.folds_facets:
        assert dict(folded.wider["status"]) == {"effective": 2, "repealed": 1}
    else:
        assert folded.wider == {}
    nothing = indexed.search(SearchRequest(text=q("培训"), facets=True, wide_facets=True))  # only a repealed text
    assert nothing.total == 0 and all(not v for v in nothing.facets.values())
    if indexed.folds_facets:
        assert dict(nothing.wider["status"]) == {"repealed": 1}

def test_facets_count_works_where_a_work_matches_with_several_versions(indexed):
    """A facet value counts what the search ticking it would total: works, not their versions, wherever the
    filters let one work match with several (several statuses, or the status facet beside the default search)."""
    older = [doc("v6", "w5", 6, "驾驶人 考试 旧 文本", title="考试 办法", status="amended", is_current=0, weight=0.0,
                 published=20120101, effective=20120101, effective_to=20150101),
             doc("v7", "w5", 7, "驾驶人 考试 第二 旧 文本", title="考试 办法", status="amended", is_current=0,
                 weight=0.0, published=20150101, effective=20150101, effective_to=20180101),
             doc("v8", "w5", 8, "驾驶人 考试 现行 文本", title="考试 办法", published=20180101, effective=20180101)]
    indexed.replace_works(["w5"], counted(older))
    every = Filters(statuses=())
    result = indexed.search(SearchRequest(text=q("驾驶人"), filters=every, limit=10, facets=True,
                                          count_field="work_id"))
    assert result.total == 4  # w1, w3, w4, w5 (v3 and v6-v8: two works)
    assert dict(result.facets["status"]) == {"effective": 3, "amended": 1, "repealed": 1}
    assert dict(result.facets["doc_type"]) == {"法律": 3, "地方性法规": 1}
    assert dict(result.facets["region"]) == {"全国": 3, "山东省": 1}
    assert dict(result.facets["body_ids"])["1"] == 3
    one = indexed.search(SearchRequest(text=q("驾驶人"), filters=every, limit=0, facets=True, count_field="work_id",
                                       facet_fields=("status",)))
    assert one.facets == {"status": result.facets["status"]}  # only the facet asked for, counted alike
    amended = indexed.search(SearchRequest(text=q("驾驶人"), filters=Filters(statuses=("amended",)), limit=10,
                                           count_field="work_id"))
    assert amended.total == 1
    # without count_field an engine counts documents, as before
    plain = indexed.search(SearchRequest(text=q("驾驶人"), filters=every, limit=10, facets=True))
    assert dict(plain.facets["status"])["amended"] == 2
    if indexed.folds_facets:
        folded = indexed.search(SearchRequest(text=q("驾驶人"), limit=5, facets=True, wide_facets=True))
        assert dict(folded.wider["status"]) == {"effective": 3, "amended": 1, "repealed": 1}
        assert folded.total == 3 and dict(folded.facets["doc_type"]) == {"法律": 2, "地方性法规": 1}


def test_replace_is_idempotent_and_deletes(indexed):
    before = indexed.digests()
    assert set(before) == {d["id"] for d in DOCS}
    indexed.replace_works(["w1", "w2", "w3", "w4"], DOCS)
    assert indexed.digests() == before
    indexed.replace_works(["w3"], [])
    assert set(indexed.digests()) == {"v1", "v2", "v5"}


def test_rebuild_switches_only_when_complete(indexed):
    def dying():
        yield DOCS[:2]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        indexed.rebuild(dying())
    assert set(indexed.digests()) == {d["id"] for d in DOCS}  # still the old, complete index
    assert indexed.rebuild(iter([DOCS[:2]])) == 2
    assert set(indexed.digests()) == {"v1", "v2"}


# -- exact matching (精确检索): characters as typed, whatever the segmentation ------------------------------
def real(id_, work, version, text, title="", kind="version", **kw):
    """A document as indexer.search.index_docs builds it: words and exact characters from the real analysis."""
    from indexer.search.analysis import exact_form, exact_tokens, pretokenised

    full = f"{title}\n{text}" if title else text
    fields = {"text_tok": pretokenised(full)}
    fields["text_bi"], fields["text_uni"] = exact_tokens(exact_form(full))
    if kind == "version":
        fields["title_tok"] = pretokenised(title)
        fields["title_bi"], fields["title_uni"] = exact_tokens(exact_form(title))
    else:
        fields["title_tok"] = ""
        kw.setdefault("article_id", int(id_[1:]))
    d = doc(id_, work, version, "", kind=kind, **kw)
    d.update(fields)
    d["digest"] = digest(d)
    return d


PARAGRAPH = ("为了加强城市供水管理，保障城市生活、生产和其他建设用水，根据有关法律、法规，结合本市实际，制定本条例。"
             "本条例适用于本市行政区域内城市供水的规划、建设、经营、使用及其监督管理活动。市、县区人民政府应当将城市供水"
             "事业纳入国民经济和社会发展规划，加强城市供水设施建设，保障城市供水安全。市城市供水主管部门负责本行政区域内"
             "城市供水的监督管理工作。发展改革、财政、自然资源和规划、住房城乡建设等部门按照各自职责做好相关工作。")
EXACT_DOCS = [
    real("v11", "w11", 11, "第九十一条 饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证，并处一千元以上二千元以下罚款。",
         title="中华人民共和国道路交通安全法"),
    real("v12", "w12", 12, PARAGRAPH, title="東營市城市供水條例", region="山东省", weight=2.0),
    real("v13", "w13", 13, "用人单位拒不支付劳动报酬的，由劳动行政部门责令限期支付。", title="保障农民工工资支付条例"),
    real("v14", "w14", 14, "对拒不改正的，不支持其申请；用人单位应当按时支付劳动报酬。", title="劳动监察办法"),
    real("v15", "w15", 15, "信用卡诈骗，数额较大的，处五年以下有期徒刑。本办法自2021年1月1日起施行。", title="某某规定"),
    real("v16", "w16", 16, "推进社会信用体系建设。2021-2025年规划。PM10 浓度与 2.5 微米颗粒物。", title="信用建设纲要"),
    real("v17", "w17", 17, "细颗粒物（PM2.5）年均浓度下降，执行 GB/T 2260 行政区划代码，推进5G网络建设。",
         title="大气污染防治计划"),
    real("a18", "w11", 11, "饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证。", kind="article"),
    real("a19", "w13", 13, "用人单位拒不支付劳动报酬的，由劳动行政部门责令限期支付。", kind="article"),
]


def exact(*terms, **kw) -> TextQuery:
    from indexer.search.service import term_clause

    return TextQuery(must=tuple(c for c in (term_clause(t) for t in terms) if c), **kw)


EXACT_DOCS = counted(EXACT_DOCS)


@pytest.fixture
def exact_index(backend):
    backend.replace_works(sorted({d["work_id"] for d in EXACT_DOCS}), EXACT_DOCS)
    return backend


def test_exact_finds_a_word_that_segmentation_splits(exact_index):
    # 饮酒后驾驶 is segmented 饮酒 / 后 / 驾驶: the word 酒后 is never a token, the characters are there
    assert ids(exact_index, exact("酒后驾驶")) == ["v11"]
    assert ids(exact_index, exact("酒后驾驶"), filters=Filters(kind="article")) == ["a18"]


def test_each_kind_finds_its_own_documents_only(exact_index):
    # An article's text is indexed apart from its version's (base.ARTICLE_FIELDS): a search of one kind never
    # lists the other, whether the words are exact, fuzzy, any of several, excluded or only in a title.
    articles, versions = Filters(kind="article"), Filters()
    fuzzy = TextQuery(must=(Clause(("用人", "单位")),))
    assert ids(exact_index, fuzzy, filters=articles) == ["a19"]
    assert set(ids(exact_index, fuzzy, filters=versions)) == {"v13", "v14"}
    either = TextQuery(must=exact("饮酒后", "拒不支付").must, match_any=True)
    assert set(ids(exact_index, either, filters=articles)) == {"a18", "a19"}
    assert set(ids(exact_index, either, filters=versions)) == {"v11", "v13"}
    assert ids(exact_index, exact("劳动报酬", exclude=exact("限期").must), filters=articles) == []
    assert ids(exact_index, exact("劳动报酬", exclude=exact("限期").must), filters=versions) == ["v14"]
    titled = exact("道路交通安全法", title_only=True)
    assert ids(exact_index, titled, filters=articles) == []
    assert ids(exact_index, titled, filters=versions) == ["v11"]


def test_exact_finds_a_fragment_cut_mid_word(exact_index):
    assert ids(exact_index, exact("本行政区域内城市供水的监")) == ["v12"]
    assert ids(exact_index, exact("门负")) == ["v12"]


def test_quoted_phrase_matches_only_where_it_stands_whole(exact_index):
    # v14 holds every bigram of the phrase (拒不, 不支, 支付劳动报酬) but never the phrase itself
    assert ids(exact_index, exact("拒不支付劳动报酬")) == ["v13"]
    both = set(ids(exact_index, exact("拒不", "支付劳动报酬")))
    assert both == {"v13", "v14"}  # as separate terms, each may stand anywhere


def test_no_character_dropped_from_a_term(exact_index):
    assert ids(exact_index, exact("信用卡")) == ["v15"]
    assert set(ids(exact_index, exact("信用"))) == {"v15", "v16"}
    assert ids(exact_index, exact("2021年")) == ["v15"]  # not the 2021-2025年 of v16
    assert ids(exact_index, exact("PM2.5")) == ["v17"]  # not PM10 ... 2.5
    assert ids(exact_index, exact("GB/T 2260")) == ["v17"]
    assert ids(exact_index, exact("5G")) == ["v17"]


def test_exact_folds_width_script_and_case(exact_index):
    assert ids(exact_index, exact("２０２１年")) == ["v15"]
    assert ids(exact_index, exact("ＰＭ２．５")) == ["v17"]
    assert ids(exact_index, exact("pm2.5")) == ["v17"]
    assert ids(exact_index, exact("飲酒後駕駛")) == ["v11"]
    assert ids(exact_index, exact("东营市城市供水条例")) == ["v12"]  # the title is written in traditional


def test_versions_with_the_most_matching_documents_are_counted(exact_index):
    """per_version: each version's matching documents, most first, as many as asked, beside the hits."""
    more = [real("a20", "w13", 13, "劳动报酬按月支付。", kind="article"),
            real("a21", "w13", 13, "支付劳动报酬不得克扣。", kind="article"),
            real("a22", "w14", 14, "应当支付劳动报酬。", kind="article")]
    exact_index.replace_works(["w13", "w14"], [d for d in EXACT_DOCS if d["work_id"] in ("w13", "w14")] + more)
    articles = Filters(kind="article")
    result = exact_index.search(SearchRequest(text=exact("劳动报酬"), filters=articles, limit=0, per_version=5))
    assert result.per_version == [(13, 3), (14, 1)] and result.hits == [] and result.total == 4
    assert exact_index.search(SearchRequest(text=exact("劳动报酬"), filters=articles, per_version=1)).per_version == [
        (13, 3)]
    assert exact_index.search(SearchRequest(text=exact("克扣"), filters=articles, per_version=5)).per_version == [
        (13, 1)]
    assert exact_index.search(SearchRequest(text=exact("劳动报酬"), filters=articles)).per_version == []


PASSAGE = "用人单位应当按时足额支付劳动报酬"


def test_a_pasted_passage_ranks_by_its_text_alone(backend):
    """One exact term of eight characters or more is a passage pasted from a text: the text holding it most
    closely comes first, national or local; shorter terms keep the rank weight (national first)."""
    filler = "。".join(f"第{n}条 国家建立健全劳动保障监察制度，依法维护劳动者合法权益" for n in range(2))
    docs = counted([
        real("v31", "w31", 31, f"{PASSAGE}。{filler}", title="劳动保障法", weight=14.0),
        real("v32", "w32", 32, f"{PASSAGE}。拖欠的，{PASSAGE}。", title="某市工资支付条例", region="山东省", weight=2.0,
             doc_type="地方性法规"),
    ])
    backend.replace_works(["w31", "w32"], docs)
    assert ids(backend, exact(PASSAGE)) == ["v32", "v31"]
    assert ids(backend, exact(PASSAGE[:6])) == ["v31", "v32"]  # 用人单位应当: six characters, weighted


def test_exact_single_character_and_long_paragraph(exact_index):
    assert ids(exact_index, exact("卡")) == ["v15"]
    assert ids(exact_index, exact("卡", title_only=True)) == []
    pasted = PARAGRAPH[-200:]
    assert len(pasted) == 200 and ids(exact_index, exact(pasted)) == ["v12"]
    assert ids(exact_index, exact(pasted[:-1] + "X")) == []


def test_exact_title_only_exclusion_and_ranking(exact_index):
    assert ids(exact_index, exact("供水条例", title_only=True)) == ["v12"]
    assert ids(exact_index, exact("城市供水", title_only=True)) == ["v12"]
    text = exact("支付劳动报酬")
    assert set(ids(exact_index, text)) == {"v13", "v14"}
    from indexer.search.service import term_clause

    without = TextQuery(must=text.must, exclude=(term_clause("拒不支付"),))
    assert ids(exact_index, without) == ["v14"]
    # a title match ranks first
    assert ids(exact_index, exact("劳动监察"))[0] == "v14"


def test_terms_standing_together_rank_first(exact_index):
    from indexer.search.analysis import exact_form

    # both hold 用人单位 and 拒不; only v13 holds them as one run (用人单位拒不), and by words alone v14 comes first
    apart = exact("用人单位", "拒不")
    assert ids(exact_index, apart) == ["v14", "v13"]
    together = TextQuery(must=apart.must, together=exact_form("用人单位拒不"))
    assert ids(exact_index, together) == ["v13", "v14"]
    # An article's opening pasted (together_first): the run lifts its text above any the words alone score.
    first = replace(together, together_first=True)
    hits = exact_index.search(SearchRequest(text=first, limit=20)).hits
    assert [h.doc_id for h in hits] == ["v13", "v14"]
    assert hits[0].score - hits[1].score > (TOGETHER_FIRST_BOOST - TOGETHER_BOOST) / 2.2  # Lucene scales by 1 / 2.2


# -- the same answers on both engines (issue 23): texts analysed as indexer.search.index_docs does, queries
# built as the search service builds them from what a reader types ------------------------------------------
PARITY_DOCS = [
    real("v21", "w21", 21, "机动车驾驶人饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证，并处一千元以上二千元以下罚款。"
         "醉酒驾驶机动车的，由公安机关交通管理部门约束至酒醒，处十五日以下拘留。", title="中华人民共和国道路交通安全法",
         weight=14.0),
    real("v22", "w22", 22, "违反道交法规定的驾驶人，处警告或者二十元以上二百元以下罚款。", title="某市道路交通管理办法",
         region="山东省", doc_type="地方政府规章", weight=2.0, body_ids=["3"]),
    real("v23", "w23", 23, "有下列行为之一的，处五日以上十日以下拘留，可以并处五百元以下罚款。", title="治安管理处罚法",
         weight=14.0),
    real("v24", "w24", 24, "为了保护未成年人的身心健康，保障未成年人的合法权益，根据有关法律，结合本省实际，制定本条例。",
         title="河南省未成年人保护条例", region="河南省", doc_type="地方性法规", weight=2.0, body_ids=["4"]),
    real("v25", "w25", 25, "用人单位应当按时向员工支付劳动报酬。", title="劳动合同法", weight=14.0),
    real("v26", "w26", 26, "深化公务员工资制度改革。", title="工资制度改革方案", doc_type="规范性文件", weight=6.0),
    real("v27", "w27", 27, "对违法行为处以罚款。饮酒应当适量，驾驶车辆应当谨慎。", title="某某通知", doc_type="规范性文件",
         weight=6.0),
    real("v28", "w21", 28, "机动车驾驶人饮酒后驾驶机动车的，处暂扣三个月机动车驾驶证，并处罚款。",
         title="中华人民共和国道路交通安全法", status="amended", is_current=0, weight=0.0, published=20110422),
]


PARITY_DOCS = counted(PARITY_DOCS)


@pytest.fixture
def parity_index(backend):
    backend.replace_works(sorted({d["work_id"] for d in PARITY_DOCS}), PARITY_DOCS)
    return backend


def typed(query: str, exact: bool = True) -> TextQuery:
    from indexer.search.query import parse_query
    from indexer.search.service import text_query

    return text_query(parse_query(query, keep_punctuation=exact), exact=exact)


def answer(backend, text: TextQuery, **kw) -> tuple[int, list[str], dict]:
    """(total, first page, facets) as the search service asks for them."""
    filters = kw.pop("filters", Filters())
    result = backend.search(SearchRequest(text=text, filters=filters, limit=10, facets=True, **kw))
    return result.total, [h.doc_id for h in result.hits], {k: dict(v) for k, v in result.facets.items()}


@pytest.mark.parametrize("exact", [True, False])
def test_or_groups_are_honoured(parity_index, exact):
    total, page, facets = answer(parity_index, typed("驾驶人 罚款|拘留", exact))
    assert total == 2 and page == ["v21", "v22"]  # 驾驶人 and either word: not v23 (拘留, 罚款), not v27
    assert facets["region"] == {"全国": 1, "山东省": 1} and facets["doc_type"] == {"法律": 1, "地方政府规章": 1}
    total, page, _ = answer(parity_index, typed("拘留|驾驶证 罚款", exact))
    assert total == 2 and set(page) == {"v21", "v23"}


@pytest.mark.parametrize("exact", [True, False])
def test_an_abbreviation_with_other_words_widens_nothing(parity_index, exact):
    # 道交法 is the text saying 道交法 or 道路交通安全法; 罚款 must hold too: not every text with 罚款
    total, page, facets = answer(parity_index, typed("道交法 罚款", exact))
    assert total == 2 and page == ["v21", "v22"]
    assert facets["status"] == {"effective": 2}
    every = parity_index.search(SearchRequest(text=typed("道交法 罚款", exact), filters=Filters(statuses=()),
                                              count_field="work_id", facets=True))
    assert every.total == 2 and dict(every.facets["status"]) == {"effective": 2, "amended": 1}  # works, versions


def test_a_quoted_phrase_is_not_its_words_anywhere(parity_index):
    # v27 holds 饮酒 and 驾驶, apart: the phrase is only where they stand together
    for exact in (True, False):
        total, page, _ = answer(parity_index, typed('"饮酒后驾驶"', exact))
        assert (total, page) == (1, ["v21"])
    total, page, _ = answer(parity_index, typed("饮酒 驾驶", exact=False))
    assert total == 2 and page == ["v21", "v27"]


def test_a_two_character_word(parity_index):
    # 员工 is a word of v25; in v26 (公务员 工资) its characters stand together inside two other words
    assert answer(parity_index, typed("员工", exact=False))[:2] == (1, ["v25"])
    assert answer(parity_index, typed("员工", exact=True))[:2] == (2, ["v25", "v26"])


@pytest.mark.parametrize("exact", [True, False])
def test_a_title_finds_itself_as_a_phrase(parity_index, exact):
    # the words of 河南省未成年人保护条例 stand apart in the index (河南 河南省 未成 … 未成年人保护 条例): each
    # neighbouring pair within its own slop, as one phrase with one slop found it on Tantivy only
    total, page, _ = answer(parity_index, typed("title:河南省未成年人保护条例", exact))
    assert (total, page) == (1, ["v24"])
    assert answer(parity_index, typed('"河南省未成年人保护条例"', exact))[:2] == (1, ["v24"])
    assert answer(parity_index, typed("title:河南省保护条例", exact))[0] == (0 if exact else 1)
    # one of the titles of the corpus that one phrase with one slop misses (上海 海市 … stand far apart from
    # 人民代表大会常务委员会 once its pieces are indexed before it): each pair is near enough
    title = "上海市人民代表大会常务委员会规范性文件备案审查条例"
    parity_index.replace_works(["w29"], [real("v29", "w29", 29, "为了加强规范性文件备案审查工作，制定本条例。",
                                              title=title, region="上海市", doc_type="地方性法规", weight=2.0)])
    assert answer(parity_index, typed(f"title:{title}", exact))[:2] == (1, ["v29"])
    assert answer(parity_index, typed(title, exact))[1][0] == "v29"


def test_a_filter_only_listing_scores_nothing_and_comes_latest_stored_first(parity_index):
    # every hit scores 0.0; ordered by version id, not by where an engine's index happens to hold them
    result = parity_index.search(SearchRequest(filters=Filters(statuses=()), limit=20, facets=True))
    assert [h.doc_id for h in result.hits] == [f"v{n}" for n in range(28, 20, -1)]
    assert {h.score for h in result.hits} == {0.0}
    assert result.total == 8 and dict(result.facets["status"]) == {"effective": 7, "amended": 1}
    page = parity_index.search(SearchRequest(filters=Filters(doc_types=("规范性文件",)), limit=1, offset=1))
    assert [h.doc_id for h in page.hits] == ["v26"] and page.total == 2
    parity_index.replace_works(["w21"], [PARITY_DOCS[0]])  # written again: elsewhere in the index, same place here
    assert [h.doc_id for h in parity_index.search(SearchRequest(limit=3)).hits] == ["v27", "v26", "v25"]
    articles = parity_index.search(SearchRequest(filters=Filters(kind="article", statuses=()), limit=5))
    assert articles.hits == []


def test_deep_pages_come_back_whole(backend):
    # past Elasticsearch's window of 10,000 hits (the service asks for up to 30,010 to collapse versions)
    many = 10_050
    docs = [doc(f"v{n}", f"w{n}", n, "驾驶人 罚款", title="条例", weight=0.0) for n in range(1, many + 1)]
    backend.replace_works([d["work_id"] for d in docs], docs)
    order = [d["id"] for d in docs]
    whole = backend.search(SearchRequest(text=q("罚款"), limit=many + 10, facets=True))
    assert whole.total == many and [h.doc_id for h in whole.hits] == order  # equal scores: index order
    deep = backend.search(SearchRequest(text=q("罚款"), offset=9_990, limit=50))
    assert [h.doc_id for h in deep.hits] == order[9_990:10_040] and deep.total == many
    last = backend.search(SearchRequest(filters=Filters(), offset=10_040, limit=50, count_field="work_id"))
    assert [h.doc_id for h in last.hits] == order[::-1][10_040:] and last.total == many  # latest stored first
def test_region_scope_and_topic_filters(backend):
    """A deployment's scope (issue 20): codes of the division and those above it, NATIONAL for national texts."""
    docs = [
        doc("v21", "w21", 21, "供水", region_codes=["000000"], topic=""),
        doc("v22", "w22", 22, "供水", region="河南省", region_codes=["410000"], topic="城乡建设"),
        doc("v23", "w23", 23, "供水", region="河南省", region_codes=["410000", "410100"], topic="城乡建设"),
        doc("v24", "w24", 24, "供水", region="河南省", region_codes=["410000", "410300"], topic="交通"),
        doc("v25", "w25", 25, "供水", region="浙江省", region_codes=["330000", "330400"], topic=""),
    ]
    backend.replace_works([d["work_id"] for d in docs], docs)
    assert set(ids(backend, filters=Filters(scope_codes=("410000", "000000")))) == {"v21", "v22", "v23", "v24"}
    assert set(ids(backend, filters=Filters(scope_codes=("410100", "000000")))) == {"v21", "v23"}
    assert set(ids(backend, filters=Filters(scope_codes=("410000",), region_codes=("410300",)))) == {"v24"}
    assert ids(backend, filters=Filters(scope_codes=("410100",), region_codes=("410300",))) == []
    assert set(ids(backend, filters=Filters(topics=("城乡建设",)))) == {"v22", "v23"}


@pytest.mark.parametrize("text", [
    exact("城市供水"), exact("驾驶", "罚款"), exact("用人单位", "支付"), exact("拒不支付劳动报酬"),
    exact("城市供水", title_key="东营市城市供水条例", together="城市供水监督"),
    exact("劳动报酬", exclude=(Clause(("改正",), chars="改正"),)),
    exact("支付", match_any=True, any_of=((Clause(("信用卡",), chars="信用卡"), Clause(("罚款",), chars="罚款")),)),
    exact("城市", title_only=True),
    q("驾驶", "罚款"),
], ids=["one", "two", "words", "quoted", "ranked", "exclude", "any", "title", "fuzzy"])
def test_counting_passes_match_what_the_ranked_search_lists(exact_index, text):
    """Totals and facets are counted without the clauses that only rank: they must count the same documents
    the ranked search lists."""
    for filters in (Filters(statuses=()), Filters(kind="article", statuses=())):
        listed = exact_index.search(SearchRequest(text=text, filters=filters, limit=50))
        counted_alone = exact_index.search(SearchRequest(text=text, filters=filters, limit=0, facets=True))
        assert counted_alone.total == listed.total == len(listed.hits)
        regions: dict[str, int] = {}
        for hit in listed.hits:
            region = next(d["region"] for d in EXACT_DOCS if d["id"] == hit.doc_id)
            regions[region] = regions.get(region, 0) + 1
        assert dict(counted_alone.facets["region"]) == regions


def test_hits_of_one_work_share_its_key_and_name_their_documents(indexed):
    hits = {h.doc_id: h for h in indexed.search(SearchRequest(filters=Filters(statuses=()), limit=20)).hits}
    assert set(hits) == {"v1", "v2", "v3", "v4", "v5"}
    assert hits["v3"].work_key == hits["v4"].work_key  # two versions of w3
    assert len({hits[d].work_key for d in ("v1", "v2", "v3", "v5")}) == 4
    assert [(h.version_id, h.article_id) for h in (hits["v3"], hits["v5"])] == [(3, None), (5, None)]
