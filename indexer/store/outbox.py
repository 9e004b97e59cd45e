"""The outbox: every change to a work (its row, versions, articles, bodies or links) adds a row naming the
work, inside the same transaction, so the search index can catch up after a crash without missing or
double-applying anything: the consumer re-reads the work from the store, which is idempotent."""

from __future__ import annotations

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from indexer.store.models import Article, OutboxEvent, Relation, Version, Work, utcnow

_INSTALLED = False
_PENDING_KEY = "fagui_outbox_pending"


def _work_ids(obj: object) -> list[str]:
    if isinstance(obj, Work):
        return [obj.id] if obj.id else []
    if isinstance(obj, Version):
        work_id = obj.work_id or (obj.work.id if obj.work else None)
        return [work_id] if work_id else []
    if isinstance(obj, Article):
        version = obj.version
        return [version.work_id] if version is not None else []
    if isinstance(obj, Relation):
        return [w for w in (obj.subject_work_id, obj.object_work_id) if w]
    return []


def _before_flush(session: Session, _context, _instances) -> None:
    seen: set[tuple[str, str]] = session.info.setdefault(_PENDING_KEY, set())
    for obj, op in [(o, "upsert") for o in list(session.new) + list(session.dirty)] + [
        (o, "delete") for o in session.deleted
    ]:
        if isinstance(obj, OutboxEvent):
            continue
        op_for_work = "delete" if op == "delete" and isinstance(obj, Work) else "upsert"
        for work_id in _work_ids(obj):
            if work_id and (work_id, op_for_work) not in seen:
                seen.add((work_id, op_for_work))
                session.add(OutboxEvent(entity="work", entity_id=work_id, op=op_for_work))


def _after_end(session: Session, _transaction=None) -> None:
    session.info.pop(_PENDING_KEY, None)


def install() -> None:
    """Register the listeners once per process (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_commit", _after_end)
    event.listen(Session, "after_rollback", _after_end)
    _INSTALLED = True


def record_change(session: Session, work_id: str, op: str = "upsert") -> None:
    """For writes that bypass the ORM unit of work (bulk inserts): add the outbox row by hand."""
    seen: set[tuple[str, str]] = session.info.setdefault(_PENDING_KEY, set())
    if (work_id, op) not in seen:
        seen.add((work_id, op))
        session.add(OutboxEvent(entity="work", entity_id=work_id, op=op))


def pending(session: Session, limit: int = 500) -> list[OutboxEvent]:
    """Unprocessed events, oldest first."""
    stmt = select(OutboxEvent).where(OutboxEvent.processed_at.is_(None)).order_by(OutboxEvent.id).limit(limit)
    return list(session.scalars(stmt))


def mark_processed(session: Session, event_ids: list[int]) -> None:
    if event_ids:
        session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(event_ids)).values(processed_at=utcnow()))
