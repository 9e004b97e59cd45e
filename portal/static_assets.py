"""Static files under fingerprinted names, cached for a year, and every text answer sent gzip-compressed.

`url_for('static', filename='site.css')` gives /static/site.<10 hex digits of its content's hash>.css: a changed
file gets a new name, so a name can be cached for good (`Cache-Control: public, max-age=31536000, immutable`).
The plain name still answers, revalidated (no-cache), for links made before. The service worker (portal.offline)
pre-caches the fingerprinted names and keys its cache by the plain name.

Pages, JSON and static text (CSS, JS, SVG) of more than MIN_BYTES go out gzip-compressed to a client that
accepts it (`Vary: Accept-Encoding`); compressed static files are kept in memory, keyed by name and hash."""

from __future__ import annotations

import gzip
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request, send_from_directory
from werkzeug.exceptions import NotFound

YEAR = 31_536_000
MIN_BYTES = 500
LEVEL = 6
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/manifest+json",
                "application/xml", "application/atom+xml", "application/rss+xml", "image/svg+xml")
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<ext>\.[A-Za-z0-9]+)$")


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def digest_of(folder: Path, filename: str) -> str | None:
    """The fingerprint of a static file's current content; None when there is no such file."""
    path = (folder / filename).resolve()
    if folder.resolve() not in path.parents or not path.is_file():
        return None
    stat = path.stat()
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


def fingerprinted(folder: Path, filename: str) -> str:
    """site.css -> site.1a2b3c4d5e.css (the name unchanged when the file is missing or has no extension)."""
    digest = digest_of(folder, filename)
    stem, dot, ext = filename.rpartition(".")
    if digest is None or not dot or "/" in ext:
        return filename
    return f"{stem}.{digest}.{ext}"


def plain_name(filename: str) -> str:
    """site.1a2b3c4d5e.css -> site.css; any other name as it is."""
    m = _HASHED.match(filename)
    return m.group("stem") + m.group("ext") if m else filename


def _static(filename: str) -> Response:
    folder = Path(current_app.static_folder or "static")
    m = _HASHED.match(filename)
    if m is not None:
        real = m.group("stem") + m.group("ext")
        if digest_of(folder, real) != m.group("digest"):
            raise NotFound()  # an old fingerprint: the file has changed since that page was made
        response = send_from_directory(folder, real, max_age=YEAR)
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response
    response = send_from_directory(folder, filename, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@lru_cache(maxsize=64)
def _gzipped(key: str, data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=LEVEL, mtime=0)


def _compress(response: Response) -> Response:
    if (response.status_code != 200 or "Content-Encoding" in response.headers or request.method == "HEAD"
            or "gzip" not in request.headers.get("Accept-Encoding", "").lower()
            or not (response.mimetype or "").startswith(COMPRESSIBLE) or "Range" in request.headers):
        return response
    if response.direct_passthrough:  # a file sent by send_from_directory: read whole (static files are small)
        response.direct_passthrough = False
    elif response.is_streamed:  # a streamed answer (a large export) goes as it is
        return response
    data = response.get_data()
    if len(data) < MIN_BYTES:
        return response
    static = request.endpoint == "static"
    body = _gzipped(f"{request.path}|{response.get_etag()[0]}", data) if static else gzip.compress(
        data, compresslevel=LEVEL, mtime=0)
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(etag + "-gz", weak=bool(weak))
    return response


def init_app(app: Flask) -> None:
    folder = Path(app.static_folder or "static")

    def static_names(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = fingerprinted(folder, plain_name(values["filename"]))

    app.url_defaults(static_names)
    app.view_functions["static"] = _static
    app.after_request(_compress)
