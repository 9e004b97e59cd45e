"""HTTP load benchmark of search: starts gunicorn (`gunicorn -w N -b 127.0.0.1:PORT wsgi:app`) on an instance
holding the imported corpus, sends search requests (queries from bench/queries.json, round robin) from C
concurrent clients for a fixed time, and prints requests/s, latency percentiles and the error count.

    .venv/bin/python bench/http_load.py [--data-dir DIR] [--workers 2] [--concurrency 8] [--duration 20]
                                        [--path /api/v1/search | /search] [--json]

Without --data-dir the benchmark keeps its own instance in /tmp/fagui-http-bench and imports the corpus
(FAGUI_CORPUS_PATH, else the shared corpus, else the bundled sample) and builds the index there the first
time. The API rate limit is switched off for the server under test (FAGUI_API_RATE_LIMIT=0): a single client
address sending hundreds of requests per second is exactly what it exists to stop.
Target on 2 cores: 200 searches/s with p99 under 200 ms."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
QUERIES = json.loads((ROOT / "bench" / "queries.json").read_text(encoding="utf-8"))
DEFAULT_DIR = Path("/tmp/fagui-http-bench")


def query_string(entry: dict) -> str:
    params: list[tuple[str, str]] = [("q", entry["q"])]
    params += [("status", s) for s in entry.get("statuses", ())]
    params += [("doc_type", t) for t in entry.get("doc_types", ())]
    params += [("region", r) for r in entry.get("regions", ())]
    if entry.get("as_of"):
        params.append(("as_of", entry["as_of"]))
    if entry.get("sort"):
        params.append(("sort", entry["sort"]))
    return urlencode(params)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_instance(data_dir: Path, env: dict[str, str]) -> None:
    """Import the corpus and build the index unless the data directory already has both."""
    if (data_dir / "fagui.db").exists() and (data_dir / "tantivy").exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    fagui = str(VENV_BIN / "fagui")
    for args in (["db", "upgrade"], ["import", "lawrefbook"], ["index", "rebuild"]):
        print("准备数据：fagui", " ".join(args), flush=True)
        subprocess.run([fagui, *args], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn 退出，返回码 {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/search?q=" + "%E6%B3%95")  # also opens the store and the index
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn 在 60 秒内没有就绪")


def run_load(port: int, path: str, concurrency: int, duration: float) -> tuple[list[float], dict, int, float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    lock = threading.Lock()
    counter = [0]
    stop_at = time.monotonic() + duration
    urls = [f"{path}?{query_string(e)}" for e in QUERIES]

    def worker() -> None:
        nonlocal errors
        conn = None
        mine: list[float] = []
        my_status: dict[int, int] = {}
        my_errors = 0
        while time.monotonic() < stop_at:
            with lock:
                url = urls[counter[0] % len(urls)]
                counter[0] += 1
            started = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
                mine.append(time.perf_counter() - started)
                my_status[response.status] = my_status.get(response.status, 0) + 1
                if not 200 <= response.status < 400:  # the page redirects direct answers (302): a success
                    my_errors += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                my_errors += 1
                if conn is not None:
                    conn.close()
                conn = None
        with lock:
            latencies.extend(mine)
            for k, v in my_status.items():
                statuses[k] = statuses.get(k, 0) + v
            errors += my_errors

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses, errors, time.perf_counter() - began


def server_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) used so far by the gunicorn master and its workers, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == master_pid or ppid == master_pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=None, help="an instance with the imported corpus")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn worker processes")
    ap.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of measured load")
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured load first")
    ap.add_argument("--path", default="/api/v1/search", help="/api/v1/search (JSON) or /search (HTML page)")
    ap.add_argument("--cache-seconds", type=int, default=0,
                    help="FAGUI_SEARCH_CACHE_SECONDS for the server: 0 (default) searches every request anew; "
                         "30 is the deployed default, where the 60 bench queries repeat and are answered from cache")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args()

    data_dir = (args.data_dir or DEFAULT_DIR).resolve()
    env = {**os.environ, "FAGUI_DATA_DIR": str(data_dir), "FAGUI_API_RATE_LIMIT": "0",
           "FAGUI_SEARCH_CACHE_SECONDS": str(args.cache_seconds)}
    if args.data_dir is None:
        env.pop("FAGUI_DATABASE_URL", None)  # the benchmark's own instance is a SQLite file in it
    prepare_instance(data_dir, env)
    port = free_port()
    cmd = [str(VENV_BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
           "--log-level", "warning", "wsgi:app"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    try:
        wait_ready(port, proc)
        if args.warmup > 0:
            run_load(port, args.path, args.concurrency, args.warmup)
        cpu_before = server_cpu_seconds(proc.pid)
        latencies, statuses, errors, elapsed = run_load(port, args.path, args.concurrency, args.duration)
        server_cpu = server_cpu_seconds(proc.pid) - cpu_before
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    if not latencies:
        raise SystemExit("没有完成任何请求")
    ms = [x * 1000 for x in latencies]
    result = {
        "path": args.path, "workers": args.workers, "concurrency": args.concurrency,
        "duration_s": round(elapsed, 1), "requests": len(ms), "requests_per_s": round(len(ms) / elapsed, 1),
        "p50_ms": round(percentile(ms, 50), 1), "p90_ms": round(percentile(ms, 90), 1),
        "p99_ms": round(percentile(ms, 99), 1), "max_ms": round(max(ms), 1),
        "mean_ms": round(statistics.fmean(ms), 1), "errors": errors,
        "statuses": {str(k): v for k, v in sorted(statuses.items())}, "data_dir": str(data_dir),
        "cpus": os.cpu_count(), "load_average": os.getloadavg()[0], "cache_seconds": args.cache_seconds,
        # What one search costs the server: with the machine to itself, cores / this is the ceiling.
        "server_cpu_ms_per_request": round(server_cpu * 1000 / len(ms), 2),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(f"HTTP 检索压测：{args.path}，gunicorn -w {args.workers}，并发 {args.concurrency}，"
          f"{result['duration_s']} 秒，CPU {result['cpus']} 核，结果缓存 "
          f"{str(args.cache_seconds) + ' 秒' if args.cache_seconds else '关闭（每次请求都检索）'}")
    print(f"  请求数 {result['requests']}，吞吐 {result['requests_per_s']} 次/秒，错误 {errors}，状态码 {result['statuses']}")
    print(f"  延迟 p50 {result['p50_ms']} ms，p90 {result['p90_ms']} ms，p99 {result['p99_ms']} ms，"
          f"最大 {result['max_ms']} ms")
    ceiling = (os.cpu_count() or 1) * 1000 / result["server_cpu_ms_per_request"]
    print(f"  服务端每次请求 CPU {result['server_cpu_ms_per_request']} ms（若独占 {result['cpus']} 核，上限约 "
          f"{ceiling:.0f} 次/秒）；压测时系统负载 {result['load_average']:.2f}")
    target = result["requests_per_s"] >= 200 and result["p99_ms"] < 200 and errors == 0
    print(f"  目标（200 次/秒且 p99 < 200 ms，无错误）：{'达到' if target else '未达到'}")


if __name__ == "__main__":
    main()
