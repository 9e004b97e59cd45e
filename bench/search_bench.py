"""Search benchmark: index build time, query latency (median, p95) at corpus size and replicated 10x, side by
side with the naive peer (SQLite FTS5 over the same jieba tokens, ranked by bm25), and ranking quality on the
queries of bench/queries.json that name the work a user wants (success@1, MRR@10).

    .venv/bin/python bench/search_bench.py [--corpus PATH] [--data-dir DIR] [--repeat 3] [--replicas 10]
                                           [--use-index] [--no-peer] [--mode exact|fuzzy]

With --data-dir pointing at a store that already holds the corpus, the import is skipped; --use-index measures
the index already built there (`fagui index rebuild`) instead of building one, --replicas 0 skips the 10x
index, --no-peer the SQLite FTS5 peer. Queries run in the default exact mode (精确检索) unless --mode fuzzy;
every query asks for facets, snippets and matching articles, as the site does."""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from crawlers.sources import lawrefbook  # noqa: E402
from fagui.settings import SHARED_CORPUS, load_settings  # noqa: E402
from indexer.ingest.pipeline import ingest  # noqa: E402
from indexer.search.analysis import analyse_query  # noqa: E402
from indexer.search.backends.tantivy_backend import TantivyBackend  # noqa: E402
from indexer.search.index_docs import all_work_ids, iter_doc_batches  # noqa: E402
from indexer.search.indexing import rebuild  # noqa: E402
from indexer.search.query import parse_query  # noqa: E402
from indexer.search.service import SearchParams, search  # noqa: E402
from indexer.store.db import make_engine, session_factory  # noqa: E402
from indexer.store.migrate import upgrade  # noqa: E402
from indexer.store.models import Work  # noqa: E402

QUERIES = json.loads((Path(__file__).parent / "queries.json").read_text(encoding="utf-8"))


MODE = "exact"


def params_for(entry: dict) -> SearchParams:
    return SearchParams(
        mode=entry.get("mode", MODE),
        q=entry["q"],
        statuses=tuple(entry.get("statuses", ("effective",))),
        doc_types=tuple(entry.get("doc_types", ())),
        regions=tuple(entry.get("regions", ())),
        as_of=date.fromisoformat(entry["as_of"]) if entry.get("as_of") else None,
        sort=entry.get("sort", "relevance"),
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def time_ours(factory, backend, repeat: int) -> tuple[list[float], dict]:
    times, ranked = [], {}
    with factory() as session:
        for entry in QUERIES:  # warm-up: first touches of the index files and caches
            search(session, backend, params_for(entry))
        for _ in range(repeat):
            for entry in QUERIES:
                started = time.perf_counter()
                result = search(session, backend, params_for(entry))
                times.append((time.perf_counter() - started) * 1000)
                ranked[entry["q"]] = [h.title for h in result.hits]
    return times, ranked


# -- the naive peer ------------------------------------------------------------------------------------
def build_fts(factory, path: Path) -> float:
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(title_tok, text_tok, work_id UNINDEXED, title UNINDEXED, "
               "doc_type UNINDEXED, region UNINDEXED, status UNINDEXED, published UNINDEXED, "
               "effective UNINDEXED, effective_to UNINDEXED, ended UNINDEXED, tokenize='unicode61')")
    with factory() as session:
        titles = dict(session.execute(select(Work.id, Work.title)).all())
        for _, docs in iter_doc_batches(session, all_work_ids(session)):
            db.executemany(
                "INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(d["title_tok"], d["text_tok"], d["work_id"], titles.get(d["work_id"], ""), d["doc_type"],
                  d["region"], d["status"], d["published"], d["effective"], d["effective_to"], d["ended"])
                 for d in docs if d["kind"] == "version"],
            )
    db.commit()
    db.close()
    return time.perf_counter() - started


def fts_match(entry: dict) -> str | None:
    parsed = parse_query(entry["q"]) if entry["q"].strip() else None
    if parsed is None:
        return None
    words = list(parsed.must) + list(parsed.phrases)
    if parsed.work_article is not None:
        words.append(parsed.work_article.work_title)
    parts = []
    for word in words:
        tokens = [t.replace('"', "") for t in analyse_query(word)]
        if tokens:
            parts.append('"' + " ".join(tokens) + '"' if len(tokens) > 1 else f'"{tokens[0]}"')
    return " AND ".join(parts) or None


def time_fts(path: Path, repeat: int) -> tuple[list[float], dict]:
    db = sqlite3.connect(path)
    times, ranked = [], {}
    for round_ in range(repeat + 1):
        for entry in QUERIES:
            match = fts_match(entry)
            where, args = [], []
            if match:
                where.append("docs MATCH ?")
                args.append(match)
            statuses = entry.get("statuses", ["effective"])
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            args += statuses
            for column, key in (("doc_type", "doc_types"), ("region", "regions")):
                if entry.get(key):
                    where.append(f"{column} IN ({','.join('?' * len(entry[key]))})")
                    args += entry[key]
            clause = " AND ".join(where)
            order = "bm25(docs, 3.0, 1.0)" if match else "published DESC"
            started = time.perf_counter()
            rows = db.execute(f"SELECT title, snippet(docs, 1, '<mark>', '</mark>', '…', 16) FROM docs "
                              f"WHERE {clause} ORDER BY {order} LIMIT 10", args).fetchall()
            db.execute(f"SELECT count(DISTINCT work_id) FROM docs WHERE {clause}", args).fetchone()
            for column in ("doc_type", "region", "status"):
                db.execute(f"SELECT {column}, count(*) FROM docs WHERE {clause} GROUP BY {column}", args).fetchall()
            elapsed = (time.perf_counter() - started) * 1000
            if round_:  # the first round warms the page cache
                times.append(elapsed)
                ranked[entry["q"]] = [r[0] for r in rows]
    db.close()
    return times, ranked


def ranking_quality(ranked: dict) -> dict:
    judged = [e for e in QUERIES if e.get("expect")]
    success, rr = 0, 0.0
    for entry in judged:
        titles = ranked.get(entry["q"], [])
        if titles[:1] == [entry["expect"]]:
            success += 1
        if entry["expect"] in titles[:10]:
            rr += 1 / (titles.index(entry["expect"]) + 1)
    return {"judged_queries": len(judged), "success_at_1": round(success / len(judged), 3),
            "mrr_at_10": round(rr / len(judged), 3)}


def replicated_batches(factory, copies: int):
    with factory() as session:
        ids = all_work_ids(session)
        for _, docs in iter_doc_batches(session, ids):
            for copy in range(copies):
                yield [
                    {**d, "id": f"{d['id']}-{copy}", "work_id": d["work_id"] + (f"-{copy}" if copy else "")}
                    for d in docs
                ]


def index_bytes(backend: TantivyBackend) -> int:
    """Size on disk of the index searches use."""
    current = backend._current_dir()
    return sum(f.stat().st_size for f in current.rglob("*") if f.is_file()) if current else 0


def summary(times: list[float]) -> dict:
    return {"queries": len(times), "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(percentile(times, 95), 2), "max_ms": round(max(times), 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--replicas", type=int, default=10)
    parser.add_argument("--use-index", action="store_true", help="measure the index already in --data-dir")
    parser.add_argument("--no-peer", action="store_true", help="skip the SQLite FTS5 peer")
    parser.add_argument("--mode", choices=("exact", "fuzzy"), default="exact")
    args = parser.parse_args()
    global MODE
    MODE = args.mode
    tmp = tempfile.TemporaryDirectory()
    data_dir = args.data_dir or Path(tmp.name)
    settings = load_settings({"FAGUI_DATA_DIR": str(data_dir)})
    engine = make_engine(settings=settings)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as session:
        works = session.scalar(select(func.count()).select_from(Work))
    if not works:
        report = lawrefbook.read_corpus(args.corpus)
        ingest(factory, lawrefbook.SOURCE, report.records, report.errors)
    with factory() as session:
        works = session.scalar(select(func.count()).select_from(Work))

    out: dict = {"works": works, "mode": args.mode}
    if args.use_index:
        backend = TantivyBackend(data_dir / "tantivy")
    else:
        backend = TantivyBackend(Path(tmp.name) / "bench-tantivy")
        started = time.perf_counter()
        indexed = rebuild(factory, backend)
        out["index_build"] = {"seconds": round(time.perf_counter() - started, 2), "documents": indexed.documents}
    out["index_bytes"] = index_bytes(backend)

    ours, our_ranks = time_ours(factory, backend, args.repeat)
    out["corpus"] = {"fagui_tantivy": summary(ours), "ranking": {"fagui_tantivy": ranking_quality(our_ranks)}}
    if not args.no_peer:
        fts_path = Path(tmp.name) / "fts.db"
        fts_build = build_fts(factory, fts_path)
        peer, peer_ranks = time_fts(fts_path, args.repeat)
        out["corpus"]["sqlite_fts5_bm25"] = {**summary(peer), "build_seconds": round(fts_build, 2)}
        out["corpus"]["p95_ratio_fts5_over_ours"] = round(percentile(peer, 95) / percentile(ours, 95), 2)
        out["corpus"]["ranking"]["sqlite_fts5_bm25"] = ranking_quality(peer_ranks)
    if args.replicas < 2:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        engine.dispose()
        tmp.cleanup()
        return

    big = TantivyBackend(Path(tmp.name) / "bench-tantivy-x")
    started = time.perf_counter()
    big.rebuild(replicated_batches(factory, args.replicas))
    big_build = time.perf_counter() - started
    ours_big, _ = time_ours(factory, big, args.repeat)
    out[f"replicated_x{args.replicas}"] = {"works": works * args.replicas, "build_seconds": round(big_build, 2),
                                           "index_bytes": index_bytes(big), "fagui_tantivy": summary(ours_big)}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
