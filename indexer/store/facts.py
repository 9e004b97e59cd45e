"""Facts of a version from several sources, reconciled by source precedence.

Every source document that brings a version says what it knows of it: 公布日期, 施行日期 and its status label
(VersionFact rows, one per source document and field). The version's own columns (published, effective_from,
source_status) hold the value of the highest-ranked fact: the issuing authority's own database (`official`)
over a derived collection (`collection`) over a date inferred from another (`inferred`); among equals the live
国家法律法规数据库 over its snapshot, then the source name and ref, so the choice never depends on import order.
The other facts stay, so the page can say where each value comes from and the clearance report can list where
sources disagree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fagui.records import DocumentRecord
from indexer.store.models import Source, Version, VersionFact

FIELDS = ("published", "effective", "status")
FIELD_LABELS = {"published": "公布日期", "effective": "施行日期", "status": "时效性"}
BASIS_RANK = {"official": 3, "collection": 2, "inferred": 1}
BASIS_LABELS = {"official": "官方数据库", "collection": "汇编", "inferred": "推定"}
# Among sources of one basis: the live crawl of flk is newer than any saved copy of it.
SOURCE_PRIORITY = {"flk": 2, "flk-snapshot": 1}
# The columns of Version each field fills.
_COLUMNS = {"published": "published", "effective": "effective_from", "status": "source_status"}


def basis_of(record: DocumentRecord, field: str) -> str:
    """How a record knows a field: a corpus says where each of its dates came from (`date_sources`: a date taken
    from the publication date is inferred, one from the history lines or the collection's fields comes from the
    collection); a source that says nothing of it is the publisher's own database."""
    sources = record.extra.get("date_sources") if record.extra else None
    if not isinstance(sources, dict):
        return "official"
    said = sources.get(field) if field != "status" else "collection"
    if said == "published":
        return "inferred"
    return "official" if said == "official" else "collection"


def record_values(record: DocumentRecord) -> dict[str, str]:
    values = {"published": record.published, "effective": record.effective, "status": record.source_status}
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v}


def record_facts(session: Session, version: Version, source: Source, record: DocumentRecord) -> bool:
    """Keep what this source document says of the version; True when a fact was added, changed or dropped."""
    existing = {f.field: f for f in session.scalars(select(VersionFact).where(
        VersionFact.version_id == version.id, VersionFact.source_id == source.id,
        VersionFact.source_ref == record.source_ref[:500]))}
    changed = False
    for field, value in record_values(record).items():
        basis = basis_of(record, field)
        fact = existing.pop(field, None)
        if fact is None:
            session.add(VersionFact(version_id=version.id, source_id=source.id, source_ref=record.source_ref[:500],
                                    source_url=record.source_url, field=field, value=value[:40], basis=basis))
            changed = True
        elif (fact.value, fact.basis) != (value[:40], basis):
            fact.value, fact.basis = value[:40], basis
            changed = True
        if fact is not None and record.source_url and fact.source_url != record.source_url:
            fact.source_url = record.source_url  # where to find it, not a change of what it says
    for gone in existing.values():  # the source no longer says it
        session.delete(gone)
        changed = True
    if changed:
        session.flush()
    return changed


def _rank(fact: VersionFact) -> tuple:
    return (BASIS_RANK.get(fact.basis, 0), SOURCE_PRIORITY.get(fact.source.name, 0), fact.source.name,
            fact.source_ref)


def facts_of(session: Session, version_id: int) -> list[VersionFact]:
    """The facts of a version, best first within each field."""
    rows = sorted(session.scalars(select(VersionFact).where(VersionFact.version_id == version_id)),
                  key=_rank, reverse=True)
    return sorted(rows, key=lambda f: FIELDS.index(f.field) if f.field in FIELDS else len(FIELDS))


def reconcile(session: Session, version: Version) -> None:
    """Set the version's dates and status label to the best fact of each field. A label no source states any
    more is dropped; a date no source states keeps what the version has (a status follows the label, a point in
    time needs a date)."""
    best: dict[str, VersionFact] = {}
    for fact in session.scalars(select(VersionFact).where(VersionFact.version_id == version.id)):
        if fact.field in _COLUMNS and (fact.field not in best or _rank(fact) > _rank(best[fact.field])):
            best[fact.field] = fact
    if "status" not in best and version.source_status is not None:
        version.source_status = None
    for field, fact in best.items():
        value: object = fact.value if field == "status" else date.fromisoformat(fact.value)
        if getattr(version, _COLUMNS[field]) != value:
            setattr(version, _COLUMNS[field], value)


@dataclass(frozen=True)
class Disagreement:
    """Sources that say different things of one field of one version."""

    version_id: int
    field: str
    values: tuple[tuple[str, str, str], ...]  # (source title, value, basis) per source document, best first


def disagreements(session: Session, status_meaning: Mapping[str, str],
                  version_ids: set[int] | None = None) -> list[Disagreement]:
    """Every field of a version on which its sources differ (status labels compared by what they mean:
    `status_meaning` maps a label to a status)."""
    query = select(VersionFact).join(Source, Source.id == VersionFact.source_id)
    rows = session.scalars(query).all()
    grouped: dict[tuple[int, str], list[VersionFact]] = {}
    for f in rows:
        if version_ids is None or f.version_id in version_ids:
            grouped.setdefault((f.version_id, f.field), []).append(f)
    out = []
    for (vid, field), facts in grouped.items():
        if len(facts) < 2:
            continue
        meanings = {status_meaning.get(f.value, f.value) if field == "status" else f.value for f in facts}
        if len(meanings) < 2:
            continue
        facts.sort(key=_rank, reverse=True)
        out.append(Disagreement(vid, field, tuple((f.source.title or f.source.name, f.value, f.basis)
                                                  for f in facts)))
    return out
