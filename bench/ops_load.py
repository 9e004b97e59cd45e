"""Operations load test: crawling, index syncing and searching at the same time, for minutes.

One process runs the crawler (the real Runner and polite Fetcher against a fixture site on 127.0.0.1 whose
documents change every round: amended texts become new versions, new documents appear) and the outbox sync
every second; gunicorn serves the portal from the same store and index; client threads search it over HTTP.
At the end the index must equal the store (per-document digests) and no part may have failed.

    .venv/bin/python bench/ops_load.py [--minutes 3] [--clients 4] [--workers 2] [--database-url URL]

Without --database-url the store is a SQLite file in a fresh directory (WAL: one writer, many readers);
with a PostgreSQL URL (an empty database) it runs there. Prints crawl, sync and search throughput and errors."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawlers.runner import Runner  # noqa: E402
from crawlers.sources import lawrefbook  # noqa: E402
from fagui.settings import BUNDLED_SAMPLE, load_settings  # noqa: E402
from indexer.ingest.crawl_state import StoreSink  # noqa: E402
from indexer.ingest.pipeline import ingest  # noqa: E402
from indexer.search.backends.tantivy_backend import TantivyBackend  # noqa: E402
from indexer.search.indexing import rebuild, store_digests, sync  # noqa: E402
from indexer.store.app_store import open_store  # noqa: E402
from tests.crawlers.fixture_site import FixtureSite  # noqa: E402
from tests.crawlers.site_source import Site, SiteSource, corpus_docs, detail_html  # noqa: E402

QUERIES = [q["q"] for q in json.loads((ROOT / "bench" / "queries.json").read_text(encoding="utf-8"))]
FETCH = {"delay": 0, "timeout": 5, "max_time": 10, "retries": 2, "backoff": 0.05}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChangingSite:
    """The fixture site's documents, of which a few change and a few appear every round."""

    def __init__(self, fixture: FixtureSite, start: int, rng: random.Random) -> None:
        self.site = Site(fixture)
        self.pool = list(corpus_docs())
        self.rng = rng
        for doc in self.pool[:start]:
            self.site.add_doc(doc)
        self.next_new = start
        self.site.publish()

    def churn(self, round_no: int, changes: int, additions: int) -> None:
        current = list(self.site.docs.values())
        for doc in self.rng.sample(current, min(changes, len(current))):
            amended = replace(doc, text=doc.text + f"\n第九百{round_no % 90 + 10}条 本规定于第{round_no}轮修订。",
                              published=(doc.published or date(2020, 1, 1)) + timedelta(days=30))
            self.site.docs[doc.ref] = amended
            self.site.site.set_body(f"/doc/{doc.ref}.html", detail_html(amended).encode("utf-8"))
        for _ in range(additions):
            if self.next_new >= len(self.pool):
                break
            self.site.add_doc(self.pool[self.next_new])
            self.next_new += 1
        self.site.publish()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--clients", type=int, default=4, help="concurrent search clients")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--start-docs", type=int, default=40, help="documents on the site at the start")
    ap.add_argument("--changes", type=int, default=5, help="documents amended per crawl round")
    ap.add_argument("--additions", type=int, default=2, help="documents added per crawl round")
    ap.add_argument("--database-url", default=None, help="an empty PostgreSQL database instead of SQLite")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="fagui-ops-bench-"))
    env = {"FAGUI_DATA_DIR": str(data_dir), "FAGUI_API_RATE_LIMIT": "0", "FAGUI_SEARCH_CACHE_SECONDS": "0"}
    if args.database_url:
        env["FAGUI_DATABASE_URL"] = args.database_url
    settings = load_settings(env)
    store = open_store(settings, migrate=True)
    report = lawrefbook.read_corpus(BUNDLED_SAMPLE)
    ingest(store.sessions, lawrefbook.SOURCE, report.records, report.errors)
    backend = TantivyBackend(data_dir / "tantivy")
    rebuild(store.sessions, backend)
    print(f"准备完成：{data_dir}（{'PostgreSQL' if args.database_url else 'SQLite'}），样本 {len(report.records)} 条",
          flush=True)

    port = free_port()
    server_env = {k: v for k, v in os.environ.items() if not k.startswith("FAGUI_")} | env
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", str(args.workers),
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                              env=server_env, cwd=ROOT)
    stop = threading.Event()
    errors: list[str] = []
    crawl_stats = {"rounds": 0, "listed": 0, "fetched": 0, "new": 0, "changed": 0, "unchanged": 0, "failed": 0}
    sync_stats = {"rounds": 0, "events": 0}
    latencies: list[float] = []
    lock = threading.Lock()

    def crawler() -> None:
        rng = random.Random(7)
        with FixtureSite() as fixture:
            site = ChangingSite(fixture, args.start_docs, rng)
            source = SiteSource(fixture, name="ops-bench")
            while not stop.is_set():
                try:
                    summary = Runner(StoreSink(store.sessions), source, data_dir=data_dir, fetcher_options=FETCH).run()
                    with lock:
                        crawl_stats["rounds"] += 1
                        for key in ("listed", "fetched", "new", "changed", "unchanged", "failed"):
                            crawl_stats[key] += getattr(summary, key)
                    if summary.failed:
                        errors.append(f"crawl round {crawl_stats['rounds']}: {summary.failures[:2]}")
                except Exception as exc:
                    errors.append(f"crawl: {type(exc).__name__}: {exc}")
                site.churn(crawl_stats["rounds"], args.changes, args.additions)
                stop.wait(1.0)

    def syncer() -> None:
        while not stop.is_set():
            try:
                applied = sync(store.sessions, backend).events
                with lock:
                    sync_stats["rounds"] += 1
                    sync_stats["events"] += applied
            except Exception as exc:
                errors.append(f"sync: {type(exc).__name__}: {exc}")
            stop.wait(1.0)

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while not stop.is_set():
            q = urllib.parse.quote(rng.choice(QUERIES))
            started = time.perf_counter()
            try:
                conn.request("GET", f"/api/v1/search?q={q}")
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(f"search HTTP {response.status}")
                with lock:
                    latencies.append(time.perf_counter() - started)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"search: {type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("gunicorn 未能启动")
            time.sleep(0.3)
        threads = [threading.Thread(target=crawler), threading.Thread(target=syncer)]
        threads += [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        while time.monotonic() - started < args.minutes * 60:
            time.sleep(15)
            with lock:
                print(f"  {time.monotonic() - started:5.0f} s：采集 {crawl_stats['rounds']} 轮（新增 {crawl_stats['new']}，"
                      f"更新 {crawl_stats['changed']}），同步 {sync_stats['events']} 项，检索 {len(latencies)} 次，"
                      f"错误 {len(errors)}", flush=True)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        elapsed = time.monotonic() - started
        final = sync(store.sessions, backend).events  # whatever the last crawl round left
        indexed, expected = backend.digests(), store_digests(store.sessions)
        consistent = indexed == expected
        mismatch = {
            "missing": sorted(set(expected) - set(indexed))[:10],
            "extra": sorted(set(indexed) - set(expected))[:10],
            "different": sorted(k for k in set(indexed) & set(expected) if indexed[k] != expected[k])[:10],
        }
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=15)
    ms = [x * 1000 for x in latencies]
    result = {
        "store": "postgresql" if args.database_url else "sqlite", "seconds": round(elapsed, 1),
        "crawl": crawl_stats, "crawl_pages_per_s": round(crawl_stats["listed"] / elapsed, 1),
        "sync": {**sync_stats, "final_events": final}, "sync_events_per_s": round(sync_stats["events"] / elapsed, 2),
        "searches": len(ms), "searches_per_s": round(len(ms) / elapsed, 1),
        "search_p50_ms": round(percentile(ms, 50), 1), "search_p99_ms": round(percentile(ms, 99), 1),
        "errors": len(errors), "error_samples": errors[:5], "index_equals_store": consistent,
        "mismatch": None if consistent else mismatch,
        "load_average": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(f"并发采集、同步、检索 {result['seconds']} 秒（{result['store']}）")
        print(f"  采集：{crawl_stats['rounds']} 轮，列出 {crawl_stats['listed']} 页（{result['crawl_pages_per_s']} 页/秒），"
              f"下载 {crawl_stats['fetched']}，新增 {crawl_stats['new']}，更新 {crawl_stats['changed']}，"
              f"未变 {crawl_stats['unchanged']}，失败 {crawl_stats['failed']}")
        print(f"  同步：{sync_stats['rounds']} 次，写入索引 {sync_stats['events']} 项（{result['sync_events_per_s']} 项/秒），"
              f"结束时补同步 {final} 项")
        print(f"  检索：{len(ms)} 次（{result['searches_per_s']} 次/秒），p50 {result['search_p50_ms']} ms，"
              f"p99 {result['search_p99_ms']} ms")
        print(f"  错误：{len(errors)} {errors[:3] if errors else ''}")
        print(f"  结束后索引与数据库一致：{'是' if consistent else '否：' + json.dumps(mismatch, ensure_ascii=False)}")
    if errors or not consistent:
        sys.exit(1)


if __name__ == "__main__":
    main()
