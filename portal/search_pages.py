"""The home page and the search page: one query box, filters with facet counts, direct answers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from fagui.vocabulary import DOC_TYPES, STATUS_LABELS
from indexer.search.results import DirectAnswer, SearchResult
from indexer.search.service import MAX_PAGE, SearchError, SearchParams
from portal.document_pages import work_url
from portal.errors import BadParameter, wants_json
from portal.params import lenient_search_params, scope_codes, search_params, shown_query
from portal.search_cache import cached_search

bp = Blueprint("search_pages", __name__)

SORT_LABELS = {"relevance": "按相关度", "published": "按公布日期", "effective": "按施行日期"}
EXAMPLES = ("道路交通安全法第九十一条", "行政处罚 听证", "国务院令第802号", "个人信息 保护", "饮用水水源 保护区")


@bp.get("/")
def home():
    result = cached_search(SearchParams(per_page=1, scope_codes=scope_codes(MultiDict())))
    from portal.browse import sub_regions

    return render_template("home.html", facets=result.facets, total=result.total, examples=EXAMPLES,
                           sub_regions=sub_regions())


@bp.get("/search")
def search_page():
    try:
        params = search_params(request.args)
        result = cached_search(params)
    except (BadParameter, SearchError) as exc:
        if wants_json():
            raise
        # A filter the reader must correct (reversed dates, an unknown issuing body): the form stays, with
        # what they chose, and the message says which field to change.
        params = lenient_search_params(request.args)
        args = MultiDict(request.args)
        args.setlist("q", [params.q] if params.q else [])  # a refused long query goes into no link or field
        g.search_args = args
        page = render_template("search.html", params=params, result=_refused(), error=str(exc), pages=1,
                               doc_types=DOC_TYPES, status_labels=STATUS_LABELS, sort_labels=SORT_LABELS,
                               args=args, top_q=params.q or shown_query(request.args.get("q", "")))
        return page, 400
    direct = result.direct
    if direct and params.page == 1 and request.args.get("direct") != "0":
        return redirect(direct_url(direct, params.q))
    return render_template(
        "search.html", params=params, result=result, error=None, pages=min(MAX_PAGE, result.pages),
        doc_types=DOC_TYPES, status_labels=STATUS_LABELS, sort_labels=SORT_LABELS, args=request.args,
    )


def _refused() -> SearchResult:
    """The empty result shown around an error message, with the whole store's facets (the home page's, cached
    once), so the form still offers every level and region; a refused request adds nothing of its own to the
    cache."""
    return SearchResult(query="", total=0, page=1, per_page=1, took_ms=0,
                        facets=cached_search(SearchParams(per_page=1, scope_codes=scope_codes(MultiDict()))).facets)


bp.add_app_template_global(shown_query, "shown_query")


@bp.app_template_global("direct_url")
def direct_url(direct: DirectAnswer, q: str) -> str:
    """The place a direct answer opens: the work, or the past version a 时点 names, at the article."""
    return work_url(direct.work_id, direct.version, direct.is_current, anchor=direct.anchor, q=q)


def search_url(args: MultiDict, **changes: object) -> str:
    """The current search with some parameters changed; any change but the page goes back to page 1."""
    merged = MultiDict(args)
    if "page" not in changes:
        merged.pop("page", None)
    for key, value in changes.items():
        merged.pop(key, None)
        if value is None or value == "":
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            merged.add(key, str(item))
    merged.pop("direct", None)
    values: dict[str, Any] = merged.to_dict(flat=False)
    return url_for("search_pages.search_page", **values)


@bp.app_template_global("search_url")
def _search_url(**changes: object) -> str:
    # On a refused search, the request's parameters less a query too long to repeat (search_page).
    return search_url(g.get("search_args", request.args), **changes)


@bp.app_template_global("toggled")
def toggled(name: str, value: str) -> list[str]:
    """The values of a list filter with `value` switched on or off."""
    values = [v for raw in request.args.getlist(name) for v in raw.split(",") if v]
    return [v for v in values if v != value] if value in values else [*values, value]


@bp.app_template_filter("without_label")
def without_label(snippet_html: str, label: str) -> str:
    """An article snippet without its own leading 第X条, which the link in front of it already shows."""
    return snippet_html[len(label):].lstrip() if snippet_html.startswith(label) else snippet_html
