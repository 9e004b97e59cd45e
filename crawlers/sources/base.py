"""The contract between a source adapter and the crawl runner.

A source knows one site's formats: how to walk its listing (driving pagination through `fetch`), and how to
turn a detail page or API response into a DocumentRecord. It never touches the database and never opens a
connection itself: every request goes through the `fetch` callable the runner hands it, which is the polite
fetcher (robots.txt, per-host delay, retries, conditional requests, declared hosts only, WARC archive).

Parsing is kept in pure functions of bytes/text so that saved example pages can be parsed in tests with no
network (tests/examples/<source>/ with the expected records as JSON beside them).

Extension (crawlers.runner): a local source (a folder, a corpus dump) declares `local_root` (a Path: the
folder or the dump) and no hosts; a Listing of it whose url is a file:// URL with no host, naming a regular
file inside that root (any #fragment is the source's own), is read from disk by the runner instead of
fetched, and counts as not modified when its bytes equal those last stored. Every other file:// URL, and
every URL of a source without `local_root`, is refused: a network source reads the web only.

`hosts` are origins the fetcher may contact: "https://example.gov.cn" (that scheme, host and port), or a
bare host for http and https on their default ports (see crawlers.http.Fetcher)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from crawlers.http import FetchError
from fagui.records import DocumentRecord


class Page(Protocol):
    """What a fetch returns (crawlers.http.FetchResult satisfies this)."""

    url: str  # final URL after redirects
    status: int
    content: bytes  # the body; b"" when not_modified
    not_modified: bool  # a conditional request answered 304: the stored copy is current

    @property
    def text(self) -> str: ...  # decoded with header/meta/detection, GB18030 for GB labels, mojibake repaired

    def json(self) -> Any: ...


# fetch(url, method="GET", data=None, json=None, headers=None, conditional=False) -> Page
# Raises crawlers.http.FetchError (with a Chinese reason) when the page cannot be had.
Fetch = Callable[..., Page]


@dataclass
class Listing:
    """One entry seen on a list page or list API: where its detail lives and what the list said of it."""

    url: str  # absolute URL of the detail page or API call
    ref: str  # the source's own id for the document (stable across crawls)
    title: str | None = None
    hints: dict[str, Any] = field(default_factory=dict)  # list-page fields: dates, status label, doc number ...
    method: str = "GET"
    data: dict[str, Any] | None = None  # form or JSON body for POST detail APIs
    headers: dict[str, str] | None = None  # request headers the site expects on the detail call (Referer ...)


class Source(Protocol):
    # Read-only: an adapter may serve them as plain attributes or as properties.
    @property
    def name(self) -> str: ...  # registry key and DocumentRecord.source, e.g. "flk"
    @property
    def title(self) -> str: ...  # Chinese name shown in summaries, e.g. 国家法律法规数据库
    @property
    def hosts(self) -> tuple[str, ...]: ...  # the only origins the fetcher may contact for this source

    def listings(self, fetch: Fetch, since: date | None = None) -> Iterator[Listing]:
        """Walk the listing newest first where the site allows; stop at entries older than `since`."""
        ...

    def record(self, listing: Listing, page: Page, fetch: Fetch) -> DocumentRecord:
        """Turn the fetched detail page into a record; may fetch linked texts (Word/PDF) through `fetch`.
        Raises fagui.records.RecordError with a Chinese reason when the page is not a usable document."""
        ...


class ListingIncomplete(FetchError):
    """The listing stopped before its end (a page cap, a rate limit that outlasted the backoff, a list that
    answered no rows at all): raised by an adapter at the end of `listings()` so the runner counts the run as
    incomplete and marks nothing gone. `code` is page_cap, rate_limited or empty_list."""
