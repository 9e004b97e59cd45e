"""Full-title search over a whole store: every work in force is searched by its own full title, and the
script prints how many are found on the first page and how many rank first.

    .venv/bin/python bench/title_recall.py --data-dir DIR [--per-page 10] [--show 10]

DIR holds an imported store with its index (the README's first command builds ./instance)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from fagui.settings import load_settings  # noqa: E402
from indexer.search.backends import open_backend  # noqa: E402
from indexer.search.service import SearchParams, search  # noqa: E402
from indexer.store.db import make_engine, session_factory  # noqa: E402
from indexer.store.models import Work  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--per-page", type=int, default=10)
    ap.add_argument("--show", type=int, default=10, help="how many misses to list")
    args = ap.parse_args()
    settings = load_settings({"FAGUI_DATA_DIR": str(args.data_dir)})
    engine = make_engine(settings=settings)
    factory = session_factory(engine, reader=True)
    backend = open_backend(settings)
    with factory() as session:
        works = [(w.id, w.title) for w in session.scalars(select(Work).where(Work.status == "effective"))]
    first, missed = 0, []
    started = time.perf_counter()
    with factory() as session:
        for work_id, title in works:
            hits = search(session, backend, SearchParams(q=title, facets=False, per_page=args.per_page)).hits
            ids = [h.work_id for h in hits]
            first += bool(ids) and ids[0] == work_id
            if work_id not in ids:
                missed.append(title)
    seconds = time.perf_counter() - started
    n = len(works)
    print(f"现行有效法规 {n} 件，按全称检索：第一页找到 {n - len(missed)} 件（{(n - len(missed)) / n:.1%}），"
          f"排第一 {first} 件（{first / n:.1%}），用时 {seconds:.1f} 秒")
    for title in missed[: args.show]:
        print(f"  未找到：{title}")
    engine.dispose()


if __name__ == "__main__":
    main()
