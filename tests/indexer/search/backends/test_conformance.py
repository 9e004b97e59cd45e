"""One behaviour on every engine: matching, filters, as_of, sorting, paging, facets, replace and rebuild."""

from __future__ import annotations

import pytest

from indexer.search.backends.base import BackendUnavailable, Clause, Filters, SearchRequest, TextQuery
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
    """Asked to count the status facet without its filter, an engine that can (folds_status_facet) does it in
    the same pass; its own facets stay those of the 现行有效 search, the same as without the request."""
    text = q("驾驶人")
    plain = indexed.search(SearchRequest(text=text, limit=5, facets=True))
    folded = indexed.search(SearchRequest(text=text, limit=5, facets=True, status_wide=True))
    assert [h.doc_id for h in folded.hits] == [h.doc_id for h in plain.hits] and folded.total == plain.total == 2
    assert {k: dict(v) for k, v in folded.facets.items()} == {k: dict(v) for k, v in plain.facets.items()}
    assert dict(plain.facets["region"]) == {"全国": 1, "山东省": 1}
    if indexed.folds_status_facet:
        assert dict(folded.wider["status"]) == {"effective": 2, "repealed": 1}
    else:
        assert folded.wider == {}
    nothing = indexed.search(SearchRequest(text=q("培训"), facets=True, status_wide=True))  # only a repealed text
    assert nothing.total == 0 and all(not v for v in nothing.facets.values())
    if indexed.folds_status_facet:
        assert dict(nothing.wider["status"]) == {"repealed": 1}

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


@pytest.fixture
def exact_index(backend):
    backend.replace_works(sorted({d["work_id"] for d in EXACT_DOCS}), EXACT_DOCS)
    return backend


def test_exact_finds_a_word_that_segmentation_splits(exact_index):
    # 饮酒后驾驶 is segmented 饮酒 / 后 / 驾驶: the word 酒后 is never a token, the characters are there
    assert ids(exact_index, exact("酒后驾驶")) == ["v11"]
    assert ids(exact_index, exact("酒后驾驶"), filters=Filters(kind="article")) == ["a18"]


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
