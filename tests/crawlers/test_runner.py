"""The crawl runner with a sink kept in memory (tests/crawlers/memory_sink.py): no database at all. Every
reachable document handed over and every failure reported with its reason, a second run asks conditionally and
downloads no unchanged body, a page gone from the site is marked, an interrupted run continues, the WARC
archive re-parses without the network, and what the runner fetched, parsed and decided is logged.
The store's sink under the same runner: tests/indexer/ingest/test_crawl_state.py."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from crawlers.runner import Runner, RunSummary
from crawlers.sources.base import Listing
from crawlers.sources.files import FilesSource
from tests.crawlers.fixture_site import FixtureSite
from tests.crawlers.memory_sink import MemorySink
from tests.crawlers.site_source import (
    EXPECTED_FAILURES,
    FAST,
    SiteSource,
    build_fault_site,
    corpus_docs,
    detail_html,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fault_site():
    site = FixtureSite()
    s = build_fault_site(site)
    site.start()
    yield s
    site.stop()


def crawl(sink: MemorySink, source, data_dir: Path, **kw) -> RunSummary:
    return Runner(sink, source, data_dir=data_dir, fetcher_options=FAST, **kw).run()


def good_paths(s) -> list[str]:
    return [e.path for e in s.entries if e.ref in s.docs]


def test_a_full_run_hands_every_document_to_the_sink_and_a_second_run_downloads_nothing(fault_site, tmp_path):
    s = fault_site
    sink = MemorySink()
    first = crawl(sink, SiteSource(s.site), tmp_path)
    assert first.state == "finished" and not first.listing_error and first.listed == len(s.entries)
    assert first.new == len(s.docs) == 6 and first.changed == 0
    assert {f["ref"]: f["code"] for f in first.failures} == EXPECTED_FAILURES
    records = sink.records("fixture")
    for doc in s.docs.values():
        assert records[doc.ref].text == doc.text  # the GBK page that declares UTF-8 included
    pages = {ref: page for (_, ref), page in sink.pages.items()}
    for ref, code in EXPECTED_FAILURES.items():
        assert pages[ref].last_error.startswith(f"[{code}]")
    assert {ref for _, ref, _ in sink.failures} == set(EXPECTED_FAILURES)
    assert sink.runs[0].state == "finished" and sink.runs[0].new == 6
    assert sink.saves == len(s.entries) + 1  # each page on its own, then the end

    s.site.clear_log()
    second = crawl(sink, SiteSource(s.site), tmp_path)
    assert (second.new, second.changed, second.unchanged) == (0, 0, 6)
    assert second.fetched == 1  # the page cut short, which never parsed: no body of a stored page
    for path in good_paths(s):
        statuses = [h.status for h in s.site.hits(path)]
        assert statuses and all(st == 304 for st in statuses if st != 500), (path, statuses)


def test_a_changed_page_is_changed_and_a_page_gone_from_a_complete_listing_is_marked(fault_site, tmp_path):
    s = fault_site
    sink = MemorySink()
    crawl(sink, SiteSource(s.site), tmp_path)
    doc = s.docs["d0"]
    s.site.set_body("/doc/d0.html", detail_html(type(doc)(**{**doc.__dict__, "text": doc.text + "\n第九十九条 新增。"})))
    gone = next(e for e in s.entries if e.ref == "d5")
    s.entries.remove(gone)
    s.site.remove(gone.path)
    s.publish()
    third = crawl(sink, SiteSource(s.site), tmp_path)
    assert (third.new, third.changed, third.unchanged, third.gone) == (0, 1, 4, 1)
    assert sink.pages[("fixture", "d5")].gone and sink.pages[("fixture", "d5")].record is not None  # kept
    limited = crawl(sink, SiteSource(s.site), tmp_path, limit=3)
    assert limited.handled == 3 and limited.gone == 0  # a limited run is no complete listing


def test_an_interrupted_run_continues_where_it_stopped(fault_site, tmp_path):
    s = fault_site
    sink = MemorySink()

    def stop_after_three(summary: RunSummary) -> None:
        if summary.handled == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        crawl(sink, SiteSource(s.site), tmp_path, on_progress=stop_after_three)
    assert sink.runs[0].state == "interrupted" and sink.runs[0].new == 3
    resumed = crawl(sink, SiteSource(s.site), tmp_path)
    assert resumed.resumed and resumed.run_id == 1 and resumed.skipped == 3
    assert resumed.new == 6 and resumed.state == "finished" and len(sink.runs) == 1
    for path in good_paths(s):  # no page was downloaded twice
        assert len(s.site.hits(path, status=200)) == 1, path

    with pytest.raises(KeyboardInterrupt):
        crawl(sink, SiteSource(s.site), tmp_path, on_progress=stop_after_three)
    fresh = crawl(sink, SiteSource(s.site), tmp_path, restart=True)
    assert not fresh.resumed and fresh.skipped == 0
    assert [r.state for r in sink.runs] == ["finished", "abandoned", "finished"]


def test_a_failing_listing_is_reported_and_marks_nothing_gone(fault_site, tmp_path):
    s = fault_site
    sink = MemorySink()
    crawl(sink, SiteSource(s.site), tmp_path)
    s.site.remove("/list/2.html")
    summary = crawl(sink, SiteSource(s.site), tmp_path)
    assert summary.listing_error and "not_found" in summary.listing_error and summary.gone == 0
    assert summary.state == "incomplete" and sink.runs[-1].state == "incomplete"
    assert "未完成（列表未走完）" in summary.lines()[0]
    assert any(f["ref"] == "列表" for f in summary.failures)
    assert any(ref.startswith("列表") for _, ref, _ in sink.failures)


class _Listed:
    """A source whose listing is whatever the test says (to see the drift guard)."""

    name = title = "drift"
    hosts = ()

    def __init__(self, site, refs):
        self.inner, self.refs = SiteSource(site, name="drift"), refs

    def listings(self, fetch, since=None):
        return [listing for listing in self.inner.listings(fetch, since) if listing.ref in self.refs]

    def record(self, listing, page, fetch):
        return self.inner.record(listing, page, fetch)


def test_the_drift_guard_marks_nothing_gone_when_a_list_shrinks_to_nothing_or_below_half(fault_site, tmp_path):
    s = fault_site
    sink = MemorySink()
    every = [e.ref for e in s.entries]
    source = _Listed(s.site, set(every))
    source.hosts = SiteSource(s.site).hosts
    assert crawl(sink, source, tmp_path).state == "finished"
    known = sum(1 for (src, _), page in sink.pages.items() if src == "drift")
    source.refs = set()
    empty = crawl(sink, source, tmp_path)
    assert empty.state == "incomplete" and empty.gone == 0 and "列表没有任何条目" in empty.listing_error
    source.refs = set(every[: known // 3])
    shrunk = crawl(sink, source, tmp_path)
    assert shrunk.state == "incomplete" and shrunk.gone == 0 and "超过一半" in shrunk.listing_error
    source.refs = set(every[1:])
    one_less = crawl(sink, source, tmp_path)
    assert one_less.state == "finished" and one_less.gone >= 1
    assert not any(page.gone for (src, ref), page in sink.pages.items() if src == "drift" and ref in source.refs)


def test_a_resumed_run_keeps_its_own_scope(fault_site, tmp_path):
    s = fault_site
    for e in s.entries:
        e.published = "2020-01-01"
    s.entries[0].published = s.entries[1].published = "2025-01-01"
    s.publish()
    summary = crawl(MemorySink(), SiteSource(s.site), tmp_path, since=date(2024, 1, 1))
    assert summary.listed == 2 and summary.gone == 0


def test_the_archive_reparses_without_the_network(fault_site, tmp_path):
    s = fault_site
    crawl(MemorySink(), SiteSource(s.site), tmp_path)
    s.site.clear_log()
    replay = Runner(MemorySink(), SiteSource(s.site), data_dir=tmp_path, from_archive=True).run()
    assert s.site.hits() == [] and replay.new == 6 and replay.gone == 0
    codes = {f["ref"]: f["code"] for f in replay.failures}
    assert codes["missing"] == "not_found" and codes["half"] == "parse" and codes["broken"] == "not_archived"


def test_fetches_parse_failures_and_gone_pages_are_logged(fault_site, tmp_path, caplog):
    s = fault_site
    sink = MemorySink()
    with caplog.at_level(logging.INFO, logger="crawlers"):
        crawl(sink, SiteSource(s.site), tmp_path)
    messages = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    d0 = s.site.url("/doc/d0.html")
    assert any(name == "crawlers.http" and level == logging.INFO and f"GET {d0}: 200," in msg and "bytes" in msg
               for name, level, msg in messages)
    assert any(name == "crawlers.http" and "retry 1 of 2" in msg for name, level, msg in messages)
    assert any(name == "crawlers.http" and level == logging.WARNING and "robots.txt" in msg
               and "/private/secret.html" in msg for name, level, msg in messages)
    assert any(name == "crawlers.runner" and level == logging.WARNING and "half" in msg
               and "页面不完整" in msg for name, level, msg in messages)
    assert any(name == "crawlers.runner" and f"parsed d0 《{s.docs['d0'].title}》" in msg
               for name, _, msg in messages)
    assert ("crawlers.runner", logging.WARNING, "fixture: loop failed: [redirect_loop] 重定向形成循环："
            f"{s.site.url('/doc/loop.html')} -> {s.site.url('/doc/loop2.html')} -> {s.site.url('/doc/loop.html')}") \
        in messages

    gone = next(e for e in s.entries if e.ref == "d5")
    s.entries.remove(gone)
    s.publish()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="crawlers"):
        crawl(sink, SiteSource(s.site), tmp_path)
    messages = [(r.name, r.getMessage()) for r in caplog.records]
    assert ("crawlers.runner", "fixture: d5 is no longer listed, marked gone") in messages
    assert any(name == "crawlers.http" and "304 not modified" in msg for name, msg in messages)


def test_the_runner_needs_no_database(tmp_path):
    """A crawl in an interpreter where SQLAlchemy and the store cannot even be imported."""
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "办法.txt").write_text("某某市停车管理办法\n第一条 为了规范停车管理，制定本办法。\n",
                                                   encoding="utf-8")
    code = textwrap.dedent(f"""
        import sys
        for name in ("sqlalchemy", "indexer", "clearance", "portal", "flask"):
            sys.modules[name] = None  # any import of them fails
        from crawlers.registry import Registry, SourceOptions
        from crawlers.runner import Runner
        from tests.crawlers.memory_sink import MemorySink
        sink = MemorySink()
        source = Registry(SourceOptions(files_path={str(tmp_path / "uploads")!r})).get("files")
        summary = Runner(sink, source, data_dir={str(tmp_path)!r}).run()
        assert (summary.new, summary.failed, summary.state) == (1, 0, "finished"), summary
        assert sink.records("files")["办法.txt"].title == "某某市停车管理办法"
        again = Runner(sink, source, data_dir={str(tmp_path)!r}).run()
        assert (again.unchanged, again.fetched) == (1, 0), again
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_a_record_the_sink_refuses_is_a_failure_and_the_run_goes_on(fault_site, tmp_path):
    class Refusing(MemorySink):
        def store(self, ref, record, **kw):
            if ref == "d1":
                raise ValueError("IntegrityError: 重复的文号")
            if ref == "d2":
                raise KeyError("bug")
            return super().store(ref, record, **kw)

    sink = Refusing()
    summary = crawl(sink, SiteSource(fault_site.site), tmp_path)
    failures = {f["ref"]: f for f in summary.failures}
    assert failures["d1"]["code"] == "store" and failures["d1"]["reason"] == "保存失败：IntegrityError: 重复的文号"
    assert failures["d2"]["code"] == "error" and failures["d2"]["reason"].startswith("处理出错：KeyError")
    assert summary.new == 4 and summary.state == "finished"
    assert sink.pages[("fixture", "d1")].last_error.startswith("[store]")


def hostile_site(links: dict[str, str]) -> FixtureSite:
    """A site on 127.0.0.1 whose list page links (ref -> href) to local files instead of web pages."""
    site = FixtureSite()
    items = "".join(f'<li><a href="{href}" data-ref="{ref}">文件 {ref}</a><span class="date">2024-01-01</span></li>'
                    for ref, href in links.items())
    site.page("/list/1.html", f"<html><body><ul>{items}</ul></body></html>")
    return site


def test_a_listing_link_to_a_local_file_is_never_read(tmp_path):
    secret = tmp_path / "secret.html"  # a page the parser would take as a document, were it ever read
    secret.write_text(detail_html(corpus_docs()[0]), encoding="utf-8")
    site = hostile_site({"localhost": f"file://localhost{secret}", "host": f"file://x{secret}",
                         "bare": secret.as_uri(), "ftp": "ftp://127.0.0.1/secret.html"})
    sink = MemorySink()
    with site:
        summary = crawl(sink, SiteSource(site), tmp_path)
    assert summary.state == "finished" and summary.listed == 4 and summary.new == 0 and summary.fetched == 0
    assert {f["ref"]: f["code"] for f in summary.failures} == dict.fromkeys(("localhost", "host", "bare", "ftp"),
                                                                            "bad_url")
    assert sink.records("fixture") == {}
    assert "本地文件" in next(f["reason"] for f in summary.failures if f["ref"] == "localhost")


def test_a_local_source_reads_only_regular_files_inside_its_root(tmp_path):
    root = tmp_path / "uploads"
    root.mkdir()
    (root / "办法.txt").write_text("某某市停车管理办法\n第一条 为了规范停车管理，制定本办法。\n", encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("某某市秘密管理办法\n第一条 不应被读取的文件内容。\n", encoding="utf-8")
    (root / "link.txt").symlink_to(outside)
    source = FilesSource(root)
    hostile = [Listing(url=f"file://localhost{root / '办法.txt'}", ref="host"),
               Listing(url=outside.as_uri(), ref="outside"), Listing(url=f"file://{root}/../outside.txt", ref="up")]

    class Hostile(FilesSource):
        def listings(self, fetch, since=None):
            yield from super().listings(fetch, since)
            yield from hostile

    sink = MemorySink()
    summary = crawl(sink, Hostile(root), tmp_path)
    assert set(sink.records("files")) == {"办法.txt"}
    assert {f["ref"]: f["code"] for f in summary.failures} == dict.fromkeys(("link.txt", "host", "outside", "up"),
                                                                            "bad_url")
    assert source.local_root == root


def test_file_dev_zero_in_a_listing_does_not_exhaust_memory(tmp_path):
    """In a child process limited to 1 GB of address space: reading /dev/zero would die there, not here."""
    code = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from crawlers.runner import Runner
        from tests.crawlers.memory_sink import MemorySink
        from tests.crawlers.site_source import FAST, SiteSource
        from tests.crawlers.test_runner import hostile_site
        site = hostile_site({{"zero": "file://x/dev/zero", "plain": "file:///dev/zero"}})
        with site:
            summary = Runner(MemorySink(), SiteSource(site), data_dir={str(tmp_path)!r}, fetcher_options=FAST).run()
        print(sorted((f["ref"], f["code"]) for f in summary.failures))
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[('plain', 'bad_url'), ('zero', 'bad_url')]"


def test_a_listing_an_adapter_calls_incomplete_marks_nothing_gone(fault_site, tmp_path):
    """A page cap, a rate limit that outlasted the waits, a list with no rows: the adapter raises
    ListingIncomplete at the end of its listing, and what it did not list is not taken for gone."""
    from crawlers.sources.base import ListingIncomplete

    s = fault_site
    sink = MemorySink()
    crawl(sink, SiteSource(s.site), tmp_path)
    gone = next(e for e in s.entries if e.ref == "d5")
    s.entries.remove(gone)
    s.site.remove(gone.path)
    s.publish()

    class Capped(SiteSource):
        def listings(self, fetch, since=None):
            yield from super().listings(fetch, since)
            raise ListingIncomplete("http://list", "page_cap", "已到页数上限 1 页：本次运行不完整，不标记下线")

    summary = crawl(sink, Capped(s.site), tmp_path)
    assert summary.gone == 0 and not sink.pages[("fixture", "d5")].gone
    assert "page_cap" in summary.listing_error and "不标记下线" in summary.listing_error


def test_a_text_that_needs_ocr_is_filed_under_its_own_code(fault_site, tmp_path):
    from crawlers.sources._common import NeedsOcr

    class Scanned(SiteSource):
        def record(self, listing, page, fetch):
            raise NeedsOcr(listing.ref, "需要 OCR：PDF 没有可提取的文字层（共 3 页，是扫描件）")

    summary = crawl(MemorySink(), Scanned(fault_site.site), tmp_path)
    codes = {f["code"] for f in summary.failures}
    assert "needs_ocr" in codes and "parse" not in codes
