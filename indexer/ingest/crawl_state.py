"""The store's side of a crawl run: records into the store, and the run's state beside them.

`StoreSink` is what the command line hands the crawl runner (it satisfies crawlers.sink.CrawlSink by shape;
the store side imports nothing of the crawlers). The run's state lives in the store: the run row (CrawlRun)
with its counts and failures, and one CrawlPage per document with its validators and the run that last
handled it. Every page is its own transaction (the upsert inside a savepoint, committed with the counts at
`save()`), so a killed run keeps what it did and the next crawl of the source resumes it; a page missing
from a complete listing is marked gone, never deleted.

File imports (`fagui import lawrefbook`) are kept as runs of their source too (`record_import`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from fagui.errors import FaguiError
from fagui.records import DocumentRecord, RunCounts
from indexer.store.models import CrawlPage, CrawlRun, Relation, utcnow
from indexer.store.upsert import get_source, record_failure, upsert_record

UNFINISHED = ("running", "interrupted")
_MAX_KEPT_FAILURES = 2000  # the run row keeps this many failure details; counts are always complete
_COUNTS = ("listed", "fetched", "new", "changed", "unchanged", "failed", "gone")

Outcome = Literal["new", "changed", "unchanged"]


class StoreRefused(FaguiError, ValueError):
    """The store could not take a record (a constraint, a value it cannot hold); the message is the reason."""


@dataclass(frozen=True)
class RunStarted:
    run_id: int
    resumed: bool
    since: date | None
    limit: int | None
    handled: frozenset[str] = frozenset()
    listed: int = 0
    fetched: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    gone: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    listing_error: str | None = None


@dataclass(frozen=True)
class KnownPage:
    content_hash: str | None
    last_error: str | None


@dataclass(frozen=True)
class StoredRecord:
    outcome: Outcome
    work_id: str


@dataclass(frozen=True)
class OpenLink:
    relation_type: str
    key: str
    title: str | None
    doc_number: str | None


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


def record_import(session: Session, source: str, *, started_at: datetime, listed: int, new: int, changed: int,
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


class StoreSink:
    """One crawl run of one source into the store, through one session (closed by `close()`)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.session = sessions()
        self._source = ""
        self._run: CrawlRun | None = None
        self._page: CrawlPage | None = None

    @property
    def run(self) -> CrawlRun:
        if self._run is None:
            raise RuntimeError("StoreSink.start() has not been called")
        return self._run

    # -- the run ------------------------------------------------------------------------------------------

    def start(self, source: str, title: str, *, since: date | None, limit: int | None, from_archive: bool,
              restart: bool) -> RunStarted:
        session = self.session
        self._source = source
        run = unfinished_run(session, source, from_archive)
        if run is not None and restart:
            run.state = "abandoned"
            run.finished_at = utcnow()
            run = None
        if run is not None:
            run.state = "running"
            session.commit()
            self._run = run
            handled = frozenset(session.scalars(select(CrawlPage.ref).where(
                CrawlPage.source == source, CrawlPage.last_run_id == run.id)))
            return RunStarted(run_id=run.id, resumed=True, since=run.since, limit=run.limit, handled=handled,
                              listed=run.listed, fetched=run.fetched, new=run.new, changed=run.changed,
                              unchanged=run.unchanged, failed=run.failed, gone=run.gone,
                              failures=list(run.failures or []), unmatched=list(run.unmatched or []),
                              listing_error=run.listing_error)
        get_source(session, source, title=title, kind="crawler")
        run = CrawlRun(source=source, state="running", since=since, limit=limit, from_archive=from_archive,
                       listed=0, fetched=0, new=0, changed=0, unchanged=0, failed=0, gone=0, failures=[],
                       unmatched=[])
        session.add(run)
        session.commit()
        self._run = run
        return RunStarted(run_id=run.id, resumed=False, since=since, limit=limit)

    def save(self, counts: RunCounts) -> None:
        self._save_counts(counts)
        self.session.commit()
        self._page = None

    def interrupted(self, counts: RunCounts) -> None:
        self.session.rollback()  # the half-done page is done again by the next run
        self._page = None
        self._save_counts(counts)
        self.run.state = "interrupted"
        self.session.commit()

    def _missing(self) -> tuple[Any, ...]:
        run = self.run
        return (CrawlPage.source == self._source, CrawlPage.gone_at.is_(None),
                (CrawlPage.last_run_id != run.id) | CrawlPage.last_run_id.is_(None))

    def gone_candidates(self) -> int:
        """How many pages of the source this run has not handled (what mark_gone would mark)."""
        return int(self.session.scalar(select(func.count()).select_from(CrawlPage).where(*self._missing())) or 0)

    def mark_gone(self) -> list[str]:
        """Pages of the source this complete run did not list: gone from the site. Kept, only marked."""
        missing = self._missing()
        refs = list(self.session.scalars(select(CrawlPage.ref).where(*missing)))
        self.session.execute(update(CrawlPage).where(*missing).values(gone_at=utcnow())
                             .execution_options(synchronize_session=False))
        return refs

    def finish(self, counts: RunCounts) -> None:
        run = self.run
        run.state = "incomplete" if counts.listing_error else "finished"
        run.finished_at = utcnow()
        self._save_counts(counts)
        get_source(self.session, self._source).last_run_at = run.finished_at
        self.session.commit()

    def close(self) -> None:
        self.session.close()

    def _save_counts(self, counts: RunCounts) -> None:
        run = self.run
        for name in _COUNTS:
            setattr(run, name, getattr(counts, name))
        run.failures = list(counts.failures)
        run.unmatched = list(counts.unmatched)
        run.listing_error = counts.listing_error

    # -- one page -----------------------------------------------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        row = self.session.execute(
            select(CrawlPage.etag, CrawlPage.last_modified)
            .where(CrawlPage.source == self._source, CrawlPage.url == url, CrawlPage.content_hash.is_not(None))
            .limit(1)
        ).first()
        return (row.etag, row.last_modified) if row and (row.etag or row.last_modified) else None

    def page(self, ref: str, url: str, title: str | None) -> KnownPage:
        row = self.session.scalar(select(CrawlPage).where(CrawlPage.source == self._source, CrawlPage.ref == ref))
        if row is None:
            row = CrawlPage(source=self._source, ref=ref[:500], url=url[:1000])
            self.session.add(row)
        row.url = url[:1000]
        row.title = (title or row.title or "")[:500] or None
        row.last_run_id = self.run.id
        self._page = row
        return KnownPage(content_hash=row.content_hash, last_error=row.last_error)

    def not_modified(self, ref: str) -> None:
        row = self._current(ref)
        row.last_fetched = utcnow()
        row.last_error = None
        row.gone_at = None

    def store(self, ref: str, record: DocumentRecord, *, etag: str | None, last_modified: str | None,
              content_hash: str) -> StoredRecord:
        row = self._current(ref)
        now = utcnow()
        row.last_fetched = now
        try:
            with self.session.begin_nested():
                result = upsert_record(self.session, record)
        except (SQLAlchemyError, ValueError) as exc:
            raise StoreRefused(f"{type(exc).__name__}: {exc}") from exc
        outcome: Outcome
        if result.new_work:
            outcome = "new"
        elif result.new_version or result.updated:
            outcome = "changed"
        else:
            outcome = "unchanged"
        if result.new_version or result.updated:
            row.last_changed = now
        row.etag = (etag or "")[:300] or None
        row.last_modified = (last_modified or "")[:100] or None
        row.content_hash = content_hash
        row.work_id = result.work_id
        row.last_error = None
        row.gone_at = None
        return StoredRecord(outcome=outcome, work_id=result.work_id)

    def failed(self, ref: str, code: str, reason: str, *, fetched: bool) -> None:
        row = self._current(ref)
        if fetched:
            row.last_fetched = utcnow()
        row.last_error = f"[{code}] {reason}"
        record_failure(self.session, self._source, ref, f"[{code}] {reason}")

    def listing_failed(self, url: str, code: str, reason: str) -> None:
        record_failure(self.session, self._source, f"列表 {url}".strip(), f"[{code}] {reason}")

    def unmatched_links(self, work_id: str) -> Sequence[OpenLink]:
        return [OpenLink(rel.relation_type, rel.object_key, rel.object_title, rel.object_doc_number)
                for rel in self.session.scalars(select(Relation).where(
                    Relation.subject_work_id == work_id, Relation.object_work_id.is_(None)))]

    def _current(self, ref: str) -> CrawlPage:
        if self._page is None or self._page.ref != ref[:500]:
            raise RuntimeError(f"page {ref!r} was not taken with StoreSink.page()")
        return self._page
