"""HTML parse time per detail page: every saved HTML detail page under tests/examples (gov.cn policies, the
configured 规范性文件库 sites with HTML detail pages (嘉兴; 广东 answers JSON), the uploaded .html files) parsed into its record by its source's own
`record()`, repeated, printing the mean and the slowest milliseconds per page. Only parsing is timed: the
pages are read from disk and listed before the clock starts. The result must stay well under the politeness
delay between two requests to one host (1 s).

    .venv/bin/python bench/html_parsing.py [--rounds 20]"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawlers.sources import files, gov_policy  # noqa: E402
from crawlers.sources import normative_library as nl  # noqa: E402
from tests.crawlers.sources.example_site import EXAMPLES, ExampleSite  # noqa: E402


def html_details(name: str, folder: Path, source):  # type: ignore[no-untyped-def]
    """(label, listing, page) of every HTML detail page of one example site."""
    site = ExampleSite(folder)
    out = []
    for listing in source.listings(site.fetch):
        page = site.fetch(listing.url)
        if page.content.lstrip()[:1] == b"<":
            out.append((f"{name} {listing.ref}"[:60], listing, page, site.fetch))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    pages = []
    for name, folder, make in (
        ("gov_policy", EXAMPLES / "gov_policy", lambda s: gov_policy.make_source(base_url=s.base_url, page_size=2)),
        ("norms-jiaxing", EXAMPLES / "normative_library" / "jiaxing", lambda s: nl.load_site("jiaxing", s.base_url)),
    ):
        pages += html_details(name, folder, make(ExampleSite(folder)))
    uploads = files.make_source(folder=EXAMPLES / "files" / "uploads")
    for listing in uploads.listings(None):
        if listing.ref.lower().endswith((".html", ".htm")):
            pages.append((f"files {listing.ref}", listing, uploads.open_page(listing), None))
    sources = {"gov_policy": gov_policy.make_source(base_url=ExampleSite(EXAMPLES / "gov_policy").base_url,
                                                    page_size=2),
               "norms-jiaxing": nl.load_site("jiaxing", ExampleSite(
                   EXAMPLES / "normative_library" / "jiaxing").base_url),
               "files": uploads}
    times: list[float] = []
    print(f"{'page':<62} {'kB':>6} {'ms/page':>8}")
    for label, listing, page, fetch in pages:
        source = sources[label.split(" ")[0]]
        started = time.perf_counter()
        for _ in range(rounds):
            source.record(listing, page, fetch)
        took = (time.perf_counter() - started) / rounds * 1000
        times.append(took)
        print(f"{label:<62} {len(page.content) / 1e3:>6.1f} {took:>8.2f}")
    print(f"{len(times)} HTML detail pages: mean {statistics.mean(times):.2f} ms, "
          f"median {statistics.median(times):.2f} ms, max {max(times):.2f} ms per page (politeness delay 1000 ms)")


if __name__ == "__main__":
    main()
