"""The search documents of the sample: what the engines' queries take for granted about them."""

from __future__ import annotations

from sqlalchemy import select

from indexer.search.index_docs import docs_for_works, load_works
from indexer.store.models import Work


def test_every_version_text_holds_its_title_as_exact_search_compares_them(corpus):
    # Exact search (backends, _exact_clause) requires a run in the text and only scores the title: a run of
    # the title must therefore stand in the text too, after folding, or a search for the title's words would
    # miss the document. Crawled texts often lack the title, or give it in traditional script or spaced out.
    factory, _ = corpus
    with factory() as session:
        works = load_works(session, session.scalars(select(Work.id)).all())
        docs = [d for d in docs_for_works(session, works) if d["kind"] == "version"]
    assert len(docs) > 400
    for doc in docs:
        title, text = f" {doc['title_bi']} ", f" {doc['text_bi']} "
        assert title.strip() and title in text, doc["id"]
