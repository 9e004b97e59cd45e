"""Crawl framework speed: the runner against the fixture HTTP server on 127.0.0.1 (no delay), a first run
that stores N corpus documents, a second run that gets 304 for every page, a re-parse from the WARC archive,
and the page decoding (header/meta/detection + mojibake repair) on its own.

    .venv/bin/python bench/crawl_runner.py [--docs 200]"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawlers.http import FetchResult  # noqa: E402
from crawlers.runner import Runner  # noqa: E402
from crawlers.sources import lawrefbook  # noqa: E402
from fagui.settings import BUNDLED_SAMPLE, load_settings  # noqa: E402
from indexer.ingest.crawl_state import StoreSink  # noqa: E402
from indexer.store.db import make_engine, session_factory  # noqa: E402
from indexer.store.migrate import upgrade  # noqa: E402
from tests.crawlers.fixture_site import FixtureSite  # noqa: E402
from tests.crawlers.site_source import Doc, Site, SiteSource, detail_html  # noqa: E402

FAST = {"delay": 0, "timeout": 5, "max_time": 30, "retries": 1, "backoff": 0.1}


def docs(n: int) -> list[Doc]:
    seen: set[str] = set()
    out = []
    for r in lawrefbook.read_corpus(BUNDLED_SAMPLE).records:
        if r.title not in seen:
            seen.add(r.title)
            out.append(Doc(f"d{len(out)}", r.title, r.text, r.doc_number, r.published, r.region, r.doc_type))
        if len(out) == n:
            break
    return out


def timed(fn):
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200)
    args = parser.parse_args()
    chosen = docs(args.docs)
    mb = sum(len(detail_html(d).encode("utf-8")) for d in chosen) / 1e6
    root = Path(tempfile.mkdtemp(prefix="fagui-crawl-bench-"))
    settings = load_settings({"FAGUI_DATA_DIR": str(root)})
    engine = make_engine(settings=settings)
    upgrade(engine)
    sessions = session_factory(engine)
    site = FixtureSite()
    s = Site(site)
    for d in chosen:
        s.add_doc(d)
    s.publish()
    print(f"{len(chosen)} documents, {mb:.1f} MB of detail pages, SQLite at {root}")
    with site:
        source = SiteSource(site)
        first, t1 = timed(lambda: Runner(StoreSink(sessions), source, data_dir=root, fetcher_options=FAST).run())
        print(f"first run:  {t1:6.2f} s  {first.handled / t1:7.1f} pages/s  new {first.new} failed {first.failed}")
        second, t2 = timed(lambda: Runner(StoreSink(sessions), source, data_dir=root, fetcher_options=FAST).run())
        bodies = sum(1 for h in site.hits() if h.status == 200 and h.path.startswith("/doc/"))
        print(f"second run: {t2:6.2f} s  {second.handled / t2:7.1f} pages/s  unchanged {second.unchanged} "
              f"(detail bodies sent over both runs: {bodies})")
    replay_engine = make_engine(f"sqlite:///{root / 'replay.db'}")
    upgrade(replay_engine)
    replay, t3 = timed(lambda: Runner(StoreSink(session_factory(replay_engine)), source, data_dir=root,
                                                from_archive=True).run())
    print(f"from WARC:  {t3:6.2f} s  {replay.handled / t3:7.1f} pages/s  new {replay.new}")
    pages = [detail_html(d).encode("gb18030") for d in chosen]
    started = time.perf_counter()
    for body in pages:
        _ = FetchResult("http://x/", 200, body, headers={"content-type": "text/html; charset=utf-8"}).text
    t4 = time.perf_counter() - started
    print(f"decode GBK pages declared UTF-8: {t4:6.2f} s  {mb / t4:6.2f} MB/s  {len(pages) / t4:7.1f} pages/s")
    engine.dispose()
    replay_engine.dispose()


if __name__ == "__main__":
    main()
