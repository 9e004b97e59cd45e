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
import re
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

from crawlers.sources._common import (
    RATE_LIMIT_WAITS,
    absolute,
    api_payload,
    check_not_garbled,
    checked_doc_type,
    clean_text,
    history_of,
    load_json,
    origin_of,
    patient_fetch,
    pdf_text,
    region_of,
    status_extra,
    word_text,
)
from crawlers.sources.base import Fetch, Listing, ListingIncomplete, Page
from fagui.normalise import parse_date
from fagui.records import Attachment, DocumentRecord, RecordError

log = logging.getLogger(__name__)

NAME = "flk"
TITLE = "国家法律法规数据库"
BASE_URL = "https://flk.npc.gov.cn"
# The object store the download API's signed links point at.
FILE_HOSTS = ("https://flkoss.obs-bj2.cucloud.cn",)

# sxx code -> (label shown by the site, our status)
SXX: dict[int, tuple[str, str]] = {
    3: ("有效", "effective"),
    4: ("尚未生效", "not_yet_effective"),
    2: ("已修改", "amended"),
    1: ("已废止", "repealed"),
}
# flxz labels (法律性质) -> our doc_type. The NPC's decisions on legal questions (有关法律问题和重大问题的决定),
# its interpretations and its amending/repealing decisions have the force of law.
FLXZ_DOC_TYPE: dict[str, str] = {
    "宪法": "宪法",
    "宪法相关法": "法律",
    "法律": "法律",
    "法律解释": "法律",
    "有关法律问题和重大问题的决定": "法律",
    "修改、废止的决定": "法律",  # a local people's congress's decision of this kind is 地方性法规 (see doc_type_of)
    "行政法规": "行政法规",
    "监察法规": "监察法规",
    "司法解释": "司法解释",
    "地方性法规": "地方性法规",
    "地方法规": "地方性法规",
    "经济特区法规": "地方性法规",
    "浦东新区法规": "地方性法规",
    "海南自由贸易港法规": "地方性法规",
    "自治条例": "自治条例和单行条例",
    "单行条例": "自治条例和单行条例",
    "自治条例和单行条例": "自治条例和单行条例",
}
# flfgCodeId groups as public clients of the 2025 API use them, for rows that carry no flxz label.
_CODE_GROUPS: tuple[tuple[range, str], ...] = (
    (range(100, 110), "宪法"),
    (range(110, 200), "法律"),
    (range(210, 211), "行政法规"),
    (range(220, 221), "监察法规"),
    (range(260, 261), "自治条例和单行条例"),
    (range(230, 310), "地方性法规"),
    (range(310, 311), "法律"),  # 修改、废止的决定: local when a local body made it (doc_type_of)
    (range(320, 341), "司法解释"),
)
_NATIONAL_BODIES = ("全国人民代表大会", "中华人民共和国", "国务院", "最高人民法院", "最高人民检察院",
                    "国家监察委员会")


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


def _plain(value: Any) -> str | None:
    """Titles come with search highlighting (<em>...</em>) in list rows."""
    if value is None:
        return None
    return re.sub(r"<[^>]+>", "", str(value)).strip() or None


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


def doc_type_of(detail: dict[str, Any], hints: dict[str, Any]) -> str | None:
    """The flxz label's type, else the flfgCodeId group's; a decision (修改、废止的决定) made by a local
    people's congress is a local regulation, not a national law."""
    label = (detail.get("flxz") or hints.get("flxz") or "").strip()
    doc_type = FLXZ_DOC_TYPE.get(label)
    if doc_type is None:
        code = detail.get("flfgCodeId") or hints.get("flfgCodeId")
        try:
            number = int(code) if code is not None else None
        except (TypeError, ValueError):
            number = None
        doc_type = next((t for codes, t in _CODE_GROUPS if number in codes), None)
    if doc_type == "法律":
        body = str(detail.get("zdjgName") or hints.get("zdjgName") or "").strip()
        if body and not body.startswith(_NATIONAL_BODIES) and (region_of(body) or _place_of(body)):
            return "地方性法规"
    return doc_type


def _place_of(name: str) -> str | None:
    """The city or prefecture a body or title starts with (广州市人民代表大会常务委员会 -> 广州市), for local
    regulations whose province the name does not say."""
    for suffix in ("市", "自治州", "盟", "地区"):  # 市 first: 广州市 is a city, not a 州
        m = re.match(rf"^([\u4e00-\u9fff]{{1,8}}?{suffix})", name)
        if m:
            return m.group(1)
    return None


def build_record(detail: dict[str, Any], listing: Listing, raw_text: str, text_from: str, problems: list[str],
                 base_url: str) -> DocumentRecord:
    ref = listing.ref
    hints = listing.hints
    check_not_garbled(raw_text, ref, "正文")
    text = clean_text(raw_text)
    title = _plain(detail.get("title")) or listing.title
    if not title:
        raise RecordError(ref, "详情接口缺少标题")
    title = clean_text(title).strip()
    lines = text.splitlines()
    if lines and lines[0].strip() != title:
        text = f"{title}\n{text}"  # the contents tree starts with the first heading, not the title
        lines = text.splitlines()
    history = history_of(text)
    sxx_raw = detail.get("sxx", hints.get("sxx"))
    try:
        sxx = int(sxx_raw) if sxx_raw not in (None, "") else None
    except (TypeError, ValueError):
        sxx = None
    label, status = SXX.get(sxx, (None, None)) if sxx is not None else (None, None)
    bodies = [b.strip() for b in re.split(r"[、,，;；]", detail.get("zdjgName") or hints.get("zdjgName") or "")
              if b.strip()]
    doc_type = checked_doc_type(doc_type_of(detail, hints), ref)
    region = "全国"
    if doc_type in ("地方性法规", "自治条例和单行条例"):
        region = region_of(*bodies, title) or _place_of(bodies[0] if bodies else title) or "全国"
    oss = detail.get("ossFile") or {}
    attachments: list[Attachment] = []  # the ossFile paths answer the site's app page, the signed links expire
    extra: dict[str, Any] = {"flxz": detail.get("flxz") or hints.get("flxz"), "sxx": sxx, "text_from": text_from,
                             **status_extra(label or (str(sxx_raw) if sxx_raw else None), status)}
    oss_paths = {k: v for k, v in oss.items() if isinstance(v, str) and v}
    if oss_paths:
        extra["oss_paths"] = oss_paths
    if problems:
        extra["text_problems"] = problems
    versions = [v.get("bbbs") for v in detail.get("lsyg") or [] if isinstance(v, dict) and v.get("bbbs")]
    if versions:
        extra["other_versions"] = versions
    return DocumentRecord(
        source=NAME,
        source_ref=ref,
        title=title,
        text=text,
        doc_type=doc_type,
        issuing_bodies=bodies,
        doc_number=None,
        region=region,
        published=parse_date(detail.get("gbrq") or hints.get("gbrq")),
        effective=parse_date(detail.get("sxrq") or hints.get("sxrq")),
        source_status=label,
        source_url=f"{base_url}/detail?id={quote(ref)}",
        attachments=attachments,
        history=history,
        extra=extra,
    )


def make_source(base_url: str = BASE_URL, **options: Any) -> FlkSource:
    """The real site, or a rebased one (a fixture server) whose signed file links are rebased onto it too."""
    if base_url.rstrip("/") != BASE_URL:
        options.setdefault("file_base", base_url)
    return FlkSource(base_url=base_url, **options)


SOURCE = FlkSource()
