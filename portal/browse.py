"""Browsing as readers of government libraries expect (/browse): by level (效力级别), by issuing body (a directory
with counts), by region (GB/T 2260, province → city → county), by year and by topic where the source gives one.
Every list is 20 rows a page, newest first, each row with status, 文号 and dates, and is also a feed and a CSV.

The lists come from the search engine (an empty query sorted by date, the same filters as /search, so the
deployment's scope applies); the directories' counts come from the store (indexer.store.browse)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, g, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload
from werkzeug.datastructures import MultiDict

from fagui import regions
from fagui.vocabulary import STATUS_LABELS
from indexer.search.results import Hit, SearchResult
from indexer.search.service import MAX_PAGE, SearchParams, search
from indexer.store.browse import body_directory, region_directory, topic_directory, year_directory
from indexer.store.models import IssuingBody, Version, Work
from portal import services
from portal.feeds import build_feed
from portal.params import scope_codes, search_params
from portal.search_cache import TTLCache, cached_search

bp = Blueprint("browse", __name__, url_prefix="/browse")

PER_PAGE = 20
CSV_MAX_ROWS = 10_000
# The arguments a list keeps from page to page, and the directories pass on to their lists.
SCOPE_ARGS = ("national", "scope", "status")
LIST_FILTERS = ("doc_type", "body", "region_code", "year", "topic", "region")
CSV_HEADER = ("标题", "效力级别", "制定机关", "发文字号", "公布日期", "施行日期", "时效性", "行政区划", "链接")


@bp.app_context_processor
def deployment_context() -> dict[str, Any]:
    settings = current_app.config["FAGUI_SETTINGS"]
    return {"platform_name": settings.platform_name, "deployment": regions.get(settings.region_code)}


def _scope_args() -> dict[str, str]:
    return {k: v for k in SCOPE_ARGS if (v := request.args.get(k, "").strip())}


@bp.app_template_global("browse_url")
def browse_url(endpoint: str = "browse.listing", base: dict[str, Any] | None = None, **changes: object) -> str:
    """A browse page with the reader's scope choices (含国家法律法规, other regions, status) kept, the arguments
    of `base` and the changes."""
    args: dict[str, Any] = {**_scope_args(), **(base or {}), **changes}
    return url_for(endpoint, **{k: v for k, v in args.items() if v not in (None, "")})


@bp.app_template_global("scope_url")
def scope_url(**changes: object) -> str:
    """The current page with the scope switched (national=0/1, scope=all)."""
    merged = MultiDict(request.args)
    merged.pop("page", None)
    for key, value in changes.items():
        merged.pop(key, None)
        if value not in (None, ""):
            merged.add(key, str(value))
    values: dict[str, Any] = {**(request.view_args or {}), **merged.to_dict(flat=False)}
    return url_for(request.endpoint or "browse.index", **values)


def _statuses() -> tuple[str, ...]:
    return search_params(request.args, facets=False).statuses


def _scope() -> tuple[str, ...]:
    return scope_codes(request.args)


def _directory(build: Callable[..., list[Any]]) -> list[Any]:
    """A directory for the request's scope and statuses, reused by this worker for FAGUI_SEARCH_CACHE_SECONDS as
    searches are (the counts change only when a crawl or import stores something)."""
    key = (build.__name__, _scope(), _statuses())
    ttl = current_app.config["FAGUI_SETTINGS"].search_cache_seconds
    if ttl <= 0:
        return build(services.session(), *key[1:])
    cache: TTLCache[list[Any]] = current_app.extensions.setdefault("fagui.browse_cache", TTLCache[list[Any]](ttl))
    found = cache.get(key)
    if found is None:
        found = build(services.session(), *key[1:])
        cache.put(key, found)
    return found


def sub_regions() -> list[Any]:
    """The divisions directly below the deploying region with their counts, for the home page; [] nationwide."""
    code = current_app.config["FAGUI_SETTINGS"].region_code
    if code is None:
        return []
    return [r for r in _directory(region_directory) if r.parent == code]


@bp.get("/")
def index():
    params = search_params(MultiDict(_scope_args()), default_per_page=1)
    result = cached_search(params)
    return render_template("browse/index.html", facets=result.facets, total=result.total)


@bp.get("/bodies")
def bodies():
    rows = _directory(body_directory)
    return render_template("browse/directory.html", kind="bodies", title="按制定机关浏览",
                           rows=[(r.name, r.count, r.depth, {"body": str(r.id)}) for r in rows])


@bp.get("/regions")
def regions_page():
    rows = _directory(region_directory)
    return render_template("browse/directory.html", kind="regions", title="按行政区划浏览",
                           rows=[(r.name, r.count, max(r.level - 1, 0), {"region_code": r.code}) for r in rows])


@bp.get("/years")
def years():
    rows = _directory(year_directory)
    return render_template("browse/directory.html", kind="years", title="按年份浏览",
                           rows=[(f"{y} 年" if y else "公布日期不详", n, 0, {"year": str(y)} if y else None)
                                 for y, n in rows])


@bp.get("/topics")
def topics():
    rows = _directory(topic_directory)
    return render_template("browse/directory.html", kind="topics", title="按主题浏览",
                           rows=[(t, n, 0, {"topic": t}) for t, n in rows])


def list_params(per_page: int = PER_PAGE, page: int | None = None) -> SearchParams:
    """The list's filters from the request, newest first (公布日期), with the deployment's scope."""
    args = MultiDict(request.args)
    args.pop("q", None)  # a browse list is no text search
    if not args.get("sort"):
        args["sort"] = "published"
    if page is not None:
        args["page"] = str(page)
    return search_params(args, default_per_page=per_page, facets=False)


def _list_title(params: SearchParams) -> str:
    parts = list(params.doc_types)
    for code in params.region_codes:
        parts.append("全国（国家法律法规）" if code == regions.NATIONAL else
                     "".join(r.name for r in regions.lineage(code)) or code)
    if params.body:
        body = _body_name(params.body)
        parts.append(body)
    if request.args.get("year", "").strip():
        parts.append(f"{request.args['year'].strip()} 年公布")
    parts.extend(params.topics)
    parts.extend(params.regions)
    return "、".join(parts) or "全部文件"


def _body_name(raw: str) -> str:
    if raw.isdigit():
        body = services.session().get(IssuingBody, int(raw))
        return body.name if body else raw
    return raw


def _breadcrumbs(params: SearchParams) -> list[tuple[str, str | None]]:
    """Where a list sits: its region's lineage, or its body's chain of parents."""
    crumbs: list[tuple[str, str | None]] = [("浏览", browse_url("browse.index"))]
    for code in params.region_codes[:1]:
        crumbs.append(("按行政区划", browse_url("browse.regions_page")))
        for region in regions.lineage(code):
            crumbs.append((region.name, browse_url(region_code=region.code)))
    if params.body:
        crumbs.append(("按制定机关", browse_url("browse.bodies")))
        chain: list[IssuingBody] = []
        node = services.session().get(IssuingBody, int(params.body)) if params.body.isdigit() else None
        while node is not None and len(chain) < 6:
            chain.append(node)
            node = node.parent
        crumbs.extend((b.name, browse_url(body=str(b.id))) for b in reversed(chain))
    return crumbs


@bp.get("/list")
def listing():
    params = list_params()
    result = cached_search(params)
    g.search_args = request.args
    args = {k: request.args.get(k) for k in (*LIST_FILTERS, *SCOPE_ARGS) if request.args.get(k)}
    return render_template("browse/list.html", params=params, result=result, title=_list_title(params),
                           crumbs=_breadcrumbs(params), pages=min(MAX_PAGE, result.pages), args=args,
                           status_labels=STATUS_LABELS)


def _all_rows(params_page: Callable[[int], SearchParams]) -> list[Hit]:
    rows: list[Hit] = []
    page = 1
    while len(rows) < CSV_MAX_ROWS and page <= MAX_PAGE:
        result: SearchResult = search(services.session(), services.backend(), params_page(page))
        rows.extend(result.hits)
        if page * result.per_page >= result.total or not result.hits:
            break
        page += 1
    return rows[:CSV_MAX_ROWS]


@bp.get("/list.csv")
def listing_csv() -> Response:
    list_params()  # bad parameters are a 400 before anything is written
    hits = _all_rows(lambda page: list_params(per_page=50, page=page))
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 with a BOM as such
    writer = csv.writer(out)
    name = current_app.config["FAGUI_SETTINGS"].platform_name
    writer.writerow([f"{name} · {_list_title(list_params())}"])
    writer.writerow(CSV_HEADER)
    root = request.url_root.rstrip("/")
    for h in hits:
        writer.writerow([h.title, h.doc_type or "", "、".join(h.issuing_bodies), h.doc_number or "",
                         h.published.isoformat() if h.published else "不详",
                         h.effective.isoformat() if h.effective else "不详",
                         STATUS_LABELS.get(h.status, h.status), h.region,
                         root + url_for("document_pages.work", work_id=h.work_id)])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=fagui-browse.csv"
    return response


@bp.get("/list.atom")
def listing_feed() -> Response:
    """The list's newest 20 documents as Atom (the site-wide feed lists versions as they are stored)."""
    params = list_params()
    result = search(services.session(), services.backend(), params)
    ids = [h.work_id for h in result.hits]
    works = {w.id: w for w in services.session().scalars(
        select(Work).where(Work.id.in_(ids)).options(
            selectinload(Work.current_version).options(defer(Version.text), defer(Version.html)),
            selectinload(Work.issuing_bodies)))}
    versions = [works[i].current_version for i in ids if i in works and works[i].current_version is not None]
    xml = build_feed([v for v in versions if v is not None], _list_title(params))
    response = Response(xml, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


