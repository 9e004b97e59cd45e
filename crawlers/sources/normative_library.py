"""Configurable 行政规范性文件库 (and 法规规章规范性文件数据库) of provinces and cities: one TOML file per site under
crawlers/sources/sites/<site>.toml, so adding a site is configuration, not code. Each is a source named
`norms-<site>`; `sources()` lists them all for the registry.

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
  with `{path}`) for sites whose text is a PDF or Word attachment.
Fields: ref, url, title, issuer, doc_number, written, published, effective, expires, status, doc_type."""

from __future__ import annotations

import builtins
import logging
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

from crawlers.parsing import attribute, descendants, parse_fragment, select_all, split_attribute
from crawlers.sources._common import (
    absolute,
    api_payload,
    check_not_garbled,
    checked_doc_type,
    clean_text,
    dig,
    docx_text,
    element_text,
    history_of,
    host_of,
    load_json,
    origin_of,
    page_text,
    parse_day,
    parse_html,
    pdf_text,
    reading_problem,
    select_one,
    status_extra,
    status_of,
    web_link,
)
from crawlers.sources.base import Fetch, Listing, Page
from fagui.errors import FaguiError
from fagui.normalise import normalise_doc_number, normalise_text
from fagui.records import Attachment, DocumentRecord, RecordError
from fagui.vocabulary import DOC_TYPES, STATUSES, canonical_region

log = logging.getLogger(__name__)

SITES = Path(__file__).resolve().parent / "sites"
FIELDS = ("ref", "url", "title", "issuer", "doc_number", "written", "published", "effective", "expires", "status",
          "doc_type")
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


def read_config(path: Path) -> SiteConfig:
    """A site config from its TOML file, checked: unknown statuses, doc types and fields are errors here,
    not surprises in the middle of a crawl."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SiteConfigError(f"{path.name}：无法读取站点配置：{reading_problem(exc)}") from exc
    missing = [k for k in ("title", "base_url", "list", "detail") if k not in raw]
    if missing:
        raise SiteConfigError(f"{path.name}：站点配置缺少必填项：{', '.join(missing)}")
    config = SiteConfig(site=path.stem, title=raw["title"], base_url=raw["base_url"].rstrip("/"),
                        region=canonical_region(raw.get("region")), doc_type=raw.get("doc_type", "行政规范性文件"),
                        list=raw["list"], detail=raw["detail"], status=raw.get("status", {}),
                        doc_types={str(k): v for k, v in raw.get("doc_types", {}).items()},
                        date_formats=raw.get("date_formats", []), extra_hosts=raw.get("extra_hosts", []))
    bad_status = sorted(set(config.status.values()) - set(STATUSES))
    bad_types = sorted({config.doc_type, *config.doc_types.values()} - set(DOC_TYPES))
    if bad_status:
        raise SiteConfigError(f"{path.name}：[status] 中有未知的时效性：{', '.join(bad_status)}")
    if bad_types:
        raise SiteConfigError(f"{path.name}：文件类型不在效力级别词表中：{', '.join(bad_types)}")
    for section in (config.list, config.detail):
        if section.get("kind") not in ("html", "json"):
            raise SiteConfigError(f"{path.name}：kind 只能是 html 或 json，而不是 {section.get('kind')!r}")
        unknown = sorted(set(section.get("fields", {})) - set(FIELDS))
        if unknown:
            raise SiteConfigError(f"{path.name}：未知字段：{', '.join(unknown)}（可用：{', '.join(FIELDS)}）")
    if "{page}" not in config.list.get("url", "") and config.list["kind"] == "html":
        raise SiteConfigError(f"{path.name}：[list] url 需要含 {{page}} 页码占位")
    return config


class NormativeLibrarySource:
    """One configured site."""

    title: str

    def __init__(self, config: SiteConfig, base_url: str | None = None) -> None:
        self.config = config
        self.name = f"norms-{config.site}"
        self.title = config.title
        self.base_url = (base_url or config.base_url).rstrip("/")

    @property
    def hosts(self) -> tuple[str, ...]:
        return (origin_of(self.base_url), *self.config.extra_hosts)

    # -- listing ----------------------------------------------------------------------------------------

    def listings(self, fetch: Fetch, since: date | None = None) -> Iterator[Listing]:
        queries = self.config.list.get("queries") or [{}]
        for query in queries:
            yield from self._walk(fetch, since, query)

    def _walk(self, fetch: Fetch, since: date | None, query: dict[str, Any]) -> Iterator[Listing]:
        spec = self.config.list
        page = int(spec.get("first_page", 1))
        max_pages = spec.get("max_pages")
        seen_pages = 0
        while True:
            url, method, body = self._list_request(page, query)
            ref = f"{self.name} 列表第 {page} 页"
            response = fetch(url, method=method, json=body) if body is not None else fetch(url, method=method)
            rows, total = (self._json_rows(response, ref) if spec["kind"] == "json"
                           else self._html_rows(response, ref, url))
            log.info("%s list page %d: %d entries%s", self.name, page, len(rows),
                     "" if total is None else f" of {total}")
            for listing in rows:
                published = parse_day(listing.hints.get("published") or listing.hints.get("written"))
                if since and published and published < since:
                    return
                yield listing
            seen_pages += 1
            page_size = spec.get("page_size") or len(rows)
            if not rows or (total is not None and seen_pages * page_size >= total):
                return
            if max_pages and seen_pages >= int(max_pages):
                return
            page += 1

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

    def _html_rows(self, page: Page, ref: str, url: str) -> tuple[list[Listing], int | None]:
        spec = self.config.list
        tree = parse_html(page_text(page, ref), ref)
        listings = []
        for row in select_all(tree, spec["rows"]):
            hints = {name: _select_value(row, sel) for name, sel in spec.get("fields", {}).items()}
            if hints.get("url"):
                hints["url"] = urljoin(url, hints["url"])
            if (hints.get("url") or hints.get("ref")) and (listing := self._listing(hints)):
                listings.append(listing)
        total = None
        if spec.get("total"):
            node = select_one(tree, spec["total"])
            number = re.search(r"\d+", element_text(node)) if node is not None else None
            total = int(number.group()) if number else None
        return listings, total

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
                                                             if k not in ("ref", "url", "title")})

    # -- records ----------------------------------------------------------------------------------------

    def record(self, listing: Listing, page: Page, fetch: Fetch) -> DocumentRecord:
        if self.config.detail["kind"] == "json":
            values, text, attachments, text_from = self._json_detail(listing, page, fetch)
        else:
            values, text, attachments, text_from = self._html_detail(listing, page)
        return self._build(listing, values, text, attachments, text_from, getattr(page, "url", listing.url))

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
            value = _select_value(tree, sel)
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
        for entry in entries:
            path = dig(entry, files.get("path_field", "filePath"))
            ext = str(dig(entry, files.get("ext_field", "fileExt")) or "").lstrip(".").lower()
            if not path:
                continue
            url = absolute(self.base_url, files["url"].replace("{path}", quote(str(path), safe="")))
            attachments.append(Attachment(url=url, title=dig(entry, files.get("name_field", "fileName")),
                                          media_type=_MEDIA.get(ext)))
            if (not classes or str(dig(entry, files.get("class_field", "fileClass"))) in classes) and ext in order:
                candidates.append((order.index(ext), ext, url))
        problems = []
        for _, ext, url in sorted(candidates):
            try:
                content = fetch(url).content
                return (pdf_text if ext == "pdf" else docx_text)(content, f"{ref} {ext}"), attachments, ext
            except RecordError as exc:
                problems.append(exc.reason)
            except Exception as exc:  # a FetchError: try the next file
                problems.append(getattr(exc, "reason", None) or f"下载失败（{type(exc).__name__}）")
        if not candidates:
            raise RecordError(ref, "没有可读取正文的附件（法规文本 PDF 或 Word）")
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
        return DocumentRecord(
            source=self.name,
            source_ref=ref,
            title=title,
            text=text,
            doc_type=checked_doc_type(doc_type or self.config.doc_type, ref),
            issuing_bodies=[b for b in re.split(r"[\s、,，;；]+", str(issuer or "")) if b],
            doc_number=doc_number,
            region=self.config.region,
            published=dates["published"] or dates["written"],
            effective=dates["effective"],
            expires=dates["expires"],
            source_status=label,
            source_url=url,
            attachments=attachments,
            history=history_of(text),
            extra=extra,
        )


def _select_value(root: Any, selector: str) -> str | None:
    """The text (or `@attr` attribute) of what a selector finds under root."""
    css, attr = split_attribute(selector)
    node = select_one(root, css) if css.strip() else root
    if node is None:
        return None
    value = attribute(node, attr) if attr else element_text(node)
    return value.strip() if value else None


def site_names() -> list[str]:
    return sorted(p.stem for p in SITES.glob("*.toml"))


def load_site(name: str, base_url: str | None = None) -> NormativeLibrarySource:
    """The source of sites/<name>.toml (`norms-<name>`); base_url rebases it (tests, mirrors)."""
    path = SITES / f"{name.removeprefix('norms-')}.toml"
    if not path.exists():
        raise SiteConfigError(f"没有站点配置 {path.name}（可用：{', '.join(site_names())}）")
    return NormativeLibrarySource(read_config(path), base_url=base_url)


def sources() -> dict[str, NormativeLibrarySource]:
    """Every configured site as a source, by registry name (norms-<site>)."""
    found = {}
    for name in site_names():
        source = load_site(name)
        found[source.name] = source
    return found


def make_source(base_url: str | None = None, site: str = "guangdong") -> NormativeLibrarySource:
    return load_site(site, base_url=base_url)


# The registry takes `SOURCE` (or `SOURCES`) from each module; here it is the factory of all configured sites.
SOURCE = SOURCES = sources

