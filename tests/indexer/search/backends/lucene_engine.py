"""The Elasticsearch engine's queries run by Lucene itself, for the conformance suite where no Elasticsearch
server is reachable: the documents are indexed by Lucene with the template's mapping and analyzers, the `query`
the Elasticsearch engine builds (elasticsearch_backend.build_query) is translated as Elasticsearch translates it
(lucene/RunQueries.java) and run with Elasticsearch's BM25; the function_score factor, sorting, paging, totals
and facets are applied here as Elasticsearch applies them (float scores, ties in index order, terms buckets by
count). What it cannot show is Elasticsearch's own transport, shards and aggregation code: the live suite does."""

from __future__ import annotations

import json
import math
import shutil
import struct
import subprocess
import threading
from collections import Counter
from pathlib import Path

from indexer.search.backends import elasticsearch_backend as esb
from indexer.search.backends.base import (
    BackendHit,
    BackendResult,
    BackendUnavailable,
    SearchRequest,
    listing_order,
    requested_facets,
)

HERE = Path(__file__).parent / "lucene"
JARS = ("lucene-core", "lucene-analyzers-common", "lucene-queries")


def lucene_classpath(build_dir: Path) -> tuple[str | None, str]:
    """(classpath, "") with the helpers compiled, or (None, why not)."""
    if not (shutil.which("java") and shutil.which("javac")):
        return None, "Java (java, javac) is not installed: apt-get install default-jdk-headless liblucene8-java"
    jars = []
    for name in JARS:
        found = sorted(Path("/usr/share/java").glob(f"{name}-[0-9]*.jar"))
        if not found:
            return None, f"Lucene's {name} jar is not in /usr/share/java: apt-get install liblucene8-java"
        jars.append(str(found[-1]))
    sources = [str(p) for p in sorted(HERE.glob("*.java"))]
    subprocess.run(["javac", "-cp", ":".join(jars), "-d", str(build_dir), *sources], check=True,
                   capture_output=True, timeout=300)
    return ":".join([str(build_dir), *jars]), ""


def _float32(value: float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


def _analyzer_patterns() -> dict[str, str]:
    analysis = esb.load_template()["template"]["settings"]["analysis"]
    patterns = {}
    for name, spec in analysis["analyzer"].items():
        tokenizer = analysis.get("tokenizer", {}).get(spec["tokenizer"], {})
        assert tokenizer.get("type") == "pattern" and not spec.get("filter") and not spec.get("char_filter"), (
            f"analyzer {name}: only a pattern tokenizer without filters is run here")
        patterns[name] = tokenizer["pattern"]
    return patterns


class LuceneEngine:
    """The SearchBackend protocol over a Lucene process holding the documents."""

    name = "elasticsearch-on-lucene"
    folds_facets = False  # as the Elasticsearch engine

    def __init__(self, classpath: str) -> None:
        self._process = subprocess.Popen(["java", "-cp", classpath, "RunQueries"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True, encoding="utf-8")
        self._docs: dict[str, dict] | None = None
        self._lock = threading.Lock()
        self._properties = esb.load_template()["template"]["mappings"]["properties"]
        self._patterns = _analyzer_patterns()

    def _ask(self, request: dict) -> dict:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self._process.stdin.flush()
        answer = json.loads(self._process.stdout.readline())
        if "error" in answer:
            raise AssertionError(f"Lucene: {answer['error']}")
        return answer

    def _load(self, docs: dict[str, dict]) -> None:
        # The fields as the Elasticsearch engine sends them (an article's text under its own fields).
        self._ask({"op": "index", "properties": self._properties, "analyzers": self._patterns,
                   "docs": [esb._index_source(d) for d in docs.values()]})
        self._docs = docs

    # -- writing ------------------------------------------------------------------------------------------
    def replace_works(self, work_ids: list[str], docs: list[dict]) -> None:
        with self._lock:
            gone = {str(w) for w in work_ids}
            kept = {k: d for k, d in (self._docs or {}).items() if str(d["work_id"]) not in gone}
            kept.update({str(d["id"]): d for d in docs})
            self._load(kept)

    def rebuild(self, batches) -> int:
        with self._lock:
            fresh: dict[str, dict] = {}
            for batch in batches:
                fresh.update({str(d["id"]): d for d in batch})
            self._load(fresh)
            return len(fresh)

    # -- reading ------------------------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> BackendResult:
        if self._docs is None:
            raise BackendUnavailable("检索索引尚未建立：请先运行 `fagui index rebuild`")
        query = esb.build_query(request)
        function = query.get("function_score")  # absent: the words alone rank (a pasted passage)
        if function is not None:
            assert function["functions"] == [{"field_value_factor": {"field": "weight", "modifier": "ln2p",
                                                                     "missing": 0}, "weight": 1 / math.log(2)}]
            assert (function["score_mode"], function["boost_mode"]) == ("multiply", "multiply")
        raw = self._ask({"op": "search", "query": function["query"] if function is not None else query})["hits"]
        hits = []
        for doc_id, score in raw:  # best first, ties in index order
            doc = self._docs[doc_id]
            factor = math.log(2 + float(doc.get("weight") or 0)) * (1 / math.log(2)) if function is not None else 1.0
            hits.append((doc, _float32(score * _float32(factor))))
        listing = listing_order(request)
        key = request.sort if request.sort in ("published", "effective") else listing
        if key:
            hits = [(d, float(d.get(key) or 0)) for d, _ in hits]
        order = sorted(range(len(hits)), key=lambda i: (-hits[i][1], i))
        ranked = [(hits[i][0], 0.0 if listing else hits[i][1]) for i in order]
        total = (len({str(d[request.count_field]) for d, _ in ranked}) if request.count_field else len(ranked))
        facets: dict[str, list[tuple[str, int]]] = {}
        aggs = esb.build_aggs(request)
        for name, size in requested_facets(request).items():
            held = [(str(v), d) for d, _ in ranked
                    for v in (d.get(name) if isinstance(d.get(name), list) else [d.get(name)]) if v is not None]
            # a value's documents, or as the engine asks with a cardinality sub-aggregation, its distinct works
            distinct = aggs[name].get("aggs", {}).get(esb.WORKS_AGG, {}).get("cardinality", {}).get("field")
            counts = Counter(v for v, _ in {(v, str(d[distinct])) for v, d in held}) if distinct else Counter(
                v for v, _ in held)
            facets[name] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
        page = ranked[max(request.offset, 0): max(request.offset, 0) + max(request.limit, 0)]
        per_version: list[tuple[int, int]] = []
        if "per_version" in aggs:  # a terms aggregation: most first, ties by the lower key
            versions = Counter(int(d["version_id"]) for d, _ in ranked)
            per_version = sorted(versions.items(), key=lambda kv: (-kv[1], kv[0]))[:request.per_version]
        return BackendResult(total=total, facets=facets, per_version=per_version, hits=[
            BackendHit(doc_id=str(d["id"]), work_key=str(d["work_id"]), version_id=int(d["version_id"]), score=s,
                       article_id=int(d["article_id"]) if d.get("article_id") is not None else None)
            for d, s in page])

    def digests(self) -> dict[str, str]:
        if self._docs is None:
            raise BackendUnavailable("检索索引尚未建立：请先运行 `fagui index rebuild`")
        return {k: d.get("digest", "") for k, d in self._docs.items()}

    def count(self) -> int:
        return len(self._docs or {})

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        self._process.wait(timeout=30)
