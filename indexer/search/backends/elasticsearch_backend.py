"""The Elasticsearch engine (FAGUI_ES_URL): versioned indices behind an alias, built from es_mappings/.

Behaviour matches the Tantivy engine (one conformance suite, tests/indexer/search/backends/test_conformance.py):

- Text arrives pre-tokenised by indexer.search.analysis (tokens joined by single spaces, folded and lower-cased
  there) and every text field is split on ASCII whitespace and nothing else (a `pattern` tokenizer, no filters),
  as Tantivy's whitespace tokenizer does: both engines index the same terms at the same positions
  (tests/indexer/search/backends/test_es_analysis_lucene.py checks it with Lucene's own classes). A clause's
  tokens must all occur (a `match` with operator `and`); a phrase clause asks for each neighbouring pair of its
  tokens within the pair's slop (a `match_phrase` per pair, slop `pair_slop`), as Tantivy does; title hits count
  TITLE_BOOST times for version documents; an exact `title_key` adds EXACT_TITLE_BOOST; the text score is
  multiplied by log2(2 + weight) (a `function_score` `field_value_factor` with modifier `ln2p`, scaled by
  1/ln 2). Filters sit in the bool's `filter` clause, so they select without scoring.
- Indices are named `<alias>-<20 digits of UTC time>` and created from es_mappings/index_template.json
  (installed as the index template `<alias>` for the pattern `<alias>-*`, and passed explicitly at creation
  so the index is right even if another template overlaps). A rebuild bulk-loads a new index with refreshes
  off, restores the refresh interval, checks the document count, then moves the alias in one
  `update_aliases` call (remove from the old index + add to the new one) and deletes the other versioned
  indices. A rebuild that dies half-way leaves the alias on the old index; whatever it left behind is
  deleted when the next rebuild starts.
- `replace_works` first indexes the new documents, then deletes the works' documents that are no longer in
  the store, in one bulk stream, then refreshes: a changed work never disappears from searches meanwhile.
  Writes go through the alias with `require_alias`, so a missing alias is an error, never an auto-created
  index.
- Connection failures raise BackendUnavailable with a message in Chinese; a missing index says to run
  `fagui index rebuild`. Searches ask for complete answers (`allow_partial_search_results=false`, a response
  with `_shards.failed` is a failure) and ask again after a failure a rebuild explains; a page reaching past
  max_result_window is read with search_after in a point in time. With no search text every hit scores 0.0,
  ordered by base.listing_order as on Tantivy. Lucene's BM25 lacks Tantivy's factor (1 + k1): constant scores
  are divided by it (LUCENE_SCALE).

Exact matching (精确检索). `title_bi`/`text_bi` hold the folded characters as bigrams (with positions) and
`title_uni`/`text_uni` the distinct single characters, made in Python (indexer.search.analysis.exact_tokens) and
analysed by `exact_chars` (the same split), so both engines index identical tokens. An article's text is indexed
under `article_tok`/`article_bi`/`article_uni` (base.ARTICLE_FIELDS), as on Tantivy.
A clause with `chars` must match where those characters stand together: a `match_phrase` (slop 0) of its
bigrams, or a `term` on the single characters for a one-character term, in the text or (boosted) the title;
its words only rank (`should`). Without `chars` (模糊检索) the words must match, as above.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import re
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    BadRequestError,
    Elasticsearch,
    NotFoundError,
    TransportError,
    UnsupportedProductError,
    helpers,
)

from indexer.search.analysis import bigrams
from indexer.search.backends.base import (
    EXACT_FIELDS,
    EXACT_SCALE,
    EXACT_TITLE_BOOST,
    SEVERAL_WORDS_BOOST,
    TITLE_BOOST,
    BackendHit,
    BackendResult,
    BackendUnavailable,
    Clause,
    Filters,
    SearchRequest,
    TextQuery,
    engine_fields,
    listing_order,
    pair_slop,
    ranks_unweighted,
    requested_facets,
    text_field,
    together_boost,
)

log = logging.getLogger(__name__)

TEMPLATE_PATH = Path(__file__).resolve().parents[3] / "es_mappings" / "index_template.json"
DEFAULT_ALIAS = "fagui-docs"
WORKS_AGG = "_works"  # a facet value's works, where one work can match with several versions
CARDINALITY_PRECISION = 40000  # Elasticsearch's maximum: exact counts up to about this many values
MAX_RESULT_WINDOW = 10000  # from + size beyond this is refused by Elasticsearch (index.max_result_window)
PIT_KEEP_ALIVE = "1m"  # a deep page's point in time lives this long between its steps
SEARCH_ATTEMPTS = 3  # a search that fails while a rebuild swaps the alias is asked again, twice at most
RETRY_PAUSE_S = 0.1
HIT_SOURCE = ["work_id", "version_id", "article_id"]
BULK_CHUNK_DOCS = 500
BULK_CHUNK_BYTES = 20 * 1024 * 1024
BULK_TIMEOUT_S = 120
REQUEST_TIMEOUT_S = 10
_ALIAS_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


def load_template() -> dict:
    """es_mappings/index_template.json as a dict (a fresh copy each call)."""
    return json.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))


# -- query building: pure functions of the request, testable without a server ------------------------------
# Lucene's BM25 (since Lucene 8) leaves out the constant factor (k1 + 1) of the formula that Tantivy keeps, so
# every text score here is Tantivy's divided by it: the constant scores that sit beside text scores are divided
# by it too, so that they weigh against the words as much as on Tantivy.
BM25_K1 = 1.2
LUCENE_SCALE = 1 / (1 + BM25_K1)


def _with_boost(query: dict, boost: float | None) -> dict:
    if boost is None:
        return query
    (kind, spec), = query.items()
    if kind == "bool":
        return {"bool": {**spec, "boost": boost}}
    (field, body), = spec.items()
    return {kind: {field: {**body, "boost": boost}}}


def _match(field: str, tokens: tuple[str, ...], phrase: bool, boost: float | None = None) -> dict:
    """The words in the field: all of them; a phrase pair by pair, each neighbouring pair within its slop
    (base.pair_slop), as the Tantivy engine checks it."""
    if phrase and len(tokens) > 1:
        pairs = [{"match_phrase": {field: {"query": f"{a} {b}", "slop": pair_slop(a, b)}}}
                 for a, b in zip(tokens, tokens[1:], strict=False)]
        return _with_boost(pairs[0] if len(pairs) == 1 else {"bool": {"must": pairs}}, boost)
    return _with_boost({"match": {field: {"query": " ".join(tokens), "operator": "and"}}}, boost)


def _clause_query(clause: Clause, field: str, boost: float | None = None) -> dict:
    return _match(field, tuple(clause.tokens), clause.phrase, boost)


def exact_query(chars: str, field: str, boost: float | None = None) -> dict:
    """Where `chars` (an exact form) stands as one run of characters in the field (`*_tok` names it)."""
    pairs_field, chars_field = EXACT_FIELDS[field]
    if len(chars) == 1:
        body: dict[str, Any] = {"value": chars}
        kind, target = "term", chars_field
    else:
        body, kind, target = {"query": " ".join(bigrams(chars)), "slop": 0}, "match_phrase", pairs_field
    if boost is not None:
        body["boost"] = boost
    return {kind: {target: body}}


def exact_scored(chars: str, field: str, boost: float) -> dict:
    """The exact match scored by how often and how densely the run stands in the field (BM25 of its bigrams,
    per bigram so that a long term does not drown the title and the words); a single character adds a
    constant. The same as the Tantivy engine."""
    if len(chars) == 1:
        return {"constant_score": {"filter": exact_query(chars, field), "boost": boost * LUCENE_SCALE}}
    return exact_query(chars, field, boost=boost * EXACT_SCALE / (len(chars) - 1))


def _exact_clause(clause: Clause, text: TextQuery, kind: str) -> dict:
    """Matched by its characters (title or text), ranked by them and by its words."""
    if text.title_only:
        fields: list[tuple[str, float]] = [("title_tok", 1.0)]
    elif kind != "version":
        fields = [(text_field(kind), 1.0)]
    else:
        fields = [("text_tok", 1.0), ("title_tok", TITLE_BOOST)]
    # The characters select (in the text: a version's indexed text holds its title, index_docs.docs_for_work) and
    # score by how often they stand there, more in the title; the words rank too. As the Tantivy engine.
    several = len(clause.tokens) > 1
    boost = SEVERAL_WORDS_BOOST if several else 1.0
    query: dict[str, Any] = {"must": [exact_scored(clause.chars, fields[0][0], fields[0][1] * boost)],
                             "should": [exact_scored(clause.chars, f, b * boost) for f, b in fields[1:]]}
    if clause.tokens and not several:
        query["should"] += [_match(f, tuple(clause.tokens), False, None if b == 1.0 else b) for f, b in fields]
    return {"bool": query}


def _scored_clause(clause: Clause, text: TextQuery, kind: str) -> dict:
    if clause.chars:
        return _exact_clause(clause, text, kind)
    if text.title_only:
        return _clause_query(clause, "title_tok")
    body = _clause_query(clause, text_field(kind))
    if kind != "version":
        return body
    title = _clause_query(clause, "title_tok", boost=TITLE_BOOST)
    return {"bool": {"must": [body], "should": [title]}}


def _text_parts(text: TextQuery, kind: str) -> dict[str, list[dict]]:
    must: list[dict] = []
    should: list[dict] = []
    must_not: list[dict] = []
    if text.match_any:
        alternatives = [_scored_clause(c, text, kind) for c in text.must]
        for group in text.any_of:
            alternatives += [_scored_clause(c, text, kind) for c in group]
        if alternatives:
            must.append({"bool": {"should": alternatives, "minimum_should_match": 1}})
    else:
        must += [_scored_clause(c, text, kind) for c in text.must]
        for group in text.any_of:
            if group:
                must.append({
                    "bool": {"should": [_scored_clause(c, text, kind) for c in group], "minimum_should_match": 1}
                })
    field = "title_tok" if text.title_only else text_field(kind)
    if text.together:
        should.append({"constant_score": {"filter": exact_query(text.together, field),
                                          "boost": together_boost(text) * LUCENE_SCALE}})
    if text.title_key and kind == "version":
        should.append({"term": {"title_key": {"value": text.title_key, "boost": EXACT_TITLE_BOOST}}})
    for clause in text.exclude:
        must_not.append(exact_query(clause.chars, field) if clause.chars
                        else _match(field, tuple(clause.tokens), phrase=True))
    return {"must": must, "should": should, "must_not": must_not}


def _range(field: str, lower: int | None, upper: int | None) -> dict:
    bounds: dict[str, int] = {}
    if lower is not None:
        bounds["gte"] = int(lower)
    if upper is not None:
        bounds["lte"] = int(upper)
    return {"range": {field: bounds}}


def build_filters(f: Filters) -> list[dict]:
    """The request's filters as non-scoring clauses (same semantics as the Tantivy engine)."""
    out: list[dict] = [{"term": {"kind": f.kind}}]

    def terms(field: str, values) -> None:
        if values:
            out.append({"terms": {field: list(values)}})

    terms("doc_type", f.doc_types)
    terms("region", f.regions)
    terms("body_ids", [str(v) for v in f.body_ids])
    terms("region_codes", f.scope_codes)
    terms("region_codes", f.region_codes)
    terms("topic", f.topics)
    if f.as_of is None:
        terms("status", f.statuses)
    else:  # in force on that day: started on or before it, neither replaced nor ended by then
        out.append(_range("effective", 1, f.as_of))  # 1: undated texts (0) are in force on no known day
        out.append(_range("effective_to", f.as_of + 1, None))
        out.append(_range("ended", f.as_of + 1, None))
    if f.ended_to is not None:
        out.append(_range("ended", None, f.ended_to))
    if f.published_from is not None or f.published_to is not None:
        out.append(_range("published", f.published_from, f.published_to))
    if f.effective_from is not None or f.effective_to is not None:
        out.append(_range("effective", f.effective_from, f.effective_to))
    if f.version_ids:
        out.append({"terms": {"version_id": [int(v) for v in f.version_ids]}})
    if f.doc_number_key:
        out.append({"term": {"doc_number_key": f.doc_number_key}})
    if f.current_only:
        out.append({"term": {"is_current": 1}})
    return out


def build_query(request: SearchRequest) -> dict:
    """The `query` of a search: text clauses scored, filters selecting, the score times log2(2 + weight)
    (not for a pasted passage, base.ranks_unweighted).
    With no text every filtered document scores 0.0, as on the Tantivy engine (its filters select without
    scoring and nothing else is asked); both order such a listing by base.listing_order."""
    parts = _text_parts(request.text, request.filters.kind)
    bool_query: dict[str, Any] = {"filter": build_filters(request.filters)}
    if parts["must"]:
        bool_query["must"] = parts["must"]
    if parts["should"]:
        bool_query["should"] = parts["should"]
    if parts["must_not"]:
        bool_query["must_not"] = parts["must_not"]
    if ranks_unweighted(request.text):  # a pasted passage: its words alone rank, as on the Tantivy engine
        return {"bool": bool_query}
    return {
        "function_score": {
            "query": {"bool": bool_query},
            "functions": [
                {
                    # ln(2 + weight) / ln 2 == log2(2 + weight), the Tantivy engine's weight_by_field
                    "field_value_factor": {"field": "weight", "modifier": "ln2p", "missing": 0},
                    "weight": 1 / math.log(2),
                }
            ],
            "score_mode": "multiply",
            "boost_mode": "multiply",
        }
    }


def build_aggs(request: SearchRequest) -> dict:
    """Facet counts (terms over FACET_FIELDS) and, with count_field, the distinct count used as the total."""
    aggs: dict[str, Any] = {}
    if request.facets:
        for name, size in requested_facets(request).items():
            aggs[name] = {"terms": {"field": name, "size": size}}
            if request.count_field:  # a work can match with several versions: each value counts its works
                aggs[name]["aggs"] = {WORKS_AGG: {"cardinality": {"field": request.count_field,
                                                                  "precision_threshold": CARDINALITY_PRECISION}}}
    if request.per_version:
        aggs["per_version"] = {"terms": {"field": "version_id", "size": request.per_version}}
    if request.count_field:
        aggs["distinct_total"] = {
            "cardinality": {"field": request.count_field, "precision_threshold": CARDINALITY_PRECISION}
        }
    return aggs


def page_window(request: SearchRequest) -> tuple[int, int]:
    """(from, size) of the page asked for."""
    return max(request.offset, 0), max(request.limit, 0)


def is_deep(request: SearchRequest) -> bool:
    """A page reaching past max_result_window: fetched with a point in time and search_after (`deep_body`),
    since from + size may not pass MAX_RESULT_WINDOW."""
    offset, size = page_window(request)
    return offset + size > MAX_RESULT_WINDOW


def _sort(request: SearchRequest) -> list[dict]:
    field = request.sort if request.sort in ("published", "effective") else listing_order(request)
    return [{field: {"order": "desc"}}] if field else []


def build_body(request: SearchRequest) -> dict:
    """The whole search request body of a page inside the window (is_deep false)."""
    offset, size = page_window(request)
    body: dict[str, Any] = {
        "query": build_query(request),
        "from": offset,
        "size": size,
        "track_total_hits": True,
        "_source": HIT_SOURCE,
    }
    sort = _sort(request)
    if sort:
        body["sort"] = sort
    aggs = build_aggs(request)
    if aggs:
        body["aggs"] = aggs
    return body


def deep_body(request: SearchRequest, pit_id: str, search_after: list | None, size: int) -> dict:
    """One step of a deep page: `size` hits after `search_after` in a point in time. Ties fall to the point in
    time's own tiebreaker (_shard_doc: index order), as they do within the window. The first step also counts
    the total and the facets."""
    body: dict[str, Any] = {
        "query": build_query(request),
        "size": size,
        "sort": _sort(request) or [{"_score": {"order": "desc"}}],
        "pit": {"id": pit_id, "keep_alive": PIT_KEEP_ALIVE},
        "_source": HIT_SOURCE,
    }
    if search_after is None:
        body["track_total_hits"] = True
        aggs = build_aggs(request)
        if aggs:
            body["aggs"] = aggs
    else:
        body["track_total_hits"] = False
        body["search_after"] = search_after
    return body


def parse_response(request: SearchRequest, response: dict) -> BackendResult:
    """A search response as a BackendResult (scores are the field value when sorting by a date, as in
    the Tantivy engine)."""
    hits_raw = response.get("hits", {})
    listing = listing_order(request)  # no search words: ordered by a unique key, every hit scoring 0.0
    hits = []
    for hit in hits_raw.get("hits", []):
        src = hit.get("_source") or {}
        sort_values = hit.get("sort")
        score = 0.0 if listing else sort_values[0] if sort_values else hit.get("_score")
        article = src.get("article_id")
        hits.append(
            BackendHit(
                doc_id=hit["_id"],
                work_key=str(src["work_id"]),
                version_id=int(src["version_id"]),
                score=float(score or 0.0),
                article_id=int(article) if article is not None else None,
            )
        )
    aggs = response.get("aggregations", {}) or {}
    if request.count_field:
        total = int(aggs.get("distinct_total", {}).get("value", 0))
    else:
        raw_total = hits_raw.get("total", 0)
        total = int(raw_total["value"] if isinstance(raw_total, dict) else raw_total)
    facets: dict[str, list[tuple[str, int]]] = {}
    if request.facets:
        for name in requested_facets(request):
            buckets = aggs.get(name, {}).get("buckets", [])
            counted = [(str(b["key"]), int(b[WORKS_AGG]["value"] if WORKS_AGG in b else b["doc_count"]))
                       for b in buckets]
            facets[name] = sorted(counted, key=lambda kv: -kv[1])
    per_version = [(int(b["key"]), int(b["doc_count"])) for b in aggs.get("per_version", {}).get("buckets", [])]
    return BackendResult(total=total, hits=hits, facets=facets, per_version=per_version)


def _index_source(doc: dict) -> dict:
    return {k: v for k, v in engine_fields(doc).items() if v is not None}


def _public_url(url: str) -> str:
    """The URL without credentials, for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class ElasticsearchBackend:
    name = "elasticsearch"
    folds_facets = False  # the service counts each wider facet with a search of its own

    def __init__(self, url: str, alias: str = DEFAULT_ALIAS, client: Elasticsearch | None = None) -> None:
        if not _ALIAS_NAME.fullmatch(alias):
            raise ValueError(f"invalid Elasticsearch alias {alias!r}: lower-case letters, digits, '.', '_', '-'")
        self.url = url
        self.alias = alias
        self._public_url = _public_url(url)
        self._client = client or Elasticsearch(url, request_timeout=REQUEST_TIMEOUT_S, max_retries=2)
        self._versioned = re.compile(re.escape(alias) + r"-\d{20}")
        self._lock = threading.Lock()
        self._fields_checked = False  # the alias's index holds every field this fagui searches (_check_fields)

    # -- errors -------------------------------------------------------------------------------------------
    @contextmanager
    def _guard(self, missing_ok: bool = False) -> Iterator[None]:
        try:
            yield
        except TransportError as exc:  # refused, timed out, TLS, unreadable answer: the engine is not there
            raise BackendUnavailable(
                f"搜索引擎暂时不可用（无法连接 Elasticsearch {self._public_url}：{type(exc).__name__}），"
                "请确认服务已启动后重试"
            ) from exc
        except UnsupportedProductError as exc:
            raise BackendUnavailable(
                f"搜索引擎暂时不可用（{self._public_url} 上运行的不是 Elasticsearch，请检查 FAGUI_ES_URL）"
            ) from exc
        except (AuthenticationException, AuthorizationException) as exc:
            raise BackendUnavailable(
                f"搜索引擎暂时不可用（Elasticsearch {self._public_url} 拒绝访问，请检查 FAGUI_ES_URL 中的账号）"
            ) from exc
        except NotFoundError as exc:
            if missing_ok:
                raise
            raise BackendUnavailable(
                f"检索索引尚未建立（Elasticsearch 中没有 {self.alias}）：请先运行 `fagui index rebuild`"
            ) from exc
        except BadRequestError as exc:
            if _error_type(exc) == "media_type_header_exception":
                raise BackendUnavailable(
                    "搜索引擎暂时不可用：Elasticsearch 服务器与 Python 客户端的主版本不一致"
                    "（elasticsearch-py 9 需要 Elasticsearch 9），请安装与服务器同一主版本的客户端"
                ) from exc
            raise

    # -- names ----------------------------------------------------------------------------------------------
    def _new_index_name(self) -> str:
        now = time.time()
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now)) + f"{int(now * 1e6) % 1_000_000:06d}"
        return f"{self.alias}-{stamp}"

    def _alias_indices(self) -> list[str]:
        """The indices the alias points at (normally one), [] when there is no alias yet."""
        try:
            found = self._client.indices.get_alias(name=self.alias)
        except NotFoundError:
            return []
        return sorted(found.body.keys() if hasattr(found, "body") else found.keys())

    def _versioned_indices(self) -> list[str]:
        """Every index named like one of this alias's versions (built, half-built or current)."""
        try:
            found = self._client.indices.get_alias(index=f"{self.alias}-*", expand_wildcards="open,closed")
        except NotFoundError:
            return []
        names = found.body.keys() if hasattr(found, "body") else found.keys()
        return sorted(n for n in names if self._versioned.fullmatch(n))

    # -- setup ----------------------------------------------------------------------------------------------
    def _template(self) -> dict:
        template = load_template()
        template["index_patterns"] = [f"{self.alias}-*"]
        return template

    def install_template(self) -> None:
        """Install es_mappings/index_template.json as the template `<alias>` for `<alias>-*`. An overlapping
        template of the same priority makes Elasticsearch refuse it: logged, since indices are created with
        the template's settings and mappings given explicitly anyway."""
        template = self._template()
        try:
            self._client.indices.put_index_template(
                name=self.alias,
                index_patterns=template["index_patterns"],
                priority=template.get("priority"),
                template=template["template"],
                meta=template.get("_meta"),
            )
        except BadRequestError as exc:
            log.warning("index template %s not installed: %s", self.alias, exc)

    def _create_index(self, name: str, extra_settings: dict | None = None, aliases: dict | None = None) -> None:
        body = copy.deepcopy(self._template()["template"])
        settings = body["settings"]
        if extra_settings:
            settings.setdefault("index", {}).update(extra_settings)
        self._client.indices.create(index=name, settings=settings, mappings=body["mappings"], aliases=aliases)

    def _ensure_alias(self) -> None:
        """A first write with no index yet creates an empty versioned index behind the alias."""
        if self._client.indices.exists_alias(name=self.alias):
            return
        self.install_template()
        name = self._new_index_name()
        try:
            self._create_index(name, aliases={self.alias: {"is_write_index": True}})
        except BadRequestError:
            # another process created it first (the alias can have only one write index): use theirs
            self._client.indices.delete(index=name, ignore_unavailable=True)
            if not self._client.indices.exists_alias(name=self.alias):
                raise

    # -- writing ----------------------------------------------------------------------------------------------
    def _bulk(self, actions: Iterable[dict], index: str, **kwargs) -> int:
        """Stream the actions; count successes; raise on any failure except deleting what is already gone."""
        done = 0
        failures: list[dict] = []
        client = self._client.options(request_timeout=BULK_TIMEOUT_S)
        for ok, item in helpers.streaming_bulk(
            client,
            actions,
            index=index,
            chunk_size=BULK_CHUNK_DOCS,
            max_chunk_bytes=BULK_CHUNK_BYTES,
            raise_on_error=False,
            max_retries=3,  # for 429 (queue full) only
            **kwargs,
        ):
            if ok:
                done += 1
                continue
            op, result = next(iter(item.items()))
            if op == "delete" and result.get("status") == 404:
                continue
            failures.append(item)
        if failures:
            first = next(iter(failures[0].values()))
            raise RuntimeError(
                f"Elasticsearch refused {len(failures)} document(s) in {index}; first: "
                f"{first.get('_id')}: {first.get('error')}"
            )
        return done

    def replace_works(self, work_ids: list[str], docs: list[dict]) -> None:
        with self._lock, self._guard():
            self._ensure_alias()
            work_ids = [str(w) for w in dict.fromkeys(work_ids)]
            new_ids = {str(d["id"]) for d in docs}
            stale: list[str] = []
            if work_ids:
                for hit in helpers.scan(
                    self._client,
                    index=self.alias,
                    query={"query": {"terms": {"work_id": work_ids}}, "_source": False},
                    size=5000,
                ):
                    if hit["_id"] not in new_ids:
                        stale.append(hit["_id"])

            def actions() -> Iterator[dict]:
                for doc in docs:
                    yield {"_op_type": "index", "_id": str(doc["id"]), "_source": _index_source(doc)}
                for doc_id in stale:
                    yield {"_op_type": "delete", "_id": doc_id}

            self._bulk(actions(), index=self.alias, require_alias=True)
            self._client.indices.refresh(index=self.alias)

    def rebuild(self, batches: Iterable[list[dict]]) -> int:
        with self._lock, self._guard():
            slow = self._client.options(request_timeout=BULK_TIMEOUT_S)
            self.install_template()
            current = self._alias_indices()
            leftovers = [n for n in self._versioned_indices() if n not in current]
            if leftovers:  # half-built indices of rebuilds that died
                slow.indices.delete(index=leftovers, ignore_unavailable=True)
            target = self._new_index_name()
            refresh_interval = self._template()["template"]["settings"]["index"].get("refresh_interval", "1s")
            self._create_index(target, extra_settings={"refresh_interval": "-1"})
            sent: list[int] = [0]
            ids: set[str] = set()
            try:
                def actions() -> Iterator[dict]:
                    for batch in batches:
                        sent[0] += len(batch)
                        for doc in batch:
                            ids.add(str(doc["id"]))
                            yield {"_op_type": "index", "_id": str(doc["id"]), "_source": _index_source(doc)}

                self._bulk(actions(), index=target)
                slow.indices.put_settings(index=target, settings={"index": {"refresh_interval": refresh_interval}})
                slow.indices.refresh(index=target)
                indexed = int(slow.count(index=target)["count"])
                if indexed != len(ids):  # e.g. the index was deleted and auto-created while we wrote
                    raise RuntimeError(f"rebuild of {target} incomplete: {indexed} of {len(ids)} documents indexed")
            except BaseException:
                self._drop_quietly(target)
                raise
            self._swap(target, current)
            old = [n for n in self._versioned_indices() if n != target]
            if old:
                slow.indices.delete(index=old, ignore_unavailable=True)
            return sent[0]

    def _swap(self, target: str, current: list[str]) -> None:
        """Point the alias at the target in one atomic update_aliases call: searches see the old index or
        the new one, never neither."""
        actions: list[dict] = [{"remove": {"index": name, "alias": self.alias}} for name in current]
        actions.append({"add": {"index": target, "alias": self.alias, "is_write_index": True}})
        self._client.indices.update_aliases(actions=actions)

    def _drop_quietly(self, name: str) -> None:
        """Best effort: a rebuild that failed removes its index now; if it cannot, the next rebuild does."""
        try:
            self._client.indices.delete(index=name, ignore_unavailable=True)
        except Exception as exc:  # the engine may be gone: nothing more to do here
            log.warning("could not delete half-built index %s: %s", name, exc)

    def drop_all(self) -> None:
        """Delete this alias's versioned indices and its template (tests; `fagui index drop` if wanted)."""
        with self._lock, self._guard():
            names = self._versioned_indices()
            if names:
                self._client.indices.delete(index=names, ignore_unavailable=True)
            with suppress(NotFoundError):
                self._client.indices.delete_index_template(name=self.alias)

    # -- reading ----------------------------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> BackendResult:
        """One search; a failure that a rebuild's alias swap explains (the old index gone: 404, no shard: 503,
        some shards failed) is asked again, and one that persists is BackendUnavailable: an answer with hits
        missing is never returned (allow_partial_search_results=false, and `_shards.failed` checked)."""
        with self._guard():
            self._check_fields()
            for attempt in range(SEARCH_ATTEMPTS):
                last = attempt == SEARCH_ATTEMPTS - 1
                try:
                    response = (self._search_deep(request) if is_deep(request)
                                else self._search_once(_search_kwargs(build_body(request)), index=self.alias))
                    return parse_response(request, response)
                except _ShardsFailed as exc:
                    if last:
                        raise BackendUnavailable(
                            f"搜索引擎暂时不可用（Elasticsearch 有 {exc.failed} 个分片未返回结果），请稍后重试") from exc
                except ApiError as exc:
                    if exc.status_code not in RETRIED_STATUSES or last:
                        if exc.status_code in (429, 500, 503):
                            raise BackendUnavailable(
                                f"搜索引擎暂时不可用（Elasticsearch 返回 {exc.status_code}：{_error_type(exc)}），"
                                "请稍后重试") from exc
                        raise
                time.sleep(RETRY_PAUSE_S * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _check_fields(self) -> None:
        """An index built by an older fagui lacks fields this one searches (the mapping is not dynamic): a search
        naming one would find nothing there, silently. Such an index is refused with what to do; checked once,
        since a rebuild only ever writes the current template's fields."""
        if self._fields_checked:
            return
        found = self._client.indices.get_mapping(index=self.alias)
        mappings = found.body if hasattr(found, "body") else found
        wanted = set(load_template()["template"]["mappings"]["properties"])
        for index in mappings.values():
            missing = sorted(wanted - set(index.get("mappings", {}).get("properties", {})))
            if missing:
                raise BackendUnavailable(f"检索索引由旧版本建立，缺少字段 {'、'.join(missing)}：请运行 `fagui index rebuild` 重建")
        self._fields_checked = True

    def _search_once(self, kwargs: dict, index: str | None = None) -> dict:
        """One search request (of the alias, or of the point in time its body names); any shard failure is
        raised as _ShardsFailed."""
        response = self._client.search(index=index, allow_partial_search_results=False, **kwargs)
        return _complete(dict(response.body if hasattr(response, "body") else response))

    def _search_deep(self, request: SearchRequest) -> dict:
        """A page past the window: the hits up to its end in steps of MAX_RESULT_WINDOW with search_after in
        one point in time (so the steps see one state of the index), then the page cut from them."""
        offset, size = page_window(request)
        wanted = offset + size
        opened = self._client.open_point_in_time(index=self.alias, keep_alive=PIT_KEEP_ALIVE,
                                                 allow_partial_search_results=False)
        pit_id = str(opened["id"])
        try:
            first: dict | None = None
            hits: list[dict] = []
            after: list | None = None
            while len(hits) < wanted:
                step = min(MAX_RESULT_WINDOW, wanted - len(hits))
                page = self._search_once(deep_body(request, pit_id, after, step))
                pit_id = str(page.get("pit_id") or pit_id)
                first = first or page
                got = page.get("hits", {}).get("hits", [])
                hits += got
                if len(got) < step:
                    break
                after = got[-1]["sort"]
        finally:
            with suppress(Exception):  # it expires after PIT_KEEP_ALIVE anyway
                self._client.close_point_in_time(id=pit_id)
        assert first is not None
        return {**first, "hits": {**first.get("hits", {}), "hits": hits[offset:wanted]}}

    def digests(self) -> dict[str, str]:
        with self._guard():
            return {
                hit["_id"]: (hit.get("_source") or {}).get("digest", "")
                for hit in helpers.scan(
                    self._client,
                    index=self.alias,
                    query={"query": {"match_all": {}}, "_source": ["digest"]},
                    size=5000,
                )
            }

    def count(self) -> int:
        try:
            with self._guard(missing_ok=True):
                return int(self._client.count(index=self.alias)["count"])
        except NotFoundError:
            return 0

    def close(self) -> None:
        self._client.close()


RETRIED_STATUSES = (404, 429, 500, 503)


class _ShardsFailed(RuntimeError):
    def __init__(self, failed: int) -> None:
        super().__init__(f"{failed} shard(s) failed")
        self.failed = failed


def _complete(response: dict) -> dict:
    """The response, if every shard answered: a partial answer would miss hits and count too few."""
    shards = response.get("_shards") or {}
    failed = int(shards.get("failed") or 0)
    if failed:
        raise _ShardsFailed(failed)
    return response


def _search_kwargs(body: dict) -> dict:
    """A body dict as keyword arguments of Elasticsearch.search (`from` is `from_` there)."""
    kwargs = dict(body)
    if "from" in kwargs:
        kwargs["from_"] = kwargs.pop("from")
    return kwargs


def _error_type(exc: ApiError) -> str | None:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return error.get("type")
    return None
