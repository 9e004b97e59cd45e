"""Where a document came from, as the store records it: each source that delivered a version of the work, the
original page address, when the store first saw it, when the crawler last checked the page, and whether the
source still lists it (crawl_pages). A source with no crawl state (a corpus import) says nothing of listing:
that is 不详, never a guess."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from fagui.regions import Region, lineage
from indexer.store.models import CrawlPage, IssuingBody, Source, Version, Work, work_issuing_bodies


@dataclass(frozen=True)
class Provenance:
    source: str  # the source's name (lawrefbook, gov_policy, a normative_library site ...)
    source_title: str | None
    kind: str | None  # crawler, corpus, files ...
    url: str | None  # the original page address
    first_seen: datetime | None
    last_checked: datetime | None  # the crawler's last fetch (a 304 counts), else the source's last run
    listed: bool | None  # the source still lists the page; None: the source keeps no listing (不详)
    gone_at: datetime | None  # when a full run of the source no longer listed it
    versions: int  # versions of the work this source delivered

    @property
    def listed_label(self) -> str:
        if self.listed is None:
            return "不详"
        return "是" if self.listed else "否"


def provenance(session: Session, work_id: str) -> list[Provenance]:
    rows = session.execute(
        select(Version.source_id, Version.source_ref, func.min(Version.created_at), func.count(Version.id),
               func.max(Version.source_url))
        .where(Version.work_id == work_id).group_by(Version.source_id, Version.source_ref)
    ).all()
    sources = {s.id: s for s in session.scalars(select(Source))}
    pages = session.scalars(select(CrawlPage).where(CrawlPage.work_id == work_id)).all()
    refs = [(sources[sid].name, ref) for sid, ref, *_ in rows if sid in sources and ref]
    if refs:
        pages = list(pages) + list(session.scalars(select(CrawlPage).where(
            CrawlPage.work_id.is_(None), or_(*[(CrawlPage.source == s) & (CrawlPage.ref == r) for s, r in refs]))))
    by_source: dict[str, list[CrawlPage]] = {}
    for page in pages:
        by_source.setdefault(page.source, []).append(page)
    out: list[Provenance] = []
    seen_sources: set[str] = set()
    for source_id, ref, first, _count, url in rows:
        source = sources.get(source_id) if source_id is not None else None
        name = source.name if source else "不详"
        if name in seen_sources:
            continue
        seen_sources.add(name)
        own = [p for p in by_source.get(name, []) if p.ref == ref] or by_source.get(name, [])
        out.append(_entry(name, source, own, first, sum(c for s, _, _, c, _ in rows if s == source_id), url))
    for name, own in by_source.items():  # pages linked to the work by a source that stored no version itself
        if name not in seen_sources:
            source = next((s for s in sources.values() if s.name == name), None)
            out.append(_entry(name, source, own, None, 0, None))
    return out


def _entry(name: str, source: Source | None, pages: list[CrawlPage], first: datetime | None, count: int,
           url: str | None) -> Provenance:
    if not pages:
        return Provenance(name, source.title if source else None, source.kind if source else None, url, first,
                          source.last_run_at if source else None, None, None, count)
    listed = any(p.gone_at is None for p in pages)
    checked = max((p.last_fetched for p in pages if p.last_fetched), default=None)
    seen = min([p.first_seen for p in pages if p.first_seen] + ([first] if first else []), default=None)
    gone = None if listed else max((p.gone_at for p in pages if p.gone_at), default=None)
    return Provenance(name, source.title if source else None, source.kind if source else None,
                      pages[0].url or url, seen, checked, listed, gone, count)


@dataclass(frozen=True)
class Breadcrumbs:
    regions: list[Region]  # province → city → county; [] for a national work
    bodies: list[list[IssuingBody]]  # each issuing body's chain, the top body first


def breadcrumbs(session: Session, work_id: str) -> Breadcrumbs:
    work = session.get(Work, work_id)
    if work is None:
        return Breadcrumbs([], [])
    chains: list[list[IssuingBody]] = []
    for body in session.scalars(select(IssuingBody).join(
            work_issuing_bodies, work_issuing_bodies.c.body_id == IssuingBody.id)
            .where(work_issuing_bodies.c.work_id == work_id).order_by(work_issuing_bodies.c.position)):
        chain: list[IssuingBody] = []
        node: IssuingBody | None = body
        while node is not None and node not in chain and len(chain) < 6:
            chain.append(node)
            node = node.parent
        chains.append(chain[::-1])
    return Breadcrumbs(lineage(work.region_code), chains)
