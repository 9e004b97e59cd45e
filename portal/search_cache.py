"""A short-lived cache of search results in each web worker.

Readers repeat searches (the laws officers look up most, the home page's counts), and a repeated search costs
nothing from here. Results live FAGUI_SEARCH_CACHE_SECONDS (default 30 s, 0 turns the cache off): the index
itself changes only when the worker syncs, every 30 s by default, so a cached answer is never older than the
index it came from by more than that. Errors are never cached."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import fields
from typing import Generic, TypeVar

from flask import current_app

from indexer.search.results import SearchResult
from indexer.search.service import SearchParams, search
from portal import services

MAX_ENTRIES = 1024
V = TypeVar("V")


class TTLCache(Generic[V]):
    def __init__(self, ttl: float, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._data: OrderedDict[tuple, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple) -> V | None:
        now = time.monotonic()
        with self._lock:
            entry = self._data.get(key)
            if entry is None or entry[0] < now:
                if entry is not None:
                    del self._data[key]
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, key: tuple, value: V) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + self.ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)


def _key(params: SearchParams) -> tuple:
    return tuple(getattr(params, f.name) if f.name != "warnings" else tuple(params.warnings)
                 for f in fields(params))


def cached_search(params: SearchParams) -> SearchResult:
    # Results are frozen dataclasses: every reader of a cached entry gets it as it was searched.
    cache: TTLCache[SearchResult] | None = current_app.extensions.get("fagui.search_cache")
    if cache is None:
        ttl = current_app.config["FAGUI_SETTINGS"].search_cache_seconds
        if ttl <= 0:
            return search(services.session(), services.backend(), params)
        cache = current_app.extensions.setdefault("fagui.search_cache", TTLCache[SearchResult](ttl))
    key = _key(params)
    found = cache.get(key)
    if found is not None:
        return found
    result = search(services.session(), services.backend(), params)
    cache.put(key, result)
    return result
