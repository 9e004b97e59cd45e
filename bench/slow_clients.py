"""Slow and many clients: starts the site the way `fagui serve` does (gunicorn with its options) on 127.0.0.1,
measures normal clients alone, then holds 64 slowloris connections open (each sends one header line every 2 s,
and opens a new connection when the server closes it) and measures 8 and 200 concurrent normal clients beside
them. It prints requests/s (200 answers), latency percentiles, how many answers were 503 (and how fast), the
errors (anything else: resets, timeouts, other statuses) and how many slowloris connections the server closed.

    .venv/bin/python bench/slow_clients.py [--data-dir DIR] [--workers 2] [--slow 64] [--duration 15]
                                           [--worker-class gthread] [--path /search] [--json]

A client answered 503 waits its Retry-After (1 s) and tries again, as a browser user or a polite client would.
Without --data-dir the benchmark keeps its own instance in /tmp/fagui-slow-bench with the bundled sample.
`--worker-class gthread` runs gunicorn's own threaded worker instead of fagui's, for the figures before the fix.
Target: with 64 slowloris connections, 200 clients get at least 80% of the 8-client throughput, no errors."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_DIR = Path("/tmp/fagui-slow-bench")
from http_load import free_port, prepare_instance, wait_ready  # noqa: E402  (bench/ is the script's path)

QUERIES = [entry["q"] for entry in json.loads((ROOT / "bench" / "queries.json").read_text(encoding="utf-8"))]
SERVER = """
import sys
from fagui.cli.serve import PortalServer, gunicorn_options, prepare_metrics_dir
from fagui.settings import load_settings
settings = load_settings()
options = gunicorn_options("127.0.0.1", int(sys.argv[1]), int(sys.argv[2]))
options["accesslog"] = None
if sys.argv[3]:
    options["worker_class"] = sys.argv[3]
prepare_metrics_dir(settings, "127.0.0.1", int(sys.argv[1]))
PortalServer(settings, options).run()
"""


class Slowloris:
    """Connections that send a request head one line every `interval` seconds and never finish it."""

    def __init__(self, port: int, count: int, interval: float = 2.0) -> None:
        self.port, self.count, self.interval = port, count, interval
        self.stop = threading.Event()
        self.closed_by_server = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(count)]

    def start(self) -> None:
        for t in self.threads:
            t.start()
        time.sleep(self.interval + 0.5)  # every connection is open and has sent its first lines

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                    s.sendall(b"GET /search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    n = 0
                    while not self.stop.wait(self.interval):
                        s.sendall(b"X-Slow-%d: 1\r\n" % n)
                        n += 1
            except OSError:
                pass
            if not self.stop.is_set():
                with self.lock:
                    self.closed_by_server += 1
                time.sleep(0.1)

    def close(self) -> None:
        self.stop.set()


def run_load(port: int, path: str, concurrency: int, duration: float) -> dict:
    latencies: list[float] = []
    busy_latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker(i: int) -> None:
        conn = None
        n = i
        while time.monotonic() < stop_at:
            url = f"{path}?q={quote(QUERIES[n % len(QUERIES)])}"
            n += concurrency
            started = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
                took = time.perf_counter() - started
                with lock:
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                    if response.status == 503:
                        busy_latencies.append(took)
                    elif 200 <= response.status < 400:
                        latencies.append(took)
                    else:
                        errors.append(f"HTTP {response.status}")
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
                if response.status == 503:
                    time.sleep(float(response.getheader("Retry-After") or 1))
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(type(exc).__name__)
                if conn is not None:
                    conn.close()
                conn = None

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    ms = sorted(x * 1000 for x in latencies)
    busy_ms = sorted(x * 1000 for x in busy_latencies)

    def pct(values: list[float], p: float) -> float | None:
        return round(values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))], 1) if values else None

    return {"concurrency": concurrency, "requests_per_s": round(len(ms) / elapsed, 1), "served": len(ms),
            "p50_ms": pct(ms, 50), "p99_ms": pct(ms, 99), "max_ms": round(ms[-1], 1) if ms else None,
            "busy_503": len(busy_ms), "busy_503_p99_ms": pct(busy_ms, 99), "errors": len(errors),
            "error_kinds": sorted(set(errors)), "statuses": {str(k): v for k, v in sorted(statuses.items())}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=None, help="an instance with an imported corpus")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    ap.add_argument("--slow", type=int, default=64, help="slowloris connections")
    ap.add_argument("--duration", type=float, default=15.0, help="seconds of each measurement")
    ap.add_argument("--path", default="/search", help="the page normal clients ask for")
    ap.add_argument("--worker-class", default="", help="a gunicorn worker class instead of fagui's (e.g. gthread)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args()

    data_dir = (args.data_dir or DEFAULT_DIR).resolve()
    env = {**os.environ, "FAGUI_DATA_DIR": str(data_dir), "FAGUI_API_RATE_LIMIT": "0",
           "FAGUI_SEARCH_CACHE_SECONDS": "0"}
    if args.data_dir is None:
        env.pop("FAGUI_DATABASE_URL", None)
        env["FAGUI_CORPUS_PATH"] = str(ROOT / "fagui" / "data" / "lawrefbook-sample.jsonl.gz")
    prepare_instance(data_dir, env)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(args.workers), args.worker_class],
                            env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    result: dict = {"workers": args.workers, "worker_class": args.worker_class or "fagui (guarded gthread)",
                    "slowloris": args.slow, "path": args.path, "cpus": os.cpu_count()}
    slow = None
    try:
        wait_ready(port, proc)
        run_load(port, args.path, 8, 2.0)  # warm-up
        result["alone_8"] = run_load(port, args.path, 8, args.duration)
        slow = Slowloris(port, args.slow)
        slow.start()
        result["slow_8"] = run_load(port, args.path, 8, args.duration)
        result["slow_200"] = run_load(port, args.path, 200, args.duration)
        result["slowloris_closed_by_server"] = slow.closed_by_server
    finally:
        if slow is not None:
            slow.close()
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    base = result["alone_8"]["requests_per_s"] or 1
    result["slow_200_vs_alone_8"] = round(result["slow_200"]["requests_per_s"] / base, 2)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(f"workers={args.workers} worker_class={result['worker_class']} slowloris={args.slow} path={args.path}")
    for key, label in (("alone_8", "8 clients, no slowloris"), ("slow_8", f"8 clients + {args.slow} slowloris"),
                       ("slow_200", f"200 clients + {args.slow} slowloris")):
        r = result[key]
        print(f"{label:32s} {r['requests_per_s']:7.1f} req/s  p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms  "
              f"max {r['max_ms']} ms  503s {r['busy_503']} (p99 {r['busy_503_p99_ms']} ms)  "
              f"errors {r['errors']} {r['error_kinds']}")
    print(f"slowloris connections closed by the server: {result['slowloris_closed_by_server']}")
    print(f"200 clients with slowloris / 8 clients alone: {result['slow_200_vs_alone_8']:.0%}")


if __name__ == "__main__":
    main()
