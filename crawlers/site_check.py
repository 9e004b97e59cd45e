"""The operator's dry run of a site config (`fagui sites check`): the config checked before any request, then
one list page and one detail page fetched politely (robots.txt, the delay) and parsed, with the fields found
and the fields missing. Nothing is stored; the pages are not archived."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawlers.http import Fetcher, FetchError
from crawlers.sources._common import reading_problem
from crawlers.sources.base import Listing
from crawlers.sources.normative_library import (
    NormativeLibrarySource,
    SiteConfigError,
    config_problems,
    read_config,
    site_paths,
)
from fagui.records import RecordError

# The fields a record may carry, in the order they are printed, with their Chinese names.
FIELD_NAMES = {"title": "标题", "doc_number": "文号", "issuing_bodies": "发布机构", "published": "发布日期",
               "effective": "施行日期", "expires": "有效期至", "source_status": "时效性（原文）",
               "status": "时效性", "doc_type": "效力级别", "region": "地区", "attachments": "附件"}


@dataclass
class SiteCheck:
    config: str  # the file checked
    problems: list[str] = field(default_factory=list)  # config mistakes: nothing was fetched
    list_url: str | None = None
    rows: int | None = None
    total: int | None = None
    next_url: str | None = None
    pagination: str | None = None
    detail_url: str | None = None
    found: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    text_chars: int = 0
    text_start: str = ""
    error: str | None = None  # a page that could not be had or parsed
    requests: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and self.error is None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {"ok": self.ok}

    def lines(self) -> list[str]:
        out = [f"站点配置 {self.config}"]
        if self.problems:
            out.append(f"  配置有误（{len(self.problems)} 处），未发出任何请求：")
            out += [f"  - {p}" for p in self.problems]
            return out
        out.append("  配置检查通过")
        if self.list_url:
            bar = "" if self.total is None else f"，记录总数 {self.total}"
            nxt = "" if not self.next_url else f"，下一页 {self.next_url}"
            out.append(f"  列表第 1 页 {self.list_url}：{self.rows} 条{bar}{nxt}（翻页方式 {self.pagination}）")
        if self.detail_url:
            out.append(f"  详情页 {self.detail_url}：")
            for name, value in self.found.items():
                out.append(f"    {FIELD_NAMES.get(name, name)}：{value}")
            if self.text_chars:
                out.append(f"    正文：{self.text_chars} 字，开头“{self.text_start}”")
            out.append(f"    未找到：{'、'.join(FIELD_NAMES.get(m, m) for m in self.missing) or '无'}")
        if self.error:
            out.append(f"  出错：{self.error}")
        out.append(f"  共请求 {self.requests} 次")
        return out


def config_path(name: str, sites_dir: Path | None) -> Path:
    """A site's config: a path to a .toml file, or the name of a configured site (norms-<site> or <site>)."""
    if name.endswith(".toml"):
        return Path(name)
    paths = site_paths(sites_dir)
    site = name.removeprefix("norms-")
    if site not in paths:
        raise SiteConfigError(f"没有站点配置 {site}.toml（可用：{', '.join(sorted(paths)) or '无'}）")
    return paths[site]


def check_site(name: str, *, sites_dir: Path | None = None, base_url: str | None = None, url: str | None = None,
               fetcher_options: dict[str, Any] | None = None) -> SiteCheck:
    """Check one site config, then (when it is right) fetch and parse one list page and one detail page: the
    first row of the list, or `url`."""
    path = config_path(name, sites_dir)
    check = SiteCheck(config=str(path))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        check.problems.append(f"无法读取：{reading_problem(exc)}")
        return check
    check.problems = config_problems(raw)
    if check.problems:
        return check
    source = NormativeLibrarySource(read_config(path), base_url=base_url)
    check.pagination = source.pagination()
    counted: list[Any] = []
    fetcher = Fetcher(source.hosts, on_response=lambda result, request: counted.append(request),
                      **{"delay": 1.0, **(fetcher_options or {})})
    try:
        listing = _first_listing(source, fetcher, check, url)
        if listing is None:
            check.error = "列表第 1 页没有条目：rows 或 [list.fields] 的选择器可能与页面不符"
            return check
        check.detail_url = listing.url
        page = fetcher(listing.url)
        record = source.record(listing, page, fetcher)
    except FetchError as exc:
        check.error = f"无法获取 {exc.url}：{exc.reason}"
        return check
    except RecordError as exc:
        check.error = f"无法解析 {exc.ref}：{exc.reason}"
        return check
    finally:
        check.requests = len(counted)
        fetcher.close()
    values: dict[str, Any] = {
        "title": record.title, "doc_number": record.doc_number, "issuing_bodies": "、".join(record.issuing_bodies),
        "published": record.published, "effective": record.effective, "expires": record.expires,
        "source_status": record.source_status, "status": record.extra.get("status"), "doc_type": record.doc_type,
        "region": record.region, "attachments": len(record.attachments) or None}
    check.found = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items() if v}
    check.missing = [k for k, v in values.items() if not v and k != "attachments"]
    body = record.text.split("\n", 1)[-1].strip()
    check.text_chars, check.text_start = len(body), body[:40]
    return check


def _first_listing(source: NormativeLibrarySource, fetch: Any, check: SiteCheck, url: str | None) -> Listing | None:
    check.list_url, rows, total, next_url = source.first_list_page(fetch)
    check.rows, check.total, check.next_url = len(rows), total, next_url
    if url:
        return Listing(url=url, ref=url, title=None)
    return rows[0] if rows else None
