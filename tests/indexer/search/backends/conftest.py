"""The conformance suite runs on every engine: Tantivy always, Elasticsearch where FAGUI_ES_URL is set."""

from __future__ import annotations

import os
import uuid

import pytest

ES_URL = os.environ.get("FAGUI_ES_URL")


@pytest.fixture(params=["tantivy", "elasticsearch"])
def backend(request, tmp_path):
    if request.param == "tantivy":
        from indexer.search.backends.tantivy_backend import TantivyBackend

        engine = TantivyBackend(tmp_path / "tantivy")
        yield engine
        engine.close()
        return
    if not ES_URL:
        pytest.skip("FAGUI_ES_URL is not set: no Elasticsearch to run the conformance suite against "
                    "(docker compose up -d elasticsearch; FAGUI_ES_URL=http://127.0.0.1:9200)")
    from indexer.search.backends.elasticsearch_backend import ElasticsearchBackend

    engine = ElasticsearchBackend(ES_URL, alias=f"fagui-test-{uuid.uuid4().hex[:8]}")
    yield engine
    engine.drop_all()  # the test's own versioned indices and alias
    engine.close()
