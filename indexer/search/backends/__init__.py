"""Search engines behind one interface (base.SearchBackend): Tantivy embedded, Elasticsearch by URL."""

from __future__ import annotations

from fagui.settings import Settings
from indexer.search.backends.base import SearchBackend


def open_backend(settings: Settings) -> SearchBackend:
    """Elasticsearch when FAGUI_ES_URL is set, else the Tantivy index under FAGUI_DATA_DIR."""
    if settings.es_url:
        from indexer.search.backends.elasticsearch_backend import ElasticsearchBackend

        return ElasticsearchBackend(settings.es_url)
    from indexer.search.backends.tantivy_backend import TantivyBackend

    return TantivyBackend(settings.data_dir / "tantivy", heap_mb=settings.index_heap_mb)
