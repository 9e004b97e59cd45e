"""`fagui crawl SOURCE --dry-run` underneath: a few live entries fetched through the polite fetcher from a real
HTTP server on 127.0.0.1 serving an example site, parsed and reported; nothing kept."""

from __future__ import annotations

from crawlers.dry_run import dry_run
from crawlers.sources import flk
from crawlers.sources import normative_library as nl
from tests.crawlers.sources.example_site import EXAMPLES, serve


def test_a_site_in_the_known_form_is_reported_ok():
    with serve(EXAMPLES / "flk") as base:
        report = dry_run(flk.make_source(base_url=base, page_size=2), entries=3, delay=0)
    assert report.ok and len(report.listed) == 3 and report.listing_stop is None
    assert [r["text_from"] for r in report.records] == ["doc", "pdf", "docx"]
    assert report.records[0]["title"] == "中华人民共和国立法法" and report.requests > 3
    text = "\n".join(report.lines())
    assert "不保存、不存档、不标记下线" in text and "适配器与网站相符" in text


def test_a_rate_limited_list_and_a_scan_are_reported_with_their_reasons():
    with serve(EXAMPLES / "normative_library" / "guangdong") as base:
        source = nl.load_site("guangdong", base, sleep=lambda s: None)
        report = dry_run(source, entries=10, delay=0)
    assert not report.ok and report.listing_stop is not None and report.listing_stop["code"] == "rate_limited"
    assert len(report.listed) == 4
    assert [r["code"] for r in report.records if not r["ok"]] == ["needs_ocr"]
    text = "\n".join(report.lines())
    assert "列表提前结束［rate_limited］" in text and "解析失败［needs_ocr］" in text and "请先查看上面的原因" in text


def test_nothing_listed_is_not_ok():
    """A column page that no longer has the configured rows (a redesign): an empty list, not a success."""
    from crawlers.http import FetchResult

    def fetch(url, **kwargs):
        return FetchResult(url=url, status=200, headers={"content-type": "text/html; charset=utf-8"},
                           content=b"<html><body><div class='new-list'></div></body></html>")

    report = dry_run(nl.load_site("jiaxing"), entries=2, fetch=fetch)
    assert not report.ok and report.listed == [] and report.listing_stop is not None
    assert report.listing_stop["code"] == "empty_list" and "选择器不再适用" in report.listing_stop["reason"]
