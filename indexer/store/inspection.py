"""Read-only summaries of the store for `fagui stats` and `fagui works find`."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from indexer.store.models import Article, IssuingBody, OutboxEvent, RecordFailure, Relation, Version, Work


def _counts(session: Session, column) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).group_by(column).order_by(func.count().desc())).all()
    return {str(key) if key is not None else "未知": n for key, n in rows}


def stats(session: Session) -> dict:
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {
        "works": count(Work),
        "versions": count(Version),
        "articles": count(Article),
        "issuing_bodies": count(IssuingBody),
        "relations": count(Relation),
        "record_failures": count(RecordFailure),
        "outbox_pending": session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.processed_at.is_(None))
        ),
        "works_by_doc_type": _counts(session, Work.doc_type),
        "works_by_region": _counts(session, Work.region),
        "works_by_status": _counts(session, Work.status),
        "versions_by_status": _counts(session, Version.status),
    }


def find_works(session: Session, text: str, limit: int = 50) -> list[dict]:
    """Works whose current or any past title contains text, each with its versions newest first."""
    text = text.strip()
    ids = select(Version.work_id).where(Version.title.contains(text, autoescape=True)).distinct()
    stmt = (
        select(Work)
        .where(Work.id.in_(ids) | Work.title.contains(text, autoescape=True))
        .options(selectinload(Work.versions), selectinload(Work.issuing_bodies))
        .order_by(Work.region != "全国", func.length(Work.title), Work.title)
        .limit(limit)
    )
    return [work_summary(w) for w in session.scalars(stmt)]


def work_summary(work: Work) -> dict:
    return {
        "work_id": work.id,
        "title": work.title,
        "doc_type": work.doc_type,
        "region": work.region,
        "status": work.status,
        "status_official": work.status_official,
        "status_reason": work.status_reason,
        "issuing_bodies": [b.name for b in work.issuing_bodies],
        "versions": [
            {
                "seq": v.seq,
                "published": v.published.isoformat() if v.published else None,
                "effective": v.effective_from.isoformat() if v.effective_from else None,
                "status": v.status,
                "status_official": v.status_official,
                "source_status": v.source_status,
                "doc_number": v.doc_number,
                "source_ref": v.source_ref,
            }
            for v in sorted(work.versions, key=lambda v: v.seq, reverse=True)
        ],
    }
