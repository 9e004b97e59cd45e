"""schemathesis against /api/v1/openapi.json on the sample instance, on SQLite and on PostgreSQL (which refuses
some text SQLite takes): generated requests (valid ones, invalid ones, and valid ones aimed at a real
multi-version work) never get a 500 and every response matches the document: status code, content type,
headers and body schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
# Modest on purpose: the whole file stays well under a minute on two shared cores.
EXAMPLES = 12


@pytest.fixture(scope="module")
def pg_app(portal_instance, pg_admin):
    """The same sample in a fresh PostgreSQL database, sharing the SQLite instance's Tantivy index (both stores
    hold the same works under the same ids, so the index answers for either)."""
    from crawlers.sources import lawrefbook
    from fagui.settings import BUNDLED_SAMPLE, load_settings
    from indexer.ingest.pipeline import ingest
    from indexer.store.db import make_engine, session_factory
    from indexer.store.migrate import upgrade
    from portal import create_app
    from tests.conftest import _drop_pg, _fresh_pg_url

    url = _fresh_pg_url(pg_admin)
    settings = load_settings({"FAGUI_DATA_DIR": str(portal_instance.data_dir), "FAGUI_DATABASE_URL": url,
                              "FAGUI_API_RATE_LIMIT": "0", "FAGUI_SECRET_KEY": "test-secret"})
    engine = make_engine(settings=settings)
    upgrade(engine)
    report = lawrefbook.read_corpus(BUNDLED_SAMPLE)
    ingest(session_factory(engine), lawrefbook.SOURCE, report.records, report.errors)
    engine.dispose()
    app = create_app(settings, testing=True)
    yield app
    store = app.extensions.get("fagui.store")
    if store is not None:
        store.engine.dispose()
    _drop_pg(pg_admin, url)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api_app(request):
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)


@pytest.fixture(scope="module")
def operations(api_schema):
    ops = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in ops} == {
        "/search", "/facets", "/works/{work_id}", "/works/{work_id}/versions", "/works/{work_id}/versions/{seq}",
        "/works/{work_id}/versions/{seq}/articles/{article}", "/works/{work_id}/versions/{seq}/penalties",
        "/works/{work_id}/compare"}
    return ops


@pytest.fixture(scope="module")
def road_transport_id(api_app):
    client = api_app.test_client()
    hits = client.get("/api/v1/search", query_string={"q": "道路运输条例", "region": "全国"}).get_json()["hits"]
    return hits[0]["work_id"]


def _run(strategy, examples: int = EXAMPLES) -> None:
    @given(case=strategy)
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        # The WSGI client reads bodies as sent and does not undo gzip (tests/portal/test_static_assets.py checks
        # the compressed answers): the schema is checked on plain ones.
        case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

    check()


def test_generated_requests_match_the_document(operations):
    for op in operations:
        _run(op.as_strategy(GenerationMode.POSITIVE))


def test_invalid_requests_get_documented_errors_not_500(operations):
    for op in operations:
        _run(op.as_strategy(GenerationMode.NEGATIVE))


def test_requests_on_a_real_work_match_the_document(operations, road_transport_id):
    for op in operations:
        if "{work_id}" not in op.path:
            continue
        fixed = {"work_id": road_transport_id}
        if "{seq}" in op.path:
            fixed["seq"] = 3
        _run(op.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed))
