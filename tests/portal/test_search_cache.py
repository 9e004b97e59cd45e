"""The per-worker search cache: a repeated search is answered without searching again, entries expire, the
oldest go first when it is full, and refused requests are never cached."""

from __future__ import annotations

import urllib.parse

import pytest

from portal import search_cache
from portal.search_cache import TTLCache


def test_entries_expire_and_the_oldest_go_first(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(search_cache.time, "monotonic", lambda: now[0])
    cache = TTLCache(ttl=30, max_entries=2)
    cache.put(("a",), {"n": 1})
    cache.put(("b",), {"n": 2})
    assert cache.get(("a",)) == {"n": 1}  # a is now the most recent
    cache.put(("c",), {"n": 3})
    assert cache.get(("b",)) is None and cache.get(("a",)) == {"n": 1}
    now[0] += 31
    assert cache.get(("a",)) is None and cache.get(("c",)) is None


@pytest.fixture
def counted(app, monkeypatch):
    calls = []
    real = search_cache.search

    def counting(session, backend, params):
        calls.append(params.q)
        return real(session, backend, params)

    monkeypatch.setattr(search_cache, "search", counting)
    app.extensions.pop("fagui.search_cache", None)
    yield calls
    app.extensions.pop("fagui.search_cache", None)


def test_a_repeated_search_is_not_searched_again(client, counted):
    q = urllib.parse.quote("食品安全 检验")
    first = client.get("/search?q=" + q).get_data(as_text=True)
    second = client.get("/search?q=" + q).get_data(as_text=True)
    api = client.get("/api/v1/search?q=" + q)
    assert first == second and api.status_code == 200
    assert counted == ["食品安全 检验"]  # page and API share the entry
    client.get("/search?q=" + q + "&doc_type=法律")  # other filters are another search
    assert len(counted) == 2


def test_refused_requests_are_not_cached(client, counted):
    for _ in range(2):
        assert client.get("/search?q=" + "法" * 300).status_code == 400
    # nothing of the refused query is searched or cached; the form around the message shows the store's own
    # facets, the home page's search, run once and then served from the cache
    assert counted == [""]


def test_zero_seconds_turns_it_off(portal_instance, monkeypatch):
    from dataclasses import replace

    from portal import create_app

    calls = []
    real = search_cache.search
    monkeypatch.setattr(search_cache, "search", lambda *a: calls.append(1) or real(*a))
    client = create_app(replace(portal_instance, search_cache_seconds=0), testing=True).test_client()
    client.get("/search?q=条例")
    client.get("/search?q=条例")
    assert len(calls) == 2
