"""Time a whole-corpus import into a fresh store, then a second import (which must change no counts).

    .venv/bin/python bench/import_corpus.py [CORPUS] [--database-url URL]

Prints the seconds for parsing and storing, records per second, the counts after each run, and whether the
second run changed anything. Default corpus: ../shared/corpus/lawrefbook.jsonl.gz; default store: a new
SQLite file in a temporary directory (PostgreSQL with --database-url)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawlers.sources import lawrefbook  # noqa: E402
from fagui.settings import SHARED_CORPUS, load_settings  # noqa: E402
from indexer.ingest.pipeline import ingest  # noqa: E402
from indexer.store.db import make_engine, session_factory  # noqa: E402
from indexer.store.inspection import stats  # noqa: E402
from indexer.store.migrate import upgrade  # noqa: E402


def run(factory, path: Path) -> dict:
    started = time.perf_counter()
    report = lawrefbook.read_corpus(path)
    parsed = time.perf_counter()
    summary = ingest(factory, lawrefbook.SOURCE, report.records, report.errors)
    stored = time.perf_counter()
    with factory() as session:
        counts = stats(session)
    return {
        "parse_s": round(parsed - started, 2),
        "store_s": round(stored - parsed, 2),
        "total_s": round(stored - started, 2),
        "records_per_s": round(len(report.records) / (stored - started), 1),
        "new_versions": summary.new_versions,
        "unchanged": summary.unchanged,
        "failed": len(summary.failed),
        "counts": {k: counts[k] for k in ("works", "versions", "articles", "issuing_bodies")},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path, default=SHARED_CORPUS)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"FAGUI_DATA_DIR": tmp, **({"FAGUI_DATABASE_URL": args.database_url}
                                                             if args.database_url else {})})
        engine = make_engine(settings=settings)
        upgrade(engine)
        factory = session_factory(engine)
        first = run(factory, args.corpus)
        second = run(factory, args.corpus)
        engine.dispose()
    result = {
        "corpus": str(args.corpus),
        "database": "postgresql" if args.database_url else "sqlite",
        "first_import": first,
        "second_import": second,
        "second_changed_counts": first["counts"] != second["counts"],
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
