"""What a search returns, as typed values: the result page, its hits with their matching articles, the direct
answer (a query naming a document number, or a work and an article) and the facet counts.

The command line, the portal pages and the API read these by attribute; each type writes its own JSON in
`to_json`, the one place the API's and `fagui search --json`'s shape is fixed (portal/openapi.py describes it).
Keys are written in a fixed order because the command line prints them unsorted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from fagui.normalise.paragraphs import suffix as place_suffix
from fagui.vocabulary import STATUS_LABELS

JSON = dict[str, Any]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class ArticleHit:
    """An article of a hit that matched the query: where to jump (#anchor) and the matching window."""

    number: int
    sub: int
    label: str
    anchor: str
    snippet: str  # HTML: the text escaped, matched words in <mark>

    def to_json(self) -> JSON:
        return {"number": self.number, "sub": self.sub, "label": self.label, "anchor": self.anchor,
                "snippet": self.snippet}


@dataclass(frozen=True)
class Hit:
    """One work in the result list, shown by the version that matched (the current one unless a 时点 or a
    superseded status was asked for)."""

    work_id: str
    version: int
    is_current: bool
    title: str
    doc_type: str | None
    region: str
    status: str
    status_official: bool
    published: date | None
    effective: date | None  # the day the version took effect, else the day it was published
    issuing_bodies: tuple[str, ...]
    doc_number: str | None
    score: float
    snippet: str  # HTML, as ArticleHit.snippet
    articles: tuple[ArticleHit, ...] = ()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def to_json(self) -> JSON:
        return {
            "work_id": self.work_id,
            "version": self.version,
            "is_current": self.is_current,
            "title": self.title,
            "doc_type": self.doc_type,
            "region": self.region,
            "status": self.status,
            "status_label": self.status_label,
            "status_official": self.status_official,
            "published": _iso(self.published),
            "effective": _iso(self.effective),
            "issuing_bodies": list(self.issuing_bodies),
            "doc_number": self.doc_number,
            "score": self.score,
            "snippet": self.snippet,
            "articles": [a.to_json() for a in self.articles],
        }


@dataclass(frozen=True)
class AnswerArticle:
    """The article a direct answer opens, with its text."""

    number: int
    sub: int
    label: str
    anchor: str
    path: str | None
    text: str

    def to_json(self) -> JSON:
        return {"number": self.number, "sub": self.sub, "label": self.label, "anchor": self.anchor,
                "path": self.path, "text": self.text}


@dataclass(frozen=True)
class ArticleAnswer:
    """道路交通安全法第九十一条: that article, in the version in force on the 时点 when one is given."""

    work_id: str
    title: str
    status: str
    version: int
    is_current: bool
    article: AnswerArticle
    type: Literal["article"] = "article"
    paragraph: int | None = None  # the 款 the query named (第二款), when the article has it
    item: int | None = None  # the 项

    @property
    def anchor(self) -> str | None:
        """art-91, or art-91-p2 / art-91-p2-i3 for a paragraph or item (fagui.normalise.paragraphs)."""
        return self.article.anchor + place_suffix(self.paragraph, self.item)

    def to_json(self) -> JSON:
        return {"type": self.type, "work_id": self.work_id, "title": self.title, "status": self.status,
                "version": self.version, "is_current": self.is_current, "article": self.article.to_json(),
                "paragraph": self.paragraph, "item": self.item, "anchor": self.anchor}


@dataclass(frozen=True)
class DocumentAnswer:
    """国务院令第802号: the one work that carries this document number (its latest version with it)."""

    work_id: str
    title: str
    doc_number: str | None
    version: int
    is_current: bool
    type: Literal["document"] = "document"

    @property
    def anchor(self) -> str | None:
        return None

    def to_json(self) -> JSON:
        return {"type": self.type, "work_id": self.work_id, "title": self.title, "doc_number": self.doc_number,
                "version": self.version, "is_current": self.is_current}


DirectAnswer = ArticleAnswer | DocumentAnswer


@dataclass(frozen=True)
class FacetValue:
    """One value of a filter with the number of works it would leave; label and id only where a facet has
    them (a status's Chinese label, an issuing body's id)."""

    value: str
    count: int
    label: str | None = None
    id: str | None = None

    def to_json(self) -> JSON:
        out: JSON = {"value": self.value}
        if self.label is not None:
            out["label"] = self.label
        if self.id is not None:
            out["id"] = self.id
        out["count"] = self.count
        return out


@dataclass(frozen=True)
class Facets:
    """The counts beside the filters, one list per filter."""

    doc_type: tuple[FacetValue, ...] = ()
    region: tuple[FacetValue, ...] = ()
    status: tuple[FacetValue, ...] = ()
    issuing_body: tuple[FacetValue, ...] = ()

    def to_json(self) -> JSON:
        return {"doc_type": [v.to_json() for v in self.doc_type], "region": [v.to_json() for v in self.region],
                "status": [v.to_json() for v in self.status],
                "issuing_body": [v.to_json() for v in self.issuing_body]}


@dataclass(frozen=True)
class SearchResult:
    """One page of results: the hits, how many works matched in all, the direct answer, the notes the reader
    should see (a dropped character, works a 时点 cannot place, an unknown document number) and the facets."""

    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    direct: DirectAnswer | None = None
    warnings: tuple[str, ...] = ()
    hits: tuple[Hit, ...] = ()
    facets: Facets | None = None  # None: the search was asked without facets
    mode: str = "exact"  # the matching used: exact (精确检索), or fuzzy when asked for or when nothing matched exactly
    also_searched: tuple[str, ...] = ()  # the law's wording of everyday words in the query (醉驾: 醉酒驾驶机动车)

    @property
    def pages(self) -> int:
        """Pages of per_page hits the total fills (at least one)."""
        return max(1, -(-self.total // self.per_page))

    def to_json(self) -> JSON:
        return {
            "query": self.query,
            "mode": self.mode,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "took_ms": self.took_ms,
            "direct": self.direct.to_json() if self.direct is not None else None,
            "warnings": list(self.warnings),
            "also_searched": list(self.also_searched),
            "hits": [h.to_json() for h in self.hits],
            "facets": self._facets_json(),
        }

    def facets_json(self) -> JSON:
        """The /facets answer: the counts without the hits."""
        return {"query": self.query, "total": self.total, "facets": self._facets_json()}

    def _facets_json(self) -> JSON:
        return self.facets.to_json() if self.facets is not None else {}
