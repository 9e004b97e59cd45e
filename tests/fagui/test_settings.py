"""Settings read from FAGUI_* variables: the Elasticsearch alias."""

from __future__ import annotations

import pytest

from fagui.errors import SettingsError
from fagui.settings import load_settings


def test_es_alias_defaults_to_fagui_docs_and_is_checked():
    assert load_settings({}).es_alias == "fagui-docs"
    assert load_settings({"FAGUI_ES_ALIAS": "fagui-staging.2"}).es_alias == "fagui-staging.2"
    for bad in ("Fagui", "fagui docs", "-fagui", "_fagui", "fagui*", "a/b", "x" * 201):
        with pytest.raises(SettingsError, match="FAGUI_ES_ALIAS"):
            load_settings({"FAGUI_ES_ALIAS": bad})


def test_the_engine_searches_the_alias_of_the_settings(tmp_path):
    from indexer.search.backends import open_backend

    settings = load_settings({"FAGUI_DATA_DIR": str(tmp_path), "FAGUI_ES_URL": "http://127.0.0.1:9",
                              "FAGUI_ES_ALIAS": "fagui-test-settings"})
    backend = open_backend(settings)
    try:
        assert backend.name == "elasticsearch" and backend.alias == "fagui-test-settings"  # type: ignore[attr-defined]
    finally:
        backend.close()


def test_a_test_run_on_elasticsearch_uses_its_own_alias(es_test_alias):
    import os

    if es_test_alias is None:
        pytest.skip("FAGUI_ES_URL is not set: no Elasticsearch, so no test alias to check")
    assert os.environ["FAGUI_ES_ALIAS"] == es_test_alias != "fagui-docs"
    assert load_settings().es_alias == es_test_alias
