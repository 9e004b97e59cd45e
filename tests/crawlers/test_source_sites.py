"""Each source adapter's saved example site (tests/examples/<source>/routes.json) served by the fixture HTTP
server and crawled by the runner through the polite fetcher: every document stored as its expected JSON
says, a 500 and a GBK page that declares UTF-8 survived, and a second run downloads no unchanged body."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawlers.runner import Runner
from indexer.ingest.crawl_state import StoreSink
from indexer.store.models import Version
from tests.crawlers.fixture_site import FixtureSite
from tests.crawlers.site_source import FAST

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _flk(base_url: str, page_size: int):
    from crawlers.sources import flk

    return flk.make_source(base_url=base_url, page_size=page_size)


def _gov_policy(base_url: str, page_size: int):
    from crawlers.sources import gov_policy

    return gov_policy.make_source(base_url=base_url, page_size=page_size)


def _norms(site: str):
    def make(base_url: str, page_size: int | None):
        from crawlers.sources import normative_library

        return normative_library.load_site(site, base_url=base_url, sleep=lambda seconds: None)

    return make


# example folder -> how to point its adapter at the fixture server
FORMATS = {"flk": _flk, "gov_policy": _gov_policy, "normative_library/guangdong": _norms("guangdong"),
           "normative_library/jiaxing": _norms("jiaxing")}


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not data.isascii()


def _digest(text: str) -> str | dict:
    from tests.crawlers.sources.example_site import text_digest

    return text_digest(text)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_example_site_is_crawled_into_the_store(sqlite_store, name):
    folder = EXAMPLES / name
    if not (folder / "routes.json").exists():
        pytest.skip(f"{folder} has no routes.json yet")
    site = FixtureSite()
    manifest = site.serve_examples(folder)
    details = [r for r in manifest["routes"] if r["kind"] == "detail"]
    site.routes[details[0]["path"]].fail_first = 2  # a 500 twice, then the page
    utf8_html = [r for r in details if "html" in r.get("content_type", "") and r is not details[0]
                 and _is_utf8(site.routes[r["path"]].body)]
    assert utf8_html or not any("html" in r.get("content_type", "") for r in details)
    if utf8_html:  # a GBK copy of the page that still says UTF-8 in its header and meta tag
        route = site.routes[utf8_html[-1]["path"]]
        route.body = route.body.decode("utf-8").encode("gb18030")
        route.content_type = "text/html; charset=utf-8"
    expected = {}
    errors = {}  # ref -> code of the records the example shows failing (a scan that needs OCR)
    for r in details:
        data = json.loads((folder / (Path(r["file"]).stem + ".expected.json")).read_text(encoding="utf-8"))
        if "error" in data:
            errors[data["error"]["ref"]] = data["code"]
        else:
            expected[data["source_ref"]] = data

    with site:
        source = FORMATS[name](site.base_url, manifest.get("page_size"))
        first = Runner(StoreSink(sqlite_store.sessions), source, data_dir=sqlite_store.settings.data_dir,
                       fetcher_options=FAST).run()
        assert {f["ref"]: f["code"] for f in first.failures if f["ref"] in errors} == errors, first.failures
        assert first.failed == len(errors), first.failures
        assert first.new + first.changed == len(expected) and first.listed == len(details)
        with sqlite_store.sessions() as session:
            stored = {v.source_ref: v for v in session.scalars(select(Version))}
            for ref, want in expected.items():
                v = stored[ref]
                assert v.title == want["title"]
                assert v.doc_number == want["doc_number"]
                assert (v.published.isoformat() if v.published else None) == want["published"]
                assert v.source_status == want["source_status"]
                assert _digest(v.text) == want["text"], ref
            versions = session.scalar(select(func.count(Version.id)))

        site.clear_log()
        second = Runner(StoreSink(sqlite_store.sessions), source, data_dir=sqlite_store.settings.data_dir,
                        fetcher_options=FAST).run()
        assert (second.new, second.changed, second.failed) == (0, 0, len(errors))
        assert second.unchanged == len(expected)
        for r in details:
            if not any(ref in r["path"] for ref in errors):  # a failed page is asked again in full
                assert [h.status for h in site.hits(r["path"])] == [304], r["path"]
        assets = [r["path"] for r in manifest["routes"] if r["kind"] == "asset"
                  and not any(ref in r["file"] for ref in errors)]
        assert not any(site.hits(p) for p in assets)  # no Word/PDF fetched again for an unchanged page
        with sqlite_store.sessions() as session:
            assert session.scalar(select(func.count(Version.id))) == versions


def test_uploaded_files_are_crawled_from_disk_and_unchanged_files_are_not_parsed_again(sqlite_store, tmp_path):
    import shutil

    from crawlers.sources.files import FilesSource

    uploads = tmp_path / "uploads"
    shutil.copytree(EXAMPLES / "files" / "uploads", uploads)
    expected = {}
    for path in (EXAMPLES / "files" / "expected").glob("*.expected.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        expected[data["source_ref"]] = data
    source = FilesSource(uploads)
    first = Runner(StoreSink(sqlite_store.sessions), source, data_dir=sqlite_store.settings.data_dir).run()
    assert first.failed == 0, first.failures
    assert first.new + first.changed == len(expected) == first.fetched
    with sqlite_store.sessions() as session:
        stored = {v.source_ref: v for v in session.scalars(select(Version))}
    for ref, want in expected.items():
        assert stored[ref].title == want["title"] and _digest(stored[ref].text) == want["text"], ref

    second = Runner(StoreSink(sqlite_store.sessions), source, data_dir=sqlite_store.settings.data_dir).run()
    assert (second.fetched, second.new, second.changed, second.unchanged) == (0, 0, 0, len(expected))

    # A file edited in place is read again and becomes a new version; a deleted one is marked gone.
    txt = next(p for p in uploads.glob("*.txt") if (p.with_suffix(".json")).exists() is False)
    txt.write_text(txt.read_text(encoding="utf-8") + "\n（本文件已于今日更新。）\n", encoding="utf-8")
    removed = next(p for p in uploads.glob("*.html"))
    removed.unlink()
    third = Runner(StoreSink(sqlite_store.sessions), source, data_dir=sqlite_store.settings.data_dir).run()
    assert third.fetched == 1 and third.changed == 1 and third.gone == 1
