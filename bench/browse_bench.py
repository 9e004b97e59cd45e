"""Browse page times (issue 20): median and p95 of each browse page (/browse, the directories of bodies, regions,
years and topics, lists of 20 by level, region, year and body, a deep page, a list's feed and the default search)
through the Flask app with the search cache off, deployed for a region, at corpus size and at 10x.

    .venv/bin/python bench/browse_bench.py --data-dir DIR [--region 410000] [--repeat 20] [--replicas 10]

DIR is a store holding the corpus with its index rebuilt since issue 20 (`fagui regions assign && fagui index
rebuild`); it is only read. For 10x the SQLite file is copied to a temporary directory and every work is
replicated (new ids, the same bodies, regions and dates; texts cut to 200 characters and articles dropped, which
browse pages never read), and a Tantivy index is built from the copy: its version documents are what browse
lists search, so the 10x index holds those and no article documents."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGES = ("/browse/", "/browse/bodies", "/browse/regions", "/browse/years", "/browse/topics",
         "/browse/list", "/browse/list?doc_type=地方性法规", "/browse/list?region_code={city}",
         "/browse/list?year=2019", "/browse/list?body={body}", "/browse/list?page=10",
         "/browse/list?national=0", "/browse/list.atom?region_code={city}", "/search")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def measure(data_dir: Path, region: str, repeat: int) -> dict:
    os.environ.update(FAGUI_DATA_DIR=str(data_dir), FAGUI_REGION=region, FAGUI_SEARCH_CACHE_SECONDS="0",
                      FAGUI_API_RATE_LIMIT="0")
    from fagui.settings import load_settings
    from portal import create_app

    app = create_app(load_settings(), testing=True)
    client = app.test_client()
    db = sqlite3.connect(data_dir / "fagui.db")
    city = db.execute("SELECT region_code FROM works WHERE region_code LIKE ? AND substr(region_code, 5) = '00' "
                      "AND substr(region_code, 3) != '0000' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
                      (region[:2] + "%",)).fetchone()
    body = db.execute("SELECT wb.body_id FROM work_issuing_bodies wb JOIN works w ON w.id = wb.work_id "
                      "WHERE w.region_code LIKE ? GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
                      (region[:2] + "%",)).fetchone()
    works = db.execute("SELECT count(*) FROM works").fetchone()[0]
    db.close()
    out: dict = {"works": works, "pages": {}}
    every: list[float] = []
    for template in PAGES:
        url = template.format(city=city[0] if city else region, body=body[0] if body else 1)
        first = client.get(url)
        assert first.status_code == 200, (url, first.status_code, first.get_data(as_text=True)[:300])
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        every += times
        out["pages"][url] = {"median_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 95), 1)}
    out["all_pages"] = {"median_ms": round(statistics.median(every), 1), "p95_ms": round(percentile(every, 95), 1)}
    return out


def replicate(source: Path, target: Path, copies: int) -> None:
    """A copy of the store with every work replicated `copies` times in all (texts cut, no articles)."""
    target.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source / "fagui.db")
    dst = sqlite3.connect(target / "fagui.db")
    src.backup(dst)
    src.close()
    db = dst
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("DELETE FROM articles")
    db.execute("UPDATE versions SET text = substr(text, 1, 200), html = NULL")
    offset = db.execute("SELECT max(id) FROM versions").fetchone()[0] + 1
    work_cols = [r[1] for r in db.execute("PRAGMA table_info(works)")]
    version_cols = [r[1] for r in db.execute("PRAGMA table_info(versions)")]
    for k in range(1, copies):
        w_sel = ", ".join({"id": f"id || '-{k}'", "identity_key": f"identity_key || '-{k}'",
                           "current_version_id": f"current_version_id + {k * offset}"}.get(c, c) for c in work_cols)
        db.execute(f"INSERT INTO works ({', '.join(work_cols)}) SELECT {w_sel} FROM works WHERE id NOT LIKE '%-%'")
        v_sel = ", ".join({"id": f"id + {k * offset}", "work_id": f"work_id || '-{k}'"}.get(c, c) for c in version_cols)
        db.execute(f"INSERT INTO versions ({', '.join(version_cols)}) SELECT {v_sel} FROM versions WHERE id < {offset}")
        db.execute(f"INSERT INTO work_issuing_bodies (work_id, body_id, position) SELECT work_id || '-{k}', body_id, "
                   "position FROM work_issuing_bodies WHERE work_id NOT LIKE '%-%'")
    db.execute("DELETE FROM outbox")
    db.commit()
    db.execute("VACUUM")
    db.close()


def build_index(data_dir: Path) -> float:
    os.environ["FAGUI_DATA_DIR"] = str(data_dir)
    from fagui.settings import load_settings
    from indexer.search.backends import open_backend
    from indexer.search.indexing import rebuild
    from indexer.store.db import make_engine, session_factory

    settings = load_settings()
    engine = make_engine(settings=settings)
    backend = open_backend(settings)
    started = time.perf_counter()
    rebuild(session_factory(engine), backend)
    backend.close()
    engine.dispose()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--region", default="410000")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--replicas", type=int, default=10)
    args = parser.parse_args()
    out = {"region": args.region, "repeat": args.repeat, "load_average": os.getloadavg()}
    out["corpus"] = measure(args.data_dir.resolve(), args.region, args.repeat)
    if args.replicas > 1:
        with tempfile.TemporaryDirectory(prefix="fagui-browse-bench-") as tmp:
            big = Path(tmp) / "x"
            started = time.perf_counter()
            replicate(args.data_dir.resolve(), big, args.replicas)
            out[f"replicated_x{args.replicas}"] = {"store_seconds": round(time.perf_counter() - started, 1),
                                                   "index_seconds": round(build_index(big), 1)}
            out[f"replicated_x{args.replicas}"].update(measure(big, args.region, args.repeat))
            shutil.rmtree(big, ignore_errors=True)
    out["load_average_after"] = os.getloadavg()
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
