"""What the search engines index, built from the store: one document per version and one per article.

Both engines receive the same plain dicts, with text already tokenised by indexer.search.analysis (tokens joined by
spaces), so they see identical tokens: words (`title_tok`, `text_tok`, for ranking and 模糊检索) and the folded
characters (`*_bi` bigrams with positions, `*_uni` single characters, for 精确检索). Only filter, sort and facet values are kept in the index; titles,
texts and snippets are read back from the store, which stays the truth."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fagui.regions import path_codes
from indexer.store.browse import topic_of
from indexer.store.models import Article, IssuingBody, Relation, Version, Work
from indexer.store.published import published_links
from indexer.store.status import version_start
from indexer.store.upsert import title_key

OPEN_END = 99991231  # "no end": dates are indexed as yyyymmdd integers
NO_DATE = 0

# Ranking weights (engines multiply the text score by log2(2 + weight)): the text in force today counts
# most, national works outrank local ones of the same title, superseded texts come last.
# Among national works, the higher the effect level the more a reader means it (道路交通安全法 before the
# ministry's rules on driving licences when both match 醉酒驾驶).
NATIONAL_WEIGHTS = {"宪法": 14.0, "法律": 14.0, "行政法规": 10.0, "监察法规": 10.0, "司法解释": 8.0, "部门规章": 6.0}
WEIGHT_NATIONAL_OTHER = 6.0
WEIGHT_CURRENT_LOCAL = 2.0
WEIGHT_OTHER = 0.0


def rank_weight(work: Work, is_current: bool) -> float:
    if not is_current:
        return WEIGHT_OTHER
    if work.region != "全国":
        return WEIGHT_CURRENT_LOCAL
    return NATIONAL_WEIGHTS.get(work.doc_type or "", WEIGHT_NATIONAL_OTHER)


def day(value: date | None, default: int = NO_DATE) -> int:
    return value.year * 10000 + value.month * 100 + value.day if value else default


def _body_ids(bodies: list[IssuingBody]) -> list[str]:
    """A body and all bodies above it, so that a filter on a parent finds works of its sub-bodies."""
    out: list[str] = []
    for body in bodies:
        node: IssuingBody | None = body
        while node is not None and str(node.id) not in out:
            out.append(str(node.id))
            node = node.parent
    # Sorted: the database returns a work's bodies in no fixed order (PostgreSQL differs between reads),
    # and the same work must always give the same document and digest.
    return sorted(out, key=int)


def end_days(session: Session, works: list[Work]) -> dict[str, int]:
    """When each work as a whole stopped being in force: a stored repeal, or a source's report of its end.
    An end without a date is NO_DATE: a 时点 search cannot say whether the work was in force on a given day,
    so it leaves the work out and counts it, as it does texts with no date of their own. One query each for
    the works' repeals and their clearance decisions, however many works."""
    ids = [w.id for w in works]
    ends: dict[str, list[int]] = {w: [] for w in ids}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Relation.object_work_id, Relation.effective).where(
                Relation.object_work_id.in_(ids[start:start + 500]),
                Relation.relation_type.in_(("repeals", "replaces")))
        ).all()
        for work_id, effective in rows:
            if work_id is not None:
                ends[work_id].append(day(effective))
    # A published clearance decision's end, unless a later one undid it (a 时点 search then keeps the work).
    for work_id, links in published_links(session, ids).items():
        ends[work_id].extend(day(link.effective) for link in links if link.until is None)
    for work in works:
        last = work.versions[-1] if work.versions else None
        if last is not None and last.end_status:
            ends[work.id].append(day(last.ended_on))
    return {w: min(days) if days else OPEN_END for w, days in ends.items()}


ArticleRow = tuple[int, int, int, str]  # id, number, sub, text


def docs_for_work(session: Session, work: Work, ended: int | None = None,
                  articles: dict[int, list[ArticleRow]] | None = None) -> list[dict]:
    """Every search document of one work (its versions and their articles); `ended` is its end_days entry
    and `articles` its versions' article_rows when the caller looked them up with other works'."""
    from indexer.search.analysis import (  # the tokenizer loads where text is indexed
        LineForms,
        exact_form,
        exact_tokens,
        line_fields,
        pretokenised,
    )

    cache: LineForms = {}

    bodies = list(work.issuing_bodies)
    body_ids = _body_ids(bodies)
    if ended is None:
        ended = end_days(session, [work])[work.id]
    region_codes = path_codes(work.region_code)
    docs: list[dict] = []
    for version in work.versions:
        is_current = version.id == work.current_version_id
        weight = rank_weight(work, is_current)
        common = {
            "work_id": work.id,
            "version_id": version.id,
            "doc_type": work.doc_type or "",
            "region": work.region,
            "status": version.status,
            "body_ids": body_ids,
            "region_codes": region_codes,
            "topic": topic_of(version.meta),
            "published": day(version.published),
            "effective": day(version_start(version.effective_from, version.published)),
            "effective_to": day(version.effective_to, OPEN_END),
            "ended": ended,
            "is_current": int(is_current),
            # The work id again, only for a work with several versions: a search counting works counts the
            # documents of works with one version and buckets only these (backends.tantivy_backend).
            "versioned_work": work.id if len(work.versions) > 1 else None,
            "weight": weight,
        }
        # The title field holds the title as people say it (no 中华人民共和国), so 道路运输条例 is as close
        # a match for the national regulation as for 广东省道路运输条例; the full title stays in the text.
        short_title = title_key(version.title)
        searched = _with_title(version.title, version.text)
        words, chars, pairs = line_fields(searched, cache)
        title_chars = exact_form(version.title)
        if title_chars not in chars:
            # Exact search requires a match in the text and only scores the title (backends): the text
            # must hold the title as compared, after folding, whatever the raw check above saw.
            words, chars, pairs = line_fields(f"{version.title}\n{searched}", cache)
        docs.append({
            "id": f"v{version.id}",
            "kind": "version",
            **common,
            "doc_number_key": version.doc_number_key or "",
            "title_key": short_title,
            "title_tok": pretokenised(short_title),
            "text_tok": words,
            **_exact_fields("title", *exact_tokens(title_chars)),
            **_exact_fields("text", pairs, _distinct(chars)),
        })
        rows = (articles.get(version.id, []) if articles is not None
                else [(a.id, a.number, a.sub, a.text) for a in version.articles])
        for article_id, number, sub, article_text in rows:
            words, chars, pairs = line_fields(article_text, cache)
            docs.append({
                "id": f"a{article_id}",
                "kind": "article",
                **common,
                "doc_number_key": "",
                "article_id": article_id,
                "number": number,
                "sub": sub,
                "text_tok": words,
                **_exact_fields("text", pairs, _distinct(chars)),
            })
    for doc in docs:
        doc["digest"] = digest(doc)
    return docs


def docs_for_works(session: Session, works: list[Work]) -> list[dict]:
    """Every search document of these works, their ends looked up together."""
    ends = end_days(session, works)
    articles = article_rows(session, [v.id for w in works for v in w.versions])
    return [doc for work in works for doc in docs_for_work(session, work, ends[work.id], articles)]


def article_rows(session: Session, version_ids: list[int]) -> dict[int, list[ArticleRow]]:
    """The articles of these versions as plain rows, in order: loading them as objects cost a tenth of the time
    it takes to make the documents."""
    out: dict[int, list[ArticleRow]] = {v: [] for v in version_ids}
    for start in range(0, len(version_ids), 500):
        rows = session.execute(
            select(Article.version_id, Article.id, Article.number, Article.sub, Article.text)
            .where(Article.version_id.in_(version_ids[start:start + 500]))
            .order_by(Article.version_id, Article.position)
        )
        for version_id, article_id, number, sub, text in rows:
            out[version_id].append((article_id, number, sub, text))
    return out


def _exact_fields(prefix: str, pairs: str, chars: str) -> dict[str, str]:
    """The exact-match fields (analysis.exact_tokens): bigrams and distinct characters, each space-joined."""
    return {f"{prefix}_bi": pairs, f"{prefix}_uni": chars}


def _distinct(compact: str) -> str:
    return " ".join(sorted(set(compact)))  # sorted: the same document gives the same field, and digest


def _with_title(title: str, text: str) -> str:
    """The text a version is searched in always holds its full title: crawled pages often give the body
    without it, and a search for the title (or its last words, 问题的规定) must still find the document."""
    head = "".join(text[:2000].split())
    return text if "".join(title.split()) in head else f"{title}\n{text}"


def digest(doc: dict) -> str:
    """A fingerprint of a document's content, to compare the index with the store: every field but the digest,
    by name, each value with its type (None, 0 and "" differ). Hashed field by field: serialising the whole
    document as JSON first took a third more time (bench: 0.46 against 0.61 s for 30,000 documents)."""
    h = hashlib.sha1()
    for key in sorted(doc):
        if key != "digest":
            value = doc[key]
            h.update(f"\x1e{key}\x1f{type(value).__name__}\x1f".encode())
            h.update((value if isinstance(value, str) else repr(value)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def load_works(session: Session, work_ids: Iterable[str]) -> list[Work]:
    ids = list(work_ids)
    if not ids:
        return []
    stmt = (
        select(Work)
        .where(Work.id.in_(ids))
        .options(
            # The page's html and the history are never indexed: not read (the html is most of a crawled row).
            selectinload(Work.versions).defer(Version.html).defer(Version.history),
            selectinload(Work.issuing_bodies).selectinload(IssuingBody.parent),
        )
    )
    return list(session.scalars(stmt))


def all_work_ids(session: Session) -> list[str]:
    return list(session.scalars(select(Work.id).order_by(Work.id)))


def iter_doc_batches(session: Session, work_ids: list[str], batch: int = 100) -> Iterator[tuple[list[str], list[dict]]]:
    """(work ids, their documents) in batches, loading each batch of works once."""
    for start in range(0, len(work_ids), batch):
        chunk = work_ids[start : start + batch]
        docs = docs_for_works(session, load_works(session, chunk))
        session.expunge_all()  # keep memory flat over the whole corpus
        yield chunk, docs
