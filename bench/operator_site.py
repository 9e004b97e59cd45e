"""Issue 16's measure: a city library of our own (tests/crawlers/operator_site.py: GB18030 pages, a list
with no record count, an info table, a page declared UTF-8 but sent in GBK) crawled with the operator's config
loaded from outside the package (tests/examples/operator_site/haizhou.toml, as FAGUI_SITES_DIR would), at the
real politeness delay, into a sink kept in memory. Prints fields exact out of fields expected, requests and
seconds per document, and the gaps between consecutive requests (robots.txt included).

    .venv/bin/python bench/operator_site.py [--delay 1.0]"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawlers.registry import Registry, SourceOptions  # noqa: E402
from crawlers.runner import Runner  # noqa: E402
from fagui.normalise import normalise_text  # noqa: E402
from tests.crawlers import operator_site as city  # noqa: E402
from tests.crawlers.fixture_site import FixtureSite  # noqa: E402
from tests.crawlers.memory_sink import MemorySink  # noqa: E402


def expected_fields(doc: city.CityDoc) -> dict[str, object]:
    status = {"有效": "effective", "失效": "expired"}[doc.status]
    return {"title": doc.title, "doc_number": doc.number, "issuing_bodies": [doc.issuer],
            "published": date.fromisoformat(doc.published), "effective": date.fromisoformat(doc.effective),
            "expires": date.fromisoformat(doc.expires), "source_status": doc.status, "status": status,
            "written": doc.written, "body": doc.body.splitlines()[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=1.0)
    delay = parser.parse_args().delay
    site = FixtureSite()
    city.publish(site)
    sink = MemorySink()
    with site, tempfile.TemporaryDirectory() as data:
        source = Registry(SourceOptions(sites_dir=city.CONFIG.parent)).rebased("norms-haizhou", site.base_url)
        started = time.perf_counter()
        summary = Runner(sink, source, data_dir=Path(data), delay=delay).run()
        took = time.perf_counter() - started
        hits = sorted(site.hits(), key=lambda h: h.started)
    records = sink.records(source.name)
    exact = total = 0
    for doc in city.DOCS:
        record = next((r for r in records.values() if r.title == doc.title), None)
        for name, want in expected_fields(doc).items():
            total += 1
            if record is None:
                continue
            if name == "body":  # the first paragraph, in the project's one text form
                got = want if normalise_text(str(want)).strip() in record.text else None
            elif name in ("status", "written"):
                got = record.extra.get(name)
            else:
                got = getattr(record, name)
            exact += got == want
            if got != want:
                print(f"  differs: {doc.ref} {name}: {got!r} != {want!r}")
    gaps = [b.started - a.started for a, b in zip(hits, hits[1:], strict=False)]
    print(f"state {summary.state}: listed {summary.listed}, new {summary.new}, failed {summary.failed}")
    print(f"fields exact {exact}/{total}; documents {len(records)}/{len(city.DOCS)}")
    print(f"requests {len(hits)} ({', '.join(sorted({h.path.split('/')[1] or '/' for h in hits}))}), "
          f"{len(hits) / max(len(records), 1):.2f} per document; {took:.2f} s, {took / max(len(records), 1):.2f} s "
          f"per document at delay {delay} s")
    if gaps:
        print(f"gaps between requests: min {min(gaps):.3f} s, mean {sum(gaps) / len(gaps):.3f} s, max {max(gaps):.3f} s")


if __name__ == "__main__":
    main()
