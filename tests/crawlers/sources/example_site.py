"""The saved example sites of the source adapters, served through the `fetch` contract with no network, and
the juriscraper-style comparison of parsed records with the expected JSON beside them.

Each tests/examples/<source>/routes.json maps a request (method, path with query, the JSON body fields a
POST must carry) to a saved file. `ExampleSite.fetch` answers like the polite fetcher: a FetchResult, or a
FetchError for a URL the site does not have. With FAGUI_REGENERATE_EXAMPLES=1 `compare_expected` rewrites
the expected JSON instead of comparing (read `git diff tests/examples` afterwards)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawlers.http import FetchError, FetchResult
from fagui.records import DocumentRecord, RecordError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FULL_TEXT_LIMIT = 3000
REGENERATE = os.environ.get("FAGUI_REGENERATE_EXAMPLES") == "1"


class ExampleSite:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        manifest = json.loads((folder / "routes.json").read_text(encoding="utf-8"))
        self.base_url: str = manifest["base_url"]
        self.manifest = manifest
        self.routes: list[dict[str, Any]] = manifest["routes"]
        self.requests: list[tuple[str, str]] = []

    def route_for(self, url: str, method: str = "GET", body: dict | None = None) -> dict[str, Any] | None:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        for route in self.routes:
            if route["method"] != method.upper() or route["path"] != path:
                continue
            if all((body or {}).get(k) == v for k, v in (route.get("match") or {}).items()):
                return route
        return None

    def fetch(self, url: str, method: str = "GET", data: Any = None, json: Any = None, headers: Any = None,
              conditional: bool = False) -> FetchResult:
        self.requests.append((method.upper(), url))
        route = self.route_for(url, method, json if isinstance(json, dict) else data)
        if route is None:
            raise FetchError(url, "not_found", "页面不存在（HTTP 404）", 404)
        content = (self.folder / route["file"]).read_bytes()
        return FetchResult(url=url, status=route.get("status", 200), content=content,
                           headers={"content-type": route.get("content_type", "")}, method=method.upper())

    def files(self, kind: str | None = None) -> list[str]:
        return [r["file"] for r in self.routes if kind is None or r["kind"] == kind]


def text_digest(text: str) -> str | dict:
    if len(text) <= FULL_TEXT_LIMIT:
        return text
    return {"sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "chars": len(text),
            "head": text[:200], "tail": text[-120:]}


def expected_of(record: DocumentRecord) -> dict[str, Any]:
    data = record.to_dict()
    data["text"] = text_digest(record.text)
    return data


def compare_expected(path: Path, actual: Any) -> None:
    """actual against the JSON saved at path (written instead when regenerating)."""
    if REGENERATE or not path.exists():
        if not REGENERATE:
            raise AssertionError(f"{path.name} is missing: run with FAGUI_REGENERATE_EXAMPLES=1 and review it")
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return
    expected = json.loads(path.read_text(encoding="utf-8"))
    actual = json.loads(json.dumps(actual, ensure_ascii=False))
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected:
            assert actual.get(key) == expected[key], f"{path.name}: {key}"
    assert actual == expected, path.name


def error_of(exc: RecordError) -> dict[str, str]:
    return {"ref": exc.ref, "reason": exc.reason}


def expected_path(folder: Path, file: str) -> Path:
    return folder / (Path(file).stem + ".expected.json")


def assert_every_example_has_its_json(folder: Path, site: ExampleSite) -> None:
    """Every list and detail response has its expected JSON, every saved file is served, a README says
    where the format comes from."""
    for file in site.files("list") + site.files("detail"):
        assert expected_path(folder, file).exists(), f"{file} has no expected JSON"
    served = set(site.files())
    for path in folder.iterdir():
        if path.is_file() and path.name not in ("README.md", "routes.json") and \
                not path.name.endswith(".expected.json"):
            assert path.name in served, f"{path.name} is not served by routes.json"
    assert (folder / "README.md").exists()


def serve(folder: Path):
    """A real HTTP server on 127.0.0.1 (a free port) answering from the example site's routes.json; a context
    manager yielding the server's base URL. POST bodies are matched on the route's `match` fields."""
    import contextlib
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    site = ExampleSite(folder)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            route = site.route_for(f"http://x{self.path}", method, body if isinstance(body, dict) else None)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            content = (folder / route["file"]).read_bytes()
            self.send_response(route.get("status", 200))
            if route.get("content_type"):
                self.send_header("Content-Type", route["content_type"])
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            self._answer("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._answer("POST")

        def log_message(self, *args: Any) -> None:
            pass

    @contextlib.contextmanager
    def running():
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join()

    return running()
