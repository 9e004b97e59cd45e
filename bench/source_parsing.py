"""Source adapters' parsing speed: each saved example site parsed in memory (no network, no store), repeated,
printing documents per second and megabytes of responses per second per source; and the text extraction of
the Word, PDF and HTML formats on their own.

    .venv/bin/python bench/source_parsing.py [--rounds 5]"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawlers.sources import files, flk, gov_policy  # noqa: E402
from crawlers.sources import normative_library as nl  # noqa: E402
from crawlers.sources._common import docx_text, pdf_text  # noqa: E402
from tests.crawlers.sources.example_site import EXAMPLES, ExampleSite  # noqa: E402


def crawl_once(source, site: ExampleSite) -> tuple[int, int]:
    docs = size = 0
    for listing in source.listings(site.fetch):
        page = site.fetch(listing.url)
        record = source.record(listing, page, site.fetch)
        docs += 1
        size += len(page.content) + len(record.text.encode())
    return docs, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    sites = {
        "flk": (EXAMPLES / "flk", lambda s: flk.make_source(base_url=s.base_url, page_size=2)),
        "gov_policy": (EXAMPLES / "gov_policy", lambda s: gov_policy.make_source(base_url=s.base_url, page_size=2)),
        "norms-guangdong": (EXAMPLES / "normative_library" / "guangdong",
                            lambda s: nl.load_site("guangdong", s.base_url)),
        "norms-jiaxing": (EXAMPLES / "normative_library" / "jiaxing", lambda s: nl.load_site("jiaxing", s.base_url)),
    }
    print(f"{'source':<16} {'docs':>5} {'docs/s':>8} {'MB/s':>7}")
    for name, (folder, make) in sites.items():
        site = ExampleSite(folder)
        source = make(site)
        started = time.perf_counter()
        docs = size = 0
        for _ in range(rounds):
            d, s = crawl_once(source, site)
            docs, size = docs + d, size + s
        took = time.perf_counter() - started
        print(f"{name:<16} {docs // rounds:>5} {docs / took:>8.1f} {size / took / 1e6:>7.2f}")
    source = files.make_source(folder=EXAMPLES / "files" / "uploads")
    started = time.perf_counter()
    docs = 0
    for _ in range(rounds):
        for listing in source.listings(None):
            source.record(listing, source.open_page(listing), None)
            docs += 1
    took = time.perf_counter() - started
    print(f"{'files':<16} {docs // rounds:>5} {docs / took:>8.1f}")
    for label, path, extract in (
        ("docx text", EXAMPLES / "flk" / "ff8081818f5e7e3c018fe0a0b1b2001a.docx", docx_text),
        ("pdf text", EXAMPLES / "flk" / "ff808181653e2d1b01659c2b6ff204c7.pdf", pdf_text),
    ):
        data = path.read_bytes()
        started = time.perf_counter()
        chars = sum(len(extract(data, label)) for _ in range(rounds))
        took = time.perf_counter() - started
        print(f"{label:<16} {len(data) / 1e3:>5.0f}kB {rounds / took:>6.1f} files/s {chars / took / 1e3:>7.0f}k chars/s")


if __name__ == "__main__":
    main()
