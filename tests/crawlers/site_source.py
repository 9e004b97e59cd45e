"""A small source for the fixture site (HTML list pages with a next link, detail pages with a title, a
document number, a date and the text), and the site itself built from documents of the bundled corpus
sample, with every fault the crawler must survive. Used by the runner and decision tests."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import urljoin

from crawlers.sources import lawrefbook
from crawlers.sources.base import Fetch, Listing, Page
from fagui.normalise.dates import parse_date
from fagui.records import DocumentRecord, RecordError
from fagui.settings import BUNDLED_SAMPLE
from tests.crawlers.fixture_site import FixtureSite, Route

# Fast limits for tests: no delay, short timeouts, two retries.
FAST = {"delay": 0, "timeout": 0.25, "max_time": 0.5, "retries": 2, "backoff": 0.01, "max_bytes": 512 * 1024}
PER_LIST_PAGE = 8


@dataclass
class Doc:
    ref: str
    title: str
    text: str
    doc_number: str | None
    published: date | None
    region: str = "全国"
    doc_type: str | None = None


@lru_cache(maxsize=1)
def corpus_docs() -> tuple[Doc, ...]:
    """Documents of the bundled sample with a document number, distinct titles and modest length."""
    seen: set[str] = set()
    docs = []
    for r in lawrefbook.read_corpus(BUNDLED_SAMPLE).records:
        if r.doc_number and r.title not in seen and len(r.text) < 15000:
            seen.add(r.title)
            docs.append(Doc(f"d{len(docs)}", r.title, r.text, r.doc_number, r.published, r.region, r.doc_type))
    return tuple(docs)


def detail_html(doc: Doc, charset: str = "utf-8", status: str | None = None) -> str:
    label = f"<span class=\"status\">{status}</span>" if status else ""
    return (f"<html><head><meta charset=\"{charset}\"><title>{html.escape(doc.title)}</title></head><body>"
            f"<h1>{html.escape(doc.title)}</h1>{label}<span class=\"docno\">{html.escape(doc.doc_number or '')}</span>"
            f"<span class=\"published\">{doc.published.isoformat() if doc.published else ''}</span>"
            f"<div id=\"text\">{html.escape(doc.text)}</div></body></html>")


class SiteSource:
    """The fixture site's format. `name` can differ per test so runs never share crawl state."""

    title = "测试网站"

    def __init__(self, site: FixtureSite, name: str = "fixture") -> None:
        self.name = name
        self.hosts = (site.host,)
        self.base = site.base_url

    def listings(self, fetch: Fetch, since: date | None = None) -> Iterator[Listing]:
        url: str | None = self.base + "/list/1.html"
        while url:
            text = fetch(url).text
            for m in re.finditer(r'<li><a href="([^"]+)" data-ref="([^"]+)">([^<]*)</a>'
                                 r'<span class="date">([^<]*)</span></li>', text):
                published = parse_date(m.group(4))
                if since and published and published < since:
                    return
                yield Listing(url=urljoin(url, m.group(1)), ref=m.group(2), title=html.unescape(m.group(3)),
                              hints={"published": m.group(4)})
            nxt = re.search(r'<a class="next" href="([^"]+)"', text)
            url = urljoin(url, nxt.group(1)) if nxt else None

    def record(self, listing: Listing, page: Page, fetch: Fetch) -> DocumentRecord:
        text = page.text
        title = re.search(r"<h1>(.*?)</h1>", text, re.S)
        body = re.search(r'<div id="text">(.*?)</div>', text, re.S)
        if not title or not body:
            raise RecordError(listing.ref, "页面不完整：缺少标题或正文（HTML 被截断）")
        number = re.search(r'<span class="docno">(.*?)</span>', text)
        published = re.search(r'<span class="published">(.*?)</span>', text)
        status = re.search(r'<span class="status">(.*?)</span>', text)
        label = status.group(1) if status else None
        ending = {"已废止": "repealed", "废止": "repealed", "已失效": "expired", "失效": "expired"}.get(label or "")
        return DocumentRecord(
            source_status=label, extra={"end_status": ending} if ending else {},
            source=self.name, source_ref=listing.ref, title=html.unescape(title.group(1)),
            text=html.unescape(body.group(1)), doc_number=html.unescape(number.group(1)) or None if number else None,
            published=parse_date(published.group(1)) if published else None, source_url=page.url,
            html=text,
        )


@dataclass
class Entry:
    path: str
    ref: str
    title: str
    published: str = "2024-01-01"


class Site:
    """The fixture site and its list; `publish()` rewrites the list pages after entries change."""

    def __init__(self, site: FixtureSite) -> None:
        self.site = site
        self.entries: list[Entry] = []
        self.docs: dict[str, Doc] = {}

    def add_doc(self, doc: Doc, route: Route | None = None, path: str | None = None, body: bytes | None = None,
                content_type: str = "text/html; charset=utf-8") -> Entry:
        path = path or f"/doc/{doc.ref}.html"
        data = body if body is not None else detail_html(doc).encode("utf-8")
        if route is None:
            self.site.page(path, data, content_type=content_type)
        else:
            route.body = route.body or data
            self.site.add(path, route)
        self.docs[doc.ref] = doc
        entry = Entry(path, doc.ref, doc.title, doc.published.isoformat() if doc.published else "")
        self.entries.append(entry)
        return entry

    def add_fault(self, ref: str, path: str, route: Route | None) -> Entry:
        if route is not None:
            self.site.add(path, route)
        entry = Entry(path, ref, f"故障页面 {ref}")
        self.entries.append(entry)
        return entry

    def publish(self) -> None:
        pages = [self.entries[i:i + PER_LIST_PAGE] for i in range(0, len(self.entries), PER_LIST_PAGE)] or [[]]
        for n, entries in enumerate(pages, start=1):
            items = "".join(f'<li><a href="{e.path}" data-ref="{e.ref}">{html.escape(e.title)}</a>'
                            f'<span class="date">{e.published}</span></li>' for e in entries)
            nxt = f'<a class="next" href="/list/{n + 1}.html">下一页</a>' if n < len(pages) else ""
            self.site.page(f"/list/{n}.html", f"<html><body><ul>{items}</ul>{nxt}</body></html>")


def build_fault_site(site: FixtureSite, good: int = 6) -> Site:
    """Good documents (one GBK page that declares UTF-8, one that fails twice before it answers, one with
    only Last-Modified, one slow but in time) and one page of every fault."""
    site.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    s = Site(site)
    docs = corpus_docs()[:good]
    for i, doc in enumerate(docs):
        if i == 1:
            s.add_doc(doc, body=detail_html(doc, "utf-8").encode("gbk"))
        elif i == 2:
            s.add_doc(doc, route=Route(fail_first=2))
        elif i == 3:
            s.add_doc(doc, route=Route(etag=False))
        elif i == 4:
            s.add_doc(doc, route=Route(kind="slow", seconds=0.005))
        else:
            s.add_doc(doc)
    s.add_fault("broken", "/doc/broken.html", Route(kind="status", status=500))
    s.add_fault("hang", "/doc/hang.html", Route(kind="hang", seconds=5))
    s.add_fault("slow", "/doc/slow.html", Route(kind="slow", seconds=0.1,
                                                body=detail_html(corpus_docs()[good]).encode("utf-8")))
    s.add_fault("cut", "/doc/cut.html", Route(kind="truncated", body=detail_html(corpus_docs()[good]).encode()))
    half = detail_html(corpus_docs()[good])
    s.add_fault("half", "/doc/half.html", None)
    site.page("/doc/half.html", half[: half.index('<div id="text">') + 40])  # complete HTTP, HTML cut short
    s.add_fault("loop", "/doc/loop.html", Route(kind="redirect", location="/doc/loop2.html"))
    site.add("/doc/loop2.html", Route(kind="redirect", location="/doc/loop.html"))
    s.add_fault("missing", "/doc/missing.html", None)
    s.add_fault("secret", "/private/secret.html", None)
    site.page("/private/secret.html", detail_html(corpus_docs()[good]))
    s.add_fault("big", "/files/big.pdf", Route(kind="oversized", size=2 * 1024 * 1024, declare_length=False))
    s.add_fault("away", "/doc/away.html", Route(kind="redirect", location="http://127.0.0.2:9/doc.html"))
    s.publish()
    return s


EXPECTED_FAILURES = {
    "broken": "http_500", "hang": "timeout", "slow": "timeout", "cut": "truncated", "half": "parse",
    "loop": "redirect_loop", "missing": "not_found", "secret": "robots", "big": "too_large",
    "away": "host_not_allowed",
}
