"""The conformance suite runs on every engine: Tantivy always; the Elasticsearch engine's queries on Lucene itself
where Java and Debian's liblucene8-java are installed (lucene_engine.py); Elasticsearch where FAGUI_ES_URL is
set."""

from __future__ import annotations

import os
import uuid

import pytest

ES_URL = os.environ.get("FAGUI_ES_URL")


@pytest.fixture(scope="session")
def lucene_classpath(tmp_path_factory):
    from tests.indexer.search.backends.lucene_engine import lucene_classpath

    classpath, reason = lucene_classpath(tmp_path_factory.mktemp("lucene-classes"))
    return classpath, reason


@pytest.fixture(params=["tantivy", "lucene", "elasticsearch"])
def backend(request, tmp_path):
    if request.param == "tantivy":
        from indexer.search.backends.tantivy_backend import TantivyBackend

        engine = TantivyBackend(tmp_path / "tantivy")
        yield engine
        engine.close()
        return
    if request.param == "lucene":
        classpath, reason = request.getfixturevalue("lucene_classpath")
        if classpath is None:
            pytest.skip(f"the Elasticsearch engine's queries cannot run on Lucene here: {reason}")
        from tests.indexer.search.backends.lucene_engine import LuceneEngine

        lucene = LuceneEngine(classpath)
        yield lucene
        lucene.close()
        return
    if not ES_URL:
        pytest.skip("FAGUI_ES_URL is not set: no Elasticsearch to run the conformance suite against "
                    "(docker compose up -d --wait elasticsearch; FAGUI_ES_URL=http://127.0.0.1:9200)")
    from indexer.search.backends.elasticsearch_backend import ElasticsearchBackend

    engine = ElasticsearchBackend(ES_URL, alias=f"fagui-test-{uuid.uuid4().hex[:8]}")
    yield engine
    engine.drop_all()  # the test's own versioned indices and alias
    engine.close()
