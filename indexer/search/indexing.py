"""Keeping the search index equal to the store: a full rebuild, or a sync that drains the outbox.

Both are safe to kill and run again. A rebuild only switches searches to the new index once it is complete.
A sync replaces all documents of each changed work (delete + add, committed together) and marks the outbox
rows done afterwards: a sync killed between the two redoes those works, which changes nothing."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from indexer.search.backends.base import SearchBackend
from indexer.search.index_docs import all_work_ids, docs_for_works, iter_doc_batches, load_works
from indexer.store import outbox


@dataclass
class IndexSummary:
    works: int = 0
    documents: int = 0
    events: int = 0


_worker_state: dict = {}


def _init_worker(url: str) -> None:
    from indexer.store.db import make_engine, session_factory

    _worker_state["factory"] = session_factory(make_engine(url), reader=True)  # only reads the store


def _docs_of(chunk: list[str]) -> tuple[list[str], list[dict]]:
    with _worker_state["factory"]() as session:
        docs = docs_for_works(session, load_works(session, chunk))
    return chunk, docs


def _parallel_batches(url: str, work_ids: list[str], workers: int, batch: int = 100):
    """Tokenising is most of a rebuild's time: worker processes build the documents, each with its own
    connection, while this process feeds the engine; results come back in order."""
    chunks = [work_ids[i : i + batch] for i in range(0, len(work_ids), batch)]
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(url,)) as pool:
        yield from pool.map(_docs_of, chunks)


def rebuild(
    factory: sessionmaker[Session],
    backend: SearchBackend,
    on_progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> IndexSummary:
    """Index every work from the store. Outbox rows present when the rebuild starts are covered by it."""
    summary = IndexSummary()
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    with factory() as session:
        work_ids = all_work_ids(session)
        pending_ids = [e.id for e in outbox.pending(session, limit=10**9)]
        bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        url = engine.url.render_as_string(hide_password=False)
        in_memory = url.startswith("sqlite") and (":memory:" in url or url == "sqlite://")
        source = (
            _parallel_batches(url, work_ids, workers)
            if workers > 1 and len(work_ids) > 200 and not in_memory
            else iter_doc_batches(session, work_ids)
        )

        def batches() -> Iterator[list[dict]]:
            for chunk, docs in source:
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
            docs = docs_for_works(session, load_works(session, work_ids))
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
