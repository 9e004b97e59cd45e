"""Configurable 行政规范性文件库 (and 法规规章规范性文件数据库) of provinces and cities: one TOML file per site under
crawlers/sources/sites/<site>.toml or the operator's folder (FAGUI_SITES_DIR), so adding a site is
configuration, not code. Each is a source named `norms-<site>`; `load_sites()` gives them all for the
registry, with the reason for each file that is broken. The operator's documentation is docs/sites.md.

A config says (see sites/*.toml for complete ones):
- `title`, `base_url`, `region`, `doc_type` (the default), `date_formats` (strptime forms tried first),
  `[status]` label -> status (added to the usual labels 有效 / 失效 / 废止 / 已修改 ...), `[doc_types]`
  a site's own type codes or labels -> doc_type;
- `[list]`: `kind` "html" or "json"; `url` with `{page}`, or `first_url` for a first page named differently;
  `first_page`, `max_pages`; html: `rows` (CSS selector of one row) and `[list.fields]` CSS selectors relative to
  the row (`selector@attr` for an attribute, `a || b` tries a then b); json: `method`, `body` (a JSON body whose
  "{page}" values are replaced), `queries` (bodies merged in turn, e.g. one per document type), `rows` and
  `total` (dotted paths) and `[list.fields]` dotted paths;
- `[detail]`: `kind` html/json; html: `title`, `text` selectors, `info` (a selector of cells read as label/value
  pairs) with `[detail.labels]` label -> field; json: `url` with `{ref}`, `root`, `[detail.fields]`, `text` (a
  path holding the text or HTML), `[detail.files]` (list path, class/ext/path fields, accepted classes, url
  with `{path}`) for sites whose text is a PDF or Word attachment; `path_replace` (characters the site wants
  spelled out in a file path before it is URL-encoded), `source_url = "file"` (the public address of a record
  is its text file, for API sites with no public page per document);
- HTTP behaviour: `[list] headers` and `[detail] headers` (sent on every list / detail request, e.g. Referer
  and Origin), `token_header` + `token_field` (a token each list answer carries, e.g. in `msg`, sent back on
  the next list request), `rate_limit_messages` (an answer whose msg contains one of them is a rate limit:
  asked again after a backoff, per query), `html_path` (pages after the first answer JSON carrying the list
  HTML at this path, as Zhejiang JCMS `build/unit` does); `region_from_issuer = true` gives a record the
  city or province its issuer names (广州市人民代表大会常务委员会 -> 广州市), else `region`.
Completeness: a query whose first page has no rows, `max_pages` reached with more to list, and a rate limit
outlasting the backoff end that query (the others are still asked) and then raise ListingIncomplete: the run
is not complete and nothing is marked gone. Each site's config says what was checked against public records
and what its first live run (`fagui crawl norms-<site> --dry-run`) must confirm.
Fields: ref, url, title, issuer, doc_number, written, published, effective, expires, status, doc_type,
unified_no (浙江 规范性文件统一编号)."""

from __future__ import annotations

import builtins
import logging
import re
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

from crawlers.http import FetchError
from crawlers.parsing import (
    attribute,
    descendants,
    parse_fragment,
    select_all,
    select_value,
    selector_problem,
)
from crawlers.sources._common import (
    RATE_LIMIT_WAITS,
    NeedsOcr,
    absolute,
    api_payload,
    check_not_garbled,
    checked_doc_type,
    clean_text,
    dig,
    element_text,
    history_of,
    host_of,
    load_json,
    origin_of,
    page_text,
    parse_day,
    parse_html,
    patient_fetch,
    pdf_text,
    place_of,
    reading_problem,
    region_of,
    select_one,
    status_extra,
    status_of,
    web_link,
    word_text,
)
from crawlers.sources.base import Fetch, Listing, ListingIncomplete, Page
from fagui.errors import FaguiError
from fagui.normalise import normalise_doc_number, normalise_text
from fagui.records import Attachment, DocumentRecord, RecordError
from fagui.vocabulary import DOC_TYPES, STATUSES, canonical_region

log = logging.getLogger(__name__)

SITES = Path(__file__).resolve().parent / "sites"
FIELDS = ("ref", "url", "title", "issuer", "doc_number", "written", "published", "effective", "expires", "status",
          "doc_type", "unified_no")
_DATE_FIELDS = ("written", "published", "effective", "expires")
_MEDIA = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          "doc": "application/msword"}


class SiteConfigError(FaguiError, ValueError):
    """A site config that cannot drive a crawl; the message says which file and what is wrong, in Chinese."""


@dataclass
class SiteConfig:
    site: str
    title: str
    base_url: str
    region: str
    doc_type: str
    list: dict[str, Any]
    detail: dict[str, Any]
    status: dict[str, str] = field(default_factory=dict)
    doc_types: dict[str, str] = field(default_factory=dict)
    # builtins.list: inside this class `list` is the [list] section above
    date_formats: builtins.list[str] = field(default_factory=builtins.list)
    extra_hosts: builtins.list[str] = field(default_factory=builtins.list)


_TOP_KEYS = {"title", "base_url", "region", "doc_type", "date_formats", "status", "doc_types", "list", "detail",
             "extra_hosts"}
_LIST_KEYS = {"kind", "url", "first_url", "first_page", "max_pages", "page_size", "rows", "total", "next",
              "pagination", "fields", "method", "body", "queries", "ok_codes", "headers", "token_header",
              "token_field", "rate_limit_messages", "html_path"}
_DETAIL_KEYS = {"kind", "title", "text", "info", "labels", "fields", "url", "root", "ok_codes", "files", "headers",
                "region_from_issuer", "source_url"}
PAGINATIONS = ("total", "next", "missing", "empty")
_HTML_SELECTORS = {"list": ("rows", "total", "next"), "detail": ("title", "text", "info")}


def config_problems(raw: dict[str, Any]) -> builtins.list[str]:
    """Everything wrong with a site config, in Chinese, before any request: required and unknown keys,
    label targets and field names, statuses and types, pagination, and the syntax of every CSS selector."""
    problems: builtins.list[str] = []

    def unknown(keys: Any, allowed: set[str], where: str) -> None:
        extra = sorted(set(keys) - allowed)
        if extra:
            problems.append(f"{where}中有未知的配置项：{', '.join(extra)}（可用：{', '.join(sorted(allowed))}）")

    missing = [k for k in ("title", "base_url", "list", "detail") if k not in raw]
    if missing:
        problems.append(f"缺少必填项：{', '.join(missing)}")
    unknown(raw, _TOP_KEYS, "顶层")
    base = raw.get("base_url")
    if base is not None and not re.match(r"https?://[^/\s]+", str(base)):
        problems.append(f"base_url 必须是 http:// 或 https:// 开头的网址，而不是 {base!r}")
    bad_status = sorted(set(map(str, (raw.get("status") or {}).values())) - set(STATUSES))
    if bad_status:
        problems.append(f"[status] 中有未知的时效性：{', '.join(bad_status)}（可用：{', '.join(STATUSES)}）")
    bad_types = sorted({raw.get("doc_type", "行政规范性文件"), *(raw.get("doc_types") or {}).values()} - set(DOC_TYPES))
    if bad_types:
        problems.append(f"文件类型不在效力级别词表中：{', '.join(map(str, bad_types))}")
    for name, allowed in (("list", _LIST_KEYS), ("detail", _DETAIL_KEYS)):
        section = raw.get(name)
        if section is None:
            continue
        if not isinstance(section, dict):
            problems.append(f"[{name}] 必须是一个表（[{name}] 段落）")
            continue
        unknown(section, allowed, f"[{name}] ")
        kind = section.get("kind")
        if kind not in ("html", "json"):
            problems.append(f"[{name}] kind 只能是 html 或 json，而不是 {kind!r}")
        fields = section.get("fields") or {}
        bad_fields = sorted(set(fields) - set(FIELDS))
        if bad_fields:
            problems.append(f"[{name}.fields] 中有未知字段：{', '.join(bad_fields)}（可用：{', '.join(FIELDS)}）")
        if kind == "html":
            selectors = [(f"[{name}] {key}", section[key]) for key in _HTML_SELECTORS[name] if section.get(key)]
            selectors += [(f"[{name}.fields] {key}", value) for key, value in fields.items()]
            for where, value in selectors:
                why = selector_problem(str(value))
                if why:
                    problems.append(f"{where}：{why}")
    listing, detail = raw.get("list"), raw.get("detail")
    if isinstance(listing, dict):
        kind = listing.get("kind")
        if kind == "html" and not listing.get("rows"):
            problems.append("[list] 缺少 rows（每一行条目的选择器）")
        if kind == "html" and "{page}" not in str(listing.get("url", "")):
            problems.append("[list] url 需要含 {page} 页码占位")
        if not (listing.get("fields") or {}).get("url") and not (listing.get("fields") or {}).get("ref"):
            problems.append("[list.fields] 需要 url 或 ref（详情页的链接或编号）")
        mode = listing.get("pagination")
        if mode is not None and mode not in PAGINATIONS:
            problems.append(f"[list] pagination 只能是 {' / '.join(PAGINATIONS)}，而不是 {mode!r}")
        if mode == "total" and not listing.get("total"):
            problems.append("[list] pagination = \"total\" 需要 total（记录总数的选择器或路径）")
        if mode == "next" and not listing.get("next"):
            problems.append("[list] pagination = \"next\" 需要 next（下一页链接的选择器）")
    if isinstance(detail, dict):
        labels = detail.get("labels") or {}
        bad_targets = sorted(f"“{label}” = “{target}”" for label, target in labels.items() if target not in FIELDS)
        if bad_targets:
            problems.append(f"[detail.labels] 中有未知的目标字段：{'，'.join(bad_targets)}（可用：{', '.join(FIELDS)}）")
        if labels and not detail.get("info"):
            problems.append("[detail] 有 labels 但缺少 info（信息表单元格的选择器）")
        if detail.get("kind") == "html" and not detail.get("text"):
            problems.append("[detail] 缺少 text（正文区域的选择器）")
        if detail.get("kind") == "json" and not detail.get("url"):
            problems.append("[detail] kind = \"json\" 需要 url（含 {ref}）")
    return problems


def read_config(path: Path) -> SiteConfig:
    """A site config from its TOML file, checked (config_problems): every mistake is reported here, naming
    the file, not found in the middle of a crawl."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SiteConfigError(f"无法读取站点配置 {path}：{reading_problem(exc)}") from exc
    problems = config_problems(raw)
    if problems:
        raise SiteConfigError(f"站点配置 {path} 有误：" + "；".join(problems))
    return SiteConfig(site=path.stem, title=raw["title"], base_url=raw["base_url"].rstrip("/"),
                      region=canonical_region(raw.get("region")), doc_type=raw.get("doc_type", "行政规范性文件"),
                      list=raw["list"], detail=raw["detail"], status=raw.get("status", {}),
                      doc_types={str(k): v for k, v in raw.get("doc_types", {}).items()},
                      date_formats=raw.get("date_formats", []), extra_hosts=raw.get("extra_hosts", []))


class NormativeLibrarySource:
    """One configured site."""

    title: str

    def __init__(self, config: SiteConfig, base_url: str | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rate_limit_waits: tuple[float, ...] = RATE_LIMIT_WAITS) -> None:
        self.config = config
        self.name = f"norms-{config.site}"
        self.title = config.title
        self.base_url = (base_url or config.base_url).rstrip("/")
        self.sleep = sleep
        self.rate_limit_waits = rate_limit_waits
        self._token = ""  # the list token the last answer carried (token_field), sent back as token_header
        self._text_file = ""  # the file the last record's text came from

    @property
    def hosts(self) -> tuple[str, ...]:
        return (origin_of(self.base_url), *self.config.extra_hosts)

    # -- listing ----------------------------------------------------------------------------------------

    def listings(self, fetch: Fetch, since: date | None = None) -> Iterator[Listing]:
        """Every query in turn; one that stops early (rate limit, page cap, no rows) does not keep the next
        from being asked, and the listing then ends with ListingIncomplete naming each."""
        queries = self.config.list.get("queries") or [{}]
        self._token = ""
        stopped: list[ListingIncomplete] = []
        for query in queries:
            try:
                yield from self._walk(fetch, since, query)
            except ListingIncomplete as exc:
                log.warning("%s: query %s stopped early: %s", self.name, query or "(all)", exc.reason)
                stopped.append(exc)
        if stopped:
            raise ListingIncomplete(stopped[0].url, stopped[0].code, "；".join(e.reason for e in stopped))

    def first_list_page(self, fetch: Fetch) -> tuple[str, builtins.list[Listing], int | None, str | None]:
        """The first list page's URL, its rows, the record count it shows and its next-page link (a dry run)."""
        queries = self.config.list.get("queries") or [{}]
        url, method, body = self._list_request(int(self.config.list.get("first_page", 1)), queries[0])
        ref = f"{self.name} 列表第 1 页"
        response = fetch(url, method=method, json=body) if body is not None else fetch(url, method=method)
        if self.config.list["kind"] == "json":
            return (url, *self._json_rows(response, ref), None)
        return (url, *self._html_rows(response, ref, url))

    def pagination(self) -> str:
        """How this site's list ends (config `pagination`): "total" the page bar's record count is reached,
        "next" no next-page link, "missing" the first list page the site does not have (404), "empty" a page
        with no rows. Unset: total when a `total` is configured, else next when a `next` is, else empty."""
        spec = self.config.list
        return spec.get("pagination") or ("total" if spec.get("total") else "next" if spec.get("next") else "empty")

    def _walk(self, fetch: Fetch, since: date | None, query: dict[str, Any]) -> Iterator[Listing]:
        """The list pages one after another. A list that cannot be known to have ended (no record count where
        one is expected, fewer rows than the count, a list page missing) raises RecordError: the runner then
        marks nothing gone and reports the run incomplete."""
        spec = self.config.list
        mode = self.pagination()
        page = int(spec.get("first_page", 1))
        max_pages = spec.get("max_pages")
        seen_pages = seen_rows = 0
        next_url: str | None = None
        visited: set[str] = set()
        label = _query_label(query)
        while True:
            url, method, body = self._list_request(page, query)
            if next_url is not None:
                url = next_url
            visited.add(url)
            ref = f"{self.name} 列表第 {page} 页"
            headers = dict(spec.get("headers") or {})
            if spec.get("token_header"):
                headers[spec["token_header"]] = self._token
            kwargs: dict[str, Any] = {"method": method, "headers": headers or None}
            if body is not None:
                kwargs["json"] = body
            try:
                response = patient_fetch(fetch, url, sleep=self.sleep, waits=self.rate_limit_waits,
                                         rate_limited=self._rate_limited, **kwargs)
            except ListingIncomplete as exc:
                raise ListingIncomplete(exc.url, exc.code, f"{label}列表第 {page} 页：{exc.reason}") from exc
            except FetchError as exc:
                if mode == "missing" and seen_pages and exc.http_status == 404:
                    log.info("%s: list page %d is missing (404): the list ends at page %d", self.name, page, page - 1)
                    return
                raise
            first = page == int(spec.get("first_page", 1))
            found_next: str | None = None
            if spec["kind"] == "json":
                rows, total = self._json_rows(response, ref)
            else:
                rows, total, found_next = self._html_rows(response, ref, url, first)
            log.info("%s list page %d: %d entries%s", self.name, page, len(rows),
                     "" if total is None else f" of {total}")
            if first and not rows:
                raise ListingIncomplete(url, "empty_list", f"{label}列表第 1 页没有任何条目：站点可能改版、拦截或"
                                                           "配置的选择器不再适用，本次运行不完整，不标记下线")
            for listing in rows:
                published = parse_day(listing.hints.get("published") or listing.hints.get("written"))
                if since and published and published < since:
                    return
                yield listing
            seen_pages += 1
            seen_rows = seen_pages * int(spec["page_size"]) if spec.get("page_size") else seen_rows + len(rows)
            if mode == "total":
                if total is None:
                    raise RecordError(ref, f"列表页上找不到记录总数（total = {spec.get('total')!r}），无法判断列表是否走完")
                if seen_rows >= total:
                    return
                if not rows:
                    raise RecordError(ref, f"列表第 {page} 页没有条目，但记录总数为 {total}，只列出了 {seen_rows} 条")
            elif mode == "next":
                if not found_next:
                    return
                if found_next in visited:
                    raise RecordError(ref, f"下一页链接指向已读过的列表页（{found_next}），列表无法走完")
            elif not rows or total is not None and seen_rows >= total:
                return
            if max_pages and seen_pages >= int(max_pages):
                raise ListingIncomplete(url, "page_cap", f"{label}已到页数上限 {max_pages} 页"
                                        + (f"（共 {total} 条）" if total is not None else "")
                                        + "，还有未列出的条目：本次运行不完整，不标记下线")
            next_url = found_next if mode == "next" else None
            page += 1

    def _rate_limited(self, page: Page) -> str | None:
        """The site's words when a list answer is its rate-limit answer (rate_limit_messages), else None."""
        messages = self.config.list.get("rate_limit_messages") or []
        if not messages or self.config.list["kind"] != "json":
            return None
        try:
            data = load_json(page, "rate")
        except RecordError:
            return None
        if not isinstance(data, dict):
            return None
        said = str(data.get("msg") or data.get("message") or "")
        return said if any(m.lower() in said.lower() for m in messages) else None

    def _list_request(self, page: int, query: dict[str, Any]) -> tuple[str, str, dict | None]:
        spec = self.config.list
        first_url = spec.get("first_url")
        path: str = first_url if page == int(spec.get("first_page", 1)) and first_url \
            else spec["url"].replace("{page}", str(page))
        method = spec.get("method", "GET").upper()
        body = None
        if "body" in spec:
            body = {k: page if v == "{page}" else v for k, v in spec["body"].items()}
            body.update(query)
        return absolute(self.base_url, path), method, body

    def _json_rows(self, page: Page, ref: str) -> tuple[list[Listing], int | None]:
        spec = self.config.list
        data = api_payload(load_json(page, ref), ref, spec.get("ok_codes", (200, "200", 0, "0")))
        if spec.get("token_field") and data.get(spec["token_field"]) not in (None, ""):
            self._token = str(data[spec["token_field"]])
        rows = dig(data, spec.get("rows"))
        if not isinstance(rows, list):
            raise RecordError(ref, f"列表接口的返回中没有 {spec.get('rows')} 列表")
        total = dig(data, spec.get("total"))
        listings = []
        for row in rows:
            if not isinstance(row, dict):
                continue
            hints = {name: dig(row, path) for name, path in spec.get("fields", {}).items()}
            if (listing := self._listing(hints)) and listing.ref:
                listings.append(listing)
        return listings, int(total) if total is not None else None

    def _html_rows(self, page: Page, ref: str, url: str, first: bool = True
                   ) -> tuple[list[Listing], int | None, str | None]:
        spec = self.config.list
        if not first and spec.get("html_path"):  # JCMS build/unit: {"data": {"html": "<li>…"}}
            fragment = dig(api_payload(load_json(page, ref), ref, spec.get("ok_codes", (200, "200", 0, "0", True))),
                           spec["html_path"])
            if not isinstance(fragment, str):
                raise RecordError(ref, f"列表接口的返回中没有 {spec['html_path']} 网页片段")
            tree = parse_fragment(fragment)
        else:
            tree = parse_html(page_text(page, ref), ref)
        listings = []
        for row in select_all(tree, spec["rows"]):
            hints = {name: select_value(row, sel) for name, sel in spec.get("fields", {}).items()}
            if hints.get("url"):
                hints["url"] = urljoin(url, hints["url"])
            if (hints.get("url") or hints.get("ref")) and (listing := self._listing(hints)):
                listings.append(listing)
        total = None
        if spec.get("total"):
            node = select_one(tree, spec["total"])
            number = re.search(r"\d+", element_text(node)) if node is not None else None
            total = int(number.group()) if number else None
        found_next = select_value(tree, spec["next"]) if spec.get("next") else None
        if found_next and not (found_next := web_link(url, found_next)):
            raise RecordError(ref, "下一页链接不是 http/https 网址")
        return listings, total, found_next

    def _listing(self, values: dict[str, Any]) -> Listing | None:
        """The listing of one row; None (logged) when its link is not an http(s) URL: never fetched."""
        try:
            return self._row_listing(values)
        except RecordError as exc:
            log.warning("%s: list row skipped: %s", self.name, exc.reason)
            return None

    def _row_listing(self, values: dict[str, Any]) -> Listing:
        hints: dict[str, Any] = {}
        for name, value in values.items():
            if value is None or value == "":
                continue
            if name in _DATE_FIELDS:
                day = parse_day(value, self.config.date_formats)
                hints[name] = day.isoformat() if day else str(value)
            else:
                hints[name] = normalise_text(str(value)).strip() if isinstance(value, str) else value
        ref = str(hints.get("ref") or re.sub(r"^https?://[^/]+", "", hints.get("url", "")))
        if self.config.detail["kind"] == "json":
            url = absolute(self.base_url, self.config.detail["url"].replace("{ref}", quote(ref, safe="")))
        else:
            url = absolute(self.base_url, hints["url"], (host_of(self.config.base_url),))
        title = hints.get("title")
        return Listing(url=url, ref=ref, title=title, hints={k: v for k, v in hints.items()
                                                             if k not in ("ref", "url", "title")},
                       headers=dict(self.config.detail.get("headers") or {}) or None)

    # -- records ----------------------------------------------------------------------------------------

    def record(self, listing: Listing, page: Page, fetch: Fetch) -> DocumentRecord:
        self._text_file = ""
        if self.config.detail["kind"] == "json":
            values, text, attachments, text_from = self._json_detail(listing, page, fetch)
        else:
            values, text, attachments, text_from = self._html_detail(listing, page)
        url = getattr(page, "url", listing.url)
        if self.config.detail.get("source_url") == "file" and self._text_file:
            url = self._text_file  # the public address of the text; the API call is no page a reader opens
        return self._build(listing, values, text, attachments, text_from, url)

    def _html_detail(self, listing: Listing, page: Page) -> tuple[dict, str, list[Attachment], str]:
        spec = self.config.detail
        ref = listing.ref
        tree = parse_html(page_text(page, ref), ref)
        values: dict[str, Any] = {}
        if spec.get("info"):
            cells = select_all(tree, spec["info"])
            texts = [re.sub(r"[\s\u3000\xa0]+", "", element_text(c)).rstrip("：:") for c in cells]
            labels = spec.get("labels", {})
            for i, label in enumerate(texts[:-1]):
                if label in labels:
                    values[labels[label]] = element_text(cells[i + 1]).strip()
        for name, sel in spec.get("fields", {}).items():
            value = select_value(tree, sel)
            if value:
                values[name] = value
        if spec.get("title"):
            node = select_one(tree, spec["title"])
            if node is not None and element_text(node).strip():
                values.setdefault("title", element_text(node).strip())
        body = select_one(tree, spec.get("text"))
        if body is None:
            raise RecordError(ref, f"页面中找不到正文区域（{spec.get('text')}）")
        attachments = [Attachment(url=link, title=normalise_text(element_text(a)).strip() or None)
                       for a in descendants(body, "a")
                       if re.search(r"\.(pdf|docx?|xlsx?|wps|ofd)$", attribute(a, "href") or "", re.IGNORECASE)
                       and (link := web_link(page.url, attribute(a, "href")))]
        return values, element_text(body), attachments, "html"

    def _json_detail(self, listing: Listing, page: Page, fetch: Fetch) -> tuple[dict, str, list[Attachment], str]:
        spec = self.config.detail
        ref = listing.ref
        data = api_payload(load_json(page, ref), ref, spec.get("ok_codes", (200, "200", 0, "0")))
        root = dig(data, spec.get("root")) if spec.get("root") else data
        if not isinstance(root, dict):
            raise RecordError(ref, f"详情接口的返回中没有 {spec.get('root')} 对象")
        values = {name: dig(root, path) for name, path in spec.get("fields", {}).items()}
        text = dig(root, spec.get("text")) if spec.get("text") else None
        if isinstance(text, str) and text.strip():
            if "<" in text:
                text = element_text(parse_fragment(text))
            return values, text, [], "json"
        files = spec.get("files")
        if not files:
            raise RecordError(ref, "详情接口没有正文")
        return (values, *self._file_text(data, files, ref, fetch))

    def _file_text(self, data: Any, files: dict[str, Any], ref: str, fetch: Fetch
                   ) -> tuple[str, list[Attachment], str]:
        """The text from the document's own file (the PDF or Word 法规文本 attachment), in the order the config
        prefers extensions; other attachments (drafting notes, filing reports) are listed, not read."""
        entries = [f for f in dig(data, files["list"]) or [] if isinstance(f, dict)]
        classes = {str(c) for c in files.get("classes", [])}
        attachments: list[Attachment] = []
        candidates: list[tuple[int, str, str]] = []
        order = files.get("extensions", ["pdf", "docx"])
        replace = files.get("path_replace") or {}
        for entry in entries:
            path = dig(entry, files.get("path_field", "filePath"))
            ext = str(dig(entry, files.get("ext_field", "fileExt")) or "").lstrip(".").lower()
            if not path:
                continue
            spelled = str(path)
            for char, word in replace.items():
                spelled = spelled.replace(char, word)
            url = absolute(self.base_url, files["url"].replace("{path}", quote(spelled, safe="")))
            attachments.append(Attachment(url=url, title=dig(entry, files.get("name_field", "fileName")),
                                          media_type=_MEDIA.get(ext)))
            if (not classes or str(dig(entry, files.get("class_field", "fileClass"))) in classes) and ext in order:
                candidates.append((order.index(ext), ext, url))
        problems = []
        scanned = False
        self._text_file = ""
        for _, ext, url in sorted(candidates):
            try:
                content = fetch(url).content
                text = (pdf_text if ext == "pdf" else word_text)(content, f"{ref} {ext}")
                self._text_file = url
                kind = "doc" if content.startswith(b"\xd0\xcf\x11\xe0") else ext
                return text, attachments, kind
            except RecordError as exc:
                problems.append(exc.reason)
                scanned = scanned or isinstance(exc, NeedsOcr)
            except Exception as exc:  # a FetchError: try the next file
                problems.append(getattr(exc, "reason", None) or f"下载失败（{type(exc).__name__}）")
        if not candidates:
            raise RecordError(ref, "没有可读取正文的附件（法规文本 PDF 或 Word）")
        if scanned:  # a scan is no failure of the page: it needs OCR
            raise NeedsOcr(ref, "；".join(problems))
        raise RecordError(ref, "无法读取正文附件：" + "；".join(problems))

    def _build(self, listing: Listing, values: dict[str, Any], raw_text: str, attachments: list[Attachment],
               text_from: str, url: str) -> DocumentRecord:
        ref = listing.ref
        merged = {**listing.hints, **{k: v for k, v in values.items() if v not in (None, "")}}
        title = normalise_text(str(merged.get("title") or listing.title or "")).strip()
        if not title:
            raise RecordError(ref, "页面缺少标题")
        check_not_garbled(raw_text, ref, "正文")
        text = clean_text(raw_text)
        if len(text.strip()) < 20:
            raise RecordError(ref, "正文为空或过短，页面可能不完整")
        if not text.startswith(title):
            text = f"{title}\n{text}"
        label = str(merged["status"]).strip() if merged.get("status") not in (None, "") else None
        status = status_of(label, self.config.status)
        raw_type = merged.get("doc_type")
        doc_type = self.config.doc_types.get(str(raw_type), raw_type if raw_type in DOC_TYPES else None) \
            if raw_type is not None else None
        doc_number = normalise_text(str(merged["doc_number"])).strip() if merged.get("doc_number") else None
        dates = {name: parse_day(merged.get(name), self.config.date_formats) for name in _DATE_FIELDS}
        extra: dict[str, Any] = {"site": self.config.site, "text_from": text_from, **status_extra(label, status)}
        if raw_type is not None and doc_type is None:
            extra["doc_type_unmapped"] = raw_type
        if dates["written"]:
            extra["written"] = dates["written"].isoformat()
        if doc_number:
            extra["doc_number_key"] = normalise_doc_number(doc_number)
        issuer = merged.get("issuer")
        if merged.get("unified_no"):
            extra["unified_no"] = normalise_text(str(merged["unified_no"])).strip()
        region = self.config.region
        if self.config.detail.get("region_from_issuer") and issuer:
            # 广州市人民代表大会常务委员会 -> 广州市 (the store's identity of a city's law, as flk gives it);
            # 广东省人民政府 -> 广东省
            region = place_of(str(issuer)) or region_of(str(issuer)) or region
        return DocumentRecord(
            source=self.name,
            source_ref=ref,
            title=title,
            text=text,
            doc_type=checked_doc_type(doc_type or self.config.doc_type, ref),
            issuing_bodies=[b for b in re.split(r"[\s、,，;；]+", str(issuer or "")) if b],
            doc_number=doc_number,
            region=region,
            published=dates["published"] or dates["written"],
            effective=dates["effective"],
            expires=dates["expires"],
            source_status=label,
            source_url=url,
            attachments=attachments,
            history=history_of(text),
            extra=extra,
        )


def site_paths(sites_dir: Path | None = None) -> dict[str, Path]:
    """site -> its config file: the package's sites/*.toml, then the operator's folder (FAGUI_SITES_DIR, or
    `--sites-dir`), whose file of the same name replaces the package's."""
    found = {p.stem: p for p in sorted(SITES.glob("*.toml"))}
    if sites_dir is not None:
        if not Path(sites_dir).is_dir():
            raise SiteConfigError(f"站点配置目录不存在或不是目录：{sites_dir}")
        found.update({p.stem: p for p in sorted(Path(sites_dir).glob("*.toml"))})
    return found


def _query_label(query: dict[str, Any]) -> str:
    return "".join(f"{k}={v} " for k, v in query.items()) if query else ""


def site_names(sites_dir: Path | None = None) -> list[str]:
    return sorted(site_paths(sites_dir))


def load_site(name: str, base_url: str | None = None, sites_dir: Path | None = None,
              **options: Any) -> NormativeLibrarySource:
    """The source of <name>.toml (`norms-<name>`); base_url rebases it (a mirror, a test server); options go
    to the source (sleep, rate_limit_waits)."""
    paths = site_paths(sites_dir)
    site = name.removeprefix("norms-")
    if site not in paths:
        raise SiteConfigError(f"没有站点配置 {site}.toml（可用：{', '.join(sorted(paths)) or '无'}）")
    return NormativeLibrarySource(read_config(paths[site]), base_url=base_url, **options)


def load_sites(sites_dir: Path | None = None) -> tuple[dict[str, NormativeLibrarySource], dict[str, str]]:
    """Every configured site that loads, by registry name (norms-<site>), and why each other one did not: one
    broken file never keeps the others from running."""
    found: dict[str, NormativeLibrarySource] = {}
    broken: dict[str, str] = {}
    try:
        paths = site_paths(sites_dir)
    except SiteConfigError as exc:
        broken["sites_dir"] = str(exc)
        paths = site_paths(None)
    for site, path in paths.items():
        try:
            source = NormativeLibrarySource(read_config(path))
        except SiteConfigError as exc:
            broken[f"norms-{site}"] = str(exc)
            continue
        found[source.name] = source
    return found, broken


def sources(sites_dir: Path | None = None) -> dict[str, NormativeLibrarySource]:
    """Every configured site that loads, by registry name (norms-<site>)."""
    return load_sites(sites_dir)[0]


def make_source(base_url: str | None = None, site: str = "guangdong") -> NormativeLibrarySource:
    return load_site(site, base_url=base_url)


# The registry takes `SOURCE` (or `SOURCES`) from each module; here it is the factory of all configured sites.
SOURCE = SOURCES = sources

