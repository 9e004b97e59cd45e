"""A first look at a live site before a real crawl (`fagui crawl SOURCE --dry-run`): the listing is walked
through the polite fetcher until a few entries are in hand, those few are fetched and parsed, and what came
back is reported. Nothing is stored, nothing is archived, nothing is marked gone: an operator with internet
access runs this first and reads whether the adapter still fits the site (list shape, hosts, headers, file
formats) before a run that counts.

The report says, per step, what was seen: the list entries (title, date), each record's title, type,
region, text length and where the text came from, or the Chinese reason it failed (needs_ocr apart), and
whether the listing would have stopped early (a rate limit, a page cap, an empty list)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from crawlers.http import Fetcher, FetchError
from crawlers.sources.base import Fetch, Listing, ListingIncomplete, Source
from fagui.records import RecordError

log = logging.getLogger(__name__)


@dataclass
class DryRunReport:
    source: str
    title: str
    hosts: tuple[str, ...]
    listed: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    listing_stop: dict[str, str] | None = None  # how the listing ended early: code, reason
    requests: int = 0

    @property
    def ok(self) -> bool:
        """The site answered in the form the adapter knows: entries listed, and each one parsed (a scan that
        needs OCR is an answer too)."""
        return bool(self.listed) and all(r.get("ok") or r.get("code") == "needs_ocr" for r in self.records) \
            and (self.listing_stop is None or self.listing_stop["code"] == "page_cap")

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "title": self.title, "hosts": list(self.hosts), "ok": self.ok,
                "listed": self.listed, "records": self.records, "listing_stop": self.listing_stop,
                "requests": self.requests}

    def lines(self) -> list[str]:
        out = [f"试运行 {self.source}（{self.title}）：不保存、不存档、不标记下线；访问主机 {', '.join(self.hosts)}",
               f"列表：取得 {len(self.listed)} 条"]
        out += [f"  · {e['title'] or '（无标题）'}  {e.get('date') or '日期不详'}  {e['url']}" for e in self.listed]
        if self.listing_stop:
            out.append(f"列表提前结束［{self.listing_stop['code']}］：{self.listing_stop['reason']}")
        for r in self.records:
            if r.get("ok"):
                out.append(f"解析成功：《{r['title']}》 {r['doc_type'] or '类型不详'} · {r['region']} · "
                           f"正文 {r['chars']} 字（来自 {r['text_from']}）")
            else:
                out.append(f"解析失败［{r['code']}］{r['ref']}：{r['reason']}")
        out.append(f"共发出请求 {self.requests} 次。结论：" + ("适配器与网站相符，可以正式抓取" if self.ok else
                                                       "适配器与网站不符或网站未正常应答，请先查看上面的原因"))
        return out


def dry_run(source: Source, *, entries: int = 3, since: date | None = None, fetch: Fetch | None = None,
            make_fetcher: Callable[..., Fetcher] = Fetcher, delay: float = 1.0) -> DryRunReport:
    """Walk `source`'s listing until `entries` entries (or its end), then fetch and parse each of them."""
    report = DryRunReport(source=source.name, title=source.title, hosts=tuple(source.hosts))
    fetcher = None
    if fetch is None:
        fetcher = make_fetcher(tuple(source.hosts), delay=delay)
        fetch = fetcher
    try:
        listings: list[Listing] = []
        try:
            for listing in source.listings(fetch, since):
                listings.append(listing)
                if len(listings) >= entries:
                    break
        except ListingIncomplete as exc:
            report.listing_stop = {"code": exc.code, "reason": exc.reason}
        except FetchError as exc:
            report.listing_stop = {"code": exc.code, "reason": exc.reason}
        except RecordError as exc:
            report.listing_stop = {"code": "parse", "reason": exc.reason}
        for listing in listings:
            hints = listing.hints
            report.listed.append({"ref": listing.ref, "title": listing.title, "url": listing.url,
                                  "date": hints.get("published") or hints.get("gbrq") or hints.get("written")})
            report.records.append(_parse(source, listing, fetch))
    finally:
        if fetcher is not None:
            report.requests = fetcher.requests_sent
            fetcher.close()
    return report


def _parse(source: Source, listing: Listing, fetch: Fetch) -> dict[str, Any]:
    try:
        page = fetch(listing.url, method=listing.method, data=listing.data,
                     headers=getattr(listing, "headers", None))
        record = source.record(listing, page, fetch)
    except FetchError as exc:
        return {"ok": False, "ref": listing.ref, "code": exc.code, "reason": exc.reason}
    except RecordError as exc:
        return {"ok": False, "ref": listing.ref, "code": getattr(exc, "code", "parse"), "reason": exc.reason}
    except Exception as exc:  # noqa: BLE001 - an adapter bug is what a dry run is for: reported
        return {"ok": False, "ref": listing.ref, "code": "error", "reason": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "ref": listing.ref, "title": record.title, "doc_type": record.doc_type,
            "region": record.region, "chars": len(record.text), "text_from": record.extra.get("text_from"),
            "source_url": record.source_url}
