"""Issue 15's hostile-input probes, rerun against a real `fagui serve` on 127.0.0.1 with the bundled sample.

    .venv/bin/python bench/security_probes.py [--data-dir DIR] [--fuzz 600] [--seed 15] [--seconds 10]

DIR (default /tmp/fagui-security-bench) holds the imported and indexed sample (built there on the first run);
the probes run on a copy of it. They are: URL/query fuzzing of /search, /api/v1/search, /api/v1/facets,
/works/..., /feeds/atom.xml (random unicode, long strings, control characters, odd numbers); hostile uploads to
the batch check (an XLSX zip bomb, a wide CSV, an XLSX declaring XML entities); a hostile fetch (a double-gzip
bomb) through the crawler's Fetcher; 64 slow clients beside 8 searching ones; a gunicorn worker killed with
SIGKILL; the search index made unreadable; a damaged copy of the database. It prints what it saw: probes
tried, 500s (any answer 500 or a connection the server dropped without an answer), peak memory (RSS of the
server's processes), load held (searches/s beside the slow clients), data lost (row counts before and after).
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
FAGUI = [str(VENV_BIN / "fagui")]
USER, PASSWORD = "probe", "probe password 15"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(data_dir: Path) -> None:
    if (data_dir / "fagui.db").exists() and (data_dir / "tantivy").exists():
        return
    sys.path.insert(0, str(ROOT))
    from fagui.settings import BUNDLED_SAMPLE

    env = {**os.environ, "FAGUI_DATA_DIR": str(data_dir)}
    for args in (["db", "upgrade"], ["import", "lawrefbook", str(BUNDLED_SAMPLE)], ["index", "rebuild"]):
        subprocess.run(FAGUI + args, env=env, check=True, stdout=subprocess.DEVNULL)


def row_counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table' "
                                             "and name not like 'sqlite_%'")]
        return {t: conn.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


class Server:
    def __init__(self, data_dir: Path, port: int) -> None:
        self.port = port
        env = {**os.environ, "FAGUI_DATA_DIR": str(data_dir), "FAGUI_API_RATE_LIMIT": "0",
               "FAGUI_SEARCH_CACHE_SECONDS": "0",
               "FAGUI_LOGIN_MAX_FAILURES": "1000", "FAGUI_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000"}
        env.pop("FAGUI_DATABASE_URL", None)
        self.proc = subprocess.Popen(FAGUI + ["serve", "--port", str(port), "--workers", "2"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.peak_rss = 0
        self._stop = threading.Event()
        deadline = time.monotonic() + 90
        while get(port, "/readyz")[0] != 200:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        threading.Thread(target=self._watch_memory, daemon=True).start()

    def pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [self.proc.pid, *map(int, children.read_text().split())]
        except OSError:
            return [self.proc.pid]

    def workers(self) -> list[int]:
        return self.pids()[1:]

    def _watch_memory(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self.pids():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                    total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) * 1024  # type: ignore[union-attr]
                except (OSError, AttributeError):
                    pass
            self.peak_rss = max(self.peak_rss, total)
            time.sleep(0.1)

    def stop(self) -> None:
        self._stop.set()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    """(status, body); status 0 when the connection failed or was dropped without an answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"127.0.0.1:{port}")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return 0, b""
    finally:
        conn.close()


class Tally:
    def __init__(self) -> None:
        self.tried = 0
        self.errors: list[str] = []  # 500s and dropped connections, with what caused them
        self.statuses: dict[int, int] = {}

    def check(self, what: str, status: int, ok: tuple[int, ...] | None = None) -> int:
        self.tried += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500 and status != 503 or status == 0 or (ok is not None and status not in ok):
            self.errors.append(f"{what[:120]} -> {status}")
        return status


# -- fuzzing ----------------------------------------------------------------------------------------------

def fuzz_value(rng: random.Random) -> str:
    kind = rng.randrange(8)
    if kind == 0:
        return "".join(chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(rng.randrange(1, 60)))
    if kind == 1:
        return rng.choice("法规条例办法") * rng.choice([199, 200, 201, 1000, 2500])
    if kind == 2:
        return "".join(chr(rng.randrange(0, 32)) for _ in range(rng.randrange(1, 8))) + "法"
    if kind == 3:
        return rng.choice(["-1", "0", "1e309", "NaN", "99999999999999999999", "0x10", "1.5", "-0", "１２",
                           "9" * 300, "2024-02-30", "0000-00-00", "9999-12-31", "-2024-01-01"])
    if kind == 4:
        return rng.choice(['"', '""', "《》", "(", ")", "((((", "-", "|", "OR", "title:", "标题:", "\\", "%",
                           "%00", "%ff", "\ud7ff", "\ufffd", "\u202e", "<script>", "'; drop table works;--"])
    if kind == 5:
        return "".join(rng.choice("道路交通安全法第九十一条 \"()|-") for _ in range(rng.randrange(1, 40)))
    if kind == 6:
        return "\U0001F600" * rng.randrange(1, 30) + "\u0000"
    return str(rng.randrange(-10**6, 10**6))


PARAMS = ["q", "page", "per_page", "status", "doc_type", "region", "body", "sort", "mode", "as_of",
          "published_from", "published_to", "effective_from", "effective_to", "article", "a", "b", "format"]


def fuzz(port: int, tally: Tally, count: int, rng: random.Random, work_ids: list[str]) -> dict[int, int]:
    bases = ["/search", "/api/v1/search", "/api/v1/facets", "/feeds/atom.xml", "/works/{w}", "/works/{w}/print",
             "/works/{w}/versions/{n}", "/works/{w}/compare", "/api/v1/works/{w}", "/api/v1/works/{w}/versions/{n}",
             "/api/v1/works/{w}/versions/{n}/articles/{n}", "/works/{w}/download.txt", "/works/{w}/download.docx"]
    for _ in range(count):
        base = rng.choice(bases)
        w = rng.choice(work_ids) if rng.random() < 0.7 else urllib.parse.quote(fuzz_value(rng)[:300], safe="", errors="surrogatepass")
        n = rng.choice(["1", "2", "0", "-1", "99999999999999999999", "x", "1e9"])
        path = base.replace("{w}", w).replace("{n}", n)
        params = [(rng.choice(PARAMS), fuzz_value(rng)) for _ in range(rng.randrange(1, 5))]
        query = urllib.parse.urlencode(params, errors="surrogatepass")
        tally.check(f"GET {path}?{query}", get(port, f"{path}?{query}")[0])
    # the raw extremes: a request line far over gunicorn's limit, bytes that are no UTF-8, NUL in the path
    for raw in ["/search?q=" + "%E6%B3%95" * 3000, "/search?q=%ff%fe%00", "/works/%00", "/search?q=" + "a" * 8000,
                "/api/v1/search?q=%C0%AF&page=%ff", "/feeds/atom.xml?as_of=%E2%80%AE2024"]:
        tally.check(f"GET {raw[:80]}", get(port, raw)[0])
    return dict(sorted(tally.statuses.items()))


# -- uploads ----------------------------------------------------------------------------------------------

def login(port: int) -> tuple[urllib.request.OpenerDirector, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    opener.open(base + "/login", urllib.parse.urlencode(
        {"name": USER, "password": PASSWORD, "csrf_token": token}).encode())
    page = opener.open(base + "/clearance/check").read().decode()
    return opener, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def upload(opener, port: int, token: str, name: str, data: bytes) -> int:
    boundary = "----fagui-probe"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/clearance/check", data=body,
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with opener.open(request, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def zip_bomb_xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData>" + "<row>" + "<c/>" * 2_000_000
                   + "</row></sheetData></worksheet>")
        z.writestr("xl/sharedStrings.xml", "<sst>" + " " * 100_000_000 + "</sst>")
    return buf.getvalue()


def entity_xlsx() -> bytes:
    buf = io.BytesIO()
    lol = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?>{lol}<worksheet><sheetData><row>'
                   '<c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    return buf.getvalue()


def uploads(port: int, tally: Tally) -> str:
    opener, token = login(port)
    wide = ("标题," + ",".join(f"c{i}" for i in range(5000)) + "\r\n道交法" + ",x" * 5000 + "\r\n").encode()
    long_cell = ("标题\r\n" + "法" * 100_000 + "\r\n").encode()
    answers: list[str] = []
    for name, data in [("bomb.xlsx", zip_bomb_xlsx()), ("wide.csv", wide), ("entities.xlsx", entity_xlsx()),
                       ("cell.csv", long_cell), ("fake.xlsx", b"PK\x03\x04" + os.urandom(4000)),
                       ("empty.csv", b"")]:
        answers.append(f"{name} {tally.check(f'upload {name}', upload(opener, port, token, name, data), ok=(400, 413))}")
    return ", ".join(answers)


# -- a hostile fetch --------------------------------------------------------------------------------------

def hostile_fetch(tally: Tally) -> str:
    import gzip
    import struct
    import zlib
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    sys.path.insert(0, str(ROOT))
    from crawlers.http import Fetcher, FetchError

    mib = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(mib, crc)
    inner = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + first + block * 1023 + deflate.flush()
             + struct.pack("<II", crc, (1 << 30) & 0xFFFFFFFF))
    bomb = gzip.compress(inner)  # gzip, gzip: a gigabyte of zeros inside a few kilobytes

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path == "/robots.txt":
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Encoding", "gzip, gzip")
            self.send_header("Content-Length", str(len(bomb)))
            self.end_headers()
            self.wfile.write(bomb)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    import tracemalloc

    tracemalloc.start()
    try:
        with Fetcher([origin], delay=0, retries=0, max_bytes=4 << 20, max_time=30) as fetch:
            fetch(origin + "/bomb.html")
        outcome = "fetched (not refused)"
        tally.errors.append("double gzip bomb was not refused")
    except FetchError as exc:
        outcome = f"refused: {exc.code}"
    finally:
        server.shutdown()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    tally.tried += 1
    return f"1 GB in {len(bomb)} bytes (gzip, gzip), {outcome}, peak memory of the fetch {peak / 2**20:.1f} MB"


# -- slow clients -----------------------------------------------------------------------------------------

def slow_clients(port: int, tally: Tally, seconds: float) -> tuple[float, float, int]:
    """(searches/s alone, searches/s beside 64 slowloris connections, answers 503 Retry-After beside them)."""
    queries = ["道路交通安全法", "行政处罚 听证", "个人信息 保护", "饮用水水源 保护区", "国务院令第802号"]

    def searchers(duration: float) -> tuple[int, int]:
        done, busy = [0], [0]
        bad: dict[int, int] = {}
        end = time.monotonic() + duration

        def run(n: int) -> None:
            i = n
            while time.monotonic() < end:
                status = get(port, "/search?q=" + urllib.parse.quote(queries[i % len(queries)]) + f"&page={i % 3 + 1}")[0]
                i += 1
                if status in (200, 302):  # 302: a document number opens its document
                    done[0] += 1
                elif status == 503:
                    busy[0] += 1
                    time.sleep(1)  # its Retry-After
                else:
                    bad[status] = bad.get(status, 0) + 1
        threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        failed.update(bad)
        return done[0], sum(bad.values()), busy[0]

    failed: dict[int, int] = {}
    alone, _, _ = searchers(seconds)
    failed.clear()
    stop = threading.Event()

    def slowloris() -> None:
        while not stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                    s.sendall(b"GET /search?q=%E6%B3%95 HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    while not stop.is_set():
                        s.sendall(b"X-a: b\r\n")
                        time.sleep(2)
            except OSError:
                time.sleep(0.1)  # the server closed it (408): open the next one

    loris = [threading.Thread(target=slowloris, daemon=True) for _ in range(64)]
    for t in loris:
        t.start()
    time.sleep(1)
    beside, bad, busy = searchers(seconds)
    stop.set()
    tally.tried += 2
    if beside == 0 or bad:
        tally.errors.append(f"beside 64 slow clients: {beside} searches answered, {bad} failed {failed}"
                            " (status 0: no answer)")
    return alone / seconds, beside / seconds, busy


# -- a killed worker, an unreadable index, a damaged database ---------------------------------------------

def killed_worker(server: Server, tally: Tally) -> str:
    victim = server.workers()[0]
    os.kill(victim, signal.SIGKILL)
    answered = failed = 0
    end = time.monotonic() + 5
    while time.monotonic() < end:
        status = tally.check("GET /search after SIGKILL", get(server.port, "/search?q=%E6%B3%95")[0], ok=(200,))
        answered += status == 200
        failed += status != 200
    return f"worker {victim} killed: {answered} answered 200, {failed} not, workers now {len(server.workers())}"


def unreadable_index(server: Server, data_dir: Path, tally: Tally) -> str:
    index, away = data_dir / "tantivy", data_dir / "tantivy-away"
    index.rename(away)
    try:
        # new queries each time: no cached result; a worker that has the index open may still answer from it
        statuses = [tally.check("GET /api/v1/search without an index",
                                get(server.port, f"/api/v1/search?q=%E6%B3%95{n}%E6%9D%A1")[0], ok=(200, 503))
                    for n in range(10)]
        ready = tally.check("GET /readyz without an index", get(server.port, "/readyz")[0], ok=(503,))
    finally:
        away.rename(index)
    back = tally.check("GET /search with the index back", get(server.port, "/search?q=%E6%B3%95")[0], ok=(200,))
    return (f"index folder moved away: /api/v1/search answered {sorted(set(statuses))} (never 500), "
            f"/readyz {ready}; moved back: /search {back}")


def damaged_database(data_dir: Path, tally: Tally) -> str:
    results = []
    for how in ("truncated", "random"):
        copy = data_dir.parent / f"{data_dir.name}-damaged-{how}"
        shutil.rmtree(copy, ignore_errors=True)
        copy.mkdir()
        shutil.copy(data_dir / "fagui.db", copy / "fagui.db")
        size = (copy / "fagui.db").stat().st_size
        with open(copy / "fagui.db", "r+b") as f:
            if how == "truncated":
                f.truncate(size // 3)
            else:
                f.write(os.urandom(size))
        env = {**os.environ, "FAGUI_DATA_DIR": str(copy)}
        env.pop("FAGUI_DATABASE_URL", None)
        for args in (["serve", "--port", str(free_port())], ["stats"], ["check"]):
            done = subprocess.run(FAGUI + args, env=env, capture_output=True, text=True, timeout=60)
            clean = done.returncode != 0 and "Traceback" not in done.stderr + done.stdout and "错误" in done.stdout + done.stderr
            tally.tried += 1
            if not clean:
                tally.errors.append(f"{how} database: fagui {args[0]} exit {done.returncode}")
            results.append(f"{how}/{args[0]}: exit {done.returncode}{'' if clean else ' (traceback or no 错误)'}")
        shutil.rmtree(copy, ignore_errors=True)
    return "; ".join(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/fagui-security-bench"))
    parser.add_argument("--fuzz", type=int, default=600, help="fuzzed URLs")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=10, help="each phase of the slow-client probe")
    args = parser.parse_args()
    prepare(args.data_dir)
    work = args.data_dir.parent / (args.data_dir.name + "-run")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(args.data_dir, work, ignore=shutil.ignore_patterns("run", "metrics"))
    env = {**os.environ, "FAGUI_DATA_DIR": str(work)}
    env.pop("FAGUI_DATABASE_URL", None)
    subprocess.run(FAGUI + ["users", "add", USER, "--password-stdin"], input=PASSWORD + "\n", text=True, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    before = row_counts(work / "fagui.db")
    conn = sqlite3.connect(work / "fagui.db")
    work_ids = [r[0] for r in conn.execute("select id from works order by id limit 50")]
    conn.close()
    tally = Tally()
    rng = random.Random(args.seed)
    server = Server(work, free_port())
    report: dict[str, object] = {}
    try:
        started = time.monotonic()
        statuses = fuzz(server.port, tally, args.fuzz, rng, work_ids)
        report["fuzz"] = f"{args.fuzz + 6} URLs in {time.monotonic() - started:.1f} s, answers by status {statuses}"
        report["hostile uploads"] = uploads(server.port, tally)
        report["hostile fetch"] = hostile_fetch(tally)
        alone, beside, bad = slow_clients(server.port, tally, args.seconds)
        report["load held"] = (f"{beside:.1f} searches/s beside 64 slow clients ({alone:.1f}/s alone, "
                               f"{beside / alone * 100 if alone else 0:.0f}%), {bad} answered 503 with Retry-After")
        report["killed worker"] = killed_worker(server, tally)
        report["unreadable index"] = unreadable_index(server, work, tally)
        report["damaged database"] = damaged_database(work, tally)
        tally.check("GET /readyz at the end", get(server.port, "/readyz")[0], ok=(200,))
    finally:
        server.stop()
    after = row_counts(work / "fagui.db")
    lost = {t: (n, after.get(t, 0)) for t, n in before.items() if after.get(t, 0) < n}
    print(f"probes tried: {tally.tried}")
    print(f"500s seen: {len(tally.errors)}" + "".join(f"\n  {e}" for e in tally.errors[:20]))
    print(f"peak memory: {server.peak_rss / 2**20:.0f} MB (RSS of the server's processes)")
    for key, value in report.items():
        print(f"{key}: {value}")
    print(f"data lost: {sum(n - m for n, m in lost.values())} rows" + (f" {json.dumps(lost)}" if lost else "")
          + f" (rows before {sum(before.values())}, after {sum(after.values())})")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
