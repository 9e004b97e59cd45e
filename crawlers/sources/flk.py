"""国家法律法规数据库 (flk.npc.gov.cn), the API the site has used since its 2025 rebuild.

- list:   POST /law-search/search/list, JSON body with pageNum/pageSize and filters; answers
          {"code": 200, "msg": ..., "total": n, "rows": [{bbbs, title, gbrq, sxrq, sxx, flxz, zdjgName, ...}]}
- detail: GET /law-search/search/flfgDetails?bbbs=ID -> {"code": 200, "data": {bbbs, title, flxz, zdjgName, gbrq,
          sxrq, sxx, content (the contents tree), ossFile {ossWordPath, ossPdfPath}, lsyg (history), xgwj}}
- text:   GET /law-search/download/pc?format=docx&bbbs=ID -> {"code": 200, "data": {"url": signed file URL}};
          the Word file is the text of record, the PDF the fallback; the ossFile paths themselves are not
          downloadable (the site answers them with its single-page app), so they are kept as attachments only.

Each version of a law has its own bbbs and is its own record; no work_key is given, so the store groups the
versions by region and title, the same identity a law has when it comes from the corpus or another source. 时效性 `sxx`: 3 有效, 4 尚未生效, 2 已修改 (a superseded version), 1 已废止."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

from crawlers.sources._common import (
    absolute,
    api_payload,
    check_not_garbled,
    checked_doc_type,
    clean_text,
    docx_text,
    history_of,
    load_json,
    origin_of,
    pdf_text,
    region_of,
    status_extra,
)
from crawlers.sources.base import Fetch, Listing, Page
from fagui.normalise import parse_date
from fagui.records import Attachment, DocumentRecord, RecordError

log = logging.getLogger(__name__)

NAME = "flk"
TITLE = "国家法律法规数据库"
BASE_URL = "https://flk.npc.gov.cn"

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
    "修改、废止的决定": "法律",
    "行政法规": "行政法规",
    "监察法规": "监察法规",
    "司法解释": "司法解释",
    "地方性法规": "地方性法规",
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
    (range(230, 310), "地方性法规"),
    (range(320, 341), "司法解释"),
)


class FlkSource:
    """The flk adapter; `base_url` can point at a fixture server, `file_hosts` names the file storage hosts
    the download API's signed URLs may point at."""

    name = NAME
    title = TITLE

    def __init__(self, base_url: str = BASE_URL, page_size: int = 20, max_pages: int | None = None,
                 file_hosts: tuple[str, ...] = ()) -> None:
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.max_pages = max_pages
        self.file_hosts = file_hosts

    @property
    def hosts(self) -> tuple[str, ...]:
        return (origin_of(self.base_url), *self.file_hosts)

    def list_body(self, page_num: int) -> dict[str, Any]:
        """The list query: everything, newest 公布日期 first."""
        return {"searchRange": 1, "searchType": 2, "searchContent": "", "sxx": [], "gbrq": [], "sxrq": [],
                "gbrqYear": [], "flfgCodeId": [], "zdjgCodeId": [],
                "orderByParam": {"order": "-1", "sort": "gbrq"}, "pageNum": page_num, "pageSize": self.page_size}

    def listings(self, fetch: Fetch, since: date | None = None) -> Iterator[Listing]:
        page_num = 1
        while True:
            url = f"{self.base_url}/law-search/search/list"
            rows, total = parse_list(fetch(url, method="POST", json=self.list_body(page_num)),
                                     f"{url} pageNum={page_num}")
            log.info("%s list page %d: %d entries of %d", self.name, page_num, len(rows), total)
            for row in rows:
                published = parse_date(row.get("gbrq"))
                if since and published and published < since:
                    return
                yield self.listing_of(row)
            if not rows or page_num * self.page_size >= total:
                return
            if self.max_pages and page_num >= self.max_pages:
                return
            page_num += 1

    def listing_of(self, row: dict[str, Any]) -> Listing:
        bbbs = str(row["bbbs"])
        hints = {k: row.get(k) for k in ("gbrq", "sxrq", "sxx", "flxz", "zdjgName", "flfgCodeId") if row.get(k)}
        return Listing(url=self.detail_url(bbbs), ref=bbbs, title=_plain(row.get("title")), hints=hints)

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
        for fmt, extract in (("docx", docx_text), ("pdf", pdf_text)):
            try:
                info = load_json(fetch(f"{self.base_url}/law-search/download/pc?format={fmt}&bbbs={quote(ref)}"),
                                 f"{ref} {fmt} 下载接口")
                url = (api_payload(info, f"{ref} {fmt} 下载接口").get("data") or {}).get("url")
                if not url:
                    raise RecordError(ref, f"{fmt} 下载接口没有给出文件地址")
                file_page = fetch(absolute(self.base_url, url))
                return extract(file_page.content, f"{ref} {fmt}"), fmt, problems
            except RecordError as exc:
                problems.append(f"{fmt}：{exc.reason}")
            except Exception as exc:  # a FetchError or anything the fetch callable raises: try the next format
                problems.append(f"{fmt}：{getattr(exc, 'reason', None) or f'下载失败（{type(exc).__name__}）'}")
        tree_text = content_tree_text(detail.get("content"))
        if tree_text:
            return tree_text, "content", problems
        raise RecordError(ref, "无法取得正文：" + "；".join(problems + ["详情接口的目录树不含条文"]))


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
    label = (detail.get("flxz") or hints.get("flxz") or "").strip()
    if label in FLXZ_DOC_TYPE:
        return FLXZ_DOC_TYPE[label]
    code = detail.get("flfgCodeId") or hints.get("flfgCodeId")
    try:
        number = int(code) if code is not None else None
    except (TypeError, ValueError):
        number = None
    for codes, doc_type in _CODE_GROUPS:
        if number in codes:
            return doc_type
    return None


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
    attachments = [Attachment(url=absolute(base_url, path), title=f"{title}.{kind}", media_type=media)
                   for kind, key, media in (
                       ("docx", "ossWordPath",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                       ("pdf", "ossPdfPath", "application/pdf"))
                   if (path := oss.get(key))]
    extra: dict[str, Any] = {"flxz": detail.get("flxz") or hints.get("flxz"), "sxx": sxx, "text_from": text_from,
                             **status_extra(label or (str(sxx_raw) if sxx_raw else None), status)}
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
    return FlkSource(base_url=base_url, **options)


SOURCE = FlkSource()
