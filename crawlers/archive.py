"""Raw responses kept as WARC files, so a page can be parsed again without fetching it again.

Each crawl run of a source writes one gzipped WARC file under FAGUI_DATA_DIR/warc/<source>/, a request and a
response record per final response (redirect hops and 304 answers carry no page and are not kept). Bodies
are stored decoded (Content-Encoding removed, Content-Length set to the stored length), so replay is plain.
`ArchiveFetch` serves those responses back through the same Fetch interface: the newest copy of each request
wins, and a request never archived is a FetchError (code not_archived)."""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawlers.http import FetchError, FetchResult, RequestInfo, status_error

# Extension fields (WARC 1.1 allows them): what the source asked for, before redirects, and its body digest.
REQUESTED_URI = "WARC-Fagui-Requested-URI"
REQUEST_DIGEST = "WARC-Fagui-Request-Digest"
REQUEST_METHOD = "WARC-Fagui-Method"

log = logging.getLogger(__name__)


def archive_dir(data_dir: Path, source: str) -> Path:
    return Path(data_dir) / "warc" / source


def request_key(method: str, url: str, body: bytes = b"") -> tuple[str, str, str]:
    return method.upper(), url, hashlib.sha1(body).hexdigest()


def _reason_phrase(status: int) -> str:
    try:
        from http import HTTPStatus

        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class WarcArchive:
    """Writes one WARC file for one run; use its `record` method as the fetcher's on_response hook."""

    def __init__(self, data_dir: Path, source: str, label: str | None = None) -> None:
        self.dir = archive_dir(data_dir, source)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        self.path = self.dir / f"{source}-{label or stamp}.warc.gz"
        self.records = 0
        self._fh: io.BufferedWriter | None = None
        self._writer: WARCWriter | None = None
        self._lock = threading.Lock()

    def record(self, result: FetchResult, request: RequestInfo) -> None:
        with self._lock:
            if self._writer is None:
                self.dir.mkdir(parents=True, exist_ok=True)
                self._fh = open(self.path, "ab")  # noqa: SIM115 - kept open for the run, closed in close()
                self._writer = WARCWriter(self._fh, gzip=True)
            writer, fh = self._writer, self._fh
            assert fh is not None  # opened with the writer
            digest = hashlib.sha1(request.body).hexdigest()
            extra = {REQUESTED_URI: result.requested_url or request.url, REQUEST_DIGEST: digest,
                     REQUEST_METHOD: request.method}
            target = urlsplit_path(request.url)
            req_headers = StatusAndHeaders(f"{request.method} {target} HTTP/1.1", list(request.headers.items()),
                                           is_http_request=True)
            req = writer.create_warc_record(request.url, "request", payload=io.BytesIO(request.body),
                                            http_headers=req_headers, warc_headers_dict=extra)
            headers = [(k, v) for k, v in result.headers.items() if k not in ("content-length",)]
            headers.append(("content-length", str(len(result.content))))
            resp_headers = StatusAndHeaders(f"{result.status} {_reason_phrase(result.status)}", headers,
                                            protocol="HTTP/1.1")
            resp = writer.create_warc_record(result.url, "response", payload=io.BytesIO(result.content),
                                             http_headers=resp_headers, warc_headers_dict=extra)
            writer.write_record(req)
            writer.write_record(resp)
            fh.flush()  # an interrupted run keeps everything it archived
            self.records += 1
            log.debug("archived %s in %s", result.url, self.path.name)

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None
                self._writer = None


def urlsplit_path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def iter_responses(directory: Path) -> Iterator[tuple[tuple[str, str, str], FetchResult]]:
    """Every archived response in the folder, oldest file first: (request key, result)."""
    for path in sorted(Path(directory).glob("*.warc.gz")):
        with open(path, "rb") as fh:
            try:
                for rec in ArchiveIterator(fh):
                    if rec.rec_type != "response":
                        continue
                    wh = rec.rec_headers
                    url = wh.get_header("WARC-Target-URI")
                    requested = wh.get_header(REQUESTED_URI) or url
                    method = wh.get_header(REQUEST_METHOD) or "GET"
                    digest = wh.get_header(REQUEST_DIGEST) or hashlib.sha1(b"").hexdigest()
                    status = int(rec.http_headers.get_statuscode())
                    headers = {k.lower(): v for k, v in rec.http_headers.headers}
                    body = rec.content_stream().read()
                    declared = headers.get("content-length", "")
                    if declared.isdigit() and len(body) != int(declared):
                        continue  # cut off by an interrupted write: half a page is no page
                    yield (method.upper(), requested, digest), FetchResult(
                        url, status, body, headers=headers, requested_url=requested, method=method,
                        from_archive=True)
            except Exception:  # noqa: BLE001 - a damaged tail (interrupted write) ends that file only
                continue


class ArchiveFetch:
    """A Fetch that answers from the WARC files of a source instead of the network."""

    def __init__(self, data_dir: Path, source: str) -> None:
        self.dir = archive_dir(data_dir, source)
        self._pages: dict[tuple[str, str, str], FetchResult] = dict(iter_responses(self.dir))
        log.info("replaying %d archived responses from %s", len(self._pages), self.dir)

    def __len__(self) -> int:
        return len(self._pages)

    def __call__(
        self,
        url: str,
        method: str = "GET",
        data: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        conditional: bool = False,
    ) -> FetchResult:
        body = httpx.Request(method.upper(), url, data=data, json=json).read()
        found = self._pages.get(request_key(method, url, body))
        if found is None:
            log.warning("%s %s: not in the archive", method, url)
            raise FetchError(url, "not_archived", f"存档中没有该页面（{self.dir}），请先联网抓取")
        log.info("%s %s: %d from the archive, %d bytes", method, url, found.status, len(found.content))
        if found.status >= 400:
            raise status_error(found.url, found.status)
        return found
