"""Feeding DocumentRecords into the store in batches: each record in its own savepoint, so one bad record is
reported with its reason and skipped while everything stored before and after it stays."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from fagui.records import DocumentRecord, RecordError
from indexer.store.models import utcnow
from indexer.store.upsert import get_source, record_failure, upsert_record


@dataclass
class IngestSummary:
    seen: int = 0
    new_works: int = 0
    new_versions: int = 0
    unchanged: int = 0
    updated: int = 0  # of the unchanged texts, those whose facts (dates, status label, links) changed
    failed: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "seen": self.seen,
            "new_works": self.new_works,
            "new_versions": self.new_versions,
            "unchanged": self.unchanged,
            "updated": self.updated,
            "failed": [{"record": ref, "reason": reason} for ref, reason in self.failed],
        }


def ingest(
    factory: sessionmaker[Session],
    source: str,
    records: Iterable[DocumentRecord],
    errors: Iterable[RecordError] = (),
    batch_size: int = 200,
    source_fields: dict | None = None,
    on_progress: Callable[[IngestSummary], None] | None = None,
) -> IngestSummary:
    summary = IngestSummary()
    session = factory()
    try:
        src = get_source(session, source, **(source_fields or {}))
        for exc in errors:
            summary.failed.append((exc.ref, exc.reason))
            record_failure(session, source, exc.ref, exc.reason)
        for i, record in enumerate(records, start=1):
            summary.seen += 1
            try:
                with session.begin_nested():
                    result = upsert_record(session, record)
            except (SQLAlchemyError, ValueError) as exc:
                reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
                summary.failed.append((record.source_ref, reason))
                record_failure(session, source, record.source_ref, reason)
                continue
            if result.new_version:
                summary.new_versions += 1
                summary.new_works += int(result.new_work)
            else:
                summary.unchanged += 1
                summary.updated += int(result.updated)
            if i % batch_size == 0:
                session.commit()
                if on_progress:
                    on_progress(summary)
        src.last_run_at = utcnow()
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    return summary
