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
TOGETHER_BOOST = 15.0  # several terms found as one run, as typed (第十二条 气象): well above words alone
# The same for terms pasted as one run (service._pasted): one of them is an article's label (第十六条 企业应当, an
# article's opening copied with the whitespace after its label), or a line break stands between them. Those texts
# come first, before any whose words score higher. bench/phrase_recall.py
# --openings (300 openings each): source work in the top 10 at 2, 4 and 8 characters after the label 59.3, 79.7
# and 92.0% with 4.0, 69.0, 83.0 and 92.3% with 15.0, 76.7, 84.0 and 92.3% with this (quoted: 74.7, 84.7 and
# 93.7%; the FTS5 trigram peer, which matches the pasted run literally: 73.7, 84.3 and 94.3%). Not for all terms:
# typed keywords standing together in some other text (行政处罚 听证 in the 海关行政处罚实施条例) are no sign that
# text is the one meant: this for every query put 行政处罚法 second there (bench/queries.json MRR@10 0.912 -> 0.901).
TOGETHER_FIRST_BOOST = 1000.0
EXACT_SCALE = 0.5  # an exact run's BM25 counts this much per bigram (a run of n characters has n - 1)
# A term of several words (生产经营: 生产 + 经营) is ranked by its run alone, counted this much more: the words'
# phrase stands wherever the run does, so it ranked alike (bench/queries.json, officer and phrase benches) and
# cost more than the rest of the search (two very common words' positions, at every match).
SEVERAL_WORDS_BOOST = 2.0
# An article's text is indexed under fields of its own (both engines; the documents of index_docs name it as a
# version's): a clause on them finds articles only, and BM25 weighs an article against articles, not against whole
# texts. At 33,000 works the Tantivy engine's searches took a fifth less CPU than with one text field for both:
# each kind's postings are a tenth as long to walk, and an article search needs no `kind` filter to intersect.
ARTICLE_FIELDS = {"text_tok": "article_tok", "text_bi": "article_bi", "text_uni": "article_uni"}
# Exact-match fields (indexer.search.analysis.exact_tokens): folded characters as bigrams with positions and as
# single characters; each text field has both.
EXACT_FIELDS = {"title_tok": ("title_bi", "title_uni"), "text_tok": ("text_bi", "text_uni"),
                "article_tok": ("article_bi", "article_uni")}


def together_boost(text: TextQuery) -> float:
    """The constant a text holding all the terms as one run (TextQuery.together) scores on top."""
    return TOGETHER_FIRST_BOOST if text.together_first else TOGETHER_BOOST


def text_field(kind: str) -> str:
    """The words field holding a kind's text (EXACT_FIELDS names its exact-match fields)."""
    return ARTICLE_FIELDS["text_tok"] if kind == "article" else "text_tok"


def engine_fields(doc: dict) -> dict:
    """A document's fields as the engines index them: an article's text under ARTICLE_FIELDS."""
    if doc.get("kind") != "article":
        return doc
    return {ARTICLE_FIELDS.get(name, name): value for name, value in doc.items()}


def phrase_slop(tokens: list[str] | tuple[str, ...]) -> int:
    """Index-time analysis puts each word's pieces before it, so the finest query tokens of a phrase can stand
    a few tokens apart (a legal term follows its own pieces)."""
    return len(tokens) + 3


def pair_slop(first: str, second: str) -> int:
    """The slop of one neighbouring pair of a phrase's tokens: both engines check a phrase pair by pair (all
    pairs must match). A pair may stand as far apart as the pieces indexed around its two words: the longer
    word that holds the first (河南 in 河南省) and the pieces that precede the second (未成年人保护 follows
    未成, 成年, 未成年, 成年人, 未成年人, 保护)."""
    return max(phrase_slop((first, second)), len(first) + len(second) + 2)


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
    together_first: bool = False  # the terms were pasted as one run (service._pasted): texts holding it come first

    @property
    def is_empty(self) -> bool:
        return not (self.must or self.any_of)


@dataclass(frozen=True)
class Filters:
    kind: str = "version"  # "version" or "article"
    doc_types: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    # GB/T 2260 codes (fagui.regions): a text matches a code when it lies in that division or below it, and
    # national texts match NATIONAL. scope_codes is the deployment's scope, region_codes the reader's choice.
    scope_codes: tuple[str, ...] = ()
    region_codes: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
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
    # Also count the facets of the filters in use each without its own filter (BackendResult.wider), in the same
    # pass, where the engine can (SearchBackend.folds_facets, folded_facets): the reader sees 已废止 12 beside
    # 现行有效, and the other 效力级别, without a second pass over every match.
    wide_facets: bool = False
    # Also the versions with the most matching documents, up to this many (BackendResult.per_version): articles
    # counted by their version rank a term too short to score (a character or two) by how often a text uses it.
    per_version: int = 0
    facet_fields: tuple[str, ...] = ()  # the facets counted (requested_facets): every one of FACET_FIELDS when empty


def requested_facets(request: SearchRequest) -> dict[str, int]:
    """The facets a request counts, with their sizes: a pass wanting one facet (the service's wider facets)
    does not pay for the others' buckets."""
    if not request.facets:
        return {}
    return {name: size for name, size in FACET_FIELDS.items()
            if not request.facet_fields or name in request.facet_fields}


@dataclass
class BackendHit:
    doc_id: str  # v<version id> or a<article id> (index_docs)
    # Equal for the hits of one work, different between works: the work id (Elasticsearch) or a 64-bit hash of
    # it read from a fast field (Tantivy: reading stored documents cost a fifth of a search).
    work_key: int | str
    version_id: int
    score: float
    article_id: int | None = None


@dataclass
class BackendResult:
    total: int
    hits: list[BackendHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    wider: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # facets counted without their filter
    per_version: list[tuple[int, int]] = field(default_factory=list)  # (version id, matching documents), most first


class BackendUnavailable(UnavailableError, RuntimeError):
    """The engine cannot be reached or its index is missing; the message is for the reader, in Chinese."""


def listing_order(request: SearchRequest) -> str | None:
    """The field a listing without search words is ordered by in relevance order, highest first (the latest
    stored first), or None. Such hits all score 0.0 (filters select without scoring): both engines then order
    them by this unique key rather than by where their own index happens to hold each document."""
    if request.sort == "relevance" and request.text.is_empty:
        return "article_id" if request.filters.kind == "article" else "version_id"
    return None


# One exact term this long is a passage pasted from a text (a reader does not type eight characters without a
# space as a topic): the text it was cut from is wanted, national or local, so the rank weight (log2(2 + weight):
# national before local, current before superseded) is left out and the text alone ranks. On 300 phrases of 8 and
# 12 characters cut from the corpus (bench/phrase_recall.py) the source work came in the first ten for 90.0% and
# 97.0% weighted, 91.3% and 97.7% not (a trigram FTS5 peer: 91.3% and 97.0%); from 6 characters, topic queries such
# as 未成年人保护 lost their national law (bench/queries.json success@1 0.884 to 0.860), from 8 nothing moved.
PASSAGE_CHARS = 8


def lone_term(text: TextQuery) -> str:
    """The characters of the query's one exact term when it is the whole query, else ""."""
    alone = len(text.must) == 1 and not text.any_of and not text.match_any
    return text.must[0].chars if alone else ""


def ranks_unweighted(text: TextQuery) -> bool:
    """The whole query is one exact term of at least PASSAGE_CHARS characters: ranked without the rank weight."""
    return len(lone_term(text)) >= PASSAGE_CHARS


def one_version_per_work(filters: Filters) -> bool:
    """A work has one version in force on a day and one current 现行有效 version: such a search's matching
    documents are its matching works, and the engine's plain hit count is the total."""
    return filters.as_of is not None or tuple(filters.statuses) == ("effective",)


# The facets whose filter lets several values be ticked: each is counted without its own filter, so the reader
# sees what else can be added (现行有效 ticked, 已废止 12 still offered). Facet field -> Filters attribute.
MULTI_SELECT = {"status": "statuses", "doc_type": "doc_types", "region": "regions"}


def folded_facets(filters: Filters) -> tuple[str, ...]:
    """The multi-select facets an engine that folds (folds_facets) counts without their filter in the search's
    own pass when asked (SearchRequest.wide_facets): status for the default search (现行有效, no 时点), and
    效力级别 or 地区 where one value is chosen. None for a search counting works (several statuses ticked): the
    service counts those with passes of their own."""
    if not one_version_per_work(filters):
        return ()
    chosen = [name for name, attr in MULTI_SELECT.items() if name != "status" and len(getattr(filters, attr)) == 1]
    return (("status",) if filters.as_of is None else ()) + tuple(chosen)


class SearchBackend(Protocol):
    name: str
    folds_facets: bool  # honours SearchRequest.wide_facets for the folded_facets of its filters

    def replace_works(self, work_ids: list[str], docs: list[dict]) -> None:
        """Delete every document of these works, add the given ones, commit: idempotent."""

    def rebuild(self, batches: Iterable[list[dict]]) -> int:
        """Build a whole new index from the batches and switch searches to it only when complete."""

    def search(self, request: SearchRequest) -> BackendResult: ...

    def digests(self) -> dict[str, str]:
        """doc id -> digest for every indexed document, to compare the index with the store."""

    def count(self) -> int: ...

    def close(self) -> None: ...
