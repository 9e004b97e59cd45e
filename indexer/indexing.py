"""Keeping the search index equal to the store: a full rebuild, or a sync that drains the outbox.

Both are safe to kill and run again. A rebuild only switches searches to the new index once it is complete.
A sync replaces all documents of each changed work (delete + add, committed together) and marks the outbox
rows done afterwards: a sync killed between the two redoes those works, which changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from indexer import outbox
from indexer.backends.base import SearchBackend
from indexer.search_docs import all_work_ids, docs_for_work, iter_doc_batches, load_works


@dataclass
class IndexSummary:
    works: int = 0
    documents: int = 0
    events: int = 0


def rebuild(
    factory: sessionmaker[Session],
    backend: SearchBackend,
    on_progress: Callable[[int], None] | None = None,
) -> IndexSummary:
    """Index every work from the store. Outbox rows present when the rebuild starts are covered by it."""
    summary = IndexSummary()
    with factory() as session:
        work_ids = all_work_ids(session)
        pending_ids = [e.id for e in outbox.pending(session, limit=10**9)]

        def batches() -> Iterator[list[dict]]:
            for chunk, docs in iter_doc_batches(session, work_ids):
                summary.works += len(chunk)
                summary.documents += len(docs)
                if on_progress:
                    on_progress(len(chunk))
                yield docs

        backend.rebuild(batches())
    with factory.begin() as session:
        outbox.mark_processed(session, pending_ids)
    summary.events = len(pending_ids)
    return summary


def sync(factory: sessionmaker[Session], backend: SearchBackend, batch: int = 200) -> IndexSummary:
    """Apply every pending outbox event to the index, oldest first, in batches."""
    summary = IndexSummary()
    while True:
        with factory() as session:
            events = outbox.pending(session, limit=batch)
            if not events:
                return summary
            work_ids = list(dict.fromkeys(e.entity_id for e in events))
            docs: list[dict] = []
            for work in load_works(session, work_ids):
                docs.extend(docs_for_work(session, work))
        backend.replace_works(work_ids, docs)  # deleted works have no documents left: the delete stands
        with factory.begin() as session:
            outbox.mark_processed(session, [e.id for e in events])
        summary.works += len(work_ids)
        summary.documents += len(docs)
        summary.events += len(events)


def store_digests(factory: sessionmaker[Session]) -> dict[str, str]:
    """doc id -> digest as the store says it should be indexed now (for checks and tests)."""
    out: dict[str, str] = {}
    with factory() as session:
        for _, docs in iter_doc_batches(session, all_work_ids(session)):
            out.update({d["id"]: d["digest"] for d in docs})
    return out
