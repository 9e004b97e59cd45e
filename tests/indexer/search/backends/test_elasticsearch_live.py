"""The Elasticsearch engine against a real server (FAGUI_ES_URL): the template and analyzers as Elasticsearch
applies them, indexing and searching, a rebuild that swaps the alias while searches run, digests.
The shared conformance suite (test_conformance.py) also runs on this engine when FAGUI_ES_URL is set."""

from __future__ import annotations

import os
import re
import threading
import time
import uuid

import pytest

from indexer.search.backends.base import Clause, Filters, SearchRequest, TextQuery
from indexer.search.index_docs import OPEN_END, digest

pytestmark = pytest.mark.skipif(
    not os.environ.get("FAGUI_ES_URL"),
    reason="FAGUI_ES_URL is not set: no Elasticsearch to test against "
    "(docker compose up -d --wait elasticsearch, then FAGUI_ES_URL=http://127.0.0.1:9200)",
)


def mk(id_, work, version, text, title="", **kw):
    d = {
        "id": id_, "kind": "version", "work_id": work, "version_id": version, "doc_type": "法律",
        "region": "全国", "status": "effective", "body_ids": ["1"], "published": 20200101,
        "effective": 20200101, "effective_to": OPEN_END, "ended": OPEN_END, "is_current": 1, "weight": 6.0,
        "doc_number_key": "", "title_key": title.replace(" ", ""), "title_tok": title,
        "text_tok": f"{title} {text}",
    }
    d.update(kw)
    d["digest"] = digest(d)
    return d


def article(id_, work, version, article_id, number, text, **kw):
    d = mk(id_, work, version, text, kind="article", article_id=article_id, number=number, sub=0, **kw)
    for key in ("title_tok", "title_key"):
        d.pop(key)
    d["text_tok"] = text
    d["digest"] = digest(d)
    return d


DOCS = [
    mk("v1", "w1", 1, "机动车 驾驶人 饮酒 驾驶 机动车 处 罚款", title="道路 交通 安全法", published=20210429),
    article("a11", "w1", 1, 11, 91, "饮酒 驾驶 机动车 处 暂扣 驾驶证"),
    mk("v2", "w2", 2, "网络 安全 数据 安全 个人 信息", title="网络 安全法", body_ids=["2", "1"], published=20161107),
    mk("v3", "w3", 3, "道路 运输 经营 驾驶人", title="山东省 道路 运输 条例", region="山东省", weight=2.0,
       doc_type="地方性法规", body_ids=["3"]),
]
NEW_DOCS = [
    mk("v7", "w7", 7, "食品 安全 标准", title="食品 安全法", published=20150424),
    mk("v8", "w8", 8, "药品 管理", title="药品 管理法", published=20190826),
]


@pytest.fixture
def backend():
    from indexer.search.backends.elasticsearch_backend import ElasticsearchBackend

    engine = ElasticsearchBackend(os.environ["FAGUI_ES_URL"], alias=f"fagui-livetest-{uuid.uuid4().hex[:8]}")
    yield engine
    engine.drop_all()
    engine.close()


def hit_ids(backend, text=None, **kw):
    filters = kw.pop("filters", Filters())
    result = backend.search(SearchRequest(text=text or TextQuery(), filters=filters, limit=20, **kw))
    return [h.doc_id for h in result.hits]


def words(*ws, **kw):
    return TextQuery(must=tuple(Clause(tuple(w.split())) for w in ws), **kw)


def test_template_and_analyzers_as_elasticsearch_applies_them(backend):
    backend.replace_works(["w1"], DOCS[:2])
    client = backend._client
    (index,) = backend._alias_indices()
    assert re.fullmatch(re.escape(backend.alias) + r"-\d{20}", index)
    assert client.indices.get_index_template(name=backend.alias)["index_templates"]
    pre = client.indices.analyze(index=index, field="text_tok", text="道路 交通\t道路交通\nABC x\u3000y")
    assert [t["token"] for t in pre["tokens"]] == ["道路", "交通", "道路交通", "ABC", "x\u3000y"]  # as Tantivy
    exact = client.indices.analyze(index=index, field="text_bi", text="饮酒 酒后 后驾 PM M2")
    assert [t["token"] for t in exact["tokens"]] == ["饮酒", "酒后", "后驾", "PM", "M2"]  # nothing lowered
    assert [t["position"] for t in exact["tokens"]] == [0, 1, 2, 3, 4]
    mapping = client.indices.get_mapping(index=index)[index]["mappings"]
    assert mapping["properties"]["text_bi"]["analyzer"] == "exact_chars"
    # tokens are indexed but not kept in _source; the digest is
    doc = client.get(index=index, id="v1")["_source"]
    assert "text_tok" not in doc and doc["digest"] == DOCS[0]["digest"]


def test_index_search_filter_facet_and_digest(backend):
    backend.replace_works(["w1", "w2", "w3"], DOCS)
    assert backend.count() == 4
    assert set(hit_ids(backend, words("驾驶人"))) == {"v1", "v3"}
    assert hit_ids(backend, words("驾驶人"))[0] == "v1"  # national law, higher weight, title match
    assert hit_ids(backend, words("饮酒 驾驶"), filters=Filters(kind="article")) == ["a11"]
    article_hit = backend.search(SearchRequest(text=words("暂扣"), filters=Filters(kind="article"))).hits[0]
    assert (article_hit.article_id, article_hit.work_key, article_hit.version_id) == (11, "w1", 1)
    assert hit_ids(backend, filters=Filters(body_ids=("2",))) == ["v2"]
    result = backend.search(SearchRequest(facets=True, count_field="work_id", sort="published"))
    assert [h.doc_id for h in result.hits] == ["v1", "v3", "v2"] and result.total == 3
    assert dict(result.facets["region"]) == {"全国": 2, "山东省": 1}
    # a value counts works (a cardinality per value), not the versions of a work matching several times
    second = dict(DOCS[2], id="v9", version_id=9, status="amended", published=20150101)
    backend.replace_works(["w3"], [DOCS[2], second])
    every = backend.search(SearchRequest(filters=Filters(statuses=()), facets=True, count_field="work_id"))
    assert every.total == 3 and dict(every.facets["region"]) == {"全国": 2, "山东省": 1}
    assert dict(every.facets["status"]) == {"effective": 3, "amended": 1}
    backend.replace_works(["w3"], [DOCS[2]])
    exact = backend.search(SearchRequest(text=words("安全法", title_key="网络安全法")))
    assert exact.hits[0].doc_id == "v2"
    assert backend.digests() == {d["id"]: d["digest"] for d in DOCS}
    backend.replace_works(["w1"], [DOCS[0]])  # the article is gone from the store
    assert set(backend.digests()) == {"v1", "v2", "v3"}


def test_rebuild_swaps_the_alias_while_searches_run(backend):
    backend.replace_works(["w1", "w2", "w3"], DOCS)
    (first,) = backend._alias_indices()
    old_ids, new_ids = {"v1", "v2", "v3"}, {"v7", "v8"}
    seen: list[set[str]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def searching():
        while not stop.is_set():
            try:
                seen.append(set(hit_ids(backend)))
            except BaseException as exc:  # any failure during the swap is the bug this test looks for
                errors.append(exc)

    def slow_batches():
        for doc in NEW_DOCS:
            time.sleep(0.3)
            yield [doc]

    thread = threading.Thread(target=searching)
    thread.start()
    try:
        assert backend.rebuild(slow_batches()) == 2
        time.sleep(0.3)
    finally:
        stop.set()
        thread.join()
    assert not errors, errors[:3]
    assert seen and all(s in (old_ids, new_ids) for s in seen), [s for s in seen if s not in (old_ids, new_ids)]
    assert seen[0] == old_ids and seen[-1] == new_ids
    (second,) = backend._alias_indices()
    assert second != first
    assert backend._versioned_indices() == [second]  # the old index is gone
    assert backend.digests() == {d["id"]: d["digest"] for d in NEW_DOCS}


def test_half_built_index_is_removed_by_the_next_rebuild(backend):
    backend.rebuild(iter([DOCS]))
    (current,) = backend._alias_indices()
    leftover = backend._new_index_name()  # what a rebuild killed with SIGKILL leaves behind
    backend._create_index(leftover, extra_settings={"refresh_interval": "-1"})

    def dying():
        yield NEW_DOCS
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backend.rebuild(dying())
    assert backend._alias_indices() == [current]
    assert set(backend.digests()) == {d["id"] for d in DOCS}
    backend.rebuild(iter([NEW_DOCS]))
    (final,) = backend._alias_indices()
    assert backend._versioned_indices() == [final] and leftover != final != current
