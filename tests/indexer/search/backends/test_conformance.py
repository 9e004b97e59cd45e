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
