"""Directories for browsing the store: issuing bodies, regions, years and topics, each with the number of works
in a scope, and the finest region of each work (GB/T 2260, fagui.regions).

The lists themselves come from the search engine (indexer.search.service with an empty query); these counts
come from the store, which the index mirrors."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, extract, func, or_, select
from sqlalchemy.orm import Session

from fagui.regions import NATIONAL, locate, path_codes
from fagui.regions import get as region_by_code
from fagui.vocabulary import DOC_TYPES, canonical_region
from fagui.vocabulary import region_code as vocabulary_region_code
from indexer.store.models import IssuingBody, Version, Work, work_issuing_bodies


def topic_of(meta: dict | None) -> str:
    """The topic (主题分类) a source gives a document: gov.cn's 主题分类, the corpus's category; "" if none."""
    if not meta:
        return ""
    subject = meta.get("subject")
    if isinstance(subject, str) and subject.strip():
        return subject.strip()[:60]
    collection = meta.get("collection")
    category = collection.get("category") if isinstance(collection, dict) else None
    if not isinstance(category, str):
        return ""
    category = category.strip()
    # The corpus files some works under their level (行政法规) or province (河南) instead of a subject.
    if category in ("", "其他", *DOC_TYPES) or canonical_region(category) != category:
        return ""
    return category[:60]


def work_region_code(province_code: str | None, body_names: list[str], title: str) -> str | None:
    """The finest division a work belongs to: its province's city or county named by its issuing body (first)
    or its title, else the province; national works keep NATIONAL."""
    return locate(province_code, [*body_names, title])


def issuing_body_names(session: Session, work_ids: list[str] | None = None) -> dict[str, list[str]]:
    """The names of each work's issuing bodies in their order (Work.issuing_bodies), read as plain rows: of
    these works, or of every work."""
    query = (select(work_issuing_bodies.c.work_id, IssuingBody.name)
             .join(IssuingBody, IssuingBody.id == work_issuing_bodies.c.body_id)
             .order_by(work_issuing_bodies.c.work_id, work_issuing_bodies.c.position))
    if work_ids is not None:
        query = query.where(work_issuing_bodies.c.work_id.in_(work_ids))
    names: dict[str, list[str]] = defaultdict(list)
    for work_id, name in session.execute(query):
        names[work_id].append(name)
    return names


def assign_region_codes(session: Session) -> int:
    """Recompute every work's region code from its bodies and title (for stores filled before the region
    hierarchy); returns how many changed. The outbox picks the changed works up for the index."""
    names = issuing_body_names(session)
    changed = 0
    for work in session.scalars(select(Work)):
        province = vocabulary_region_code(work.region) or work.region_code
        code = work_region_code(province, names.get(work.id, []), work.title)
        if code and code != work.region_code:
            work.region_code = code
            changed += 1
    return changed


def scope_condition(codes: tuple[str, ...] | list[str]) -> ColumnElement[bool] | None:
    """Works lying in any of the divisions (itself or below), NATIONAL for national works; None: no limit."""
    parts: list[ColumnElement[bool]] = []
    for code in codes:
        region = region_by_code(code)
        if code == NATIONAL:
            parts.append(Work.region_code == NATIONAL)
        elif region is not None:
            prefix = code[: {1: 2, 2: 4}.get(region.level, 6)]
            parts.append(Work.region_code.startswith(prefix) if region.level < 3 else Work.region_code == code)
    return or_(*parts) if parts else None


@dataclass(frozen=True)
class BodyCount:
    id: int
    name: str
    parent_id: int | None
    depth: int
    count: int  # works of the body and its sub-bodies


def _scoped(stmt: Any, scope: tuple[str, ...], statuses: tuple[str, ...]) -> Any:
    condition = scope_condition(scope)
    if condition is not None:
        stmt = stmt.where(condition)
    if statuses:
        stmt = stmt.where(Work.status.in_(statuses))
    return stmt


def body_directory(session: Session, scope: tuple[str, ...] = (), statuses: tuple[str, ...] = ("effective",)
                   ) -> list[BodyCount]:
    """Every issuing body with works in the scope, under its parent (depth-first, largest first), each counted
    with its sub-bodies as the list of a body is (a work counted once even where two of its bodies sit below)."""
    rows = session.execute(_scoped(
        select(work_issuing_bodies.c.body_id, Work.id).join(Work, Work.id == work_issuing_bodies.c.work_id),
        scope, statuses)).all()
    bodies = {i: (name, parent) for i, name, parent in session.execute(
        select(IssuingBody.id, IssuingBody.name, IssuingBody.parent_id))}
    chains: dict[int, list[int]] = {}

    def chain(body_id: int) -> list[int]:
        if body_id not in chains:
            out: list[int] = []
            node: int | None = body_id
            while node is not None and node in bodies and node not in out:
                out.append(node)
                node = bodies[node][1]
            chains[body_id] = out
        return chains[body_id]

    works: dict[int, set[str]] = defaultdict(set)
    for body_id, work_id in rows:
        for node in chain(body_id):
            works[node].add(work_id)
    children: dict[int | None, list[int]] = defaultdict(list)
    for body_id in works:
        parent = bodies[body_id][1]
        children[parent if parent in works else None].append(body_id)
    out: list[BodyCount] = []

    def walk(parent: int | None, depth: int) -> None:
        for body_id in sorted(children.get(parent, []), key=lambda i: (-len(works[i]), bodies[i][0])):
            name, parent_id = bodies[body_id]
            out.append(BodyCount(body_id, name, parent_id, depth, len(works[body_id])))
            walk(body_id, depth + 1)

    walk(None, 0)
    return out


@dataclass(frozen=True)
class RegionCount:
    code: str
    name: str
    level: int  # 0 national, 1 province, 2 city, 3 county
    parent: str | None
    count: int  # works of the division and every division below it


def region_directory(session: Session, scope: tuple[str, ...] = (), statuses: tuple[str, ...] = ("effective",)
                     ) -> list[RegionCount]:
    """National texts, then every division with works in the scope, province → city → county, counted with the
    divisions below them."""
    counts: Counter[str] = Counter()
    for code, n in session.execute(_scoped(select(Work.region_code, _count()).group_by(Work.region_code),
                                           scope, statuses)).all():
        for c in path_codes(code):
            counts[c] += n
    out: list[RegionCount] = []
    if counts.get(NATIONAL):
        out.append(RegionCount(NATIONAL, "全国（国家法律法规）", 0, None, counts[NATIONAL]))

    def walk(parent: str | None) -> None:
        from fagui.regions import children

        for region in children(parent):
            if counts.get(region.code):
                out.append(RegionCount(region.code, region.name, region.level, region.parent, counts[region.code]))
                walk(region.code)

    walk(None)
    return out


def _count() -> Any:
    return func.count(Work.id)


def year_directory(session: Session, scope: tuple[str, ...] = (), statuses: tuple[str, ...] = ("effective",)
                   ) -> list[tuple[int | None, int]]:
    """(year published, works), newest first; None for works whose date is not known (不详), last."""
    year = extract("year", Version.published)
    rows = session.execute(_scoped(select(year, func.count(Work.id)).select_from(Work)
                                   .join(Version, Version.id == Work.current_version_id).group_by(year),
                                   scope, statuses)).all()
    counts: Counter[int | None] = Counter()
    for y, n in rows:
        counts[int(y) if y is not None else None] += n
    return sorted(counts.items(), key=lambda kv: (kv[0] is None, -(kv[0] or 0)))


def topic_directory(session: Session, scope: tuple[str, ...] = (), statuses: tuple[str, ...] = ("effective",)
                    ) -> list[tuple[str, int]]:
    """(topic, works) for the topics the sources give, most works first; empty when no source gives one.
    Grouped in the database on the two places a topic is kept (topic_of), so no document's meta is loaded."""
    subject = Version.meta["subject"].as_string()
    category = Version.meta[("collection", "category")].as_string()
    rows = session.execute(_scoped(select(subject, category, func.count(Work.id)).select_from(Work)
                                   .join(Version, Version.id == Work.current_version_id)
                                   .group_by(subject, category), scope, statuses)).all()
    counts: Counter[str] = Counter()
    for subj, cat, n in rows:
        topic = topic_of({"subject": subj, "collection": {"category": cat}})
        if topic:
            counts[topic] += n
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
