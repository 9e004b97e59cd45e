"""Every HTTP source adapter rebased onto a real HTTP server on 127.0.0.1 serving its example site, fetched
through the polite fetcher (crawlers.http.Fetcher): the records are the ones the expected JSON holds, so the
adapters' URLs, hosts and request bodies are what a real site would be asked for."""

from __future__ import annotations

import pytest

from crawlers.http import Fetcher
from crawlers.sources import flk, gov_policy
from crawlers.sources import normative_library as nl
from crawlers.sources.base import ListingIncomplete
from fagui.records import RecordError
from tests.crawlers.sources.example_site import (
    EXAMPLES,
    ExampleSite,
    compare_expected,
    error_of,
    expected_of,
    serve,
)

CASES = {
    "flk": (EXAMPLES / "flk", lambda base: flk.make_source(base_url=base, page_size=2)),
    "gov_policy": (EXAMPLES / "gov_policy", lambda base: gov_policy.make_source(base_url=base, page_size=2)),
    "norms-guangdong": (EXAMPLES / "normative_library" / "guangdong",
                        lambda base: nl.load_site("guangdong", base, sleep=lambda s: None)),
    "norms-jiaxing": (EXAMPLES / "normative_library" / "jiaxing",
                      lambda base: nl.load_site("jiaxing", base, sleep=lambda s: None)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_source_over_http_gives_the_expected_records(name):
    folder, make = CASES[name]
    site = ExampleSite(folder)
    details = {r["path"]: r["file"] for r in site.routes if r["kind"] == "detail"}
    with serve(folder) as base:
        source = make(base)
        assert source.hosts[0] == base
        fetch = Fetcher(source.hosts, delay=0, retries=0, timeout=5)
        try:
            listings = []
            try:
                for listing in source.listings(fetch):
                    listings.append(listing)
            except ListingIncomplete:  # the example site's rate-limited or empty query: checked elsewhere
                pass
            assert listings
            for listing in listings:
                path = next(p for p in details if listing.url.endswith(p))
                try:
                    data = expected_of(source.record(listing, fetch(listing.url), fetch))
                except RecordError as exc:  # a scan: recorded as needing OCR
                    data = {"error": error_of(exc), "code": getattr(exc, "code", "parse")}
                # The same record as from the saved site, but for the URLs, which carry the server's address.
                data = _rebased(data, base, site.base_url)
                compare_expected(folder / (details[path].rsplit(".", 1)[0] + ".expected.json"), data)
        finally:
            fetch.close()


def _rebased(value, base: str, original: str):
    if isinstance(value, str):
        return value.replace(base, original)
    if isinstance(value, dict):
        return {k: _rebased(v, base, original) for k, v in value.items()}
    if isinstance(value, list):
        return [_rebased(v, base, original) for v in value]
    return value
