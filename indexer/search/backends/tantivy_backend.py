"""The embedded engine: a Tantivy index directory under FAGUI_DATA_DIR.

Text arrives pre-tokenised (tokens joined by spaces) and is indexed with Tantivy's whitespace tokenizer, so
both engines see the tokens indexer.search.analysis made. A rebuild writes a new directory and switches the
`CURRENT` pointer file with an atomic rename only when the new index is complete: a rebuild killed half-way
leaves searches on the old index, and the next rebuild removes the half-built directory."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import cast

import tantivy

from fagui.vocabulary import STATUSES
from indexer.search.analysis import bigrams
from indexer.search.backends.base import (
    ARTICLE_FIELDS,
    EXACT_FIELDS,
    EXACT_SCALE,
    EXACT_TITLE_BOOST,
    FACET_FIELDS,
    MULTI_SELECT,
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
    folded_facets,
    listing_order,
    pair_slop,
    ranks_unweighted,
    requested_facets,
    text_field,
    together_boost,
)
from indexer.search.side_by_side import later

POINTER = "CURRENT"
# A rebuild's writer memory (FAGUI_INDEX_HEAP_MB, split between its two threads): each thread writes a segment
# whenever its share fills, and a search visits every segment, so a larger heap means fewer segments and faster
# searches (the corpus in 2 segments at 1,000 MB instead of 6 at 200 MB: 15% less CPU per search).
DEFAULT_HEAP_MB = 1000
MIN_HEAP_MB = 60  # Tantivy wants at least 15 MB per thread
UPDATE_HEAP = 50_000_000  # replace_works: a few works at a time
EXACT_DISTINCT_LIMIT = 60_000  # below tantivy's default limit of 65,000 buckets per aggregation


_RAW = {"tokenizer_name": "raw"}
_FILTER = {**_RAW, "fast": True}
_WORDS = {"tokenizer_name": "whitespace", "index_option": "position"}
_CHARS = {"tokenizer_name": "whitespace", "index_option": "basic"}  # single characters: presence is enough
# The index's fields, in the order the schema holds them (queries name a field by its place: _check_fields).
_SCHEMA: tuple[tuple[str, str, dict], ...] = (
    ("id", "text", {**_FILTER, "stored": True}),
    ("kind", "text", _FILTER),
    ("work_id", "text", {**_FILTER, "stored": True}),
    ("version_id", "integer", {"stored": True, "indexed": True, "fast": True}),
    ("article_id", "integer", {"stored": True, "indexed": True, "fast": True}),
    ("work_key", "integer", {"fast": True}),  # work_key(work_id): hits name their work without the store
    *((name, "text", _FILTER) for name in ("doc_type", "region", "status", "body_ids", "region_codes", "topic",
                                           "versioned_work")),
    ("doc_number_key", "text", _RAW),
    ("title_key", "text", _RAW),
    *((name, "integer", {"indexed": True, "fast": True})
      for name in ("published", "effective", "effective_to", "ended", "is_current", "number", "sub")),
    ("weight", "float", {"fast": True}),
    # Only read back (digests): stored, not indexed; a term per document made the term dictionary a sixth of
    # the indexing time.
    ("digest", "bytes", {"stored": True}),
    ("title_tok", "text", _WORDS),
    ("text_tok", "text", _WORDS),
    *((name, "text", options) for bi, uni in (EXACT_FIELDS["title_tok"], EXACT_FIELDS["text_tok"])
      for name, options in ((bi, _WORDS), (uni, _CHARS))),
    (ARTICLE_FIELDS["text_tok"], "text", _WORDS),
    (ARTICLE_FIELDS["text_bi"], "text", _WORDS),
    (ARTICLE_FIELDS["text_uni"], "text", _CHARS),
)
FIELD_ORDER = tuple(name for name, _, _ in _SCHEMA)
_FIELDS = frozenset(FIELD_ORDER) - {"work_key"}  # what a document of index_docs fills; work_key is the engine's own


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for name, kind, options in _SCHEMA:
        getattr(sb, f"add_{kind}_field")(name, **options)
    return sb.build()


class TantivyBackend:
    name = "tantivy"
    folds_facets = True

    def __init__(self, root: Path, heap_mb: int = DEFAULT_HEAP_MB) -> None:
        self.root = Path(root)
        self.heap_bytes = max(heap_mb, MIN_HEAP_MB) * 1_000_000
        self.schema = build_schema()
        self._index: tantivy.Index | None = None
        self._lock = threading.Lock()
        self._opened: str | None = None
        self._kept: tuple[tuple, tantivy.Searcher] | None = None
        self._pointer: tuple[tuple, str] | None = None  # the pointer file's identity and the name it holds

    # -- locating and opening -------------------------------------------------------------------------
    def _current_dir(self) -> Path | None:
        pointer = self.root / POINTER
        if not pointer.exists():
            return None
        target = self.root / pointer.read_text(encoding="utf-8").strip()
        return target if target.is_dir() else None

    def _open(self, create: bool = False) -> tantivy.Index:
        current = self._current_dir()
        if current is None:
            if (self.root / POINTER).exists():
                # The pointer names an index that is gone: writing a fresh one here would serve a partial index
                # as if it were whole, so only a rebuild may replace it.
                raise BackendUnavailable("检索索引文件丢失或无法访问：请运行 `fagui index rebuild` 重建")
            if not create:
                raise BackendUnavailable("检索索引尚未建立：请先运行 `fagui index rebuild`")
            current = self._new_dir()
            tantivy.Index(self.schema, path=str(current))
            self._switch(current)
        if self._index is None or self._opened != current.name:
            _check_fields(current)
            try:
                self._index = tantivy.Index.open(str(current))
            except (ValueError, OSError) as exc:
                raise BackendUnavailable(f"检索索引无法打开（{current.name}）：请运行 `fagui index rebuild`") from exc
            self._opened = current.name
        return self._index

    def _new_dir(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"index-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        path.mkdir()
        return path

    def _switch(self, target: Path) -> None:
        tmp = self.root / (POINTER + ".tmp")
        tmp.write_text(target.name, encoding="utf-8")
        os.replace(tmp, self.root / POINTER)  # atomic: readers see the old or the new index, never neither

    def _remove_stale(self, keep: Path) -> None:
        for path in self.root.glob("index-*"):
            if path.is_dir() and path != keep:
                shutil.rmtree(path, ignore_errors=True)

    # -- writing --------------------------------------------------------------------------------------
    def _document(self, doc: dict) -> tantivy.Document:
        fields = {k: v for k, v in engine_fields(doc).items() if k in _FIELDS and v is not None}
        if "digest" in fields:
            fields["digest"] = str(fields["digest"]).encode()
        fields["work_key"] = work_key(str(doc["work_id"]))
        return tantivy.Document.from_dict(fields, self.schema)

    def replace_works(self, work_ids: list[str], docs: list[dict]) -> None:
        with self._lock:
            index = self._open(create=True)
            writer = index.writer(heap_size=UPDATE_HEAP, num_threads=1)
            try:
                for work_id in work_ids:
                    writer.delete_documents_by_term("work_id", work_id)
                for doc in docs:
                    writer.add_document(self._document(doc))
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            index.reload()

    def rebuild(self, batches: Iterable[list[dict]]) -> int:
        with self._lock:
            target = self._new_dir()
            index = tantivy.Index(self.schema, path=str(target))
            writer = index.writer(heap_size=self.heap_bytes, num_threads=2)
            count = 0
            try:
                for batch in batches:
                    for doc in batch:
                        writer.add_document(self._document(doc))
                    count += len(batch)
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                shutil.rmtree(target, ignore_errors=True)
                raise
            self._switch(target)
            self._index, self._opened = None, None
            self._remove_stale(keep=target)
            return count

    # -- reading --------------------------------------------------------------------------------------
    def _searcher(self) -> tantivy.Searcher:
        # Reloading and reading the pointer cost more than a small search (0.8 ms a call at 33,000 works): the
        # searcher is kept while neither the pointer nor the index's meta.json (rewritten by every commit, by
        # this process or another) has changed.
        seen = self._files_seen()
        kept = self._kept
        if seen is not None and kept is not None and kept[0] == seen:
            return kept[1]
        index = self._open()
        try:
            index.reload()
            searcher = index.searcher()
        except (ValueError, OSError) as exc:
            self._index, self._opened, self._kept = None, None, None  # reopen next time: the files may be back
            raise BackendUnavailable(f"检索索引暂时无法读取：{exc}") from exc
        self._kept = (seen, searcher) if seen is not None and self._opened == seen[0] else None
        return searcher

    def _files_seen(self) -> tuple | None:
        """(index directory, its meta.json's identity): what a kept searcher was read from; None when unknown."""
        try:
            # The pointer is replaced, never rewritten in place (_switch): while its identity holds, so does the
            # name it was read for (opening and reading it at each of a search's engine calls cost half a ms).
            pointer = (self.root / POINTER).stat()
            identity = (pointer.st_ino, pointer.st_mtime_ns, pointer.st_size)
            known = self._pointer
            if known is None or known[0] != identity:
                known = self._pointer = (identity, (self.root / POINTER).read_text(encoding="utf-8").strip())
            name = known[1]
            meta = (self.root / name / "meta.json").stat()
        except (OSError, ValueError):
            return None
        return name, meta.st_ino, meta.st_mtime_ns, meta.st_size

    def count(self) -> int:
        try:
            return self._searcher().num_docs
        except BackendUnavailable:
            return 0

    def digests(self) -> dict[str, str]:
        searcher = self._searcher()
        total = searcher.num_docs
        if not total:
            return {}
        result = searcher.search(tantivy.Query.all_query(), limit=total)
        out = {}
        for _, address in result.hits:
            doc = searcher.doc(address).to_dict()
            out[doc["id"][0]] = bytes(doc["digest"][0]).decode()
        return out

    def search(self, request: SearchRequest) -> BackendResult:
        searcher = self._searcher()
        # Counting needs only what matches: the clauses that only rank are left out of every counting pass.
        matching = self._query(request.text, request.filters, scored=False)
        query = self._query(request.text, request.filters) if request.limit > 0 else matching
        listing = listing_order(request)  # no search words: every hit scores 0.0, ordered by a unique key
        order = {"published": "published", "effective": "effective"}.get(request.sort) or listing
        # Facets and the distinct-work total come from one aggregation pass; the hit count is only
        # asked of the top-k collector when nothing else gives the total.
        aggregated_query = matching
        folded = folded_facets(request.filters) if (request.facets and request.wide_facets
                                                     and not request.count_field) else ()
        chosen = {name: getattr(request.filters, MULTI_SELECT[name])[0] for name in folded}
        if folded:
            loosened: dict = {MULTI_SELECT[name]: () for name in folded}
            aggregated_query = self._query(request.text, replace(request.filters, **loosened), scored=False)
        shared = request.count_field == "work_id"

        def aggregations(exact: bool) -> dict:
            # A facet value counts works. Where one work can match with several versions (several statuses),
            # exactly: each value's documents of works with several versions bucketed by work (versioned_work,
            # which the other documents lack), the documents beyond each work's first taken off; past the
            # bucket limit, by estimate.
            by_work = "exact" if exact else "estimate"
            aggs: dict = {}
            if folded:
                # One pass without the folded filters: the search's own facets are counted in the chosen values'
                # buckets, and each folded facet in the buckets of the other chosen values only. Only the status
                # facet then spans several statuses.
                aggs.update(_within("own_", folded, chosen, {name: _facet_terms(name, size)
                                                             for name, size in FACET_FIELDS.items()
                                                             if name not in folded}))
                for name in folded:
                    wide = _facet_terms(name, FACET_FIELDS[name], by_work if name == "status" else None)
                    aggs.update(_within(f"{name}_", [f for f in folded if f != name], chosen,
                                        {f"{name}_wide": wide}))
            elif request.facets:
                aggs.update({name: _facet_terms(name, size, by_work if request.count_field else None)
                             for name, size in requested_facets(request).items()})
            if shared and exact:
                # The total too: every matching document of a work with one version is a work of its own (the
                # hit count), so only the works with several versions need counting (at 33,000 works a terms
                # count over every match cost more than the search itself).
                aggs[VERSIONED] = {"terms": {"field": "versioned_work", "size": EXACT_DISTINCT_LIMIT}}
            elif request.count_field:
                # Tantivy's cardinality is an estimate (3238 for 3305 works); counting the terms is exact and as
                # fast up to tens of thousands of works, past which the estimate is the only affordable answer.
                if exact:
                    aggs["_distinct"] = {"terms": {"field": request.count_field, "size": EXACT_DISTINCT_LIMIT}}
                aggs["_estimate"] = {"cardinality": {"field": request.count_field}}
            if request.per_version and exact:  # every matching version is a bucket: none past the limit
                aggs[PER_VERSION] = {"terms": {"field": "version_id", "size": request.per_version}}
            return aggs

        def aggregate() -> dict:
            aggs = aggregations(exact=True)
            if not aggs:
                return {}
            try:
                return searcher.aggregate(aggregated_query, aggs)
            except ValueError as err:
                # Past Tantivy's limit of buckets per aggregation (works with several versions counted one by
                # one in every facet value), the works are estimated instead.
                if "bucket limit" not in str(err):
                    raise
                return searcher.aggregate(aggregated_query, aggregations(exact=False))

        # Every article and version has a version id: a per_version count's buckets, with the documents of the
        # versions it leaves out, are the total, with no count pass of its own.
        total_by_versions = (bool(request.per_version) and request.limit == 0 and not request.count_field
                             and not folded)
        need_count = (shared or not request.count_field) and not total_by_versions
        hits_raw, total = [], None
        # The aggregation is a second pass over the matches: it runs beside the top-k pass.
        aggregated = later(aggregate) if (request.facets or request.count_field or request.per_version) else None
        if request.limit > 0 or need_count:
            result = searcher.search(
                query,
                limit=max(request.limit, 1),
                offset=request.offset,
                count=need_count,
                order_by_field=order,
                weight_by_field=None if order or ranks_unweighted(request.text) else "weight",
            )
            hits_raw = result.hits[: request.limit]
            total = result.count if need_count else None  # type: ignore[attr-defined]  # missing from the stubs
        raw = aggregated.result() if aggregated is not None else {}
        if shared and VERSIONED in raw:
            works = raw[VERSIONED].get("buckets", [])
            total = (total or 0) - sum(int(b["doc_count"]) for b in works) + len(works)
            if len(works) >= EXACT_DISTINCT_LIMIT:
                total = self._work_estimate(searcher, matching)
        elif request.count_field:  # counted by terms, else (past the bucket limit) estimated
            buckets = raw["_distinct"]["buckets"] if "_distinct" in raw else None
            total = len(buckets) if buckets is not None and len(buckets) < EXACT_DISTINCT_LIMIT else int(
                round(raw.get("_estimate", {}).get("value") or 0))
        # What a hit carries is read from fast fields: fetching each hit's stored document (a compressed block
        # apiece) cost more than the engine's matching at 300 hits.
        addresses = [address for _, address in hits_raw]
        version_ids, article_ids, work_keys = (
            searcher.fast_field_values(name, addresses) if addresses else []
            for name in ("version_id", "article_id", "work_key"))
        hits = [
            BackendHit(
                doc_id=f"a{article}" if article is not None else f"v{version}",
                work_key=int(cast(int, work_key)),  # every document has both (_check_fields)
                version_id=int(cast(int, version)),
                score=0.0 if listing else float(score),
                article_id=int(article) if article is not None else None,
            )
            for (score, _), version, article, work_key in zip(hits_raw, version_ids, article_ids, work_keys,
                                                              strict=True)
        ]
        wider: dict[str, list[tuple[str, int]]] = {}
        if folded:
            own = _chosen_bucket(raw, "own_", folded, chosen)
            facets = {name: _buckets(own.get(name, {}).get("buckets", [])) for name in FACET_FIELDS}
            for name in folded:
                facets[name] = [(chosen[name], int(own["doc_count"]))] if own else []
                within = _chosen_bucket(raw, f"{name}_", [f for f in folded if f != name], chosen)
                wider[name] = _buckets(within.get(f"{name}_wide", {}).get("buckets", []))
        else:
            facets = {name: _buckets(raw.get(name, {}).get("buckets", [])) for name in requested_facets(request)}
        by_version = raw.get(PER_VERSION)
        per_version = [(int(b["key"]), int(b["doc_count"])) for b in (by_version or {}).get("buckets", [])]
        if total_by_versions:
            total = (sum(n for _, n in per_version) + int(by_version.get("sum_other_doc_count") or 0)
                     if by_version is not None else searcher.search(matching, limit=1, count=True).count)  # type: ignore[attr-defined]
        return BackendResult(total=total or 0, hits=hits, facets=facets, wider=wider,
                             per_version=sorted(per_version, key=lambda vc: -vc[1]))

    def _work_estimate(self, searcher: tantivy.Searcher, query: tantivy.Query) -> int:
        """Past EXACT_DISTINCT_LIMIT works with several versions, only an estimate is affordable."""
        raw = searcher.aggregate(query, {"_estimate": {"cardinality": {"field": "work_id"}}})
        return int(round(raw.get("_estimate", {}).get("value") or 0))

    # -- query building -------------------------------------------------------------------------------
    def _clause(self, clause: Clause, field: str) -> tantivy.Query:
        tokens = list(clause.tokens)
        if len(tokens) == 1:
            return tantivy.Query.term_query(self.schema, field, tokens[0])
        if clause.phrase:
            # Tantivy's sloppy phrase over three or more terms orders the terms' postings by their frequency
            # in each segment and then can miss a match that is there (quickwit-oss/tantivy#1934): the same
            # title was found or not depending on how the index happened to be split into segments. Each
            # neighbouring pair as its own two-term phrase (base.pair_slop) matches the same texts, the same
            # way every time.
            pairs = [tantivy.Query.phrase_query(self.schema, field, [a, b], slop=pair_slop(a, b))
                     for a, b in zip(tokens, tokens[1:], strict=False)]
            return pairs[0] if len(pairs) == 1 else tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, q) for q in pairs])
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.term_query(self.schema, field, t)) for t in tokens]
        )

    def _exact(self, chars: str, field: str) -> tantivy.Query:
        """Where `chars` stands as one run of characters in the field (`*_tok` names the field)."""
        pairs_field, chars_field = EXACT_FIELDS[field]
        if len(chars) == 1:
            return tantivy.Query.term_query(self.schema, chars_field, chars)
        grams = bigrams(chars)
        if len(grams) == 1:
            return tantivy.Query.term_query(self.schema, pairs_field, grams[0])
        # Every other bigram (and the last) covers every character: half the postings to intersect.
        words: list[str | tuple[int, str]] = [(i, g) for i, g in enumerate(grams)
                                              if i % 2 == 0 or i == len(grams) - 1]
        return tantivy.Query.phrase_query(self.schema, pairs_field, words, slop=0)

    def _exact_scored(self, chars: str, field: str, boost: float) -> tantivy.Query:
        """The exact match scored by how often and how densely the run stands in the field (BM25 of its
        bigrams, per bigram so that a long term does not drown the title and the words); a single character,
        indexed without frequencies, adds a constant."""
        if len(chars) == 1:
            return tantivy.Query.const_score_query(self._exact(chars, field), boost)
        return tantivy.Query.boost_query(self._exact(chars, field), boost * EXACT_SCALE / (len(chars) - 1))

    def _exact_clause(self, clause: Clause, text: TextQuery, kind: str, scored: bool = True) -> tantivy.Query:
        """Matched by its characters (title or text), ranked by them and by its words."""
        if text.title_only:
            fields = [("title_tok", 1.0)]
        elif kind != "version":
            fields = [(text_field(kind), 1.0)]
        else:
            fields = [("text_tok", 1.0), ("title_tok", TITLE_BOOST)]
        # The characters select (in the text: a version's indexed text holds its title, index_docs.docs_for_work) and
        # score by how often they stand there, more in the title; the words rank too. The title only scores: as
        # a second place to match it would make the engine list every match of both fields where a required
        # clause only visits the texts that hold the other terms too (a third of the search's time).
        several = len(clause.tokens) > 1
        boost = SEVERAL_WORDS_BOOST if several else 1.0
        parts = [(tantivy.Occur.Must, self._exact_scored(clause.chars, fields[0][0], fields[0][1] * boost))]
        if not scored:
            return parts[0][1]
        parts += [(tantivy.Occur.Should, self._exact_scored(clause.chars, f, b * boost)) for f, b in fields[1:]]
        if clause.tokens and not several:
            words = Clause(clause.tokens)
            parts += [(tantivy.Occur.Should, _boosted(self._clause(words, f), b)) for f, b in fields]
        return tantivy.Query.boolean_query(parts)

    def _scored_clause(self, clause: Clause, text: TextQuery, kind: str, scored: bool = True) -> tantivy.Query:
        if clause.chars:
            return self._exact_clause(clause, text, kind, scored)
        if text.title_only:
            return self._clause(clause, "title_tok")
        body = self._clause(clause, text_field(kind))
        if kind != "version" or not scored:
            return body
        title = tantivy.Query.boost_query(self._clause(clause, "title_tok"), TITLE_BOOST)
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, body), (tantivy.Occur.Should, title)])

    def _text_query(self, text: TextQuery, kind: str,
                    scored: bool = True) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """The text's clauses; not `scored`, only those that decide what matches (the same documents)."""
        parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if text.match_any:
            should = [(tantivy.Occur.Should, self._scored_clause(c, text, kind, scored)) for c in text.must]
            for group in text.any_of:
                should += [(tantivy.Occur.Should, self._scored_clause(c, text, kind, scored)) for c in group]
            if should:
                parts.append((tantivy.Occur.Must, tantivy.Query.boolean_query(should)))
        else:
            parts += [(tantivy.Occur.Must, self._scored_clause(c, text, kind, scored)) for c in text.must]
            for group in text.any_of:
                group_query = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, self._scored_clause(c, text, kind, scored)) for c in group]
                )
                parts.append((tantivy.Occur.Must, group_query))
        if not scored:
            parts += [(tantivy.Occur.MustNot, self._excluded(clause, text, kind)) for clause in text.exclude]
            return parts
        if text.together:
            field = "title_tok" if text.title_only else text_field(kind)
            together = tantivy.Query.const_score_query(self._exact(text.together, field), together_boost(text))
            parts.append((tantivy.Occur.Should, together))
        if text.title_key and kind == "version":
            exact = tantivy.Query.term_query(self.schema, "title_key", text.title_key)
            parts.append((tantivy.Occur.Should, tantivy.Query.boost_query(exact, EXACT_TITLE_BOOST)))
        parts += [(tantivy.Occur.MustNot, self._excluded(clause, text, kind)) for clause in text.exclude]
        return parts

    def _excluded(self, clause: Clause, text: TextQuery, kind: str) -> tantivy.Query:
        field = "title_tok" if text.title_only else text_field(kind)
        return (self._exact(clause.chars, field) if clause.chars
                else self._clause(Clause(clause.tokens, phrase=True), field))

    def _filter_query(self, f: Filters, kind_known: bool = False) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """The filters as clauses that only select: Must (scored 0) and MustNot. Not the kind where the text's
        required clauses are on fields only that kind has (`kind_known`): intersecting a posting for every
        article cost a fifth of an article search at 33,000 works."""
        s = self.schema
        out = [] if kind_known else [tantivy.Query.term_query(s, "kind", f.kind)]
        excluded: list[str] = []

        def terms(field: str, values) -> None:
            # A term set builds a bitset of every document holding one of its values before the search starts
            # (4 ms a pass for status=effective at 33,000 works); a term's postings are only skipped through.
            values = list(dict.fromkeys(values))
            if len(values) == 1:
                out.append(tantivy.Query.term_query(s, field, values[0]))
            elif values:
                out.append(tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, tantivy.Query.term_query(s, field, v)) for v in values]))

        terms("doc_type", f.doc_types)
        terms("region", f.regions)
        terms("body_ids", f.body_ids)
        terms("region_codes", f.scope_codes)
        terms("region_codes", f.region_codes)
        terms("topic", f.topics)
        if f.as_of is None:
            excluded.extend(_status_complement(f.statuses))
        else:
            out.append(_int_range(s, "effective", 1, f.as_of))  # 1: undated texts (0) are in force on no known day
            out.append(_int_range(s, "effective_to", f.as_of + 1, None))
            out.append(_int_range(s, "ended", f.as_of + 1, None))
        if f.ended_to is not None:
            out.append(_int_range(s, "ended", None, f.ended_to))
        if f.published_from is not None or f.published_to is not None:
            out.append(_int_range(s, "published", f.published_from, f.published_to))
        if f.effective_from is not None or f.effective_to is not None:
            out.append(_int_range(s, "effective", f.effective_from, f.effective_to))
        terms("version_id", [int(v) for v in f.version_ids])
        if f.doc_number_key:
            out.append(tantivy.Query.term_query(s, "doc_number_key", f.doc_number_key))
        if f.current_only:
            out.append(tantivy.Query.term_query(s, "is_current", 1))
        # The statuses not wanted are excluded, the cheapest way to keep the rest: an excluded term is only
        # skipped to at each match, where the statuses wanted would be a union to walk.
        return ([(tantivy.Occur.Must, tantivy.Query.const_score_query(q, 0.0)) for q in out]
                + [(tantivy.Occur.MustNot, tantivy.Query.term_query(s, "status", v)) for v in excluded])

    def _query(self, text: TextQuery, filters: Filters, scored: bool = True) -> tantivy.Query:
        """The search's query; not `scored`, one that matches the same documents without what only ranks them
        (for counting: the clauses that only score cost half an aggregation pass)."""
        parts = self._text_query(text, filters.kind, scored)
        # Each kind's text has fields of its own (base.ARTICLE_FIELDS), but titles are only on versions: an article
        # search on titles keeps its kind filter (and finds nothing).
        kind_known = (any(occur == tantivy.Occur.Must for occur, _ in parts)
                      and (filters.kind == "version" or not text.title_only))
        parts += self._filter_query(filters, kind_known)  # they only select: scores stay the text's
        if not any(occur == tantivy.Occur.Must for occur, _ in parts):
            parts.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(parts)

    def close(self) -> None:
        self._index, self._kept = None, None


def work_key(work_id: str) -> int:
    """A work id as a signed 64-bit number: two of 33,000 works share one with a chance of about 3 in 10^11."""
    return int.from_bytes(hashlib.blake2b(work_id.encode(), digest_size=8).digest(), "big", signed=True)


def _status_complement(statuses: tuple[str, ...]) -> list[str]:
    """The statuses to exclude so that only `statuses` remain: every indexed status is one of the vocabulary's
    (indexer.store.status computes them), so excluding the others keeps exactly these; all of them, none."""
    wanted = set(statuses)
    return [s for s in STATUSES if s not in wanted] if wanted else []


def _within(prefix: str, fields: list[str] | tuple[str, ...], chosen: dict[str, str], inner: dict) -> dict:
    """Aggregations `inner` counted among the documents holding the chosen value of each of `fields` (nested
    one-value terms aggregations, named prefix + field)."""
    for name in reversed(fields):
        inner = {prefix + name: {"terms": {"field": name, "include": [chosen[name]], "size": 1}, "aggs": inner}}
    return inner


def _chosen_bucket(raw: dict, prefix: str, fields: list[str] | tuple[str, ...], chosen: dict[str, str]) -> dict:
    """The innermost bucket of a `_within` aggregation (the whole result when `fields` is empty); {} when no
    match holds the chosen values."""
    node = raw
    for name in fields:
        bucket = next((b for b in node.get(prefix + name, {}).get("buckets", []) if b["key"] == chosen[name]), None)
        if bucket is None:
            return {}
        node = bucket
    return node


VERSIONED = "_versioned"  # the matching works with several versions, bucketed by work
PER_VERSION = "_per_version"  # SearchRequest.per_version
WORKS_AGG = "_works"  # within a facet value


def _facet_terms(name: str, size: int, by_work: str | None = None) -> dict:
    """A facet's terms aggregation; by_work (where one work can match with several versions) with each
    value's works: "exact", the documents of works with several versions bucketed by work (measured cheaper
    under the facet's few values than the facets under each work), or "estimate" (cardinality)."""
    agg: dict = {"terms": {"field": name, "size": size}}
    if by_work == "exact":
        agg["aggs"] = {WORKS_AGG: {"terms": {"field": "versioned_work", "size": EXACT_DISTINCT_LIMIT}}}
    elif by_work == "estimate":
        agg["aggs"] = {WORKS_AGG: {"cardinality": {"field": "work_id"}}}
    return agg


def _buckets(buckets: list[dict]) -> list[tuple[str, int]]:
    """(value, count) most first: a value's works where its works were counted (_facet_terms), else its
    documents."""
    counted = []
    for bucket in buckets:
        count, works = int(bucket["doc_count"]), bucket.get(WORKS_AGG)
        if works is not None and "buckets" in works:  # each work's documents beyond its first taken off
            count += len(works["buckets"]) - sum(int(b["doc_count"]) for b in works["buckets"])
        elif works is not None:
            count = int(round(works.get("value") or 0))
        counted.append((str(bucket["key"]), count))
    return sorted(counted, key=lambda kv: -kv[1])


def _check_fields(directory: Path) -> None:
    """An index built by an older fagui lacks fields this one searches and writes: Tantivy would abort the
    process on the first query naming one, so such an index is refused with what to do."""
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        types = {field["name"]: field["type"] for field in meta["schema"]}
        order = tuple(field["name"] for field in meta["schema"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackendUnavailable(f"检索索引无法打开（{directory.name}）：请运行 `fagui index rebuild`") from exc
    # A field whose kind changed counts as missing: the digest was text before it was bytes.
    missing = sorted(name for name in FIELD_ORDER
                     if name not in types or types[name] != _FIELD_TYPES.get(name, types[name]))
    if missing:
        raise BackendUnavailable(f"检索索引由旧版本建立，缺少字段 {'、'.join(missing)}：请运行 `fagui index rebuild` 重建")
    # A query names a field by its place in this fagui's schema: an index holding the same fields in another
    # order would be searched in the wrong fields.
    if order != FIELD_ORDER:
        raise BackendUnavailable("检索索引由其他版本建立，字段顺序不同：请运行 `fagui index rebuild` 重建")


_FIELD_TYPES = {"digest": "bytes"}


def _boosted(query: tantivy.Query, boost: float) -> tantivy.Query:
    return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)


def _int_range(schema: tantivy.Schema, field: str, lower: int | None, upper: int | None) -> tantivy.Query:
    return tantivy.Query.range_query(schema, field, tantivy.FieldType.Integer, lower, upper)
