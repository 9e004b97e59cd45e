"""`fagui worker`: the background job of a deployment. It keeps the search index in step with the store
(draining the outbox every few seconds) and crawls the configured sources on a schedule.

A part that is down (the search engine, the database, a source site) is logged and tried again on the next
round; the worker itself never stops for it, and the outbox holds every change until the index takes it."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from crawlers.sources.base import Source
from fagui.settings import Settings

log = logging.getLogger(__name__)

GetSource = Callable[[str], Source]  # a source by name (the registry's get, or a test's)


@dataclass
class WorkerState:
    rounds: int = 0
    synced_events: int = 0
    crawls: int = 0
    errors: list[str] = field(default_factory=list)


def sync_once(settings: Settings) -> int:
    """Apply pending outbox events; returns how many were applied."""
    from indexer.search.backends import open_backend
    from indexer.search.indexing import sync
    from indexer.store.app_store import open_store

    store = open_store(settings)
    backend = open_backend(settings)
    try:
        return sync(store.sessions, backend).events
    finally:
        backend.close()
        store.engine.dispose()


def crawl_once(settings: Settings, source_name: str, get_source: GetSource | None = None) -> str:
    """One run of a source into the store; the source gets its paths from the settings (FAGUI_FILES_PATH)."""
    from fagui.cli.crawl import crawl_into, source_registry
    from indexer.store.app_store import open_store

    source = (get_source or source_registry(settings).get)(source_name)
    store = open_store(settings)
    try:
        summary = crawl_into(store, source)
    finally:
        store.engine.dispose()
    return str(summary)


def run_worker(settings: Settings, sources: list[str], crawl_every: float, sync_every: float,
               rounds: int | None = None, stop: threading.Event | None = None,
               get_source: GetSource | None = None) -> WorkerState:
    """Loop until `stop` is set (SIGTERM/SIGINT under the command) or `rounds` rounds have run."""
    stop = stop or threading.Event()
    state = WorkerState()
    next_crawl = time.monotonic()  # crawl once at start, then every crawl_every seconds
    while not stop.is_set() and (rounds is None or state.rounds < rounds):
        state.rounds += 1
        if sources and time.monotonic() >= next_crawl:
            for name in sources:
                try:
                    log.info("crawl %s: %s", name, crawl_once(settings, name, get_source))
                    state.crawls += 1
                except Exception as exc:  # one failing source must not stop the others or the sync
                    _failed(state, f"采集 {name} 失败：{type(exc).__name__}: {exc}")
            next_crawl = time.monotonic() + crawl_every
        try:
            applied = sync_once(settings)
            state.synced_events += applied
            if applied:
                log.info("index sync: %d events applied", applied)
        except Exception as exc:  # engine or database down: the outbox keeps the changes for the next round
            _failed(state, f"索引同步失败，稍后重试：{type(exc).__name__}: {exc}")
        if rounds is None or state.rounds < rounds:
            stop.wait(sync_every)
    return state


def _failed(state: WorkerState, message: str) -> None:
    log.warning(message)
    state.errors.append(message)
    del state.errors[:-50]


def install_signal_handlers(stop: threading.Event) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
