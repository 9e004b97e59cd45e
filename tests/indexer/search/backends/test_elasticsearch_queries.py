"""The Elasticsearch engine without an Elasticsearch: the index template, the query/aggregation builders, the
response parser, and the real client talking HTTP to a small fake server on 127.0.0.1 (alias swap, bulk
writes, errors). Runs everywhere; tests/indexer/search/backends/test_elasticsearch_live.py needs a real server."""

from __future__ import annotations

import copy
import json
import math
import re
import socket
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from indexer.search.backends import elasticsearch_backend as esb
from indexer.search.backends.base import (
    ARTICLE_FIELDS,
    FACET_FIELDS,
    TOGETHER_BOOST,
    TOGETHER_FIRST_BOOST,
    BackendUnavailable,
    Clause,
    Filters,
    SearchRequest,
    TextQuery,
    pair_slop,
)
from indexer.search.backends.elasticsearch_backend import (
    ElasticsearchBackend,
    build_aggs,
    build_body,
    build_filters,
    build_query,
    load_template,
    parse_response,
)
from indexer.search.index_docs import OPEN_END, digest

# -- the template -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template():
    return load_template()


@pytest.fixture(scope="module")
def real_doc_keys(tmp_path_factory):
    """The keys of the documents search_docs really builds (versions and articles of a few sample works)."""
    from crawlers.sources import lawrefbook
    from fagui.settings import BUNDLED_SAMPLE, load_settings
    from indexer.ingest.pipeline import ingest
    from indexer.search.index_docs import all_work_ids, iter_doc_batches
    from indexer.store.db import make_engine, session_factory
    from indexer.store.migrate import upgrade

    settings = load_settings({"FAGUI_DATA_DIR": str(tmp_path_factory.mktemp("es-keys"))})
    engine = make_engine(settings=settings)
    upgrade(engine)
    factory = session_factory(engine)
    report = lawrefbook.read_corpus(BUNDLED_SAMPLE)
    ingest(factory, lawrefbook.SOURCE, report.records[:5], report.errors)
    keys: dict[str, set[str]] = {"version": set(), "article": set()}
    with factory() as session:
        for _, docs in iter_doc_batches(session, all_work_ids(session)):
            for doc in docs:
                keys[doc["kind"]] |= set(doc)
    engine.dispose()
    assert keys["version"] and keys["article"]
    return keys


def test_template_file_is_valid_json_for_the_docs_pattern(template):
    raw = esb.TEMPLATE_PATH.read_text(encoding="utf-8")
    assert json.loads(raw) == template
    assert template["index_patterns"] == ["fagui-docs-*"]
    assert isinstance(template["priority"], int)
    settings = template["template"]["settings"]
    assert settings["index"]["number_of_shards"] == 1
    assert settings["index"]["refresh_interval"] == "1s"


def test_template_analyzers(template):
    analysis = template["template"]["settings"]["analysis"]
    # tokens made in Python, split where Tantivy's whitespace tokenizer splits (ASCII whitespace) and nothing
    # else: no lowercasing, no dropping (test_es_analysis_lucene.py runs them through Lucene's classes)
    assert analysis["tokenizer"] == {"ascii_whitespace": {"type": "pattern", "pattern": "[ \\t\\n\\f\\r]+"}}
    for name in ("pretokenised", "exact_chars"):
        assert analysis["analyzer"][name] == {"type": "custom", "tokenizer": "ascii_whitespace", "filter": []}
    assert "char_filter" not in analysis


def test_mapping_covers_every_field_search_docs_builds(template, real_doc_keys):
    props = template["template"]["mappings"]["properties"]
    assert real_doc_keys["version"] | real_doc_keys["article"] <= set(props)
    assert template["template"]["mappings"]["dynamic"] is False


def test_mapping_indexes_what_the_tantivy_engine_indexes(template):
    from indexer.search.backends.tantivy_backend import _FIELDS

    assert set(_FIELDS) <= set(template["template"]["mappings"]["properties"])


def test_mapping_types(template):
    mappings = template["template"]["mappings"]
    props = mappings["properties"]
    for name in ("kind", "work_id", "doc_type", "region", "status", "body_ids", "doc_number_key", "title_key"):
        assert props[name]["type"] == "keyword", name
    for name in ("published", "effective", "effective_to", "ended", "is_current"):
        assert props[name]["type"] == "integer", name
    assert props["weight"]["type"] == "float"
    for name in ("title_tok", "text_tok", "article_tok"):
        assert props[name] == {"type": "text", "analyzer": "pretokenised"}
    for name in ("title_bi", "text_bi", "article_bi"):  # positions: a run of characters is a phrase of bigrams
        assert props[name] == {"type": "text", "analyzer": "exact_chars"}
    for name in ("title_uni", "text_uni", "article_uni"):  # one-character terms: presence is enough
        assert props[name]["analyzer"] == "exact_chars" and props[name]["index_options"] == "docs"
    # the tokens stay out of _source; ids and digests stay in it
    assert set(mappings["_source"]["excludes"]) == {"title_tok", "text_tok", "title_bi", "text_bi", "title_uni",
                                                    "text_uni", "article_tok", "article_bi", "article_uni"}
    assert props["digest"]["index"] is False
    for name in set(FACET_FIELDS) | {"work_id"}:
        assert props[name].get("doc_values", True), name


def test_phrase_slop_is_the_one_both_engines_share():
    from indexer.search.backends import tantivy_backend

    assert esb.pair_slop is pair_slop is tantivy_backend.pair_slop
    assert pair_slop("河南", "未成年人保护") == 10 and pair_slop("饮酒", "驾驶") == 6


# -- query building -------------------------------------------------------------------------------------------


def q(*words, phrase=False, **kw) -> TextQuery:
    return TextQuery(must=tuple(Clause(tuple(w.split()), phrase=phrase) for w in words), **kw)


def bool_of(request: SearchRequest) -> dict:
    return build_query(request)["function_score"]["query"]["bool"]


def test_score_is_multiplied_by_log2_of_two_plus_weight():
    fs = build_query(SearchRequest(text=q("驾驶人")))["function_score"]
    assert fs["boost_mode"] == "multiply"
    (fn,) = fs["functions"]
    assert fn["field_value_factor"] == {"field": "weight", "modifier": "ln2p", "missing": 0}
    for w in (0.0, 2.0, 6.0, 14.0):  # ln(2 + w) * weight == log2(2 + w)
        assert math.isclose(math.log(2 + w) * fn["weight"], math.log2(2 + w))


def test_words_must_all_match_with_title_boost_on_versions():
    must = bool_of(SearchRequest(text=q("机动车 驾驶人", "罚款")))["must"]
    assert len(must) == 2
    first = must[0]["bool"]
    assert first["must"] == [{"match": {"text_tok": {"query": "机动车 驾驶人", "operator": "and"}}}]
    assert first["should"] == [
        {"match": {"title_tok": {"query": "机动车 驾驶人", "operator": "and", "boost": esb.TITLE_BOOST}}}
    ]
    assert esb.TITLE_BOOST == 3.0


def test_articles_get_no_title_clause_and_no_exact_title():
    b = bool_of(SearchRequest(text=q("罚款", title_key="道路交通安全法"), filters=Filters(kind="article")))
    assert b["must"] == [{"match": {"article_tok": {"query": "罚款", "operator": "and"}}}]
    assert "should" not in b


def test_phrase_is_checked_pair_by_pair_with_the_shared_slop():
    must = bool_of(SearchRequest(text=q("饮酒 驾驶", phrase=True)))["must"][0]["bool"]["must"][0]
    assert must == {"match_phrase": {"text_tok": {"query": "饮酒 驾驶", "slop": pair_slop("饮酒", "驾驶")}}}
    # three or more tokens: each neighbouring pair within its own slop, as Tantivy checks it (one phrase with one
    # slop missed titles whose pieces stand between the words: 河南省 未成年人保护 条例)
    tokens = ("河南", "未成年人保护", "条例")
    clause = bool_of(SearchRequest(text=TextQuery(must=(Clause(tokens, phrase=True),), title_only=True)))["must"][0]
    assert clause == {"bool": {"must": [
        {"match_phrase": {"title_tok": {"query": "河南 未成年人保护", "slop": 10}}},
        {"match_phrase": {"title_tok": {"query": "未成年人保护 条例", "slop": 10}}},
    ]}}
    title = bool_of(SearchRequest(text=TextQuery(must=(Clause(tokens, phrase=True),))))["must"][0]["bool"]["should"]
    assert title[0]["bool"]["boost"] == esb.TITLE_BOOST and len(title[0]["bool"]["must"]) == 2
    # a one-token "phrase" is a plain term match
    single = bool_of(SearchRequest(text=q("饮酒", phrase=True)))["must"][0]["bool"]["must"][0]
    assert single == {"match": {"text_tok": {"query": "饮酒", "operator": "and"}}}


def test_title_only_searches_the_title_field_alone():
    b = bool_of(SearchRequest(text=q("安全法", title_only=True, exclude=(Clause(("网络",)),))))
    assert b["must"] == [{"match": {"title_tok": {"query": "安全法", "operator": "and"}}}]
    assert b["must_not"] == [{"match": {"title_tok": {"query": "网络", "operator": "and"}}}]


def test_exclusion_is_a_phrase_in_must_not():
    b = bool_of(SearchRequest(text=q("驾驶人", exclude=(Clause(("从重", "处罚")),))))
    assert b["must_not"] == [{"match_phrase": {"text_tok": {"query": "从重 处罚", "slop": pair_slop("从重", "处罚")}}}]


def test_any_of_groups_need_one_clause_each():
    text = TextQuery(must=(Clause(("驾驶人",)),), any_of=((Clause(("数据",)), Clause(("罚款",))),))
    must = bool_of(SearchRequest(text=text))["must"]
    assert len(must) == 2
    group = must[1]["bool"]
    assert group["minimum_should_match"] == 1 and len(group["should"]) == 2


def test_match_any_ors_every_clause():
    text = TextQuery(must=(Clause(("饮酒",)), Clause(("罚款",))), any_of=((Clause(("数据",)),),), match_any=True)
    must = bool_of(SearchRequest(text=text, filters=Filters(kind="article")))["must"]
    assert len(must) == 1
    alternatives = must[0]["bool"]
    assert alternatives["minimum_should_match"] == 1
    assert [next(iter(c["match"]["article_tok"].values())) for c in alternatives["should"]] == ["饮酒", "罚款", "数据"]


def test_exact_title_key_is_an_optional_boost():
    b = bool_of(SearchRequest(text=q("道路 交通 安全法", title_key="道路交通安全法")))
    assert b["should"] == [{"term": {"title_key": {"value": "道路交通安全法", "boost": esb.EXACT_TITLE_BOOST}}}]
    assert len(b["must"]) == 1  # the should only adds score: filter + must make it optional


def test_terms_together_is_an_optional_exact_phrase_boost():
    b = bool_of(SearchRequest(text=q("用人单位", "拒不", together="用人单位拒不")))
    run = {"match_phrase": {"text_bi": {"query": "用人 人单 单位 位拒 拒不", "slop": 0}}}
    # Lucene's BM25 is Tantivy's divided by (k1 + 1): a constant beside it is divided alike
    assert b["should"] == [{"constant_score": {"filter": run, "boost": TOGETHER_BOOST * esb.LUCENE_SCALE}}]
    assert len(b["must"]) == 2
    first = bool_of(SearchRequest(text=replace(q("第十六条", "企业", together="第十六条企业"), together_first=True)))
    assert first["should"][0]["constant_score"]["boost"] == TOGETHER_FIRST_BOOST * esb.LUCENE_SCALE
    title_only = bool_of(SearchRequest(text=q("用人单位", "拒不", together="用人单位拒不", title_only=True)))
    assert "title_bi" in title_only["should"][0]["constant_score"]["filter"]["match_phrase"]


def test_empty_text_scores_every_filtered_document_zero_as_tantivy():
    b = bool_of(SearchRequest())
    assert b == {"filter": [{"term": {"kind": "version"}}, {"terms": {"status": ["effective"]}}]}  # score 0.0
    # ordered by a unique key on both engines (base.listing_order), every hit scoring 0.0
    assert build_body(SearchRequest())["sort"] == [{"version_id": {"order": "desc"}}]
    assert build_body(SearchRequest(filters=Filters(kind="article")))["sort"] == [{"article_id": {"order": "desc"}}]
    assert build_body(SearchRequest(sort="published"))["sort"] == [{"published": {"order": "desc"}}]
    listed = parse_response(SearchRequest(), {"hits": {"total": {"value": 1}, "hits": [
        {"_id": "v9", "_score": None, "sort": [9], "_source": {"work_id": "w9", "version_id": 9}}]}})
    assert listed.hits[0].score == 0.0


def test_filters():
    f = Filters(
        kind="article", doc_types=("法律", "行政法规"), regions=("全国",), statuses=("effective", "amended"),
        body_ids=("1", "2"), published_from=20200101, published_to=20201231, effective_to=20211231,
        version_ids=(3, 4), doc_number_key="川府规2023-1", current_only=True,
    )
    assert build_filters(f) == [
        {"term": {"kind": "article"}},
        {"terms": {"doc_type": ["法律", "行政法规"]}},
        {"terms": {"region": ["全国"]}},
        {"terms": {"body_ids": ["1", "2"]}},
        {"terms": {"status": ["effective", "amended"]}},
        {"range": {"published": {"gte": 20200101, "lte": 20201231}}},
        {"range": {"effective": {"lte": 20211231}}},
        {"terms": {"version_id": [3, 4]}},
        {"term": {"doc_number_key": "川府规2023-1"}},
        {"term": {"is_current": 1}},
    ]


def test_region_scope_and_topic_filters():
    """Issue 20: the deployment's scope and the reader's region are two filters on region_codes (each any-of)."""
    out = build_filters(Filters(scope_codes=("410000", "000000"), region_codes=("410100",), topics=("交通",)))
    assert out == [
        {"term": {"kind": "version"}},
        {"terms": {"region_codes": ["410000", "000000"]}},
        {"terms": {"region_codes": ["410100"]}},
        {"terms": {"topic": ["交通"]}},
        {"terms": {"status": ["effective"]}},
    ]


def test_as_of_replaces_the_status_filter():
    out = build_filters(Filters(as_of=20180101, statuses=("effective",)))
    assert out == [
        {"term": {"kind": "version"}},
        {"range": {"effective": {"gte": 1, "lte": 20180101}}},
        {"range": {"effective_to": {"gte": 20180102}}},
        {"range": {"ended": {"gte": 20180102}}},
    ]
    assert build_filters(Filters(statuses=())) == [{"term": {"kind": "version"}}]
    # works that ended on a day nobody knows are indexed as ended on 0, and counted with ended_to=0
    assert build_filters(Filters(statuses=(), ended_to=0)) == [
        {"term": {"kind": "version"}}, {"range": {"ended": {"lte": 0}}}]


def test_body_sort_paging_and_source():
    body = build_body(SearchRequest(sort="published", offset=20, limit=10))
    assert body["sort"] == [{"published": {"order": "desc"}}]
    assert (body["from"], body["size"], body["track_total_hits"]) == (20, 10, True)
    assert body["_source"] == ["work_id", "version_id", "article_id"]
    assert "sort" not in build_body(SearchRequest(text=q("罚款"), sort="relevance"))
    assert build_body(SearchRequest(sort="effective"))["sort"] == [{"effective": {"order": "desc"}}]
    assert "aggs" not in build_body(SearchRequest())
    # a page reaching past max_result_window goes through search_after in a point in time
    assert not esb.is_deep(SearchRequest(offset=9990, limit=10))
    assert esb.is_deep(SearchRequest(offset=9995, limit=10)) and esb.is_deep(SearchRequest(limit=30010))
    first = esb.deep_body(SearchRequest(text=q("罚款"), limit=30010, facets=True), "p1", None, 10000)
    assert first["pit"] == {"id": "p1", "keep_alive": "1m"} and first["sort"] == [{"_score": {"order": "desc"}}]
    assert first["track_total_hits"] is True and "aggs" in first and "search_after" not in first
    later = esb.deep_body(SearchRequest(sort="published", limit=30010, facets=True), "p2", [20200101, 7], 10000)
    assert later["search_after"] == [20200101, 7] and later["sort"] == [{"published": {"order": "desc"}}]
    assert later["track_total_hits"] is False and "aggs" not in later and "from" not in later


def test_aggs_facets_and_distinct_total():
    aggs = build_aggs(SearchRequest(facets=True, count_field="work_id"))
    for name, size in FACET_FIELDS.items():  # counting works, each value counts its works too
        assert aggs[name] == {"terms": {"field": name, "size": size}, "aggs": {"_works": {
            "cardinality": {"field": "work_id", "precision_threshold": 40000}}}}
    documents = build_aggs(SearchRequest(facets=True))
    assert all(documents[name] == {"terms": {"field": name, "size": size}} for name, size in FACET_FIELDS.items())
    assert aggs["distinct_total"] == {"cardinality": {"field": "work_id", "precision_threshold": 40000}}
    assert build_aggs(SearchRequest()) == {}


def test_parse_response_hits_facets_and_totals():
    response = {
        "hits": {
            "total": {"value": 7, "relation": "eq"},
            "hits": [
                {"_id": "v1", "_score": 4.5, "_source": {"work_id": "w1", "version_id": 1}},
                {"_id": "a9", "_score": 2.0, "_source": {"work_id": "w2", "version_id": 2, "article_id": 9}},
            ],
        },
        "aggregations": {
            "status": {"buckets": [{"key": "effective", "doc_count": 5}, {"key": "repealed", "doc_count": 2}]},
            "body_ids": {"buckets": [{"key": "1", "doc_count": 3}]},
            "distinct_total": {"value": 4},
        },
    }
    plain = parse_response(SearchRequest(text=q("罚款")), response)
    assert plain.total == 7 and plain.facets == {}
    assert [(h.doc_id, h.work_key, h.version_id, h.score, h.article_id) for h in plain.hits] == [
        ("v1", "w1", 1, 4.5, None), ("a9", "w2", 2, 2.0, 9)]
    full = parse_response(SearchRequest(facets=True, count_field="work_id"), response)
    assert full.total == 4
    assert full.facets["status"] == [("effective", 5), ("repealed", 2)]
    assert full.facets["body_ids"] == [("1", 3)] and full.facets["doc_type"] == []
    # a value's works (its cardinality sub-aggregation) are its count, most first
    by_work = {"hits": {"total": {"value": 7}, "hits": []}, "aggregations": {
        "status": {"buckets": [{"key": "amended", "doc_count": 5, "_works": {"value": 1}},
                               {"key": "effective", "doc_count": 3, "_works": {"value": 3}}]},
        "distinct_total": {"value": 4}}}
    assert parse_response(SearchRequest(facets=True, count_field="work_id"), by_work).facets["status"] == [
        ("effective", 3), ("amended", 1)]
    by_date = parse_response(SearchRequest(sort="published"), {"hits": {"total": {"value": 1}, "hits": [
        {"_id": "v1", "_score": None, "sort": [20210429], "_source": {"work_id": "w1", "version_id": 1}}]}})
    assert by_date.hits[0].score == 20210429.0


def test_alias_names_are_checked():
    with pytest.raises(ValueError):
        ElasticsearchBackend("http://127.0.0.1:9200", alias="Fagui Docs")


# -- the real client against a fake server on 127.0.0.1 -----------------------------------------------------


class FakeElasticsearch:
    """Just enough of Elasticsearch's REST API, with state: indices, aliases, documents, templates. Every
    request is recorded as (method, path, query, body)."""

    def __init__(self) -> None:
        self.indices: dict[str, dict] = {}  # name -> {"aliases": {alias: {...}}, "docs": {id: source}}
        self.templates: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict, object]] = []
        self.scrolls: dict[str, list[dict]] = {}
        self.pits: dict[str, list[str]] = {}  # open points in time -> the indices they hold
        self.failing_shards = 0  # the next searches answer 200 with a failed shard and half the hits
        self.search_errors: list[int] = []  # statuses the next searches answer with
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                url = urlsplit(self.path)
                path = unquote(url.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if path.endswith("/_bulk"):
                    body = [json.loads(line) for line in raw.splitlines() if line.strip()]
                else:
                    body = json.loads(raw) if raw else None
                fake.requests.append((self.command, path, query, body))
                try:
                    status, payload = fake.route(self.command, path, query, body)
                except Exception as exc:  # a bug in the fake: answer, so the test shows it
                    status, payload = 500, {"error": {"type": "fake_error", "reason": repr(exc)}, "status": 500}
                data = b"" if payload is None else json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # state helpers
    def add_index(self, name: str, aliases=(), docs=None) -> None:
        spec = aliases if isinstance(aliases, dict) else {a: {} for a in aliases}
        self.indices[name] = {"aliases": dict(spec), "docs": dict(docs or {}), "settings": {},
                              "mappings": esb.load_template()["template"]["mappings"]}

    def resolve(self, target: str) -> list[str]:
        names = []
        for part in target.split(","):
            if "*" in part:
                rx = re.compile(re.escape(part).replace(r"\*", ".*"))
                names += [n for n in self.indices if rx.fullmatch(n)]
            elif part in self.indices:
                names.append(part)
            else:
                names += [n for n, i in self.indices.items() if part in i["aliases"]]
        return sorted(set(names))

    def calls(self, method: str, pattern: str) -> list[tuple]:
        return [r for r in self.requests if r[0] == method and re.fullmatch(pattern, r[1])]

    @staticmethod
    def not_found(what: str, kind: str = "index_not_found_exception") -> tuple[int, dict]:
        return 404, {"error": {"type": kind, "reason": f"no such index [{what}]"}, "status": 404}

    def route(self, method: str, path: str, query: dict, body) -> tuple[int, object]:
        parts = [p for p in path.split("/") if p]
        ack = {"acknowledged": True}
        shards = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}
        if parts[:1] == ["_index_template"]:
            if method == "PUT":
                self.templates[parts[1]] = body
                return 200, ack
            if method == "DELETE":
                return (200, ack) if self.templates.pop(parts[1], None) else self.not_found(parts[1])
        if parts == ["_aliases"] and method == "POST":
            for action in body["actions"]:
                (op, spec), = action.items()
                if op == "remove":
                    self.indices[spec["index"]]["aliases"].pop(spec["alias"], None)
                elif op == "add":
                    self.indices[spec["index"]]["aliases"][spec["alias"]] = {
                        k: v for k, v in spec.items() if k not in ("index", "alias")}
            return 200, ack
        if parts[:1] == ["_alias"]:  # GET/HEAD /_alias/<name>
            found = {n: {"aliases": i["aliases"]} for n, i in self.indices.items() if parts[1] in i["aliases"]}
            if not found:
                return 404, {"error": f"alias [{parts[1]}] missing", "status": 404}
            return 200, found
        if parts == ["_pit"] and method == "DELETE":
            self.pits.pop(body["id"], None)
            return 200, {"succeeded": True, "num_freed": 1}
        if len(parts) == 2 and parts[1] == "_pit" and method == "POST":
            pit_id = f"pit-{len(self.requests)}"
            self.pits[pit_id] = self.resolve(parts[0])
            return 200, {"id": pit_id}
        if parts == ["_search"] and (body or {}).get("pit"):
            return self.search(self.pits[body["pit"]["id"]], query, body)
        if parts == ["_search", "scroll"]:
            if method == "DELETE":
                return 200, {"succeeded": True, "num_freed": 1}
            return 200, {"_scroll_id": "s1", "_shards": shards, "hits": {"total": {"value": 0}, "hits": []}}
        if len(parts) == 2 and parts[1] == "_alias":  # GET /<pattern>/_alias
            return 200, {n: {"aliases": self.indices[n]["aliases"]} for n in self.resolve(parts[0])}
        if len(parts) == 1 and method == "PUT":  # create index
            if parts[0] in self.indices:
                return 400, {"error": {"type": "resource_already_exists_exception"}, "status": 400}
            self.add_index(parts[0], aliases=(body or {}).get("aliases", {}))
            self.indices[parts[0]]["settings"] = copy.deepcopy((body or {}).get("settings", {}))
            self.indices[parts[0]]["create_body"] = body
            self.indices[parts[0]]["mappings"] = copy.deepcopy((body or {}).get("mappings", {}))
            return 200, {"acknowledged": True, "index": parts[0]}
        if len(parts) == 1 and method == "DELETE":
            for name in parts[0].split(","):
                self.indices.pop(name, None)
            return 200, ack
        names = self.resolve(parts[0]) if parts else []
        if parts and not names and not parts[0].startswith("_"):
            return self.not_found(parts[0])
        tail = parts[1] if len(parts) > 1 else ""
        if tail == "_settings":
            update = body.get("settings", body)["index"]  # the client sends the settings as the body
            self.indices[names[0]]["settings"].setdefault("index", {}).update(update)
            return 200, ack
        if tail == "_mapping" and method == "GET":
            return 200, {n: {"mappings": self.indices[n]["mappings"]} for n in names}
        if tail == "_refresh":
            return 200, {"_shards": shards}
        if tail == "_count":
            return 200, {"count": sum(len(self.indices[n]["docs"]) for n in names), "_shards": shards}
        if tail == "_bulk":
            return 200, self.bulk(names, query, body)
        if tail == "_search":
            return self.search(names, query, body)
        return 400, {"error": {"type": "fake_unsupported", "reason": f"{method} {path}"}, "status": 400}

    def search(self, names: list[str], query: dict, body) -> tuple[int, object]:
        """Every matching document scores 1.0; ties in index order, as Elasticsearch's (sort values [1.0, n]
        stand for _score and the point in time's _shard_doc)."""
        body = body or {}
        if self.search_errors and "scroll" not in query:
            status = self.search_errors.pop(0)
            return status, {"error": {"type": "search_phase_execution_exception", "reason": "all shards failed"},
                            "status": status}
        wanted = body.get("_source", query.get("_source", True))
        if isinstance(wanted, str):
            wanted = wanted not in ("false",) and wanted.split(",")
        hits = [
            {"_index": n, "_id": i, "_score": 1.0,
             **({"_source": {k: v for k, v in d.items() if wanted is True or k in wanted}} if wanted else {})}
            for n in names for i, d in self.indices[n]["docs"].items()
            if self.matches(d, body.get("query", {}))
        ]
        total = len(hits)
        for n, hit in enumerate(hits):
            hit["sort"] = [1.0, n]
        if "search_after" in body:
            hits = hits[body["search_after"][1] + 1:]
        if "size" in body and "scroll" not in query:
            hits = hits[body.get("from", 0): body.get("from", 0) + body["size"]]
        shards = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}
        if self.failing_shards and "scroll" not in query:
            self.failing_shards -= 1
            shards = {"total": 2, "successful": 1, "skipped": 0, "failed": 1}
            hits, total = hits[: len(hits) // 2], total // 2
        answer = {"_scroll_id": "s1", "took": 1, "timed_out": False, "_shards": shards,
                  "hits": {"total": {"value": total, "relation": "eq"}, "hits": hits}}
        if body.get("pit"):
            answer["pit_id"] = body["pit"]["id"]
        return 200, answer

    @staticmethod
    def matches(doc: dict, query: dict) -> bool:
        if "terms" in query:
            (field, values), = query["terms"].items()
            return doc.get(field) in values
        return True

    def bulk(self, names: list[str], query: dict, lines: list[dict]) -> dict:
        items = []
        it = iter(lines)
        for meta in it:
            (op, spec), = meta.items()
            index = self.resolve(spec.get("_index", names[0] if names else ""))[0]
            docs = self.indices[index]["docs"]
            if op == "index":
                docs[spec["_id"]] = next(it)
                items.append({op: {"_index": index, "_id": spec["_id"], "status": 201, "result": "created"}})
            elif op == "delete":
                found = docs.pop(spec["_id"], None) is not None
                items.append({op: {"_index": index, "_id": spec["_id"], "status": 200 if found else 404}})
        return {"took": 1, "errors": False, "items": items}


@pytest.fixture
def fake():
    server = FakeElasticsearch()
    yield server
    server.close()


def mk(id_, work, **kw):
    d = {"id": id_, "kind": "version", "work_id": work, "version_id": int(id_[1:]), "doc_type": "法律",
         "region": "全国", "status": "effective", "body_ids": ["1"], "published": 20200101,
         "effective": 20200101, "effective_to": OPEN_END, "ended": OPEN_END, "is_current": 1, "weight": 6.0,
         "doc_number_key": "", "title_tok": "道路 交通 安全法", "text_tok": "道路 交通 安全法 饮酒 驾驶"}
    d.update(kw)
    d["digest"] = digest(d)
    return d


OLD = "fagui-docs-20240101000000000000"
STALE = "fagui-docs-20230101000000000000"
OTHER = "fagui-docs-staging-20230101000000000000"  # another alias's index: never touched


def test_rebuild_swaps_the_alias_in_one_update_aliases_call(fake):
    fake.add_index(OLD, aliases=["fagui-docs"], docs={"v9": {"digest": "x"}})
    fake.add_index(STALE)  # left by a rebuild that died
    fake.add_index(OTHER)
    backend = ElasticsearchBackend(fake.url)
    count = backend.rebuild(iter([[mk("v1", "w1"), mk("v2", "w2")], [mk("v3", "w3")]]))
    assert count == 3

    swaps = fake.calls("POST", "/_aliases")
    assert len(swaps) == 1
    (new,) = [n for n in fake.indices if n not in (OLD, STALE, OTHER)]
    assert re.fullmatch(r"fagui-docs-\d{20}", new)
    assert swaps[0][3]["actions"] == [
        {"remove": {"index": OLD, "alias": "fagui-docs"}},
        {"add": {"index": new, "alias": "fagui-docs", "is_write_index": True}},
    ]
    # the swap came after the whole load and the refresh
    order = [(m, p) for m, p, _, _ in fake.requests]
    assert order.index(("POST", "/_aliases")) > max(i for i, r in enumerate(order) if r[1].endswith("/_bulk"))
    # old and half-built indices deleted, the new one and another alias's index kept
    assert set(fake.indices) == {new, OTHER}
    assert fake.indices[new]["aliases"] == {"fagui-docs": {"is_write_index": True}}
    # built from the template, with refreshes off during the load and back on afterwards
    assert fake.templates["fagui-docs"]["index_patterns"] == ["fagui-docs-*"]
    created = fake.indices[new]["create_body"]
    assert created["mappings"] == load_template()["template"]["mappings"]
    assert created["settings"]["index"]["refresh_interval"] == "-1"
    assert fake.indices[new]["settings"]["index"]["refresh_interval"] == "1s"
    assert set(fake.indices[new]["docs"]) == {"v1", "v2", "v3"}
    assert "text_tok" in fake.indices[new]["docs"]["v1"]  # sent; the mapping keeps it out of _source
    assert backend.digests() == {d["id"]: d["digest"] for d in (mk("v1", "w1"), mk("v2", "w2"), mk("v3", "w3"))}


def test_an_index_built_by_an_older_fagui_is_refused_until_rebuilt(fake):
    # Built before articles had fields of their own: an article search would find nothing there, silently.
    old_mappings = esb.load_template()["template"]["mappings"]
    for name in ARTICLE_FIELDS.values():
        del old_mappings["properties"][name]
    fake.add_index(OLD, aliases=["fagui-docs"], docs={"v9": {"digest": "x"}})
    fake.indices[OLD]["mappings"] = old_mappings
    backend = ElasticsearchBackend(fake.url)
    with pytest.raises(BackendUnavailable, match="旧版本.*article_bi、article_tok、article_uni：.*fagui index rebuild"):
        backend.search(SearchRequest(filters=Filters(kind="article")))
    assert not fake.calls("POST", r"/fagui-docs/_search")  # refused before searching
    backend.rebuild(iter([[mk("v1", "w1")]]))
    assert [h.doc_id for h in backend.search(SearchRequest()).hits] == ["v1"]
    searched = len(fake.calls("POST", r"/fagui-docs/_search"))
    backend.search(SearchRequest())
    assert len(fake.calls("GET", r"/fagui-docs/_mapping")) == 2  # checked until it passed, then not again
    assert len(fake.calls("POST", r"/fagui-docs/_search")) == searched + 1


def test_rebuild_that_dies_leaves_the_alias_on_the_old_index(fake):
    fake.add_index(OLD, aliases=["fagui-docs"], docs={"v9": {"digest": "x"}})
    backend = ElasticsearchBackend(fake.url)

    def dying():
        yield [mk("v1", "w1")]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backend.rebuild(dying())
    assert fake.calls("POST", "/_aliases") == []
    assert set(fake.indices) == {OLD}  # the half-built index was dropped
    assert backend.digests() == {"v9": "x"}


def test_first_rebuild_only_adds_the_alias(fake):
    backend = ElasticsearchBackend(fake.url, alias="fagui-x")
    assert backend.rebuild(iter([[mk("v1", "w1")]])) == 1
    ((_, _, _, body),) = fake.calls("POST", "/_aliases")
    assert [next(iter(a)) for a in body["actions"]] == ["add"]
    assert fake.templates["fagui-x"]["index_patterns"] == ["fagui-x-*"]


def test_replace_works_indexes_then_deletes_what_is_gone(fake):
    fake.add_index(OLD, aliases=["fagui-docs"], docs={
        "v1": {"work_id": "w1", "digest": "old"}, "a5": {"work_id": "w1", "digest": "old"},
        "v2": {"work_id": "w2", "digest": "keep"}})
    backend = ElasticsearchBackend(fake.url)
    backend.replace_works(["w1"], [mk("v1", "w1")])
    (bulk,) = fake.calls("PUT", r"/fagui-docs/_bulk") or fake.calls("POST", r"/fagui-docs/_bulk")
    _, _, query, lines = bulk
    assert query.get("require_alias") == "true"  # never auto-creates an index named like the alias
    ops = [next(iter(line)) for line in lines if set(line) <= {"index", "delete"}]
    assert ops == ["index", "delete"]
    assert lines[-1] == {"delete": {"_id": "a5"}}
    assert fake.calls("POST", "/fagui-docs/_refresh")
    assert set(fake.indices[OLD]["docs"]) == {"v1", "v2"}
    assert fake.indices[OLD]["docs"]["v1"]["digest"] == mk("v1", "w1")["digest"]


def test_first_write_creates_a_versioned_index_behind_the_alias(fake):
    backend = ElasticsearchBackend(fake.url)
    backend.replace_works(["w1"], [mk("v1", "w1")])
    (name,) = fake.indices
    assert re.fullmatch(r"fagui-docs-\d{20}", name)
    assert fake.indices[name]["aliases"] == {"fagui-docs": {"is_write_index": True}}
    assert backend.count() == 1


def test_search_sends_the_built_body(fake):
    fake.add_index(OLD, aliases=["fagui-docs"], docs={"v1": {"work_id": "w1", "version_id": 1}})
    backend = ElasticsearchBackend(fake.url)
    request = SearchRequest(text=q("饮酒 驾驶", phrase=True), facets=True, sort="published", offset=3, limit=4)
    backend.search(request)
    (call,) = fake.calls("POST", "/fagui-docs/_search")
    assert call[3] == build_body(request)


def test_missing_index_is_a_clear_error(fake):
    backend = ElasticsearchBackend(fake.url)
    with pytest.raises(BackendUnavailable, match="索引"):
        backend.search(SearchRequest())
    with pytest.raises(BackendUnavailable, match="fagui index rebuild"):
        backend.digests()
    assert backend.count() == 0


def test_drop_all_removes_versions_and_template_only(fake):
    fake.add_index(OLD, aliases=["fagui-docs"])
    fake.add_index(OTHER)
    backend = ElasticsearchBackend(fake.url)
    backend.install_template()
    backend.drop_all()
    assert set(fake.indices) == {OTHER} and fake.templates == {}


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused_is_backend_unavailable_in_chinese():
    url = f"http://user:secret@127.0.0.1:{_unused_port()}"
    backend = ElasticsearchBackend(url)
    started = time.monotonic()
    calls = [
        lambda: backend.search(SearchRequest()),
        lambda: backend.replace_works(["w1"], [mk("v1", "w1")]),
        lambda: backend.rebuild(iter([[mk("v1", "w1")]])),
        backend.digests,
        backend.count,
    ]
    for call in calls:
        with pytest.raises(BackendUnavailable) as err:
            call()
        message = str(err.value)
        assert message.startswith("搜索引擎暂时不可用")
        assert "secret" not in message and "127.0.0.1" in message
    assert time.monotonic() - started < 20
    backend.close()


def test_exact_clause_matches_characters_and_ranks_by_the_run_and_one_word():
    text = TextQuery(must=(Clause(("酒后", "驾驶"), phrase=True, chars="酒后驾驶"),))
    query = esb.build_query(SearchRequest(text=text))["function_score"]["query"]["bool"]
    (clause,) = query["must"]
    # 酒后驾驶 is three bigrams and two words: the run alone ranks, counted SEVERAL_WORDS_BOOST times
    per_bigram = esb.EXACT_SCALE / 3 * esb.SEVERAL_WORDS_BOOST
    # the characters select in the text (which holds the title) and score per bigram, more in the title
    assert clause["bool"]["must"] == [
        {"match_phrase": {"text_bi": {"query": "酒后 后驾 驾驶", "slop": 0, "boost": per_bigram}}}]
    assert clause["bool"]["should"] == [{
        "match_phrase": {"title_bi": {"query": "酒后 后驾 驾驶", "slop": 0, "boost": esb.TITLE_BOOST * per_bigram}}}]
    assert "text_tok" not in json.dumps(query, ensure_ascii=False)
    # one word: it ranks too, `should` beside the exact `must`
    one = TextQuery(must=(Clause(("驾驶",), chars="驾驶"),))
    (clause,) = esb.build_query(SearchRequest(text=one))["function_score"]["query"]["bool"]["must"]
    assert clause["bool"]["should"][1] == {"match": {"text_tok": {"query": "驾驶", "operator": "and"}}}


def test_exact_clause_of_one_character_and_in_articles_and_titles():
    one = TextQuery(must=(Clause(("卡",), chars="卡"),))
    query = esb.build_query(SearchRequest(text=one, filters=Filters(kind="article")))
    (clause,) = query["function_score"]["query"]["bool"]["must"]
    assert clause["bool"]["must"] == [  # articles: text only
        {"constant_score": {"filter": {"term": {"article_uni": {"value": "卡"}}}, "boost": 1.0 / 2.2}}]
    title = TextQuery(must=(Clause(("刑法",), chars="刑法"),), title_only=True)
    (clause,) = esb.build_query(SearchRequest(text=title))["function_score"]["query"]["bool"]["must"]
    assert clause["bool"]["must"] == [
        {"match_phrase": {"title_bi": {"query": "刑法", "slop": 0, "boost": esb.EXACT_SCALE}}}]


def test_exact_exclusion_is_a_run_of_characters():
    text = TextQuery(must=(Clause(("驾驶",), chars="驾驶"),), exclude=(Clause(("罚款",), chars="罚款"),))
    query = esb.build_query(SearchRequest(text=text))["function_score"]["query"]["bool"]
    assert query["must_not"] == [{"match_phrase": {"text_bi": {"query": "罚款", "slop": 0}}}]


def test_search_asks_for_complete_answers_and_asks_again_after_a_partial_one(fake):
    fake.add_index(OLD, aliases=["fagui-docs"], docs={f"v{n}": {"work_id": f"w{n}", "version_id": n}
                                                      for n in range(1, 5)})
    backend = ElasticsearchBackend(fake.url)
    fake.failing_shards = 1  # a search racing a rebuild: 200, one shard failed, half the hits
    result = backend.search(SearchRequest(limit=10))
    assert result.total == 4 and len(result.hits) == 4
    searches = fake.calls("POST", "/fagui-docs/_search")
    assert len(searches) == 2
    assert all(call[2]["allow_partial_search_results"] == "false" for call in searches)
    fake.failing_shards = 5  # it persists: a clear error, never an answer with hits missing
    with pytest.raises(BackendUnavailable, match="分片未返回结果"):
        backend.search(SearchRequest(limit=10))
    fake.failing_shards = 0
    # shards failing with allow_partial_search_results=false (the client itself asks again after a 503), then
    # the old index gone
    fake.search_errors = [500, 404]
    assert backend.search(SearchRequest(limit=10)).total == 4
    fake.search_errors = [500, 500, 500]
    with pytest.raises(BackendUnavailable, match="500"):
        backend.search(SearchRequest(limit=10))
    fake.search_errors = [404, 404, 404]
    with pytest.raises(BackendUnavailable, match="fagui index rebuild"):
        backend.search(SearchRequest(limit=10))


def test_deep_pages_go_through_search_after_in_a_point_in_time(fake, monkeypatch):
    monkeypatch.setattr(esb, "MAX_RESULT_WINDOW", 10)  # the window, small enough to step through here
    fake.add_index(OLD, aliases=["fagui-docs"], docs={f"v{n}": {"work_id": f"w{n}", "version_id": n}
                                                      for n in range(1, 26)})
    backend = ElasticsearchBackend(fake.url)
    everything = [f"v{n}" for n in range(1, 26)]
    page = backend.search(SearchRequest(text=q("罚款"), offset=12, limit=6, facets=True))
    assert [h.doc_id for h in page.hits] == everything[12:18] and page.total == 25
    (pit,) = fake.calls("POST", "/fagui-docs/_pit")
    assert pit[2]["keep_alive"] == "1m" and pit[2]["allow_partial_search_results"] == "false"
    steps = fake.calls("POST", "/_search")
    assert [len(call[3].get("search_after", [])) for call in steps] == [0, 2]
    assert [call[3]["size"] for call in steps] == [10, 8]
    assert "aggs" in steps[0][3] and "aggs" not in steps[1][3]
    assert fake.pits == {}  # closed
    collapsed = backend.search(SearchRequest(text=q("罚款"), limit=40))  # what the service asks to collapse versions: all of it
    assert [h.doc_id for h in collapsed.hits] == everything
    shallow = backend.search(SearchRequest(text=q("罚款"), offset=4, limit=6))  # inside the window: from + size, no point in time
    assert [h.doc_id for h in shallow.hits] == everything[4:10] and len(fake.calls("POST", "/fagui-docs/_pit")) == 2
