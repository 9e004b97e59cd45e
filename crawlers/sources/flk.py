"""国家法律法规数据库 (flk.npc.gov.cn), the API the site has used since its 2025 rebuild.

- list:   POST /law-search/search/list, JSON body with pageNum/pageSize and filters; answers
          {"code": 200, "msg": ..., "total": n, "rows": [{bbbs, title, gbrq, sxrq, sxx, flxz, zdjgName, ...}]}
- detail: GET /law-search/search/flfgDetails?bbbs=ID -> {"code": 200, "data": {bbbs, title, flxz, zdjgName, gbrq,
          sxrq, sxx, content (the contents tree), ossFile {ossWordPath, ossPdfPath}, lsyg (history), xgwj}}
- text:   GET /law-search/download/pc?format=docx&bbbs=ID -> {"code": 200, "msg": "操作成功", "data": {"url":
          "https://flkoss.obs-bj2.cucloud.cn/prod/.../uuid.doc?X-Amz-...&X-Amz-Signature=...", "urlIn": internal}};
          the signed link is on the object store's host, not the site's, and is often an old binary Word
          file (.doc, D0 CF 11 E0) even for format=docx; the PDF is the fallback (`format=pdf` may answer
          code 200 with no data). The ossFile paths are pages of the site's app, not files: kept in `extra`.
- the details call carries a table of contents only (`content`: {title, children} headings), no article
  text: the text comes from the Word or PDF file.
- every public client sends Referer (and Origin on the POST); a 429 is asked again after a backoff.

Verified against public records (see tests/examples/flk/README.md): ZongziForu/npc-law-db
`references/api_reference.md` (list payload and answer, details fields, the download API and its signed
flkoss.obs-bj2.cucloud.cn link, the ossFile paths answering the app page, `format=pdf` with empty data) and
`scripts/download.py` (Referer headers, sxx 1-4 labels). Needs a first live run (`fagui crawl flk --dry-run`):
whether flkoss.obs-bj2.cucloud.cn answers /robots.txt (a 403 there makes the fetcher refuse the files), the
flfgCodeId codes beyond those named below (260 自治条例和单行条例, 310 修改、废止的决定), and how fast the
list may be walked before a 429.

Each version of a law has its own bbbs and is its own record; no work_key is given, so the store groups the
versions by region and title, the same identity a law has when it comes from the corpus or another source. 时效性 `sxx`: 3 有效, 4 尚未生效, 2 已修改 (a superseded version), 1 已废止."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

from crawlers.sources._common import (
    RATE_LIMIT_WAITS,
    absolute,
    api_payload,
    load_json,
    origin_of,
    patient_fetch,
    pdf_text,
    word_text,
)
from crawlers.sources.base import Fetch, Listing, ListingIncomplete, Page
from crawlers.sources.flk_mapping import doc_type_of, flk_record
from crawlers.sources.flk_mapping import plain as _plain
from fagui.normalise import parse_date
from fagui.records import Attachment, DocumentRecord, RecordError

log = logging.getLogger(__name__)

NAME = "flk"
TITLE = "国家法律法规数据库"
BASE_URL = "https://flk.npc.gov.cn"
# The object store the download API's signed links point at.
FILE_HOSTS = ("https://flkoss.obs-bj2.cucloud.cn",)


class FlkSource:
    """The flk adapter; `base_url` can point at a fixture server, `file_hosts` names the file storage hosts
    the download API's signed URLs may point at."""

    name = NAME
    title = TITLE

    def __init__(self, base_url: str = BASE_URL, page_size: int = 20, max_pages: int | None = None,
                 file_hosts: tuple[str, ...] = FILE_HOSTS, file_base: str | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rate_limit_waits: tuple[float, ...] = RATE_LIMIT_WAITS) -> None:
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.max_pages = max_pages
        self.file_hosts = file_hosts
        self.file_base = file_base  # tests: signed links rebased onto the example server
        self.sleep = sleep
        self.rate_limit_waits = rate_limit_waits

    def _headers(self, referer: str, post: bool = False) -> dict[str, str]:
        """What the site's own pages send: a Referer on every call, Origin and JSON on the POST."""
        headers = {"Referer": referer, "Accept": "application/json, text/plain, */*"}
        if post:
            headers["Origin"] = self.base_url
        return headers

    @property
    def hosts(self) -> tuple[str, ...]:
        return (origin_of(self.base_url), *self.file_hosts)

    def list_body(self, page_num: int) -> dict[str, Any]:
        """The list query: everything, newest 公布日期 first."""
        return {"searchRange": 1, "searchType": 2, "searchContent": "", "sxx": [], "gbrq": [], "sxrq": [],
                "gbrqYear": [], "flfgCodeId": [], "zdjgCodeId": [],
                "orderByParam": {"order": "-1", "sort": "gbrq"}, "pageNum": page_num, "pageSize": self.page_size}

    def listings(self, fetch: Fetch, since: date | None = None) -> Iterator[Listing]:
        """Newest 公布日期 first. A list that answers no rows at all, a page cap reached before the end and a
        rate limit that outlasts the waits raise ListingIncomplete: nothing is then marked gone."""
        page_num = 1
        url = f"{self.base_url}/law-search/search/list"
        while True:
            page = patient_fetch(fetch, url, sleep=self.sleep, waits=self.rate_limit_waits, method="POST",
                                 json=self.list_body(page_num), headers=self._headers(f"{self.base_url}/search",
                                                                                      post=True))
            rows, total = parse_list(page, f"{url} pageNum={page_num}")
            log.info("%s list page %d: %d entries of %d", self.name, page_num, len(rows), total)
            if page_num == 1 and not rows:
                raise ListingIncomplete(url, "empty_list", "列表接口第 1 页没有返回任何法规：站点可能改版或拦截，"
                                                           "本次运行不完整，不标记下线")
            for row in rows:
                published = parse_date(row.get("gbrq"))
                if since and published and published < since:
                    return
                yield self.listing_of(row)
            if not rows or page_num * self.page_size >= total:
                return
            if self.max_pages and page_num >= self.max_pages:
                raise ListingIncomplete(url, "page_cap", f"已到页数上限 {self.max_pages} 页（共 {total} 条，"
                                                         f"已列 {page_num * self.page_size} 条）：本次运行不完整，不标记下线")
            page_num += 1

    def listing_of(self, row: dict[str, Any]) -> Listing:
        bbbs = str(row["bbbs"])
        hints = {k: row.get(k) for k in ("gbrq", "sxrq", "sxx", "flxz", "zdjgName", "flfgCodeId") if row.get(k)}
        return Listing(url=self.detail_url(bbbs), ref=bbbs, title=_plain(row.get("title")), hints=hints,
                       headers=self._headers(self.page_url(bbbs)))

    def page_url(self, bbbs: str) -> str:
        """The public page of a law (the site's app), what a reader opens."""
        return f"{self.base_url}/detail?id={quote(bbbs)}"

    def detail_url(self, bbbs: str) -> str:
        return f"{self.base_url}/law-search/search/flfgDetails?bbbs={quote(bbbs)}"

    def record(self, listing: Listing, page: Page, fetch: Fetch) -> DocumentRecord:
        ref = listing.ref
        detail = parse_detail(page, ref)
        text, text_from, problems = self._text(detail, ref, fetch)
        return build_record(detail, listing, text, text_from, problems, self.base_url)

    def _text(self, detail: dict[str, Any], ref: str, fetch: Fetch) -> tuple[str, str, list[str]]:
        """The Word text, else the PDF text, else the article text the contents tree carries; every format
        that failed is named in the record (or in the error when none worked)."""
        problems: list[str] = []
        scanned: RecordError | None = None
        for fmt, extract in (("docx", word_text), ("pdf", pdf_text)):
            try:
                api = f"{self.base_url}/law-search/download/pc?format={fmt}&bbbs={quote(ref)}"
                info = load_json(patient_fetch(fetch, api, sleep=self.sleep, waits=self.rate_limit_waits[:2],
                                               headers=self._headers(self.page_url(ref))), f"{ref} {fmt} 下载接口")
                url = (api_payload(info, f"{ref} {fmt} 下载接口").get("data") or {}).get("url")
                if not url:
                    raise RecordError(ref, f"{fmt} 下载接口没有给出文件地址")
                file_page = fetch(self.file_url(url))
                kind = "doc" if fmt == "docx" and file_page.content.startswith(b"\xd0\xcf\x11\xe0") else fmt
                return extract(file_page.content, f"{ref} {fmt}"), kind, problems
            except RecordError as exc:
                problems.append(f"{fmt}：{exc.reason}")
                if getattr(exc, "code", None) == "needs_ocr":
                    scanned = exc
            except Exception as exc:  # a FetchError or anything the fetch callable raises: try the next format
                problems.append(f"{fmt}：{getattr(exc, 'reason', None) or f'下载失败（{type(exc).__name__}）'}")
        tree_text = content_tree_text(detail.get("content"))
        if tree_text:
            return tree_text, "content", problems
        if scanned is not None:  # the only file is a scan: say so, not "no text"
            raise type(scanned)(ref, "；".join(problems))
        raise RecordError(ref, "无法取得正文：" + "；".join(problems + ["详情接口的目录只有标题，不含条文"]))

    def file_url(self, url: str) -> str:
        """The signed file link as given (its host is declared in `hosts`), or rebased onto `file_base`."""
        if self.file_base:
            return absolute(self.file_base, url, [h.split("://")[-1] for h in self.file_hosts])
        return absolute(self.base_url, url)


def parse_list(page: Page, ref: str) -> tuple[list[dict[str, Any]], int]:
    data = api_payload(load_json(page, ref), ref)
    rows = data.get("rows")
    if rows is None and isinstance(data.get("data"), dict):
        rows = data["data"].get("rows")
        data = data["data"]
    if not isinstance(rows, list):
        raise RecordError(ref, "列表接口的返回中没有 rows 列表")
    good = [r for r in rows if isinstance(r, dict) and r.get("bbbs")]
    return good, int(data.get("total") or 0)


def parse_detail(page: Page, ref: str) -> dict[str, Any]:
    envelope = api_payload(load_json(page, ref), ref)
    detail = envelope.get("data", envelope)
    if not isinstance(detail, dict) or not detail:
        raise RecordError(ref, "详情接口没有返回法规数据")
    return detail


def content_tree_text(node: Any) -> str:
    """Article text carried in the contents tree (nodes with `title`, `children` and, on some records,
    `content`/`text` paragraphs). Headings alone are no text."""
    lines: list[str] = []
    has_text = False

    def walk(n: Any) -> None:
        nonlocal has_text
        if isinstance(n, list):
            for child in n:
                walk(child)
            return
        if not isinstance(n, dict):
            return
        title = _plain(n.get("title")) or ""
        paragraphs = n.get("content") or n.get("text") or []
        if isinstance(paragraphs, str):
            paragraphs = [paragraphs]
        paragraphs = [_plain(p) or "" for p in paragraphs if p]
        if paragraphs:
            has_text = True
            lines.append(f"{title}　{paragraphs[0]}" if title else paragraphs[0])
            lines.extend(paragraphs[1:])
        elif title:
            lines.append(title)
        walk(n.get("children") or [])

    walk(node)
    return "\n".join(lines) if has_text else ""


def build_record(detail: dict[str, Any], listing: Listing, raw_text: str, text_from: str, problems: list[str],
                 base_url: str) -> DocumentRecord:
    ref = listing.ref
    hints = listing.hints
    title = _plain(detail.get("title")) or listing.title
    if not title:
        raise RecordError(ref, "详情接口缺少标题")
    fields = {"title": title, **{k: detail.get(k) or hints.get(k) for k in ("gbrq", "sxrq", "zdjgName")},
              "sxx": detail.get("sxx", hints.get("sxx"))}
    oss = detail.get("ossFile") or {}
    attachments: list[Attachment] = []  # the ossFile paths answer the site's app page, the signed links expire
    extra: dict[str, Any] = {"flxz": detail.get("flxz") or hints.get("flxz"), "text_from": text_from}
    oss_paths = {k: v for k, v in oss.items() if isinstance(v, str) and v}
    if oss_paths:
        extra["oss_paths"] = oss_paths
    if problems:
        extra["text_problems"] = problems
    versions = [v.get("bbbs") for v in detail.get("lsyg") or [] if isinstance(v, dict) and v.get("bbbs")]
    if versions:
        extra["other_versions"] = versions
    return flk_record(NAME, ref, fields, raw_text, doc_type=doc_type_of(detail, hints),
                      source_url=f"{base_url}/detail?id={quote(ref)}", attachments=attachments, extra=extra)


def make_source(base_url: str = BASE_URL, **options: Any) -> FlkSource:
    """The real site, or a rebased one (a fixture server) whose signed file links are rebased onto it too."""
    if base_url.rstrip("/") != BASE_URL:
        options.setdefault("file_base", base_url)
    return FlkSource(base_url=base_url, **options)


SOURCE = FlkSource()
