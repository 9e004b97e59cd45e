"""Running one source: walk its listing, fetch each detail politely, parse it, hand it to a sink, keep score.

The runner never opens a database: whoever runs it hands it a sink (crawlers.sink.CrawlSink) that keeps the
run's state and the records, page by page. With the store's sink (indexer.ingest.crawl_state) every page is
its own transaction, an interrupted run is continued by the next `fagui crawl SOURCE`, which skips the pages
the run already handled, a second run sends conditional requests and stores no unchanged body, and a page
missing from a complete listing is marked gone, never deleted.

A listing is complete only when the adapter's `listings()` ends by returning. An adapter signals a list it
could not walk to its end (a list page missing, no record count where one is expected, fewer rows than the
count) by raising RecordError or FetchError from `listings()`; the run is then `incomplete`: nothing is
marked gone, the summary says why, and `fagui crawl` exits 1. A listing that ends cleanly is still checked
(the drift guard): no rows while pages are known, or more known pages missing than rows listed, makes the run
incomplete the same way.

Listings whose URL is a file:// URL are read from disk here rather than fetched, for a local source only (a
local folder, a corpus dump: one that declares its `local_root`), and only a regular file inside that root;
any other file:// URL fails as a page that cannot be had. An unchanged file (same bytes as last stored)
counts as not modified. This extends the Fetch contract of crawlers.sources.base without changing it:
network URLs always go through the fetcher."""

from __future__ import annotations

import hashlib
import logging
import stat
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from crawlers.archive import ArchiveFetch, WarcArchive
from crawlers.decisions import with_decision_links
from crawlers.http import Fetcher, FetchError, FetchResult
from crawlers.sink import CrawlSink, PageState, RunStart
from crawlers.sources.base import Fetch, Listing, Page, Source
from fagui.records import DocumentRecord, RecordError

log = logging.getLogger(__name__)

_MAX_KEPT_FAILURES = 2000  # the run keeps this many failure details; counts are always complete


@dataclass
class RunSummary:
    run_id: int
    source: str
    title: str
    state: str = "running"
    resumed: bool = False
    listed: int = 0
    fetched: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    gone: int = 0
    skipped: int = 0  # handled earlier in this (resumed) run
    failures: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    listing_error: str | None = None

    @property
    def handled(self) -> int:
        return self.new + self.changed + self.unchanged + self.failed

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in (
            "run_id", "source", "title", "state", "resumed", "listed", "fetched", "new", "changed",
            "unchanged", "failed", "gone", "skipped", "failures", "unmatched", "listing_error")}

    def failure_counts(self) -> Counter[str]:
        return Counter(f["code"] for f in self.failures)

    def copy(self) -> RunSummary:
        return replace(self, failures=list(self.failures), unmatched=list(self.unmatched))

    def lines(self) -> list[str]:
        """The summary in Chinese, as `fagui crawl` prints it."""
        state = {"finished": "完成", "interrupted": "已中断（再次运行将继续）", "running": "进行中",
                 "incomplete": "未完成（列表未走完）"}.get(self.state, self.state)
        out = [f"{self.title}（{self.source}）抓取{state}{'（续跑）' if self.resumed else ''}：列出 {self.listed}，"
               f"下载 {self.fetched}，新增 {self.new}，变化 {self.changed}，未变 {self.unchanged}，"
               f"失败 {self.failed}，下线 {self.gone}"]
        if self.listing_error:
            out.append(f"  列表未能走完，未标记下线：{self.listing_error}")
        if self.failures:
            counts = "，".join(f"{code} {n}" for code, n in self.failure_counts().most_common())
            out.append(f"  失败原因：{counts}")
            out += [f"  失败：{f['ref']}（{f['url']}）：{f['reason']}" for f in self.failures]
        if self.unmatched:
            out.append(f"  未能匹配到已收录文件的关联 {len(self.unmatched)} 条：")
            out += [f"    {u['decision']} {u['type']} 《{u['title'] or ''}》{u['doc_number'] or ''}"
                    for u in self.unmatched]
        return out


def _summary_of(start: RunStart, source: str, title: str) -> RunSummary:
    return RunSummary(
        run_id=start.run_id, source=source, title=title, resumed=start.resumed, listed=start.listed,
        fetched=start.fetched, new=start.new, changed=start.changed, unchanged=start.unchanged,
        failed=start.failed, gone=start.gone, failures=list(start.failures), unmatched=list(start.unmatched),
        listing_error=start.listing_error,
    )


class _LocalFiles:
    """file:// listings read from disk, only regular files inside `root` (None: no file is read); the last
    file is kept so a dump read entry by entry is read once."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root.resolve() if root is not None else None
        self._path: Path | None = None
        self._bytes = b""
        self._digest: str | None = None

    def digest(self, content: bytes) -> str:
        """The body's hash, computed once for the cached file (a dump is one file for every listing)."""
        if content is self._bytes:
            if self._digest is None:
                self._digest = _digest(content)
            return self._digest
        return _digest(content)

    def __call__(self, url: str) -> FetchResult:
        path = self._allowed_path(url)
        if path != self._path:
            try:
                if not stat.S_ISREG(path.stat().st_mode):
                    raise FetchError(url, "bad_url", f"不是普通文件，不予读取：{path}")
                self._bytes = path.read_bytes()
            except FileNotFoundError as exc:
                raise FetchError(url, "not_found", f"文件不存在：{path}") from exc
            except OSError as exc:
                raise FetchError(url, "io_error", f"无法读取文件：{path}（{exc.strerror}）") from exc
            self._path = path
            self._digest = None
            log.info("read %s (%d bytes)", path, len(self._bytes))
        return FetchResult(url, 200, self._bytes, requested_url=url)

    def _allowed_path(self, url: str) -> Path:
        if self.root is None:
            raise FetchError(url, "bad_url", "本来源只抓取网页，不读取本地文件（file:// 网址）")
        parts = urlsplit(url)
        if parts.netloc:
            raise FetchError(url, "bad_url", f"本地文件网址不能带主机（{parts.netloc}），不予读取")
        path = Path(url2pathname(parts.path)).resolve()
        if path != self.root and self.root not in path.parents:
            raise FetchError(url, "bad_url", f"文件不在本来源的文件夹之内，不予读取：{path}")
        return path


class Runner:
    """One run of one source into one sink; `run()` does it and returns the summary."""

    def __init__(
        self,
        sink: CrawlSink,
        source: Source,
        *,
        data_dir: Path,
        since: date | None = None,
        limit: int | None = None,
        delay: float | None = None,
        from_archive: bool = False,
        restart: bool = False,
        fetcher_options: dict[str, Any] | None = None,
        on_progress: Callable[[RunSummary], None] | None = None,
    ) -> None:
        self.sink = sink
        self.source = source
        self.data_dir = Path(data_dir)
        self.since = since
        self.limit = limit
        self.delay = delay
        self.from_archive = from_archive
        self.restart = restart
        self.fetcher_options = dict(fetcher_options or {})
        self.on_progress = on_progress
        self.fetcher: Fetcher | None = None
        self.archive: WarcArchive | None = None
        root = getattr(source, "local_root", None)
        self._local = _LocalFiles(Path(root) if root is not None else None)
        self._done: set[str] = set()  # refs this run has handled, those of its earlier part included

    # -- the run ------------------------------------------------------------------------------------------

    def run(self) -> RunSummary:
        try:
            return self._run()
        finally:
            self.sink.close()
            if self.fetcher is not None:
                self.fetcher.close()
            if self.archive is not None:
                self.archive.close()

    def _start(self) -> RunSummary:
        title = getattr(self.source, "title", self.source.name)
        start = self.sink.start(self.source.name, title, since=self.since, limit=self.limit,
                                from_archive=self.from_archive, restart=self.restart)
        if start.resumed:
            self.since, self.limit = start.since, start.limit  # a continued run keeps its own scope
            log.info("%s: resuming run %d, %d pages already handled", self.source.name, start.run_id,
                     len(start.handled))
        else:
            log.info("%s: run %d started", self.source.name, start.run_id)
        self._done = set(start.handled)
        return _summary_of(start, self.source.name, title)

    def _make_fetch(self, run_id: int) -> Fetch:
        if self.from_archive:
            return ArchiveFetch(self.data_dir, self.source.name)
        self.archive = WarcArchive(self.data_dir, self.source.name, label=f"run{run_id}")
        options = {"delay": 1.0 if self.delay is None else self.delay, **self.fetcher_options}
        if self.delay is not None:
            options["delay"] = self.delay
        self.fetcher = Fetcher(tuple(getattr(self.source, "hosts", ()) or ()), validators=self.sink.validators,
                               on_response=self.archive.record, **options)
        return self.fetcher

    def _run(self) -> RunSummary:
        summary = self._start()
        fetch = self._make_fetch(summary.run_id)
        complete = False
        committed = summary.copy()
        try:
            listing_iter = iter(self.source.listings(fetch, self.since))
            while True:
                if self.limit is not None and summary.handled >= self.limit:
                    break
                try:
                    listing = next(listing_iter)
                except StopIteration:
                    complete = True
                    break
                except FetchError as exc:
                    self._listing_failed(summary, exc.url, exc.reason, exc.code)
                    break
                except RecordError as exc:
                    self._listing_failed(summary, "", exc.reason, "parse")
                    break
                except Exception as exc:  # noqa: BLE001 - an adapter bug ends the listing, reported
                    self._listing_failed(summary, "", f"{type(exc).__name__}: {exc}", "error")
                    break
                if listing.ref in self._done:
                    summary.skipped += 1
                    log.info("%s: %s already handled by this run, skipped", self.source.name, listing.ref)
                    continue
                self._done.add(listing.ref)
                summary.listed += 1
                self._handle(summary, listing, fetch)
                self.sink.save(summary)  # the page and the counts so far: a killed run still has them
                committed = summary.copy()
                if self.on_progress:
                    self.on_progress(summary)
        except BaseException:
            # Interrupted (Ctrl-C, a kill): keep every page handled so far; the next crawl continues, and
            # the page that was half done is not counted (it will be done again).
            self.sink.interrupted(committed)
            summary.__dict__.update(committed.__dict__, state="interrupted")
            log.warning("%s: run %d interrupted after %d pages", self.source.name, summary.run_id, summary.handled)
            raise
        if complete and self.since is None and self.limit is None and not self.from_archive:
            drift = self._drift(summary)
            if drift:
                self._listing_failed(summary, "", drift, "drift")
            else:
                gone = self.sink.mark_gone()
                for ref in gone:
                    log.info("%s: %s is no longer listed, marked gone", self.source.name, ref)
                summary.gone = len(gone)
        self._still_unmatched(summary)
        # A list not walked to its end (the adapter raised, a page was missing, drift) is an incomplete run:
        # nothing was marked gone, and the command line exits non-zero.
        summary.state = "incomplete" if summary.listing_error else "finished"
        self.sink.finish(summary)
        log.info("%s: run %d finished: %d listed, %d new, %d changed, %d unchanged, %d failed, %d gone",
                 self.source.name, summary.run_id, summary.listed, summary.new, summary.changed,
                 summary.unchanged, summary.failed, summary.gone)
        return summary

    # -- one page -----------------------------------------------------------------------------------------

    def _fetch_page(self, fetch: Fetch, listing: Listing, known: PageState) -> Page:
        if urlsplit(listing.url).scheme == "file":
            page = self._local(listing.url)
            if known.content_hash and known.last_error is None \
                    and known.content_hash == self._local.digest(page.content):
                return FetchResult(page.url, 304, b"", not_modified=True, requested_url=listing.url)
            return page
        conditional = known.content_hash is not None and not self.from_archive
        return fetch(listing.url, method=listing.method, data=listing.data, conditional=conditional,
                     headers=getattr(listing, "headers", None))

    def _handle(self, summary: RunSummary, listing: Listing, fetch: Fetch) -> None:
        known = self.sink.page(listing.ref, listing.url, listing.title)
        fetched = False
        try:
            page = self._fetch_page(fetch, listing, known)
            fetched = True
            if page.not_modified:
                summary.unchanged += 1
                self.sink.not_modified(listing.ref)
                log.info("%s: %s not modified", self.source.name, listing.ref)
                return
            summary.fetched += 1
            record = self._record(listing, page, fetch)
        except FetchError as exc:
            log.warning("%s: %s failed: [%s] %s", self.source.name, listing.ref, exc.code, exc.reason)
            self._failed(summary, listing, exc.code, exc.reason, fetched)
            return
        except RecordError as exc:
            log.warning("%s: %s could not be parsed: %s", self.source.name, listing.ref, exc.reason)
            self._failed(summary, listing, getattr(exc, "code", "parse"), exc.reason, fetched)  # needs_ocr
            return
        except Exception as exc:  # noqa: BLE001 - one broken page must not end the run; it is reported
            self._error(summary, listing, exc, fetched)
            return
        try:
            stored = self.sink.store(listing.ref, record, etag=getattr(page, "etag", None),
                                     last_modified=getattr(page, "last_modified", None),
                                     content_hash=self._local.digest(page.content))
        except ValueError as exc:  # the store refused the record (the sink rolled it back)
            log.warning("%s: %s could not be stored: %s", self.source.name, listing.ref, exc)
            self._failed(summary, listing, "store", f"保存失败：{exc}"[:500], fetched)
            return
        except Exception as exc:  # noqa: BLE001 - as for parsing: reported, and the run goes on
            self._error(summary, listing, exc, fetched)
            return
        if stored.outcome == "new":
            summary.new += 1
        elif stored.outcome == "changed":
            summary.changed += 1
        else:
            summary.unchanged += 1
        log.info("%s: %s stored (%s)", self.source.name, listing.ref, stored.outcome)
        if record.relations:
            self._note_unmatched(summary, record.title, stored.work_id)

    def _record(self, listing: Listing, page: Page, fetch: Fetch) -> DocumentRecord:
        record = self.source.record(listing, page, fetch)
        log.info("%s: parsed %s 《%s》", self.source.name, listing.ref, record.title)
        return with_decision_links(record)  # logs the repeal/amend links it finds

    def _failed(self, summary: RunSummary, listing: Listing, code: str, reason: str, fetched: bool) -> None:
        summary.failed += 1
        if len(summary.failures) < _MAX_KEPT_FAILURES:
            summary.failures.append({"ref": listing.ref, "url": listing.url, "code": code, "reason": reason})
        self.sink.failed(listing.ref, code, reason, fetched=fetched)

    def _error(self, summary: RunSummary, listing: Listing, exc: Exception, fetched: bool) -> None:
        """A bug of the adapter or the sink on one page: reported like any failure, the run goes on."""
        log.warning("%s: %s failed: %s: %s", self.source.name, listing.ref, type(exc).__name__, exc)
        self._failed(summary, listing, "error", f"处理出错：{type(exc).__name__}: {exc}"[:500], fetched)

    def _drift(self, summary: RunSummary) -> str | None:
        """Why a listing that ended cleanly cannot be believed (the drift guard): it gave no rows while pages
        are known, or it would mark more pages gone at once than it listed (a list selector that stopped
        matching, a redesign, a site answering with an empty list). None when it can."""
        missing = self.sink.gone_candidates()
        if not missing:
            return None
        if summary.listed == 0:
            return f"列表没有任何条目，而已知页面 {missing} 个：可能是列表选择器失效或网站改版，未标记下线"
        if missing > summary.listed:
            return (f"列表只列出 {summary.listed} 条，而 {missing} 个已知页面不在其中（超过一半）：可能是列表选择器"
                    "失效或网站改版，未标记下线")
        return None

    def _listing_failed(self, summary: RunSummary, url: str, reason: str, code: str) -> None:
        log.warning("%s: the listing stopped: [%s] %s %s", self.source.name, code, reason, url)
        summary.listing_error = f"[{code}] {reason}" + (f"（{url}）" if url else "")
        summary.failures.append({"ref": "列表", "url": url, "code": code, "reason": reason})
        self.sink.listing_failed(url, code, reason)
        self.sink.save(summary)

    def _note_unmatched(self, summary: RunSummary, title: str, work_id: str) -> None:
        known = {(u["decision"], u["type"], u["key"]) for u in summary.unmatched}
        for link in self.sink.unmatched_links(work_id):
            if (title, link.relation_type, link.key) not in known:
                summary.unmatched.append({"decision": title, "work_id": work_id, "type": link.relation_type,
                                          "key": link.key, "title": link.title, "doc_number": link.doc_number})

    def _still_unmatched(self, summary: RunSummary) -> None:
        """A target stored later in the run picked up its link (the store resolves pending links): only the
        links still unresolved at the end are reported."""
        open_links: dict[str, set[tuple[str, str]]] = {}
        for u in summary.unmatched:
            if u["work_id"] not in open_links:
                open_links[u["work_id"]] = {(link.relation_type, link.key)
                                            for link in self.sink.unmatched_links(u["work_id"])}
        summary.unmatched = [u for u in summary.unmatched if (u["type"], u["key"]) in open_links[u["work_id"]]]


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
