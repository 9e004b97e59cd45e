"""Running one source: walk its listing, fetch each detail politely, parse it, store it, and keep score.

Every page is handled in its own transaction (the upsert inside a savepoint), and the run's state lives in
the store: the run row (CrawlRun) with its counts and failures, and one CrawlPage per document with its
validators and the run that last handled it. So an interrupted run is continued by the next
`fagui crawl SOURCE`, which skips the pages the run already handled, and a second run sends conditional
requests and stores no unchanged body. A page missing from a complete listing is marked gone, never deleted.

Listings whose URL is a file:// URL (local folders, corpus dumps) are read from disk here rather than
fetched; an unchanged file (same bytes as last stored) counts as not modified. This extends the Fetch
contract of crawlers.sources.base without changing it: network URLs always go through the fetcher."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawlers.archive import ArchiveFetch, WarcArchive
from crawlers.decisions import with_decision_links
from crawlers.http import Fetcher, FetchError, FetchResult
from crawlers.sources.base import Listing, Source
from fagui.records import RecordError
from indexer.store.models import CrawlPage, CrawlRun, Relation, utcnow
from indexer.store.upsert import get_source, record_failure, upsert_record

UNFINISHED = ("running", "interrupted")
_MAX_KEPT_FAILURES = 2000  # the run row keeps this many failure details; counts are always complete


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

    def failure_counts(self) -> Counter:
        return Counter(f["code"] for f in self.failures)

    def lines(self) -> list[str]:
        """The summary in Chinese, as `fagui crawl` prints it."""
        state = {"finished": "完成", "interrupted": "已中断（再次运行将继续）", "running": "进行中"}.get(
            self.state, self.state)
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


def _summary_of(run: CrawlRun, title: str) -> RunSummary:
    return RunSummary(
        run_id=run.id, source=run.source, title=title, state=run.state, listed=run.listed,
        fetched=run.fetched, new=run.new, changed=run.changed, unchanged=run.unchanged, failed=run.failed,
        gone=run.gone, failures=list(run.failures or []), unmatched=list(run.unmatched or []),
        listing_error=run.listing_error,
    )


def unfinished_run(session: Session, source: str, from_archive: bool = False) -> CrawlRun | None:
    return session.scalar(
        select(CrawlRun)
        .where(CrawlRun.source == source, CrawlRun.state.in_(UNFINISHED), CrawlRun.from_archive == from_archive)
        .order_by(CrawlRun.id.desc())
        .limit(1)
    )


def last_runs(session: Session) -> dict[str, CrawlRun]:
    """The newest run of each source."""
    runs: dict[str, CrawlRun] = {}
    for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id)):
        runs[run.source] = run
    return runs


def record_import(session: Session, source: str, *, started_at, listed: int, new: int, changed: int,
                  unchanged: int, failures: list[dict[str, Any]], state: str = "imported") -> CrawlRun:
    """Keep a file import of a source's corpus (`fagui import lawrefbook`) as a run of that source, so
    `fagui crawl --list` and `fagui check` show when it was last brought in and with what counts.

    Its state is "imported" (or "abandoned" when the import stopped half-way): never one a crawl continues, and
    it has no CrawlPage rows, so the next crawl of the source starts afresh and marks nothing gone because of it."""
    run = CrawlRun(source=source, state=state, started_at=started_at, finished_at=utcnow(), listed=listed,
                   fetched=listed, new=new, changed=changed, unchanged=unchanged, failed=len(failures), gone=0,
                   failures=failures[:_MAX_KEPT_FAILURES], unmatched=[])
    session.add(run)
    session.commit()
    return run


class _LocalFiles:
    """file:// listings read from disk; the last file is kept so a dump read entry by entry is read once."""

    def __init__(self) -> None:
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
        path = Path(url2pathname(urlsplit(url).path))
        if path != self._path:
            try:
                self._bytes = path.read_bytes()
            except FileNotFoundError as exc:
                raise FetchError(url, "not_found", f"文件不存在：{path}") from exc
            except OSError as exc:
                raise FetchError(url, "io_error", f"无法读取文件：{path}（{exc.strerror}）") from exc
            self._path = path
            self._digest = None
        return FetchResult(url, 200, self._bytes, requested_url=url)


class Runner:
    """One run of one source against one store; `run()` does it and returns the summary."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
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
        self.sessions = sessions
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
        self._local = _LocalFiles()

    # -- the run ------------------------------------------------------------------------------------------

    def run(self) -> RunSummary:
        session = self.sessions()
        try:
            return self._run(session)
        finally:
            session.close()
            if self.fetcher is not None:
                self.fetcher.close()
            if self.archive is not None:
                self.archive.close()

    def _start(self, session: Session) -> tuple[CrawlRun, bool]:
        name = self.source.name
        run = unfinished_run(session, name, self.from_archive)
        if run is not None and self.restart:
            run.state = "abandoned"
            run.finished_at = utcnow()
            run = None
        if run is not None:
            run.state = "running"
            self.since, self.limit = run.since, run.limit  # a continued run keeps its own scope
            session.commit()
            return run, True
        get_source(session, name, title=getattr(self.source, "title", None), kind="crawler")
        run = CrawlRun(source=name, state="running", since=self.since, limit=self.limit,
                       from_archive=self.from_archive, listed=0, fetched=0, new=0, changed=0, unchanged=0,
                       failed=0, gone=0, failures=[], unmatched=[])
        session.add(run)
        session.commit()
        return run, False

    def _make_fetch(self, session: Session, run: CrawlRun):
        if self.from_archive:
            return ArchiveFetch(self.data_dir, self.source.name)
        name = self.source.name

        def validators(url: str) -> tuple[str | None, str | None] | None:
            row = session.execute(
                select(CrawlPage.etag, CrawlPage.last_modified)
                .where(CrawlPage.source == name, CrawlPage.url == url, CrawlPage.content_hash.is_not(None))
                .limit(1)
            ).first()
            return (row.etag, row.last_modified) if row and (row.etag or row.last_modified) else None

        self.archive = WarcArchive(self.data_dir, name, label=f"run{run.id}")
        options = {"delay": 1.0 if self.delay is None else self.delay, **self.fetcher_options}
        if self.delay is not None:
            options["delay"] = self.delay
        self.fetcher = Fetcher(tuple(getattr(self.source, "hosts", ()) or ()), validators=validators,
                               on_response=self.archive.record, **options)
        return self.fetcher

    def _run(self, session: Session) -> RunSummary:
        run, resumed = self._start(session)
        title = getattr(self.source, "title", self.source.name)
        summary = _summary_of(run, title)
        summary.resumed = resumed
        fetch = self._make_fetch(session, run)
        done = set(session.scalars(select(CrawlPage.ref).where(
            CrawlPage.source == self.source.name, CrawlPage.last_run_id == run.id)))
        complete = False
        committed = replace(summary, failures=list(summary.failures), unmatched=list(summary.unmatched))
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
                except (FetchError, RecordError) as exc:
                    self._listing_failed(session, run, summary, getattr(exc, "url", "") or "", exc.reason,
                                         getattr(exc, "code", "parse"))
                    break
                except Exception as exc:  # noqa: BLE001 - an adapter bug ends the listing, reported
                    self._listing_failed(session, run, summary, "", f"{type(exc).__name__}: {exc}", "error")
                    break
                if listing.ref in done:
                    summary.skipped += 1
                    continue
                done.add(listing.ref)
                summary.listed += 1
                self._handle(session, run, summary, listing, fetch)
                self._save_counts(session, run, summary)  # a killed run still has its counts so far
                session.commit()
                committed = replace(summary, failures=list(summary.failures), unmatched=list(summary.unmatched))
                if self.on_progress:
                    self.on_progress(summary)
        except BaseException:
            # Interrupted (Ctrl-C, a kill): keep every page handled so far; the next crawl continues, and
            # the page that was half done is not counted (it will be done again).
            session.rollback()
            self._save_counts(session, run, committed)
            run.state = summary.state = "interrupted"
            session.commit()
            summary.__dict__.update(committed.__dict__, state="interrupted")
            raise
        full = complete and self.since is None and self.limit is None and not self.from_archive
        if full:
            summary.gone = self._mark_gone(session, run)
        self._still_unmatched(session, summary)
        run.state = summary.state = "finished"
        run.finished_at = utcnow()
        self._save_counts(session, run, summary)
        get_source(session, self.source.name).last_run_at = run.finished_at
        session.commit()
        return summary

    # -- one page -----------------------------------------------------------------------------------------

    def _fetch_page(self, fetch, listing: Listing, row: CrawlPage) -> FetchResult:
        if urlsplit(listing.url).scheme == "file":
            page = self._local(listing.url)
            if row.content_hash and row.last_error is None and row.content_hash == self._local.digest(page.content):
                return FetchResult(page.url, 304, b"", not_modified=True, requested_url=listing.url)
            return page
        conditional = row.content_hash is not None and not self.from_archive
        return fetch(listing.url, method=listing.method, data=listing.data, conditional=conditional)

    def _handle(self, session: Session, run: CrawlRun, summary: RunSummary, listing: Listing, fetch) -> None:
        name = self.source.name
        row = session.scalar(select(CrawlPage).where(CrawlPage.source == name, CrawlPage.ref == listing.ref))
        if row is None:
            row = CrawlPage(source=name, ref=listing.ref[:500], url=listing.url[:1000])
            session.add(row)
        row.url = listing.url[:1000]
        row.title = (listing.title or row.title or "")[:500] or None
        row.last_run_id = run.id
        now = utcnow()
        try:
            page = self._fetch_page(fetch, listing, row)
            row.last_fetched = now
            if page.not_modified:
                summary.unchanged += 1
                row.last_error = None
                row.gone_at = None
                return
            summary.fetched += 1
            record = with_decision_links(self.source.record(listing, page, fetch))
            with session.begin_nested():
                result = upsert_record(session, record)
        except FetchError as exc:
            self._failed(session, summary, row, listing, exc.code, exc.reason)
            return
        except RecordError as exc:
            self._failed(session, summary, row, listing, "parse", exc.reason)
            return
        except (SQLAlchemyError, ValueError) as exc:
            self._failed(session, summary, row, listing, "store", f"保存失败：{type(exc).__name__}: {exc}"[:500])
            return
        except Exception as exc:  # noqa: BLE001 - one broken page must not end the run; it is reported
            self._failed(session, summary, row, listing, "error", f"处理出错：{type(exc).__name__}: {exc}"[:500])
            return
        if result.new_work:
            summary.new += 1
        elif result.new_version or result.updated:
            summary.changed += 1
        else:
            summary.unchanged += 1
        if result.new_version or result.updated:
            row.last_changed = now
        row.etag = (page.etag or "")[:300] or None
        row.last_modified = (page.last_modified or "")[:100] or None
        row.content_hash = self._local.digest(page.content)
        row.work_id = result.work_id
        row.last_error = None
        row.gone_at = None
        if record.relations:
            self._note_unmatched(session, summary, record.title, result.work_id)

    def _failed(self, session: Session, summary: RunSummary, row: CrawlPage, listing: Listing, code: str,
                reason: str) -> None:
        summary.failed += 1
        row.last_error = f"[{code}] {reason}"
        if len(summary.failures) < _MAX_KEPT_FAILURES:
            summary.failures.append({"ref": listing.ref, "url": listing.url, "code": code, "reason": reason})
        record_failure(session, self.source.name, listing.ref, f"[{code}] {reason}")

    def _listing_failed(self, session: Session, run: CrawlRun, summary: RunSummary, url: str, reason: str,
                        code: str) -> None:
        summary.listing_error = f"[{code}] {reason}" + (f"（{url}）" if url else "")
        summary.failures.append({"ref": "列表", "url": url, "code": code, "reason": reason})
        record_failure(session, self.source.name, f"列表 {url}".strip(), f"[{code}] {reason}")
        self._save_counts(session, run, summary)
        session.commit()

    def _note_unmatched(self, session: Session, summary: RunSummary, title: str, work_id: str) -> None:
        known = {(u["decision"], u["type"], u["key"]) for u in summary.unmatched}
        for rel in session.scalars(select(Relation).where(
                Relation.subject_work_id == work_id, Relation.object_work_id.is_(None))):
            key = (title, rel.relation_type, rel.object_key)
            if key not in known:
                summary.unmatched.append({"decision": title, "work_id": work_id, "type": rel.relation_type,
                                          "key": rel.object_key, "title": rel.object_title,
                                          "doc_number": rel.object_doc_number})

    @staticmethod
    def _still_unmatched(session: Session, summary: RunSummary) -> None:
        """A target stored later in the run picked up its link (indexer.store.upsert resolves pending links): only
        the links still unresolved at the end are reported."""
        kept = []
        for u in summary.unmatched:
            target = session.scalar(select(Relation.object_work_id).where(
                Relation.subject_work_id == u.get("work_id"), Relation.relation_type == u["type"],
                Relation.object_key == u["key"]))
            if target is None:
                kept.append(u)
        summary.unmatched = kept

    # -- the end of a run ---------------------------------------------------------------------------------

    def _mark_gone(self, session: Session, run: CrawlRun) -> int:
        """Pages of the source this complete run did not list: gone from the site. Kept, only marked."""
        result = session.execute(
            update(CrawlPage)
            .where(CrawlPage.source == self.source.name, CrawlPage.gone_at.is_(None),
                   (CrawlPage.last_run_id != run.id) | CrawlPage.last_run_id.is_(None))
            .values(gone_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0

    @staticmethod
    def _save_counts(session: Session, run: CrawlRun, summary: RunSummary) -> None:
        for name in ("listed", "fetched", "new", "changed", "unchanged", "failed", "gone"):
            setattr(run, name, getattr(summary, name))
        run.failures = list(summary.failures)
        run.unmatched = list(summary.unmatched)
        run.listing_error = summary.listing_error


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def run_crawl(store: Any, source: Source, **options: Any) -> RunSummary:
    """Run `source` against an indexer.store.app_store.Store (its sessions and data directory)."""
    return Runner(store.sessions, source, data_dir=store.settings.data_dir, **options).run()
