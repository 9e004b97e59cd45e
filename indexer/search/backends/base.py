"""One interface, two engines: what the search service asks of Tantivy and Elasticsearch alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from fagui.errors import UnavailableError

# Facets every search can return: field name in the index -> how many buckets to keep.
FACET_FIELDS: dict[str, int] = {"doc_type": 20, "region": 40, "status": 10, "body_ids": 30}
SORTS = ("relevance", "published", "effective")
# Scoring shared by both engines, so they rank alike.
TITLE_BOOST = 3.0  # a clause matching the title counts this much more (version documents)
EXACT_TITLE_BOOST = 200.0  # the whole query is a work's title (store.title_key): that work is the answer, first
TOGETHER_BOOST = 4.0  # several terms found as one run, as they were typed (第十二条 气): above words alone
EXACT_SCALE = 0.5  # an exact run's BM25 counts this much per bigram (a run of n characters has n - 1)
# Exact-match fields (indexer.search.analysis.exact_tokens): folded characters as bigrams with positions and as
# single characters; each text field has both.
EXACT_FIELDS = {"title_tok": ("title_bi", "title_uni"), "text_tok": ("text_bi", "text_uni")}


def phrase_slop(tokens: list[str] | tuple[str, ...]) -> int:
    """Index-time analysis puts each word's pieces before it, so the finest query tokens of a phrase can stand
    a few tokens apart (a legal term follows its own pieces)."""
    return len(tokens) + 3


@dataclass(frozen=True)
class Clause:
    """One condition on the text.

    With `chars` (精确检索, analysis.exact_form of a term): the clause matches where those characters stand as
    one contiguous run in the title or the text, whatever the word segmentation; `tokens` then only rank.
    Without it (模糊检索): `tokens` must all occur; `phrase` asks for them in order, next to each other
    (within a small slop, since index-time analysis adds sub-word tokens between them)."""

    tokens: tuple[str, ...]
    phrase: bool = False
    chars: str = ""


@dataclass(frozen=True)
class TextQuery:
    must: tuple[Clause, ...] = ()
    any_of: tuple[tuple[Clause, ...], ...] = ()  # each group: at least one clause matches
    exclude: tuple[Clause, ...] = ()
    title_only: bool = False
    match_any: bool = False  # article look-ups: any clause may match, best-scoring first
    title_key: str | None = None  # the query read as a title (store.title_key): an exact title ranks first
    together: str = ""  # the exact form of all the terms as one run: texts holding them so rank first

    @property
    def is_empty(self) -> bool:
        return not (self.must or self.any_of)


@dataclass(frozen=True)
class Filters:
    kind: str = "version"  # "version" or "article"
    doc_types: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("effective",)
    body_ids: tuple[str, ...] = ()
    published_from: int | None = None  # yyyymmdd, inclusive
    published_to: int | None = None
    effective_from: int | None = None
    effective_to: int | None = None
    as_of: int | None = None  # in force on this day: replaces the status filter
    ended_to: int | None = None  # the work ended on or before this day (0: ended on a day nobody knows)
    version_ids: tuple[int, ...] = ()
    doc_number_key: str | None = None
    current_only: bool = False


@dataclass(frozen=True)
class SearchRequest:
    text: TextQuery = TextQuery()
    filters: Filters = Filters()
    sort: str = "relevance"
    offset: int = 0
    limit: int = 10
    facets: bool = False
    count_field: str | None = None  # distinct values of this field as the total (works, not versions)
    # Also count the status facet without the status filter (BackendResult.wider), in the same pass, where the
    # engine can (SearchBackend.folds_status_facet and status_facet_foldable): the reader sees 已废止 12 beside
    # 现行有效 without a second pass over every match.
    status_wide: bool = False


@dataclass
class BackendHit:
    doc_id: str
    work_id: str
    version_id: int
    score: float
    article_id: int | None = None


@dataclass
class BackendResult:
    total: int
    hits: list[BackendHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    wider: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # facets counted without their filter


class BackendUnavailable(UnavailableError, RuntimeError):
    """The engine cannot be reached or its index is missing; the message is for the reader, in Chinese."""


def status_facet_foldable(filters: Filters) -> bool:
    """The default search (现行有效, no 时点): its facets are the 现行有效 bucket's share of a pass without the
    status filter, which counts the status facet too."""
    return filters.as_of is None and tuple(filters.statuses) == ("effective",)


class SearchBackend(Protocol):
    name: str
    folds_status_facet: bool  # honours SearchRequest.status_wide when status_facet_foldable

    def replace_works(self, work_ids: list[str], docs: list[dict]) -> None:
        """Delete every document of these works, add the given ones, commit: idempotent."""

    def rebuild(self, batches: Iterable[list[dict]]) -> int:
        """Build a whole new index from the batches and switch searches to it only when complete."""

    def search(self, request: SearchRequest) -> BackendResult: ...

    def digests(self) -> dict[str, str]:
        """doc id -> digest for every indexed document, to compare the index with the store."""

    def count(self) -> int: ...

    def close(self) -> None: ...
