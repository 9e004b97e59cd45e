"""Where a crawl run puts what it finds: the runner is handed a sink, as scrapy hands items to item pipelines.

The runner fetches and parses; the sink keeps the run's state and the records. The crawler side only knows
this protocol, so it never opens a database: the store side (indexer.ingest.crawl_state.StoreSink) implements
it, the command line wires the two together, and tests can hand the runner a sink kept in memory.

One page is one unit of work: `page()` takes it for the run, then exactly one of `not_modified()`,
`store()` or `failed()` says what became of it, and `save()` makes it durable together with the counts so
far (a store sink commits there). `interrupted()` drops a half-done page and keeps what was saved.

The results are protocols too: each side has its own plain classes, checked against each other where the
command line passes a StoreSink as a CrawlSink."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Literal, Protocol

from fagui.records import DocumentRecord, RunCounts

Outcome = Literal["new", "changed", "unchanged"]


class RunStart(RunCounts, Protocol):
    """A run started or resumed: its id, its scope and, when resumed, its counts and the refs it handled."""

    @property
    def run_id(self) -> int: ...
    @property
    def resumed(self) -> bool: ...
    @property
    def since(self) -> date | None: ...
    @property
    def limit(self) -> int | None: ...
    @property
    def handled(self) -> Collection[str]: ...


class PageState(Protocol):
    """What is kept of a page from earlier runs: the hash of the body last stored (None: never stored) and
    the error of its last attempt."""

    @property
    def content_hash(self) -> str | None: ...
    @property
    def last_error(self) -> str | None: ...


class Stored(Protocol):
    """A record stored: whether its work is new, changed or unchanged, and the work it belongs to."""

    @property
    def outcome(self) -> Outcome: ...
    @property
    def work_id(self) -> str: ...


class UnmatchedLink(Protocol):
    """A link of a stored work (a decision's repeal or amendment) whose target is not in the store."""

    @property
    def relation_type(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def doc_number(self) -> str | None: ...


class CrawlSink(Protocol):
    """One run of one source. Store failures surface as ValueError (its message is the reason)."""

    def start(self, source: str, title: str, *, since: date | None, limit: int | None, from_archive: bool,
              restart: bool) -> RunStart:
        """Resume the source's unfinished run (its own scope wins), or abandon it when `restart`, or start one."""
        ...

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """(ETag, Last-Modified) of the page last stored from `url`, for a conditional request."""
        ...

    def page(self, ref: str, url: str, title: str | None) -> PageState:
        """Take the page `ref` for this run (so a resumed run skips it) and say what is known of it."""
        ...

    def not_modified(self, ref: str) -> None:
        """The page is as last stored (a 304, or the same bytes)."""
        ...

    def store(self, ref: str, record: DocumentRecord, *, etag: str | None, last_modified: str | None,
              content_hash: str) -> Stored:
        """Store the page's record (all or nothing) with the validators of the body it came from."""
        ...

    def failed(self, ref: str, code: str, reason: str, *, fetched: bool) -> None:
        """The page could not be had or used; `fetched` when its body did arrive."""
        ...

    def listing_failed(self, url: str, code: str, reason: str) -> None:
        """The listing could not be walked to its end."""
        ...

    def unmatched_links(self, work_id: str) -> Sequence[UnmatchedLink]:
        """The links of `work_id` still without a target."""
        ...

    def save(self, counts: RunCounts) -> None:
        """Make everything since the last save durable, with the counts so far: a killed run keeps them."""
        ...

    def gone_candidates(self) -> int:
        """How many pages `mark_gone()` would mark now (checked against the run's listing first)."""
        ...

    def mark_gone(self) -> list[str]:
        """Mark the source's pages this run did not handle as gone (kept, never deleted); their refs."""
        ...

    def interrupted(self, counts: RunCounts) -> None:
        """The run was stopped: drop what was not saved, keep `counts`; the next start resumes it."""
        ...

    def finish(self, counts: RunCounts) -> None:
        """The run is over: its final counts."""
        ...

    def close(self) -> None: ...
