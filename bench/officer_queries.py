"""Officer and citizen queries (issue 18): 60 realistic queries, each with the work and article that answers it
(bench/officer_queries.json, written from the corpus), searched through the project's own `search` as the
search page does (first page, 10 hits, status 现行有效). It prints, with the everyday-words expansion and
without it (expand=0):

- first: the expected work is the first thing the reader is shown — the direct answer the page opens, or the
  first hit when there is none (target >= 70%); "first hit" counts the result list alone, ignoring the direct
  answer;
- top 10: the expected work is the direct answer or among the first 10 hits (target >= 90%);
- article: the expected article is shown — it is the direct answer, or listed under the expected work's hit
  (target >= 80%).

    .venv/bin/python bench/officer_queries.py [--data-dir DIR] [--queries FILE] [--verbose]

DIR (default $FAGUI_DATA_DIR, else /work/benchdata/store) holds an imported store with its Tantivy index; it is
only read (the SQLite file is opened read-only and immutable)."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, create_engine  # noqa: E402

from fagui.settings import load_settings  # noqa: E402
from indexer.search.backends import open_backend  # noqa: E402
from indexer.search.results import ArticleAnswer, SearchResult  # noqa: E402
from indexer.search.service import SearchParams, search  # noqa: E402
from indexer.store.db import session_factory  # noqa: E402

DEFAULT_DATA_DIR = "/work/benchdata/store"
QUERIES = Path(__file__).with_name("officer_queries.json")


@dataclass(frozen=True)
class Outcome:
    first: bool
    first_hit: bool
    top10: bool
    article: bool


def judge(result: SearchResult, work: str, article: str) -> Outcome:
    direct = result.direct
    titles = [h.title for h in result.hits]
    direct_work = direct is not None and direct.title == work
    direct_article = isinstance(direct, ArticleAnswer) and direct_work and direct.article.label == article
    listed = next((h for h in result.hits if h.title == work), None)
    shown_under = listed is not None and article in [a.label for a in listed.articles]
    return Outcome(first=direct_work if direct is not None else titles[:1] == [work],
                   first_hit=titles[:1] == [work], top10=direct_work or work in titles[:10],
                   article=direct_article or shown_under)


def read_only_engine(db_path: Path) -> Engine:
    uri = f"file:{db_path}?mode=ro&immutable=1"
    return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path(os.environ.get("FAGUI_DATA_DIR") or DEFAULT_DATA_DIR))
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--verbose", action="store_true", help="print every query that misses a measure")
    args = ap.parse_args()
    queries = json.loads(args.queries.read_text(encoding="utf-8"))
    settings = load_settings({"FAGUI_DATA_DIR": str(args.data_dir)})
    factory = session_factory(read_only_engine(args.data_dir / "fagui.db"))
    backend = open_backend(settings)
    print(f"{len(queries)} queries from {args.queries.name}; store {args.data_dir}")
    for expand in (True, False):
        outcomes: list[Outcome] = []
        started = time.perf_counter()
        with factory() as session:
            for item in queries:
                result = search(session, backend, SearchParams(q=item["q"], expand=expand))
                outcome = judge(result, item["work"], item["article"])
                outcomes.append(outcome)
                if args.verbose and not (outcome.first and outcome.article):
                    shown = result.direct.title if result.direct else (result.hits[0].title if result.hits else "无")
                    print(f"  {'expand' if expand else 'plain '} {item['q']}: first={outcome.first} "
                          f"top10={outcome.top10} article={outcome.article} (shown first: {shown})")
        took = time.perf_counter() - started
        n = len(outcomes)

        def pct(name: str, outcomes: list[Outcome] = outcomes, n: int = n) -> str:
            hits = sum(getattr(o, name) for o in outcomes)
            return f"{hits}/{n} = {100 * hits / n:.0f}%"

        print(f"expand={int(expand)}: first {pct('first')} (target 70%), first hit {pct('first_hit')}, "
              f"top 10 {pct('top10')} (target 90%), article shown {pct('article')} (target 80%); "
              f"{took:.1f} s in all")


if __name__ == "__main__":
    main()
