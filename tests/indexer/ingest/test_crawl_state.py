"""The store's crawl sink (indexer.ingest.crawl_state.StoreSink) under the crawl runner, end to end against
the fixture site: every reachable document stored, every failure logged with its reason in the store, a second
run downloads no unchanged body and adds no version, a changed page adds a version and closes the old one, a
page gone from the site is marked and kept, an interrupted run continues, and the WARC archive re-parses
without the network."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from crawlers.runner import Runner, RunSummary
from indexer.ingest.crawl_state import StoreSink
from indexer.store.db import make_engine, session_factory
from indexer.store.migrate import upgrade
from indexer.store.models import CrawlPage, CrawlRun, RecordFailure, Version, Work
from tests.crawlers.fixture_site import FixtureSite
from tests.crawlers.site_source import EXPECTED_FAILURES, FAST, SiteSource, build_fault_site, detail_html


@pytest.fixture
def fault_site():
    site = FixtureSite()
    s = build_fault_site(site)
    site.start()
    yield s
    site.stop()


def crawl(store, source, **kw) -> RunSummary:
    return Runner(StoreSink(store.sessions), source, data_dir=store.settings.data_dir, fetcher_options=FAST,
                  **kw).run()


def good_paths(s) -> list[str]:
    return [e.path for e in s.entries if e.ref in s.docs]


def test_full_crawl_stores_every_reachable_document_and_logs_every_failure(store, fault_site):
    s = fault_site
    source = SiteSource(s.site)
    first = crawl(store, source)
    assert first.state == "finished" and not first.listing_error
    assert first.listed == len(s.entries)
    assert first.new == len(s.docs) == 6 and first.changed == 0
    assert {f["ref"]: f["code"] for f in first.failures} == EXPECTED_FAILURES
    assert first.failed == len(EXPECTED_FAILURES)
    assert all(f["reason"] and any("\u4e00" <= ch <= "\u9fff" for ch in f["reason"]) for f in first.failures)

    with store.sessions() as session:
        for doc in s.docs.values():
            version = session.scalar(select(Version).join(Work, Work.id == Version.work_id).where(Work.title == doc.title))
            assert version is not None, doc.title
            assert version.text == doc.text  # the GBK page that declares UTF-8 included
            assert version.doc_number == doc.doc_number
        pages = {p.ref: p for p in session.scalars(select(CrawlPage).where(CrawlPage.source == "fixture"))}
        for ref, code in EXPECTED_FAILURES.items():
            assert pages[ref].last_error.startswith(f"[{code}]")
        failures = session.scalars(select(RecordFailure.record_ref)).all()
        assert set(EXPECTED_FAILURES) <= set(failures)
        run = session.get(CrawlRun, first.run_id)
        assert run.state == "finished" and run.new == 6 and run.failed == len(EXPECTED_FAILURES)
        assert len(run.failures) == len(EXPECTED_FAILURES)
        versions = session.scalar(select(func.count(Version.id)))

    # The second run: conditional requests, every stored page answers 304, nothing new is stored.
    s.site.clear_log()
    second = crawl(store, source)
    assert (second.new, second.changed, second.unchanged) == (0, 0, 6)
    assert {f["ref"]: f["code"] for f in second.failures} == EXPECTED_FAILURES
    for path in good_paths(s):
        statuses = [h.status for h in s.site.hits(path)]
        assert statuses and all(st == 304 for st in statuses if st != 500), (path, statuses)
        assert sum(h.sent for h in s.site.hits(path) if h.status == 200) == 0
    with store.sessions() as session:
        assert session.scalar(select(func.count(Version.id))) == versions


def test_changed_page_adds_a_version_and_closes_the_old_and_gone_pages_are_kept(sqlite_store, fault_site):
    s = fault_site
    source = SiteSource(s.site)
    crawl(sqlite_store, source)
    changed_doc = s.docs["d0"]
    amended = type(changed_doc)(**{**changed_doc.__dict__, "text": changed_doc.text + "\n第九十九条 本规定自公布之日起施行。",
                                   "published": date(2025, 6, 1)})
    s.site.set_body("/doc/d0.html", detail_html(amended))
    gone = next(e for e in s.entries if e.ref == "d5")
    s.entries.remove(gone)
    s.site.remove(gone.path)
    s.publish()

    third = crawl(sqlite_store, source)
    assert third.changed == 1 and third.unchanged == 4 and third.new == 0 and third.gone == 1
    with sqlite_store.sessions() as session:
        work = session.scalar(select(Work).where(Work.title == changed_doc.title))
        old, new = work.versions
        assert new.text == amended.text and old.text == changed_doc.text
        assert old.effective_to == date(2025, 6, 1) and old.status == "amended"
        assert work.current_version_id == new.id
        page = session.scalar(select(CrawlPage).where(CrawlPage.ref == "d5"))
        assert page.gone_at is not None and page.work_id is not None
        assert session.get(Work, page.work_id) is not None  # recorded gone, never deleted

    # A limited run is not a full listing: nothing more is marked gone, and it stops at the limit.
    limited = crawl(sqlite_store, source, limit=3)
    assert limited.new + limited.changed + limited.unchanged + limited.failed == 3 and limited.gone == 0


def test_an_interrupted_run_continues_where_it_stopped(sqlite_store, fault_site):
    s = fault_site
    source = SiteSource(s.site)

    def stop_after_three(summary: RunSummary) -> None:
        if summary.handled == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Runner(StoreSink(sqlite_store.sessions), source, data_dir=sqlite_store.settings.data_dir,
               fetcher_options=FAST, on_progress=stop_after_three).run()
    with sqlite_store.sessions() as session:
        run = session.scalar(select(CrawlRun))
        assert run.state == "interrupted" and run.finished_at is None and run.new == 3

    resumed = crawl(sqlite_store, source)
    assert resumed.resumed and resumed.run_id == run.id and resumed.skipped == 3
    assert resumed.new == 6 and resumed.state == "finished"
    for path in good_paths(s):  # no page was downloaded twice
        assert len(s.site.hits(path, status=200)) == 1, path
    with sqlite_store.sessions() as session:
        assert session.scalar(select(func.count(CrawlRun.id))) == 1

    # --restart abandons an unfinished run instead of continuing it
    with pytest.raises(KeyboardInterrupt):
        Runner(StoreSink(sqlite_store.sessions), source, data_dir=sqlite_store.settings.data_dir,
               fetcher_options=FAST, on_progress=stop_after_three).run()
    fresh = crawl(sqlite_store, source, restart=True)
    assert not fresh.resumed and fresh.skipped == 0
    with sqlite_store.sessions() as session:
        states = session.scalars(select(CrawlRun.state).order_by(CrawlRun.id)).all()
    assert states == ["finished", "abandoned", "finished"]


def test_archive_reparses_without_the_network(store, fault_site, tmp_path):
    s = fault_site
    crawl(store, SiteSource(s.site))
    warcs = list((store.settings.data_dir / "warc" / "fixture").glob("*.warc.gz"))
    assert warcs
    # A second, empty store reads the archive with the site's log cleared: no request goes out.
    engine = make_engine(f"sqlite:///{tmp_path / 'replay.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    s.site.clear_log()
    replay = Runner(StoreSink(sessions), SiteSource(s.site), data_dir=store.settings.data_dir, from_archive=True).run()
    assert s.site.hits() == []
    assert replay.new == 6 and replay.gone == 0
    codes = {f["ref"]: f["code"] for f in replay.failures}
    assert codes["missing"] == "not_found" and codes["half"] == "parse" and codes["broken"] == "not_archived"
    with sessions() as session:
        titles = set(session.scalars(select(Work.title)))
    engine.dispose()
    assert {d.title for d in s.docs.values()} <= titles


def test_a_failing_listing_is_reported_and_marks_nothing_gone(sqlite_store, fault_site):
    s = fault_site
    source = SiteSource(s.site)
    crawl(sqlite_store, source)
    s.site.remove("/list/2.html")
    summary = crawl(sqlite_store, source)
    assert summary.listing_error and "not_found" in summary.listing_error
    assert summary.gone == 0
    assert any(f["ref"] == "列表" for f in summary.failures)
    assert any("列表未能走完" in line for line in summary.lines())


def test_a_status_label_changed_on_the_site_updates_the_stored_text_without_a_new_version(sqlite_store):
    from tests.crawlers.site_source import Site, corpus_docs

    site = FixtureSite()
    s = Site(site)
    doc = corpus_docs()[0]
    s.add_doc(doc, body=detail_html(doc, status="有效").encode("utf-8"))
    s.publish()
    source = SiteSource(site)
    with site:
        crawl(sqlite_store, source)
        site.set_body(f"/doc/{doc.ref}.html", detail_html(doc, status="已废止"))
        second = crawl(sqlite_store, source)
    assert second.changed == 1 and second.new == 0
    with sqlite_store.sessions() as session:
        work = session.scalar(select(Work).where(Work.title == doc.title))
        assert len(work.versions) == 1
        assert work.versions[0].source_status == "已废止" and work.status == "repealed" and work.status_official


def test_since_stops_the_listing_and_the_run_keeps_its_scope(sqlite_store, fault_site):
    s = fault_site
    for e in s.entries:
        e.published = "2020-01-01"
    s.entries[0].published = s.entries[1].published = "2025-01-01"
    s.publish()
    summary = crawl(sqlite_store, SiteSource(s.site), since=date(2024, 1, 1))
    assert summary.listed == 2 and summary.gone == 0
    with sqlite_store.sessions() as session:
        run = session.get(CrawlRun, summary.run_id)
        assert run.since == date(2024, 1, 1) and run.state == "finished"
