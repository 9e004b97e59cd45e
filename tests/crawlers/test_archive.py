"""Raw responses archived as WARC by the fetcher, and served back from the archive with no network."""

from __future__ import annotations

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawlers.archive import ArchiveFetch, WarcArchive, archive_dir
from crawlers.http import Fetcher, FetchError
from tests.crawlers.fixture_site import FixtureSite, Route

GBK_PAGE = "<html><head><meta charset='utf-8'></head><body>第一条 为了规范行政规范性文件管理，制定本办法。</body></html>"


@pytest.fixture
def site():
    s = FixtureSite()
    s.page("/a.html", "<p>甲</p>")
    s.page("/gbk.html", GBK_PAGE.encode("gbk"), content_type="text/html; charset=utf-8")
    s.page("/api", '{"rows": [1]}', content_type="application/json")
    s.add("/moved", Route(kind="redirect", location="/a.html", status=301))
    s.start()
    yield s
    s.stop()


def fetch_with_archive(site: FixtureSite, archive: WarcArchive) -> Fetcher:
    return Fetcher((site.host,), delay=0, timeout=1, retries=0, on_response=archive.record)


def test_responses_are_archived_and_replayed_without_the_network(site, tmp_path):
    archive = WarcArchive(tmp_path, "demo", label="run1")
    with fetch_with_archive(site, archive) as fetch:
        live_gbk = fetch(site.url("/gbk.html")).text
        fetch(site.url("/moved"))
        fetch(site.url("/api"), method="POST", json={"pageNum": 1})
        with pytest.raises(FetchError):
            fetch(site.url("/nothing.html"))
    archive.close()
    assert archive.path.parent == archive_dir(tmp_path, "demo") and archive.path.name == "demo-run1.warc.gz"

    site.clear_log()
    replay = ArchiveFetch(tmp_path, "demo")
    page = replay(site.url("/gbk.html"))
    assert page.from_archive and page.status == 200 and page.text == live_gbk  # same decoding as live
    moved = replay(site.url("/moved"))  # found under the URL asked for, kept with the final one
    assert moved.url == site.url("/a.html") and "甲" in moved.text
    assert replay(site.url("/api"), method="POST", json={"pageNum": 1}).json() == {"rows": [1]}
    with pytest.raises(FetchError) as other_body:
        replay(site.url("/api"), method="POST", json={"pageNum": 2})
    assert other_body.value.code == "not_archived" and "存档中没有" in other_body.value.reason
    with pytest.raises(FetchError) as missing:
        replay(site.url("/nothing.html"))
    assert missing.value.code == "not_found"
    assert site.hits() == []


def test_archive_is_valid_warc_with_request_and_response_records(site, tmp_path):
    archive = WarcArchive(tmp_path, "demo")
    with fetch_with_archive(site, archive) as fetch:
        fetch(site.url("/a.html"))
    archive.close()
    with open(archive.path, "rb") as fh:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                   for r in ArchiveIterator(fh, check_digests=True)]
    assert [r[0] for r in records] == ["request", "response"]
    assert records[1][1] == site.url("/a.html") and records[1][2] == "<p>甲</p>".encode()


def test_the_newest_copy_wins_and_a_damaged_tail_loses_only_itself(site, tmp_path):
    first = WarcArchive(tmp_path, "demo", label="1")
    with fetch_with_archive(site, first) as fetch:
        fetch(site.url("/a.html"))
        fetch(site.url("/api"))
    first.close()
    site.set_body("/a.html", "<p>乙</p>")
    second = WarcArchive(tmp_path, "demo", label="2")
    with fetch_with_archive(site, second) as fetch:
        fetch(site.url("/a.html"))
        fetch(site.url("/gbk.html"))
    second.close()
    data = second.path.read_bytes()
    second.path.write_bytes(data[:-40])  # an interrupted write
    replay = ArchiveFetch(tmp_path, "demo")
    assert "乙" in replay(site.url("/a.html")).text
    assert replay(site.url("/api")).json() == {"rows": [1]}
    with pytest.raises(FetchError):
        replay(site.url("/gbk.html"))  # the damaged record is skipped, not half-read
