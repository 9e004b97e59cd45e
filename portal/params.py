"""Request arguments -> SearchParams, shared by the search page, the API and the feeds.

Every filter lives in the URL; a bad value raises BadParameter with a Chinese message (a 400)."""

from __future__ import annotations

import re
from datetime import date

from werkzeug.datastructures import MultiDict

from fagui.regions import NATIONAL
from fagui.vocabulary import STATUSES
from indexer.search.service import MAX_PAGE, MAX_PER_PAGE, SearchParams
from portal.errors import BadParameter

MAX_QUERY_CHARS = 200
DATE_PARAMS = {
    "published_from": "公布日期起", "published_to": "公布日期止",
    "effective_from": "施行日期起", "effective_to": "施行日期止",
    "as_of": "时点",
}
# Names the site and the API accept; anything else is ignored, like any web form would.
LIST_PARAMS = ("status", "doc_type", "region", "region_code", "topic")
SCALAR_PARAMS = ("q", "mode", "body", "sort", "page", "per_page", "scope", "national", "year", "expand", *DATE_PARAMS)


def parse_date_param(raw: str, label: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"{label}格式不正确：{raw[:20]}（应为 YYYY-MM-DD，例如 2024-01-01）") from None


def parse_int_param(raw: str | None, label: str, default: int, lo: int, hi: int) -> int:
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{label}应为整数：{raw[:20]}") from None
    if not lo <= value <= hi:
        raise BadParameter(f"{label}应在 {lo} 到 {hi} 之间")
    return value


def _list(args: MultiDict, name: str) -> tuple[str, ...]:
    values: list[str] = []
    for raw in args.getlist(name):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return tuple(dict.fromkeys(values))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def search_params(args: MultiDict, *, default_per_page: int = 10, facets: bool = True) -> SearchParams:
    for name in (*LIST_PARAMS, *SCALAR_PARAMS):
        if any(_CONTROL.search(v) for v in args.getlist(name)):
            raise BadParameter(f"参数 {name} 含有不可见的控制字符，请检查后重试")
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter(f"检索词过长：最多 {MAX_QUERY_CHARS} 个字符，当前 {len(q)} 个")
    statuses = _list(args, "status")
    if "all" in statuses:
        statuses = tuple(STATUSES)
    elif not statuses:
        statuses = ("effective",)
    dates = {name: parse_date_param(args.get(name, ""), label) for name, label in DATE_PARAMS.items()}
    year = parse_int_param(args.get("year"), "年份", 0, 1949, 2100) if args.get("year", "").strip() else None
    if year:
        dates["published_from"], dates["published_to"] = date(year, 1, 1), date(year, 12, 31)
    expand = (args.get("expand") or "1").strip()
    if expand not in ("0", "1"):
        raise BadParameter("参数 expand 只能是 1（同时检索口语对应的法律用语）或 0（只检索原词）")
    return SearchParams(
        q=q,
        statuses=statuses,
        doc_types=_list(args, "doc_type"),
        regions=_list(args, "region"),
        scope_codes=scope_codes(args),
        region_codes=_list(args, "region_code"),
        topics=tuple(t[:60] for t in _list(args, "topic")),
        body=_body(args.get("body")),
        sort=(args.get("sort") or "relevance").strip(),
        mode=(args.get("mode") or "exact").strip(),
        page=parse_int_param(args.get("page"), "页码", 1, 1, MAX_PAGE),
        per_page=parse_int_param(args.get("per_page"), "每页条数", default_per_page, 1, MAX_PER_PAGE),
        facets=facets,
        published_from=dates["published_from"],
        published_to=dates["published_to"],
        effective_from=dates["effective_from"],
        effective_to=dates["effective_to"],
        as_of=dates["as_of"],
        expand=expand == "1",
    )


def deployment_code() -> str | None:
    """The deploying region's GB/T 2260 code (FAGUI_REGION); None on the nationwide site."""
    from flask import current_app

    return current_app.config["FAGUI_SETTINGS"].region_code


def scope_codes(args: MultiDict) -> tuple[str, ...]:
    """The deployment's default scope: its region and every region below it, with the national texts unless
    national=0 (含国家法律法规 switched off); scope=all reaches every region. Nothing on the nationwide site."""
    code = deployment_code()
    if code is None or (args.get("scope") or "").strip() == "all":
        return ()
    return (code,) if (args.get("national") or "").strip() == "0" else (code, NATIONAL)


_MAX_ID = 2**63 - 1  # the largest id a database row can have


def _body(raw: str | None) -> str | None:
    """The issuing body filter: a name, or the id its facet links carry. Digits that can be no id (², ①, or
    past the database's largest integer) name no body: a 400 saying so, instead of a failed lookup."""
    body = (raw or "").strip()[:200] or None
    if body and body.isdigit() and not (body.isdecimal() and int(body) <= _MAX_ID):
        raise BadParameter(f"未找到制定机关“{body}”")
    return body


SHOWN_QUERY_CHARS = 50


def shown_query(q: str) -> str:
    """A query as a page shows it back: a refused, too long one cut to its first 50 characters and …"""
    return q if len(q) <= MAX_QUERY_CHARS else q[:SHOWN_QUERY_CHARS] + "…"


def lenient_search_params(args: MultiDict) -> SearchParams:
    """The request's filters as far as they can be read, to show the search form again around an error
    message so the reader corrects one field instead of starting over."""
    def date_or_none(name: str) -> date | None:
        try:
            return parse_date_param(_CONTROL.sub("", args.get(name, "")), "")
        except BadParameter:
            return None

    statuses = _list(args, "status")
    q = _CONTROL.sub("", args.get("q", ""))
    return SearchParams(
        q=q if len(q) <= MAX_QUERY_CHARS else "",  # a refused long query is shown once, cut (shown_query)
        statuses=tuple(STATUSES) if "all" in statuses else statuses or ("effective",),
        doc_types=_list(args, "doc_type"),
        regions=_list(args, "region"),
        scope_codes=scope_codes(args),
        body=_CONTROL.sub("", args.get("body") or "").strip()[:200] or None,
        sort=(args.get("sort") or "relevance").strip()[:20],
        mode="fuzzy" if (args.get("mode") or "").strip() == "fuzzy" else "exact",
        published_from=date_or_none("published_from"),
        published_to=date_or_none("published_to"),
        effective_from=date_or_none("effective_from"),
        effective_to=date_or_none("effective_to"),
        as_of=date_or_none("as_of"),
        expand=(args.get("expand") or "").strip() != "0",
    )


_ARTICLE_NUMBER = r"[零〇○一二两三四五六七八九十百千万\d]+"
_ARTICLE_INPUT = re.compile(rf"第?({_ARTICLE_NUMBER})条?(?:(?:之|-)({_ARTICLE_NUMBER})条?)?")
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―－﹣", "-"))


def parse_article(raw: str) -> tuple[int, int]:
    """An article as readers and links write it -> (number, sub): 91, 九十一, 第九十一条, 133-1 (the anchor's form),
    133之一, 第一百三十三条之一, full-width digits and dashes too, or a phrase naming one (刑法第91条).
    Raises BadParameter."""
    import unicodedata

    from fagui.normalise.articles import chinese_number, parse_article_ref
    from indexer.store.documents import MAX_ARTICLE

    text = "".join(unicodedata.normalize("NFKC", raw).translate(_DASHES).split())
    m = _ARTICLE_INPUT.fullmatch(text) if len(text) <= 24 else None
    try:
        parsed = (chinese_number(m.group(1)), chinese_number(m.group(2)) if m.group(2) else 0) if m else None
    except ValueError:
        parsed = None
    if parsed is None and len(text) <= 40:
        parsed = parse_article_ref(text)
    if parsed is None:
        raise BadParameter(f"条号格式不正确：{raw[:20]}（例如 91、九十一、133-1 或 第一百三十三条之一）")
    number, sub = parsed
    if not 1 <= number <= MAX_ARTICLE or not 0 <= sub <= MAX_ARTICLE:
        raise BadParameter(f"条号超出范围：{raw[:20]}")
    return number, sub
