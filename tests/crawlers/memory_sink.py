"""A crawl sink kept in memory, for running the crawl runner with no database at all.

It keeps the same promises as the store's sink (indexer.ingest.crawl_state.StoreSink): what a page did is
staged and kept only at save(), an interrupted run keeps its saved counts and is resumed by the next start
of its source, pages not handled by a complete run are marked gone and kept. A record's work is its
source_ref; a record that differs from the one its page gave last time is "changed"."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from fagui.records import DocumentRecord


@dataclass
class MemoryPage:
    ref: str
    url: str
    title: str | None = None
    content_hash: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_error: str | None = None
    last_run_id: int | None = None
    gone: bool = False
    record: DocumentRecord | None = None


@dataclass
class MemoryRun:
    run_id: int
    source: str
    since: date | None
    limit: int | None
    from_archive: bool
    state: str = "running"
    resumed: bool = False
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
class Stored:
    outcome: Any
    work_id: str


@dataclass(frozen=True)
class Link:
    relation_type: str
    key: str
    title: str | None
    doc_number: str | None


_COUNTS = ("listed", "fetched", "new", "changed", "unchanged", "failed", "gone", "listing_error")


class MemorySink:
    """Runs of any number of sources; one object can be handed to run after run (close() keeps everything)."""

    def __init__(self) -> None:
        self.runs: list[MemoryRun] = []
        self.pages: dict[tuple[str, str], MemoryPage] = {}
        self.failures: list[tuple[str, str, str]] = []  # (source, ref, "[code] reason")
        self.saves = 0
        self._run: MemoryRun | None = None
        self._staged: dict[str, MemoryPage] = {}
        self._staged_failures: list[tuple[str, str, str]] = []

    @property
    def run(self) -> MemoryRun:
        assert self._run is not None, "start() first"
        return self._run

    def records(self, source: str) -> dict[str, DocumentRecord]:
        return {ref: p.record for (src, ref), p in self.pages.items() if src == source and p.record is not None}

    def start(self, source, title, *, since, limit, from_archive, restart):
        unfinished = [r for r in self.runs if r.source == source and r.from_archive == from_archive
                      and r.state in ("running", "interrupted")]
        if unfinished and restart:
            unfinished[-1].state = "abandoned"
        elif unfinished:
            run = unfinished[-1]
            run.state, run.resumed = "running", True
            run.handled = frozenset(ref for (src, ref), p in self.pages.items()
                                    if src == source and p.last_run_id == run.run_id)
            self._run = run
            return replace(run, failures=list(run.failures), unmatched=list(run.unmatched))
        self._run = MemoryRun(len(self.runs) + 1, source, since, limit, from_archive)
        self.runs.append(self._run)
        return replace(self._run)

    def validators(self, url):
        for (src, _), page in self.pages.items():
            if src == self.run.source and page.url == url and page.content_hash is not None:
                return (page.etag, page.last_modified) if page.etag or page.last_modified else None
        return None

    def page(self, ref, url, title):
        kept = self.pages.get((self.run.source, ref))
        page = replace(kept) if kept else MemoryPage(ref, url)
        page.url, page.title, page.last_run_id = url, title or page.title, self.run.run_id
        self._staged[ref] = page
        return page

    def not_modified(self, ref):
        page = self._staged[ref]
        page.last_error, page.gone = None, False

    def store(self, ref, record: DocumentRecord, *, etag, last_modified, content_hash):
        page = self._staged[ref]
        kept = page.record
        outcome = "new" if kept is None else "unchanged" if kept == record else "changed"
        page.record, page.etag, page.last_modified, page.content_hash = record, etag, last_modified, content_hash
        page.last_error, page.gone = None, False
        return Stored(outcome, record.source_ref)

    def failed(self, ref, code, reason, *, fetched):
        self._staged[ref].last_error = f"[{code}] {reason}"
        self._staged_failures.append((self.run.source, ref, f"[{code}] {reason}"))

    def listing_failed(self, url, code, reason):
        self._staged_failures.append((self.run.source, f"列表 {url}".strip(), f"[{code}] {reason}"))

    def unmatched_links(self, work_id):
        return []  # no other works to match: links are the store's business

    def save(self, counts):
        for ref, page in self._staged.items():
            self.pages[(self.run.source, ref)] = page
        self.failures += self._staged_failures
        self._staged, self._staged_failures = {}, []
        self._keep(counts)
        self.saves += 1

    def gone_candidates(self):
        return sum(1 for (src, _), page in self.pages.items()
                   if src == self.run.source and not page.gone and page.last_run_id != self.run.run_id)

    def mark_gone(self):
        refs = []
        for (src, ref), page in self.pages.items():
            if src == self.run.source and not page.gone and page.last_run_id != self.run.run_id:
                page.gone = True
                refs.append(ref)
        return refs

    def interrupted(self, counts):
        self._staged, self._staged_failures = {}, []
        self._keep(counts)
        self.run.state = "interrupted"

    def finish(self, counts):
        self.save(counts)
        self.run.state = "incomplete" if counts.listing_error else "finished"

    def close(self):
        pass

    def _keep(self, counts) -> None:
        for name in _COUNTS:
            setattr(self.run, name, getattr(counts, name))
        self.run.failures, self.run.unmatched = list(counts.failures), list(counts.unmatched)
