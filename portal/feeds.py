"""Atom feeds of new and changed documents: /feeds/atom.xml, overall or with the search filters as query
parameters (q, doc_type, region, status, body). A version stored is an entry: the first version of a work is a
new document, a later one a changed document."""

from __future__ import annotations

from datetime import UTC, datetime, time
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, defer, selectinload
from werkzeug.routing import BuildError

from fagui.vocabulary import STATUS_LABELS, STATUSES, canonical_region
from indexer.search.service import MAX_PER_PAGE, SearchParams, resolve_body_ids, search, validate
from indexer.store.browse import scope_condition
from indexer.store.models import ClearanceDecision, ClearanceRound, Version, Work, work_issuing_bodies
from indexer.store.published import PublishedDecision, published_decisions
from portal.api import checked_args
from portal.params import parse_int_param, search_params
from portal.services import backend, session

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_TITLE = "{name}：新增和修改的法规文件"
DEFAULT_ENTRIES = 30
MAX_ENTRIES = 100
FILTER_LABELS = {"q": "检索词", "doc_type": "效力级别", "region": "行政区划", "status": "时效性", "body": "制定机关"}


@bp.get("/atom.xml")
def atom() -> Response:
    params = search_params(checked_args(request.args), default_per_page=MAX_PER_PAGE, facets=False)
    limit = parse_int_param(request.args.get("limit"), "条目数", DEFAULT_ENTRIES, 1, MAX_ENTRIES)
    # Unlike the search page, a feed watches every status unless one is asked for: repeals are changes too.
    explicit_status = any(v.strip() for v in request.args.getlist("status"))
    statuses = params.statuses if explicit_status else ()
    versions = recent_versions(session(), params, statuses, limit)
    decisions = recent_decisions(session(), params, statuses, limit)
    xml = build_feed(versions, _filter_note(params, statuses), decisions)
    response = Response(xml, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def recent_versions(sess: Session, params: SearchParams, statuses: tuple[str, ...], limit: int) -> list[Version]:
    """The newest stored versions of the works that pass the filters, newest first."""
    bad = [s for s in statuses if s not in STATUSES]
    if bad or params.doc_types or params.q.strip() or params.region_codes:
        # The same validation and messages as the search page (SearchError -> 400).
        validate(SearchParams(statuses=statuses or ("effective",), doc_types=params.doc_types,
                              region_codes=params.region_codes))
    stmt = (
        select(Version).join(Work, Work.id == Version.work_id)
        .options(defer(Version.text), defer(Version.html), defer(Version.history),
                 selectinload(Version.work).selectinload(Work.issuing_bodies))
        .order_by(Version.created_at.desc(), Version.id.desc())
        .limit(limit)
    )
    if params.doc_types:
        stmt = stmt.where(Work.doc_type.in_(params.doc_types))
    if params.regions:
        stmt = stmt.where(Work.region.in_({canonical_region(r) for r in params.regions}))
    if statuses:
        stmt = stmt.where(Work.status.in_(statuses))
    for codes in (params.scope_codes, params.region_codes):
        condition = scope_condition(codes)
        if condition is not None:
            stmt = stmt.where(condition)
    if params.body:
        body_ids = [int(i) for i in resolve_body_ids(sess, params.body)]
        stmt = stmt.where(Work.id.in_(
            select(work_issuing_bodies.c.work_id).where(work_issuing_bodies.c.body_id.in_(body_ids))))
    if params.q.strip() or params.topics or params.published_from or params.published_to:
        # Text, topic and year matching (browse lists) are the search engine's job: the best matching works
        # (any status; the newest first without text), then newest first.
        found = search(sess, backend(), SearchParams(
            q=params.q, statuses=statuses or tuple(STATUSES), doc_types=params.doc_types, regions=params.regions,
            scope_codes=params.scope_codes, region_codes=params.region_codes, topics=params.topics,
            published_from=params.published_from, published_to=params.published_to,
            sort="relevance" if params.q.strip() else "published",
            body=params.body, per_page=MAX_PER_PAGE, facets=False))
        work_ids = [h.work_id for h in found.hits]
        if not work_ids:
            return []
        stmt = stmt.where(Work.id.in_(work_ids))
    return list(sess.scalars(stmt))


def recent_decisions(sess: Session, params: SearchParams, statuses: tuple[str, ...],
                     limit: int) -> list[tuple[Work, PublishedDecision]]:
    """Decisions of published clearance rounds (废止, 宣布失效, 修改 ...) on the works that pass the filters, newest
    publication first: a repeal by clearance is a change as much as a new version. A text query leaves them out
    (text matching is the search engine's, and a decision has no text of its own)."""
    if params.q.strip():
        return []
    stmt = (select(ClearanceDecision.work_id).join(ClearanceRound, ClearanceRound.id == ClearanceDecision.round_id)
            .join(Work, Work.id == ClearanceDecision.work_id).where(ClearanceRound.published_on.is_not(None))
            .order_by(ClearanceRound.published_on.desc(), ClearanceRound.id.desc()).limit(limit))
    if params.doc_types:
        stmt = stmt.where(Work.doc_type.in_(params.doc_types))
    if params.regions:
        stmt = stmt.where(Work.region.in_({canonical_region(r) for r in params.regions}))
    if statuses:
        stmt = stmt.where(Work.status.in_(statuses))
    if params.body:
        body_ids = [int(i) for i in resolve_body_ids(sess, params.body)]
        stmt = stmt.where(Work.id.in_(
            select(work_issuing_bodies.c.work_id).where(work_issuing_bodies.c.body_id.in_(body_ids))))
    work_ids = list(dict.fromkeys(sess.scalars(stmt)))
    if not work_ids:
        return []
    works = {w.id: w for w in sess.scalars(select(Work).where(Work.id.in_(work_ids)))}
    found = [(works[wid], d) for wid, ds in published_decisions(sess, work_ids).items() for d in ds]
    found.sort(key=lambda pair: (pair[1].published_on, pair[1].round_id), reverse=True)
    return found[:limit]


def _filter_note(params: SearchParams, statuses: tuple[str, ...]) -> str:
    parts = []
    if params.q.strip():
        parts.append(f"{FILTER_LABELS['q']}：{params.q.strip()}")
    if params.doc_types:
        parts.append(f"{FILTER_LABELS['doc_type']}：{'、'.join(params.doc_types)}")
    if params.regions:
        parts.append(f"{FILTER_LABELS['region']}：{'、'.join(canonical_region(r) for r in params.regions)}")
    if statuses:
        parts.append(f"{FILTER_LABELS['status']}：{'、'.join(STATUS_LABELS.get(s, s) for s in statuses)}")
    if params.body:
        parts.append(f"{FILTER_LABELS['body']}：{params.body}")
    return "；".join(parts)


def _rfc3339(value: datetime) -> str:
    if value.tzinfo is None:  # stored as naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _updated(v: Version) -> datetime:
    if v.created_at is not None:
        return v.created_at
    if v.published is not None:
        return datetime.combine(v.published, time.min)
    return datetime(1970, 1, 1)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def build_feed(versions: list[Version], note: str,
               decisions: list[tuple[Work, PublishedDecision]] | None = None) -> bytes:
    """The Atom document; ElementTree escapes every text and attribute."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "zh-CN")
    _sub(feed, "id", request.url)
    name = platform_name()
    _sub(feed, "title", FEED_TITLE.format(name=name) + (f"（{note}）" if note else ""))
    _sub(feed, "subtitle", "按收录时间排列的最新法规、规章和规范性文件版本")
    decisions = decisions or []
    newest = max([*(_updated(v) for v in versions), *(datetime.combine(d.published_on, time.min) for _, d in decisions)],
                 default=datetime.now(UTC))
    _sub(feed, "updated", _rfc3339(newest))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=request.url)
    site = request.url_root.rstrip("/")
    _sub(feed, "link", rel="alternate", type="text/html", href=site + "/")
    author = _sub(feed, "author")
    _sub(author, "name", name)
    _sub(feed, "generator", "fagui")
    for v in versions:
        work = v.work
        work_url = site + url_for_work(work.id)
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{work_url}/versions/{v.seq}")
        kind = "新增" if v.seq == 1 else f"修改（第{v.seq}版）"
        _sub(entry, "title", f"{v.title}　[{kind}]")
        _sub(entry, "updated", _rfc3339(_updated(v)))
        if v.published:
            _sub(entry, "published", _rfc3339(datetime.combine(v.published, time.min)))
        _sub(entry, "link", rel="alternate", type="text/html", href=work_url)
        _sub(entry, "summary", _summary(v, work), type="text")
        if work.doc_type:
            _sub(entry, "category", term=work.doc_type, label=work.doc_type)
    for work, d in decisions:
        work_url = site + url_for_work(work.id)
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{work_url}/clearance/{d.round_id}")
        _sub(entry, "title", f"{work.title}　[清理决定{d.label}]")
        _sub(entry, "updated", _rfc3339(datetime.combine(d.published_on, time.min)))
        _sub(entry, "link", rel="alternate", type="text/html", href=work_url)
        summary = f"清理决定{d.label}：{d.source}；理由：{d.reason}"
        if d.undone_on:
            summary += f"；{d.undone_on.isoformat()} 起已被其后公布的清理决定取代"
        _sub(entry, "summary", summary + f"；法规现行状态：{STATUS_LABELS.get(work.status, work.status)}", type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def platform_name() -> str:
    return str(current_app.config["FAGUI_SETTINGS"].platform_name)


def url_for_work(work_id: str) -> str:
    try:
        return url_for("document_pages.work", work_id=work_id)
    except BuildError:  # the page blueprint is absent (an API-only deployment): the route is stable anyway
        return f"/works/{work_id}"


def _summary(v: Version, work: Work) -> str:
    fields = [
        ("效力级别", work.doc_type),
        ("制定机关", "、".join(b.name for b in work.issuing_bodies)),
        ("发文字号", v.doc_number),
        ("公布日期", v.published.isoformat() if v.published else None),
        ("施行日期", v.effective_from.isoformat() if v.effective_from else None),
        ("有效期至", v.expires.isoformat() if v.expires else None),
        ("本版本时效性", STATUS_LABELS.get(v.status, v.status)),
        ("法规现行状态", STATUS_LABELS.get(work.status, work.status)),
        ("行政区划", work.region),
    ]
    return "；".join(f"{label}：{value}" for label, value in fields if value)
