"""Past Tantivy's limit of buckets per aggregation, works are estimated rather than the search failing."""

from __future__ import annotations

import pytest

from indexer.search.backends.base import Filters, SearchRequest
from indexer.search.backends.tantivy_backend import TantivyBackend
from tests.indexer.search.backends.test_conformance import DOCS, q


class _LimitedSearcher:
    """A searcher whose aggregations fail as Tantivy's do past 65,000 buckets when they bucket works one by one."""

    def __init__(self, searcher, refused: list[dict]) -> None:
        self._searcher, self.refused = searcher, refused

    def aggregate(self, query, aggs):
        if "versioned_work" in repr(aggs):  # the exact counts of works
            self.refused.append(aggs)
            raise ValueError("Aborting aggregation because bucket limit was exceeded. Limit: 65000, Current: 70003")
        return self._searcher.aggregate(query, aggs)

    def __getattr__(self, name):
        return getattr(self._searcher, name)


def test_works_are_estimated_past_the_bucket_limit(tmp_path, monkeypatch):
    backend = TantivyBackend(tmp_path / "tantivy")
    backend.replace_works(["w1", "w2", "w3", "w4"], DOCS)
    request = SearchRequest(text=q("道路"), filters=Filters(statuses=()), limit=5, facets=True,
                            count_field="work_id")
    exact = backend.search(request)
    refused: list[dict] = []
    searcher = backend._searcher
    monkeypatch.setattr(backend, "_searcher", lambda: _LimitedSearcher(searcher(), refused))
    estimated = backend.search(request)
    assert refused, "the exact counts were asked first"
    # The estimate (cardinality) is exact on so few works; the hits are those of the exact search.
    assert estimated.total == exact.total == 2 and estimated.facets == exact.facets
    assert dict(estimated.facets["status"]) == {"effective": 2, "amended": 1}
    assert [h.doc_id for h in estimated.hits] == [h.doc_id for h in exact.hits]


def test_other_engine_errors_are_not_taken_for_the_bucket_limit(tmp_path, monkeypatch):
    backend = TantivyBackend(tmp_path / "tantivy")
    backend.replace_works(["w1", "w2", "w3", "w4"], DOCS)
    searcher = backend._searcher

    class Broken(_LimitedSearcher):
        def aggregate(self, query, aggs):
            raise ValueError("field not found")

    monkeypatch.setattr(backend, "_searcher", lambda: Broken(searcher(), []))
    with pytest.raises(ValueError, match="field not found"):  # not taken for the bucket limit
        backend.search(SearchRequest(text=q("道路"), filters=Filters(statuses=()), facets=True,
                                     count_field="work_id"))
