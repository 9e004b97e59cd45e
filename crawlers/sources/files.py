"""Documents a team uploads: a folder of .docx, .pdf, .html/.htm and .txt files, with optional metadata.

Metadata, where a file has any, comes from (first found wins, field by field):
- `<name>.<ext>.json` or `<name>.json` beside the file: a JSON object;
- `metadata.toml` in the file's folder: a table per file name (`["报告.docx"]` with its fields);
- `metadata.csv` in the file's folder: a header row with a `file` column and the field columns.
Fields: title, doc_type (a vocabulary type), issuing_bodies (a list, or names joined by 、), doc_number,
region, published, effective, expires, source_status, source_url, work_key.

There is no HTTP: listings walk the folder and give each file a file:// URL; the crawl runner reads file://
URLs from disk (crawlers.runner), and outside the runner `open_page(listing)` makes the same Page from the
file (crawlers.sources._common.local_page), so `record(listing, page, fetch)` works the same for files and
fetched pages. Text: .docx by python-docx, the old binary .doc by olefile (crawlers.sources._common.doc_text), .pdf by pypdf, .html by crawlers.parsing (beautifulsoup4) then normalise_text, .txt decoded by
the page (header/meta/detection, GB18030 for GB labels, mojibake repaired) then normalise_text."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from crawlers.parsing import parse_document
from crawlers.sources._common import (
    check_not_garbled,
    checked_doc_type,
    clean_text,
    element_text,
    history_of,
    json_kind,
    local_page,
    page_text,
    parse_day,
    pdf_text,
    reading_problem,
    select_one,
    status_extra,
    status_of,
    word_text,
)
from crawlers.sources.base import Fetch, Listing, Page
from fagui.normalise import normalise_doc_number, normalise_text
from fagui.records import DocumentRecord, RecordError
from fagui.vocabulary import canonical_region

log = logging.getLogger(__name__)

NAME = "files"
TITLE = "上传文件"
EXTENSIONS = (".docx", ".doc", ".pdf", ".html", ".htm", ".txt")
META_FIELDS = ("title", "doc_type", "issuing_bodies", "doc_number", "region", "published", "effective", "expires",
               "source_status", "source_url", "work_key")
_DATE_FIELDS = ("published", "effective", "expires")
_MAX_TITLE = 60


class FilesSource:
    """One uploads folder; whoever runs the source passes it in (the command line: FAGUI_FILES_PATH)."""

    title = TITLE
    hosts: tuple[str, ...] = ()  # never contacts a host

    def __init__(self, folder: Path | str | None = None, name: str = NAME, region: str | None = None) -> None:
        self._folder = Path(folder) if folder else None
        self.name = name
        self.region = region
        self.base_url: str | None = None  # no HTTP; kept for the common make_source(base_url=...) signature

    @property
    def local_root(self) -> Path | None:
        """The only place the crawl runner reads file:// listings from (crawlers.sources.base)."""
        return self._folder

    @property
    def folder(self) -> Path:
        folder = self._folder
        if folder is None:
            raise RecordError(self.name, "没有指定上传文件夹：请设置 FAGUI_FILES_PATH")
        if not folder.is_dir():
            raise RecordError(self.name, f"上传文件夹不存在：{folder}")
        return folder

    def listings(self, fetch: Fetch, since: date | None = None) -> Iterator[Listing]:
        root = self.folder
        tables: dict[Path, dict[str, dict[str, Any] | str]] = {}
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS):
            if path.parent not in tables:
                tables[path.parent] = folder_metadata(path.parent)
            ref = path.relative_to(root).as_posix()
            hints: dict[str, Any] = {}
            try:
                meta = file_metadata(path, tables[path.parent])
                hints.update(meta)
            except RecordError as exc:
                log.warning("%s: metadata of %s cannot be used: %s", self.name, ref, exc.reason)
                hints["metadata_error"] = exc.reason
            day = parse_day(hints.get("published")) if "metadata_error" not in hints else None
            if since and day and day < since:
                continue
            yield Listing(url=path.resolve().as_uri(), ref=ref, title=hints.get("title"), hints=hints)

    def open_page(self, listing: Listing) -> Page:
        """The Page of a listed file, as the runner makes it for file:// URLs."""
        return local_page(Path(unquote(urlsplit(listing.url).path)), url=listing.url)

    def record(self, listing: Listing, page: Page, fetch: Fetch) -> DocumentRecord:
        return file_record(listing, page, self.name, self.region)


def folder_metadata(folder: Path) -> dict[str, dict[str, Any] | str]:
    """file name -> metadata from metadata.toml / metadata.csv in folder; a broken table is kept as its
    error message (a str), so each file it should describe fails with the reason instead of the whole walk."""
    table: dict[str, dict[str, Any] | str] = {}
    toml_path, csv_path = folder / "metadata.toml", folder / "metadata.csv"
    if csv_path.exists():
        try:
            text = csv_path.read_bytes().decode("utf-8-sig")
            for row in csv.DictReader(io.StringIO(text)):
                name = (row.pop("file", None) or "").strip()
                if name:
                    table[name] = {k.strip(): v.strip() for k, v in row.items() if k and v and v.strip()}
        except (UnicodeDecodeError, csv.Error) as exc:
            for path in folder.iterdir():
                table[path.name] = f"metadata.csv 无法读取：{reading_problem(exc)}"
    if toml_path.exists():
        try:
            data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
            for name, fields in data.items():
                if isinstance(fields, dict):
                    earlier = table.get(name)
                    table[name] = {**(earlier if isinstance(earlier, dict) else {}), **fields}
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            for path in folder.iterdir():
                table[path.name] = f"metadata.toml 无法读取：{reading_problem(exc)}"
    return table


def file_metadata(path: Path, table: dict[str, dict[str, Any] | str]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    entry = table.get(path.name)
    if isinstance(entry, str):
        raise RecordError(path.name, f"元数据有误：{entry}")
    meta.update(entry or {})
    for side in (path.with_name(path.name + ".json"), path.with_suffix(".json")):
        if side.exists():
            try:
                data = json.loads(side.read_bytes().decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise RecordError(path.name, f"元数据文件 {side.name} 无法读取：{reading_problem(exc)}") from exc
            if not isinstance(data, dict):
                raise RecordError(path.name, f"元数据文件 {side.name} 不是 JSON 对象，而是{json_kind(data)}")
            meta.update(data)
            break
    unknown = sorted(set(meta) - set(META_FIELDS))
    if unknown:
        raise RecordError(path.name, f"元数据中有未知字段：{', '.join(unknown)}（可用：{', '.join(META_FIELDS)}）")
    return meta


def _html_title_and_text(text: str, ref: str) -> tuple[str | None, str]:
    try:
        tree = parse_document(text, ref, require_end=False)
    except RecordError as exc:
        raise RecordError(ref, "无法解析网页文件：内容为空或不是有效的 HTML") from exc
    title = None
    for sel in ("h1", "title"):
        node = select_one(tree, sel)
        if node is not None and element_text(node).strip():
            title = element_text(node).strip()
            break
    body = select_one(tree, "#UCAP-CONTENT || #zoom || article || div.article-content || body")
    if body is None:
        body = tree
    return title, element_text(body)


def _first_line_title(text: str) -> str | None:
    for line in text.splitlines():
        line = line.strip().strip("《》")
        if line:
            return line if len(line) <= _MAX_TITLE and not line.endswith(("。", "，", ",")) else None
    return None


def file_record(listing: Listing, page: Page, source: str = NAME, region: str | None = None) -> DocumentRecord:
    ref = listing.ref
    meta = dict(listing.hints)
    if "metadata_error" in meta:
        raise RecordError(ref, meta["metadata_error"])
    suffix = PurePosixPath(ref).suffix.lower()
    found_title = None
    if suffix in (".docx", ".doc"):  # either kind of Word file, told apart by its bytes, not its name
        raw = word_text(page.content, ref)
    elif suffix == ".pdf":
        raw = pdf_text(page.content, ref)
    elif suffix in (".html", ".htm"):
        found_title, raw = _html_title_and_text(page_text(page, ref), ref)
    elif suffix == ".txt":
        raw = page_text(page, ref)
    else:
        raise RecordError(ref, f"不支持的文件类型：{suffix}（支持 {', '.join(EXTENSIONS)}）")
    check_not_garbled(raw, ref, "文件内容")
    text = clean_text(raw)
    if not text.strip():
        raise RecordError(ref, "文件没有文字内容")
    title = meta.get("title") or (normalise_text(found_title).strip() if found_title else None) \
        or _first_line_title(text)
    if not title:
        raise RecordError(ref, "缺少标题：元数据没有 title，文件首行也不是标题")
    title = normalise_text(str(title)).strip()
    dates: dict[str, date | None] = {}
    for name in _DATE_FIELDS:
        value = meta.get(name)
        dates[name] = parse_day(value)
        if value and dates[name] is None:
            raise RecordError(ref, f"元数据中的日期无法识别：{name} = {value!r}")
    bodies = meta.get("issuing_bodies") or []
    if isinstance(bodies, str):
        bodies = [b for b in re.split(r"[、,，;；]+", bodies) if b.strip()]
    label = meta.get("source_status")
    status = status_of(label)
    doc_number = normalise_text(str(meta["doc_number"])).strip() if meta.get("doc_number") else None
    place = canonical_region(meta.get("region") or region)
    extra: dict[str, Any] = {"file_type": suffix.lstrip("."), **status_extra(label, status)}
    if doc_number:
        extra["doc_number_key"] = normalise_doc_number(doc_number)
    if not text.startswith(title):
        text = f"{title}\n{text}"
    return DocumentRecord(
        source=source,
        source_ref=ref,
        title=title,
        text=text,
        doc_type=checked_doc_type(meta.get("doc_type"), ref),
        issuing_bodies=[b.strip() for b in bodies],
        doc_number=doc_number,
        region=place,
        published=dates["published"],
        effective=dates["effective"],
        expires=dates["expires"],
        source_status=label,
        source_url=meta.get("source_url"),
        work_key=meta.get("work_key"),  # else the store groups versions by region and title
        history=history_of(text),
        extra=extra,
    )


def make_source(base_url: str | None = None, folder: Path | str | None = None, **options: Any) -> FilesSource:
    return FilesSource(folder=folder, **options)


SOURCE = FilesSource()
