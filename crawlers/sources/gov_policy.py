"""国务院政策文件库 (www.gov.cn/zhengce/zhengceku): the site search API for the list, the content pages for text.

- list: GET https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary&q=&timetype=timeqb&...&sort=pubtime
  &sortType=1&searchfield=title&p=N&n=M&type=gwyzcwjk answers {"code": 200, "searchVO": {"totalCount": 0,
  "catMap": {"gongwen": {totalCount, currentNum, listVO: [...]}, "bumenfile": {...}, "otherfile": {...},
  "gongbao": {...}}}}: rows grouped by category, each category newest first on its own, the top totalCount 0.
  A row: {id, title (with <em>), url, pcode (发文字号), puborg (发文机关), childtype / subchildtype (主题分类),
  pubtimeStr (2019.04.30) and/or pubtime / ptime (ms), summary}. "No result" is {"code": 1001, "msg":
  "抱歉，没有找到相关结果", "searchVO": null}. Older answers carry one searchVO.listVO instead (still read).
  Only gongwen (国务院文件) and bumenfile (国务院部门文件) are the library: gongbao republishes gongwen
  under other URLs, otherfile holds 解读 and other material.
- content page: an info table in div.policyLibraryOverview_header (索引号, 主题分类, 发文机关, 成文日期, 标题,
  发文字号, 发布日期, on newer pages also 有效性/实施日期/废止日期) and the text in #UCAP-CONTENT (older pages:
  td#UCAP-CONTENT, or div.pages_content with the title in h1 and no info table: then the list row's fields
  are what is known).

Verified against public records (tests/examples/gov_policy/README.md): the catMap answer, the per-category
totals, `pubtime` in ms and the code 1001 answer as a public client's tests of this API (index id
62455458346) and a second client (69769449473) record them; the query parameters as those tests send them.
Needs a first live run (`fagui crawl gov_policy --dry-run`): whether the API answers without the cookies the
site's own page sets, how deep `p` may go, and the markup of today's content pages.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from urllib.parse import urlencode

from crawlers.parsing import attribute, descendants
from crawlers.sources._common import (
    RATE_LIMIT_WAITS,
    absolute,
    api_payload,
    check_not_garbled,
    clean_text,
    element_text,
    load_json,
    origin_of,
    page_text,
    parse_day,
    parse_html,
    patient_fetch,
    select_one,
    status_extra,
    status_of,
    web_link,
)
from crawlers.sources.base import Fetch, Listing, ListingIncomplete, Page
from fagui.normalise import normalise_doc_number, normalise_text, parse_date
from fagui.records import Attachment, DocumentRecord, RecordError

log = logging.getLogger(__name__)

NAME = "gov_policy"
TITLE = "国务院政策文件库"
SEARCH_URL = "https://sousuo.www.gov.cn"
SITE_URL = "https://www.gov.cn"
# The info table's labels, as the pages write them (spaces and full-width spaces inside are dropped).
FIELDS = {"索引号": "index_no", "主题分类": "subject", "发文机关": "issuer", "成文日期": "written",
          "标题": "title", "发文字号": "doc_number", "发布日期": "published", "有效性": "validity",
          "实施日期": "effective", "废止日期": "repealed_on", "公文种类": "kind", "来源": "origin"}
BODY_SELECTOR = "#UCAP-CONTENT || div.pages_content || div.TRS_Editor || div.article"
# 国务院令第716号, 公安部令第164号, and ministry orders numbered by year: 交通运输部令2024年第1号,
# 中国人民银行令〔2024〕第1号, 财政部令〔2023〕第112号.
_ORDER = re.compile(r"令\s*(?:[〔\[（(【]?\s*(?:19|20)\d{2}\s*[〕\]）)】]?\s*年?\s*)?第?\s*[\d〇一二三四五六七八九十百]+\s*号$")
CATEGORIES = ("gongwen", "bumenfile")
SEARCH_PAGE = "https://sousuo.www.gov.cn/zcwjk/policyDocumentLibrary?q=&t=zhengcelibrary&orpro="


class GovPolicySource:
    name = NAME
    title = TITLE

    def __init__(self, search_url: str = SEARCH_URL, site_url: str = SITE_URL, page_size: int = 20,
                 max_pages: int | None = None, library: str = "zhengcelibrary",
                 categories: tuple[str, ...] = CATEGORIES, sleep: Callable[[float], None] = time.sleep,
                 rate_limit_waits: tuple[float, ...] = RATE_LIMIT_WAITS) -> None:
        self.search_url = search_url.rstrip("/")
        self.site_url = site_url.rstrip("/")
        self.page_size = page_size
        self.max_pages = max_pages
        self.library = library
        self.categories = categories
        self.sleep = sleep
        self.rate_limit_waits = rate_limit_waits

    @property
    def base_url(self) -> str:
        return self.site_url

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((origin_of(self.search_url), origin_of(self.site_url))))

    def list_url(self, page_num: int) -> str:
        query = {"t": self.library, "q": "", "timetype": "timeqb", "mintime": "", "maxtime": "", "sort": "pubtime",
                 "sortType": "1", "searchfield": "title", "pcodeJiguan": "", "childtype": "", "subchildtype": "",
                 "tsbq": "", "pubtimeyear": "", "puborg": "", "pcodeYear": "", "pcodeNum": "", "filetype": "",
                 "p": str(page_num), "n": str(self.page_size), "inpro": "", "bmfl": "", "dup": "", "orpro": "",
                 "bmpubyear": "", "type": "gwyzcwjk"}
        return f"{self.search_url}/search-gov/data?{urlencode(query, safe='|')}"

    def listings(self, fetch: Fetch, since: date | None = None) -> Iterator[Listing]:
        """Page by page; each category of a page is its own newest-first run, so `since` ends a category at
        its first older row and the listing when every category has ended or run out. A first page with no
        rows, a page cap and a lasting rate limit raise ListingIncomplete."""
        page_num = 1
        ended: set[str] = set()
        while True:
            url = self.list_url(page_num)
            page = patient_fetch(fetch, url, sleep=self.sleep, waits=self.rate_limit_waits,
                                 headers={"Referer": SEARCH_PAGE, "Accept": "application/json, text/plain, */*"})
            rows, totals = parse_list(page, url, self.categories)
            log.info("%s list page %d: %d entries of %s", self.name, page_num, len(rows), totals)
            if page_num == 1 and not rows:
                raise ListingIncomplete(url, "empty_list", "检索接口第 1 页没有返回任何文件：接口可能改版或拦截，"
                                                           "本次运行不完整，不标记下线")
            for row in rows:
                category = row.get("_category", "")
                if category in ended:
                    continue
                try:
                    listing = self.listing_of(row)
                except RecordError as exc:  # a file: or other non-web link: never fetched, the row skipped
                    log.warning("%s list page %d: row skipped: %s", self.name, page_num, exc.reason)
                    continue
                published = parse_day(listing.hints.get("published"))
                if since and published and published < since:
                    ended.add(category)
                    continue
                yield listing
            more = {c for c, total in totals.items() if page_num * self.page_size < total} - ended
            if not rows or not more:
                return
            if self.max_pages and page_num >= self.max_pages:
                raise ListingIncomplete(url, "page_cap", f"已到页数上限 {self.max_pages} 页，{'、'.join(sorted(more))} "
                                                         "还有未列出的文件：本次运行不完整，不标记下线")
            page_num += 1

    def listing_of(self, row: dict[str, Any]) -> Listing:
        url = absolute(self.site_url, str(row["url"]), ("www.gov.cn", "gov.cn"))
        stamp = row.get("pubtime") or row.get("ptime")  # milliseconds; 0 means none
        published = parse_day(stamp) if stamp else parse_day(row.get("pubtimeStr"))
        hints = {"doc_number": _plain(row.get("pcode")), "issuer": _plain(row.get("puborg")),
                 "subject": "/".join(p for p in (_plain(row.get("childtype")), _plain(row.get("subchildtype"))) if p)
                 or None,
                 "published": published.isoformat() if published else None, "summary": _plain(row.get("summary"))}
        ref = re.sub(r"^https?://[^/]+", "", url)
        return Listing(url=url, ref=ref, title=_plain(row.get("title")), hints={k: v for k, v in hints.items() if v})

    def record(self, listing: Listing, page: Page, fetch: Fetch) -> DocumentRecord:
        return parse_content_page(page_text(page, listing.ref), listing, getattr(page, "url", listing.url))


def _plain(value: Any) -> str | None:
    if value is None:
        return None
    text = re.sub(r"<[^>]+>", "", str(value)).replace("&nbsp;", " ").strip()
    return text or None


def parse_list(page: Page, ref: str, categories: tuple[str, ...] = CATEGORIES
               ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The rows of a search answer, each tagged with its `_category`, and each category's total. The code
    1001 answer (没有找到相关结果) is no rows."""
    raw = load_json(page, ref)
    if isinstance(raw, dict) and str(raw.get("code")) == "1001" and not raw.get("searchVO"):
        return [], {}
    data = api_payload(raw, ref)
    vo = data.get("searchVO")
    if not isinstance(vo, dict):
        raise RecordError(ref, "检索接口的返回中没有 searchVO")
    rows: list[dict[str, Any]] = []
    totals: dict[str, int] = {}
    if isinstance(vo.get("listVO"), list):
        rows = [dict(r, _category="") for r in vo["listVO"] if isinstance(r, dict)]
        totals[""] = int(vo.get("totalCount") or 0)
    else:
        cat_map = vo.get("catMap")
        if not isinstance(cat_map, dict):
            raise RecordError(ref, "检索接口的返回中既没有 listVO 也没有 catMap")
        for name in categories:
            cat = cat_map.get(name)
            if isinstance(cat, dict):
                rows += [dict(r, _category=name) for r in cat.get("listVO") or [] if isinstance(r, dict)]
                totals[name] = int(cat.get("totalCount") or 0)
    return [r for r in rows if r.get("url")], totals


def info_table(tree: Any) -> dict[str, str]:
    """label -> value of the info table: cells in pairs, the label cell ending in a colon."""
    header = select_one(tree, "div.policyLibraryOverview_header || table.bd1")
    if header is None:
        return {}
    table = next((t for t in descendants(header, "table") if "pc_none" not in (attribute(t, "class") or "")), header)
    cells = [re.sub(r"[\s\u3000\xa0]+", "", element_text(td)) for td in descendants(table, "td")]
    values = [element_text(td).strip() for td in descendants(table, "td")]
    info: dict[str, str] = {}
    for i, cell in enumerate(cells[:-1]):
        label = cell.rstrip("：:")  # some tables write the labels with a colon, some without
        if label in FIELDS and FIELDS[label] not in info and values[i + 1] and cells[i + 1].rstrip("：:") not in FIELDS:
            info[FIELDS[label]] = normalise_text(values[i + 1]).strip()
    return info


def _bodies(issuer: str | None) -> list[str]:
    return [b for b in re.split(r"[\s、,，;；]+", issuer or "") if b]


def _doc_type(doc_number: str | None, bodies: list[str]) -> str:
    """国务院令 numbers administrative regulations, a ministry's 令 its rules; everything else in the library is
    a normative document of 国务院, its general office or a ministry."""
    if doc_number and _ORDER.search(doc_number):
        return "行政法规" if doc_number.startswith(("国务院令", "国令", "中华人民共和国国务院令")) else "部门规章"
    return "行政规范性文件"


def parse_content_page(text: str, listing: Listing, url: str) -> DocumentRecord:
    ref = listing.ref
    tree = parse_html(text, ref)
    info = info_table(tree)
    body = select_one(tree, BODY_SELECTOR)
    if body is None:
        raise RecordError(ref, "页面中找不到正文区域（#UCAP-CONTENT / .pages_content）")
    heading = select_one(tree, "div.article h1 || h1")
    title = info.get("title") or listing.title or (element_text(heading).strip() if heading is not None else "")
    title = normalise_text(title).strip()
    if not title:
        raise RecordError(ref, "页面缺少标题：信息表、列表和 <h1> 都没有标题")
    raw_text = element_text(body)
    check_not_garbled(raw_text, ref, "正文")
    body_text = clean_text(raw_text)
    if len(body_text.strip()) < 20:
        raise RecordError(ref, "正文为空或过短，页面可能不完整")
    hints = listing.hints
    doc_number = info.get("doc_number") or hints.get("doc_number")
    doc_number = normalise_text(doc_number).strip() if doc_number else None
    bodies = _bodies(info.get("issuer") or hints.get("issuer"))
    validity = info.get("validity")
    status = status_of(validity)
    published = parse_date(info.get("published")) or parse_day(hints.get("published"))
    date_line = select_one(tree, "div.pages-date")
    if published is None and date_line is not None:
        published = parse_date(element_text(date_line))
    attachments = [Attachment(url=link, title=normalise_text(element_text(a)).strip() or None)
                   for a in descendants(body, "a") if re.search(r"\.(pdf|docx?|xlsx?|wps|ofd|zip|rar)$", attribute(a, "href") or "",
                                                        re.IGNORECASE) and (link := web_link(url, attribute(a, "href")))]
    extra: dict[str, Any] = {k: info[k] for k in ("index_no", "subject", "kind") if info.get(k)}
    if not info:
        extra["page_style"] = "no_info_table"
    if "subject" not in extra and hints.get("subject"):
        extra["subject"] = hints["subject"]
    if doc_number:
        extra["doc_number_key"] = normalise_doc_number(doc_number)
    written = parse_date(info.get("written"))
    if written:
        extra["written"] = written.isoformat()
    extra.update(status_extra(validity, status))
    repealed_on = parse_date(info.get("repealed_on"))
    if repealed_on and status in ("repealed", "expired"):
        extra["ended_on"] = repealed_on.isoformat()
    return DocumentRecord(
        source=NAME,
        source_ref=ref,
        title=title,
        text=f"{title}\n{body_text}" if not body_text.startswith(title) else body_text,
        doc_type=_doc_type(doc_number, bodies),
        issuing_bodies=bodies,
        doc_number=doc_number,
        region="全国",
        published=published,
        effective=parse_date(info.get("effective")),
        source_status=validity,
        source_url=url,
        attachments=attachments,
        extra=extra,
    )


def make_source(base_url: str | None = None, **options: Any) -> GovPolicySource:
    """A source whose search API and pages both live at base_url (a fixture server), or the real hosts."""
    if base_url:
        options.setdefault("search_url", base_url)
        options.setdefault("site_url", base_url)
    return GovPolicySource(**options)


SOURCE = GovPolicySource()
