"""The rebuild's writer memory comes from FAGUI_INDEX_HEAP_MB (fewer segments, faster searches)."""

from __future__ import annotations

import json

import pytest

from fagui.errors import SettingsError
from fagui.settings import load_settings
from indexer.search.backends import open_backend
from indexer.search.backends.base import BackendUnavailable, Clause, Filters, SearchRequest, TextQuery
from indexer.search.backends.tantivy_backend import FIELD_ORDER, MIN_HEAP_MB, TantivyBackend


def test_heap_setting_reaches_the_writer(tmp_path):
    backend = open_backend(load_settings({"FAGUI_DATA_DIR": str(tmp_path), "FAGUI_INDEX_HEAP_MB": "300"}))
    assert isinstance(backend, TantivyBackend) and backend.heap_bytes == 300_000_000
    assert open_backend(load_settings({"FAGUI_DATA_DIR": str(tmp_path)})).heap_bytes == 1000 * 1_000_000


def test_heap_below_tantivys_minimum_is_raised_and_a_bad_value_named(tmp_path):
    assert TantivyBackend(tmp_path, heap_mb=1).heap_bytes == MIN_HEAP_MB * 1_000_000
    backend = TantivyBackend(tmp_path / "small", heap_mb=1)
    assert backend.rebuild([[{"id": "v1", "kind": "version", "work_id": "w1", "version_id": 1,
                              "text_tok": "机动车", "digest": "x"}]]) == 1
    with pytest.raises(SettingsError, match="FAGUI_INDEX_HEAP_MB"):
        load_settings({"FAGUI_INDEX_HEAP_MB": "lots"})
    with pytest.raises(SettingsError, match="FAGUI_INDEX_HEAP_MB"):
        load_settings({"FAGUI_INDEX_HEAP_MB": "0"})


def test_an_index_built_by_an_older_version_is_refused_with_what_to_do(tmp_path):
    """Tantivy aborts the process on a query naming a field its index lacks: an index of an older schema
    (here without region_codes, topic and work_key) is refused before any query, for reads and writes alike."""


    backend = TantivyBackend(tmp_path)
    backend.rebuild([[{"id": "v1", "kind": "version", "work_id": "w1", "version_id": 1, "text_tok": "机动车",
                       "digest": "x"}]])
    assert backend.count() == 1
    current = backend._current_dir()
    meta_path = current / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    # work_key is made by the engine itself, not by index_docs: it is checked all the same
    meta["schema"] = [f for f in meta["schema"] if f["name"] not in ("region_codes", "topic", "work_key")]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    stale = TantivyBackend(tmp_path)
    with pytest.raises(BackendUnavailable, match="旧版本.*region_codes、topic、work_key：.*fagui index rebuild"):
        stale.search(SearchRequest())
    with pytest.raises(BackendUnavailable, match="旧版本"):
        stale.replace_works(["w1"], [])
    assert stale.count() == 0
    # the digest was a text field before it was stored bytes: such an index is refused the same way
    fresh = TantivyBackend(tmp_path / "again")
    fresh.rebuild([[{"id": "v1", "kind": "version", "work_id": "w1", "version_id": 1, "digest": "x"}]])
    assert fresh.digests() == {"v1": "x"}
    meta_path = fresh._current_dir() / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["schema"] = [{**f, "type": "text"} if f["name"] == "digest" else f for f in meta["schema"]]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(BackendUnavailable, match="旧版本.*缺少字段 digest：.*fagui index rebuild"):
        TantivyBackend(tmp_path / "again").search(SearchRequest())


def test_an_index_holding_the_fields_in_another_order_is_refused(tmp_path):
    # Queries name a field by its place in the schema: the same fields in another order would be searched wrongly.
    backend = TantivyBackend(tmp_path)
    backend.rebuild([[{"id": "a1", "kind": "article", "work_id": "w1", "version_id": 1, "article_id": 1,
                       "text_tok": "机动车", "digest": "x"}]])
    meta_path = backend._current_dir() / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert tuple(f["name"] for f in meta["schema"]) == FIELD_ORDER  # the declared order is the schema's
    text = TextQuery(must=(Clause(("机动车",)),))
    assert [h.doc_id for h in backend.search(SearchRequest(text=text, filters=Filters(kind="article"))).hits] == ["a1"]
    meta["schema"] = meta["schema"][:-3] + meta["schema"][-1:] + meta["schema"][-3:-1]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(BackendUnavailable, match="字段顺序不同：请运行 `fagui index rebuild`"):
        TantivyBackend(tmp_path).search(SearchRequest(text=text, filters=Filters(kind="article")))
