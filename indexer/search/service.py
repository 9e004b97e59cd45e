"""The search service: query parsing, direct answers, engine search, snippets and matching articles.

One function, `search`, serves the command line, the portal and the API with the same typed result
(indexer.search.results), which writes the same JSON for all of them."""

from __future__ import annotations

import time
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from fagui.abbreviations import expand as expand_abbreviation
from fagui.errors import FaguiError
from fagui.normalise.articles import chinese_numeral, is_article_label
from fagui.normalise.paragraphs import has_place
from fagui.regions import NATIONAL
from fagui.regions import get as region_by_code
from fagui.vocabulary import DOC_TYPES, STATUS_LABELS, STATUSES, canonical_region
from indexer.search.analysis import analyse_query, exact_form, rank_tokens
from indexer.search.backends.base import (
    EXACT_TITLE_BOOST,
    MULTI_SELECT,
    SORTS,
    BackendHit,
    BackendResult,
    Clause,
    Filters,
    SearchBackend,
    SearchRequest,
    TextQuery,
    folded_facets,
    lone_term,
    one_version_per_work,
)
from indexer.search.everyday import Expansion
from indexer.search.everyday import expand as everyday_expand
from indexer.search.everyday import is_filler as everyday_filler
from indexer.search.highlight import snippet
from indexer.search.index_docs import day
from indexer.search.query import ERROR_NOTHING_SEARCHABLE, ParsedQuery, WorkArticleRef, parse_query
from indexer.search.results import (
    AnswerArticle,
    ArticleAnswer,
    ArticleHit,
    DirectAnswer,
    DocumentAnswer,
    Facets,
    FacetValue,
    Hit,
    SearchResult,
)
from indexer.search.side_by_side import later
from indexer.store.browse import issuing_body_names
from indexer.store.models import (
    Article,
    BodyAlias,
    IssuingBody,
    Version,
    Work,
    article_anchor,
)
from indexer.store.status import VersionDates, in_force_index
from indexer.store.upsert import title_key

MAX_PER_PAGE = 50
MAX_PAGE = 200
ARTICLES_PER_HIT = 3
SNIPPET_SCAN = 20_000  # characters of a text searched for its snippet when no article matched
MODES = ("exact", "fuzzy")  # 精确检索 (characters as typed) and 模糊检索 (words, any order)
WARN_FUZZY_FALLBACK = "没有找到与“{q}”完全一致的内容，以下为近似结果"
WARN_WORDS_FALLBACK = "没有找到与“{q}”完全一致或相近的内容，以下为同时包含“{words}”的结果"
# Words of a question that no legal text uses the way a reader asks (工伤认定需要什么材料, 离婚后孩子抚养权归谁):
# left out of the last fallback (_question_words), which searches the rest of the words anywhere in a text.
QUESTION_WORDS = frozenset({
    "什么", "怎么", "怎么办", "怎么样", "怎样", "如何", "为什么", "为何", "哪些", "哪个", "哪里", "哪儿", "多少",
    "多久", "几", "谁", "吗", "呢", "吧", "啊", "呀", "么", "是否", "能否", "可否", "是不是", "能不能", "可不可以",
    "有没有", "会不会", "请问", "咨询", "一下",
})


class SearchError(FaguiError, ValueError):
    """A request the reader must correct; the message is in Chinese and says how."""


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    statuses: tuple[str, ...] = ("effective",)
    doc_types: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    # GB/T 2260 codes (fagui.regions; NATIONAL for national texts): the deployment's scope and the reader's
    # region choice; a text matches a code when it lies in that division or below it.
    scope_codes: tuple[str, ...] = ()
    region_codes: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    body: str | None = None
    published_from: date | None = None
    published_to: date | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    as_of: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    facets: bool = True
    warnings: list[str] = field(default_factory=list)
    mode: str = "exact"
    expand: bool = True  # everyday words (醉驾) also searched in the law's wording (indexer.search.everyday)


def validate(params: SearchParams) -> None:
    if params.mode not in MODES:
        raise SearchError(f"未知的检索方式：{params.mode}（可选：exact 精确检索、fuzzy 模糊检索）")
    bad = [s for s in params.statuses if s not in STATUSES]
    if bad:
        raise SearchError(f"未知的时效性：{'、'.join(bad)}（可选：{'、'.join(STATUSES)}）")
    bad = [t for t in params.doc_types if t not in DOC_TYPES]
    if bad:
        raise SearchError(f"未知的效力级别：{'、'.join(bad)}")
    bad = [c for c in (*params.scope_codes, *params.region_codes) if c != NATIONAL and region_by_code(c) is None]
    if bad:
        raise SearchError(f"未知的行政区划代码：{'、'.join(bad)}（应为 GB/T 2260 代码，如 410000、410100）")
    if params.sort not in SORTS:
        raise SearchError(f"未知的排序方式：{params.sort}（可选：relevance、published、effective）")
    if not 1 <= params.page <= MAX_PAGE:
        raise SearchError(f"页码应在 1 到 {MAX_PAGE} 之间")
    if not 1 <= params.per_page <= MAX_PER_PAGE:
        raise SearchError(f"每页条数应在 1 到 {MAX_PER_PAGE} 之间")
    for lo, hi, label in ((params.published_from, params.published_to, "公布日期"),
                          (params.effective_from, params.effective_to, "施行日期")):
        if lo and hi and lo > hi:
            raise SearchError(f"{label}范围的起始日期晚于结束日期")


def _pasted(parsed: ParsedQuery, words: list[str]) -> bool:
    """The terms were copied from a text as one run (TextQuery.together_first): one of them is an article's label
    (an article's opening, copied with the whitespace after its label), or a line break stands between them (no
    one types a line break into a search; the command line and the API receive pasted ones as they are)."""
    return any(map(is_article_label, words)) or "\n" in parsed.raw or "\r" in parsed.raw


def _question_words(parsed: ParsedQuery) -> tuple[str, ...]:
    """The words of a plain query (no quotes, operators, exclusions or title search) that a text can hold, each
    a term of its own: its words (rank_tokens) without QUESTION_WORDS and single Chinese characters (后, 归,
    的). Empty when that changes nothing (the words were typed apart already) or leaves nothing."""
    if (parsed.phrases or parsed.any_of or parsed.exclude or parsed.title_only or parsed.doc_number
            or parsed.work_article or not parsed.must):
        return ()
    words = tuple(dict.fromkeys(
        w for term in parsed.must for w in rank_tokens(term)
        if w not in QUESTION_WORDS and not (len(w) == 1 and not w.isascii())))
    return () if not words or words == parsed.must else words


def _apart(text: TextQuery) -> TextQuery:
    """The same words, each matched anywhere in a text: a word's pieces need not stand together either
    (拖欠工资 finds 拖欠劳动者工资)."""
    def loose(clause: Clause) -> Clause:
        return replace(clause, phrase=False)

    return replace(text, must=tuple(map(loose, text.must)), any_of=tuple(tuple(map(loose, g)) for g in text.any_of))


def term_clause(text: str, phrase: bool = False, exact: bool = True) -> Clause | None:
    """One term as a clause: exact, its characters must stand together as typed (after folding) and its words
    rank; fuzzy, its words must all occur (near each other when quoted or when it has several)."""
    chars = exact_form(text) if exact else ""
    tokens = tuple(rank_tokens(text) if chars else analyse_query(text))
    if not tokens and not chars:
        return None
    return Clause(tokens, phrase=phrase or len(tokens) > 1, chars=chars)


def text_query(parsed: ParsedQuery, extra_words: tuple[str, ...] = (), exact: bool = True,
               everyday: tuple[Expansion, ...] = ()) -> TextQuery:
    must: list[Clause] = []
    groups: list[tuple[Clause, ...]] = []
    wordings = {e.word: e.legal for e in everyday}
    for word in (*parsed.must, *extra_words):
        clause = term_clause(word, parsed.is_phrase(word), exact)
        full = expand_abbreviation(word)
        alternatives = [c for c in (term_clause(w, exact=exact) for w in (full, *wordings.get(word, ())) if w) if c]
        if clause and alternatives:
            # 道交法 finds the text saying 道交法 or 道路交通安全法; 醉驾, the text saying 醉驾 or 醉酒驾驶机动车
            groups.append((clause, *alternatives))
        elif clause:
            must.append(clause)
    must += [c for c in (term_clause(p, phrase=True, exact=exact) for p in parsed.phrases) if c]
    for group in parsed.any_of:
        clauses = tuple(c for c in (term_clause(w, parsed.is_phrase(w), exact) for w in group) if c)
        if clauses:
            groups.append(clauses)
    exclude = [c for c in (term_clause(w, parsed.is_phrase(w), exact) for w in parsed.exclude) if c]
    words = [*parsed.must, *parsed.phrases]
    single = words[0] if len(words) == 1 and not parsed.any_of else None
    exact_title = title_key(expand_abbreviation(single) or single) if single else None
    # Terms a reader pasted with a space between them (第十二条 气象) each match on their own; where they also
    # stand together, as typed, the text ranks first.
    together = exact_form("".join(words)) if exact and len(words) > 1 and not parsed.any_of else ""
    return TextQuery(must=tuple(must), any_of=tuple(groups), exclude=tuple(exclude), title_only=parsed.title_only,
                     title_key=exact_title or None, together=together,
                     together_first=bool(together) and _pasted(parsed, words))


def resolve_body_ids(session: Session, name: str) -> tuple[str, ...]:
    name = name.strip()
    body = session.scalar(select(IssuingBody).where(IssuingBody.name == name))
    if body is None:
        alias = session.scalar(select(BodyAlias).where(BodyAlias.alias == name))
        body = alias.body if alias else None
    if body is None and name.isdigit():
        body = session.get(IssuingBody, int(name))
    if body is None:
        raise SearchError(f"未找到制定机关“{name}”")
    return (str(body.id),)


def find_work_by_name(session: Session, name: str) -> Work | None:
    """A work named as users name it: full title, without 中华人民共和国, or a unique part of a title;
    national works first."""
    key = title_key(expand_abbreviation(name) or name).removesuffix("的")
    if len(key) < 2:
        return None
    works = list(session.scalars(select(Work).where(Work.title.contains(key, autoescape=True))))
    exact = [w for w in works if title_key(w.title) == key]
    # A part of a title names a work only when one title holds it (城市供水条例 for 东营市城市供水条例): 例 of
    # 例第十七条规定, or 条例 of 本条例第十条, naming any one of hundreds would answer with another text's article.
    pool = exact or (works if len({title_key(w.title) for w in works}) == 1 else [])
    if not pool:
        return None
    pool.sort(key=lambda w: (w.region != "全国", w.status != "effective", len(w.title)))
    return pool[0]


def version_in_force(work: Work, as_of: date | None) -> Version | None:
    """The version of a work in force on as_of (the current one when no date is given)."""
    if as_of is None:
        return work.current_version
    versions = sorted(work.versions, key=lambda v: v.seq)
    index = in_force_index([VersionDates(v.effective_from, v.published) for v in versions], as_of)
    return versions[index] if index is not None else None


def direct_answer(session: Session, parsed: ParsedQuery, as_of: date | None = None,
                  warnings: list[str] | None = None) -> DirectAnswer | None:
    """A query that names a document number or a work and article is answered with that place: the
    article as it read on as_of when a 时点 is given, else as it reads now."""
    ref = parsed.work_article
    if ref is not None:
        work = find_work_by_name(session, ref.work_title)
        version = version_in_force(work, as_of) if work is not None else None
        if work is not None and version is None and as_of and warnings is not None:
            warnings.append(f"《{work.title}》在{as_of.isoformat()}尚未施行，没有当时的条文")
        if work is not None and version is not None:
            article = session.scalar(
                select(Article).where(
                    Article.version_id == version.id,
                    Article.number == ref.article_number,
                    Article.sub == ref.article_sub,
                )
            )
            if article is not None:
                place = (ref.paragraph, ref.item) if (ref.paragraph or ref.item) else (None, None)
                if place != (None, None) and not has_place(_body_lines(article.text, article.label), *place):
                    if warnings is not None:
                        warnings.append(f"{article.label}没有{_place_label(*place)}，已打开该条")
                    place = (None, None)
                return ArticleAnswer(
                    work_id=work.id,
                    title=version.title,
                    status=version.status if as_of else work.status,
                    version=version.seq,
                    is_current=version.id == work.current_version_id,
                    article=AnswerArticle(number=article.number, sub=article.sub, label=article.label,
                                          anchor=article.anchor, path=article.path, text=article.text),
                    paragraph=place[0], item=place[1],
                )
    if parsed.doc_number is not None:
        versions = session.scalars(
            select(Version).where(Version.doc_number_key == parsed.doc_number.key).order_by(Version.seq.desc())
        ).all()
        # One number can head several documents (a 令 publishing several rules): then the list answers.
        if len({v.work_id for v in versions}) == 1:
            version = versions[0]
            return DocumentAnswer(work_id=version.work_id, title=version.title, doc_number=version.doc_number,
                                  version=version.seq, is_current=version.id == version.work.current_version_id)
    return None


def _body_lines(text: str, label: str) -> list[str]:
    """An article's lines without its label (as the document page shows them, portal.document_pages)."""
    body = text[len(label):] if text.startswith(label) else text
    return [line.strip() for line in body.strip().split("\n") if line.strip()]


def _place_label(paragraph: int | None, item: int | None) -> str:
    return ((f"第{chinese_numeral(paragraph)}款" if paragraph else "")
            + (f"第{chinese_numeral(item)}项" if item else ""))


def _doc_number_known(session: Session, key: str) -> bool:
    return session.scalar(select(Version.id).where(Version.doc_number_key == key).limit(1)) is not None


def search(session: Session, backend: SearchBackend, params: SearchParams) -> SearchResult:
    started = time.perf_counter()
    validate(params)
    exact = params.mode == "exact"
    parsed = parse_query(params.q, keep_punctuation=exact) if params.q.strip() else None
    if parsed is not None and parsed.error == ERROR_NOTHING_SEARCHABLE:
        # Only operators or brackets (《》, -, |): nothing to look for, which is an answer, not a fault.
        return SearchResult(query=params.q, mode=params.mode, total=0, page=params.page, per_page=params.per_page,
                            took_ms=round((time.perf_counter() - started) * 1000, 1),
                            warnings=(*params.warnings, *parsed.warnings, parsed.error),
                            facets=Facets() if params.facets else None)
    if parsed is not None and parsed.error:
        raise SearchError(parsed.error)
    warnings = list(params.warnings) + (list(parsed.warnings) if parsed else [])
    direct = direct_answer(session, parsed, params.as_of, warnings) if parsed else None
    everyday = everyday_words(parsed) if parsed and params.expand else ()
    if direct is None and everyday:
        direct = everyday_answer(session, parsed, everyday, params.as_of) if parsed else None
    extra: tuple[str, ...] = ()
    reference = parsed.work_article if parsed else None
    if reference is not None and direct is None:
        if exact or reference.loose:
            # No such article: the reference is text like any other (依照本法第九十一条的规定 pasted whole,
            # 个人所得税法 2018 where 2018 is a year).
            parsed = parse_query(params.q, keep_punctuation=exact, work_articles=False)
        else:
            extra = reference.as_terms()  # 交通事故 第七十六条: searched as plain words
    text = text_query(parsed, extra, exact) if parsed else TextQuery()
    typed = not text.is_empty  # the reader's own words: a search that may fall back to 模糊检索
    if parsed and text.is_empty and parsed.doc_number is None and parsed.work_article is None and parsed.must:
        warnings.append("检索词中没有可检索的文字")
    filters = Filters(
        doc_types=params.doc_types,
        regions=tuple(canonical_region(r) for r in params.regions),
        scope_codes=params.scope_codes,
        region_codes=params.region_codes,
        topics=params.topics,
        statuses=params.statuses,
        body_ids=resolve_body_ids(session, params.body) if params.body else (),
        published_from=day(params.published_from) or None,
        published_to=day(params.published_to) or None,
        effective_from=day(params.effective_from) or None,
        effective_to=day(params.effective_to) or None,
        as_of=day(params.as_of) or None,
    )
    if parsed and parsed.doc_number is not None and text.is_empty:
        number = parsed.doc_number
        known = isinstance(direct, DocumentAnswer)  # else a list of works may share it
        if known or _doc_number_known(session, number.key):
            filters = Filters(**{**filters.__dict__, "doc_number_key": number.key, "statuses": ()})
        else:
            # An unknown number must not fall back to "everything": the texts that mention it are the
            # nearest answer (国务院令第588号 is the decision that amended many regulations).
            warnings.append(f"没有文号为“{number.original}”的文件")
            clause = term_clause(number.original, phrase=True)
            if clause:
                text = TextQuery(must=(clause,))
            else:
                filters = Filters(**{**filters.__dict__, "doc_number_key": number.key})
    if parsed and parsed.work_article is not None and text.is_empty and isinstance(direct, ArticleAnswer):
        filters = Filters(**{**filters.__dict__, "statuses": ()})
        named = title_key(direct.title)
        text = TextQuery(must=tuple(c for c in (term_clause(named),) if c), title_only=True, title_key=named)
    offset = (params.page - 1) * params.per_page
    undated_wanted = filters.as_of is not None and filters.effective_from is None and filters.effective_to is None

    def side_calls(text: TextQuery) -> tuple[Future[dict[str, list[tuple[str, int]]]] | None, Future[int] | None]:
        return (later(lambda: _wider_facets(backend, text, filters, skip=folded)) if params.facets else None,
                later(lambda: _undated_count(backend, text, filters)) if undated_wanted else None)

    # The engine counts these facets beside the search's own where it can (folds_facets).
    folded = folded_facets(filters) if params.facets and backend.folds_facets else ()
    # The everyday words' expansion is searched after what was typed: exact matches are never pushed down.
    wide = text_query(parsed, extra, exact, everyday) if parsed and everyday else text
    wider, undated_count = side_calls(wide)
    if wide is text:
        result, pool = _collapsed(session, backend, text, filters, params, offset)
    else:
        result, pool = _typed_first(session, backend, text, wide, parsed, everyday, exact, filters, params,
                                    offset), []
    if parsed and typed and exact and not result.total:
        # Nothing holds the words exactly as typed: the word-level search is the nearest answer, and the
        # page says so; when that finds nothing either, the answer stays the exact search's plain nothing.
        # 模糊检索 as it would have parsed the query: words split at punctuation too (行政处罚，听证).
        loose = parse_query(params.q)
        if loose.work_article and loose.work_article.loose and direct is None:
            loose = parse_query(params.q, work_articles=False)  # 个人所得税法 2018: a number, not an article
        loose_extra = loose.work_article.as_terms() if loose.work_article and direct is None else ()
        fuzzy_text = text_query(loose, loose_extra, exact=False)
        # Punctuation alone (。，！？) has no words: nothing to fall back on, and an empty query would list all.
        fuzzy, fuzzy_pool = (_collapsed(session, backend, fuzzy_text, filters, params, offset)
                             if not loose.error and not fuzzy_text.is_empty else (result, pool))
        if fuzzy.total:
            exact, text, result, parsed, pool, everyday = False, fuzzy_text, fuzzy, loose, fuzzy_pool, ()
            warnings.append(WARN_FUZZY_FALLBACK.format(q=params.q.strip()))
            wider, undated_count = side_calls(text)
        elif not loose_extra and (words := _question_words(loose)):
            # A question typed as a sentence: its words near each other found nothing, so its content words
            # are searched anywhere in a text, every one of them still required.
            asked = replace(loose, must=words)
            # An everyday word among them (打工, 社保) finds the law's wording too, as typed alone it would.
            wordings = everyday_words(asked) if params.expand else ()
            words_text = _apart(text_query(asked, exact=False, everyday=wordings))
            found, found_pool = _collapsed(session, backend, words_text, filters, params, offset)
            if found.total:
                exact, text, result, parsed, pool, everyday = False, words_text, found, asked, found_pool, wordings
                warnings.append(WARN_WORDS_FALLBACK.format(q=params.q.strip(), words="”“".join(words)))
                wider, undated_count = side_calls(text)
    if undated_count is not None:
        undated = undated_count.result()
        if undated:
            warnings.append(f"另有 {undated} 件文件的施行日期或废止、失效日期不详，无法判断"
                            f"{params.as_of}是否有效，未列入结果")
    if parsed and parsed.doc_number is not None and direct is None and result.total and not filters.doc_number_key:
        warnings.append("下面列出正文提到这个文号的文件")
    hits = _hits(session, backend, result, parsed, params, exact, ArticlePool(text, pool), everyday)
    facets = _facets(session, {**result.facets, **result.wider, **wider.result()}) if wider is not None else None
    return SearchResult(
        query=params.q,
        mode="exact" if exact else "fuzzy",
        total=result.total,
        page=params.page,
        per_page=params.per_page,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
        direct=direct,
        warnings=tuple(warnings),
        hits=tuple(hits),
        facets=facets,
        also_searched=tuple(dict.fromkeys(w for e in everyday for w in e.legal)),
    )


def everyday_words(parsed: ParsedQuery) -> tuple[Expansion, ...]:
    """The query's words that are everyday words (醉驾, 酒驾怎么处罚), with the law's wording for each; none
    when the query names a document number or an article (those are answered as typed)."""
    if parsed.doc_number is not None or parsed.work_article is not None:
        return ()
    words = [w for w in parsed.must if not parsed.is_phrase(w)]
    return tuple(e for e in (everyday_expand(w) for w in words) if e is not None)


def everyday_answer(session: Session, parsed: ParsedQuery, everyday: tuple[Expansion, ...],
                    as_of: date | None) -> DirectAnswer | None:
    """A query that is one everyday word naming one provision (离婚冷静期) lands on that article."""
    others = [w for w in parsed.must if w != everyday[0].word] if len(everyday) == 1 else []
    if len(everyday) != 1 or not all(everyday_filler(w) for w in others) or parsed.phrases or parsed.any_of:
        return None  # 醉驾 处罚 lands on the provision; 醉驾 交通事故 is a search
    target = everyday[0].target
    place = target.article if target is not None else None
    if target is None or place is None:
        return None
    ref = WorkArticleRef(work_title=target.work_title, article_number=place[0], article_sub=place[1],
                         label=target.article_label, original=everyday[0].word)
    return direct_answer(session, ParsedQuery(raw=parsed.raw, work_article=ref), as_of)


def _typed_first(session: Session, backend: SearchBackend, text: TextQuery, wide: TextQuery,
                 parsed: ParsedQuery | None, everyday: tuple[Expansion, ...], exact: bool, filters: Filters,
                 params: SearchParams, offset: int) -> BackendResult:
    """The works holding what was typed, in their own order, then those found only by the law's wording of an
    everyday word. With several everyday words, or a sort by date, one search of both in the engine's order."""
    more = _wording_only(text, parsed, everyday, exact) if parsed is not None else None
    if more is None or params.sort != "relevance":
        return _collapsed(session, backend, wide, filters, params, offset)[0]
    counted = later(lambda: backend.search(SearchRequest(text=wide, filters=filters, limit=0, facets=True,
                                                         wide_facets=True))) if params.facets else None
    # On the first page the wording's works start at their first whatever the typed ones number: both searches
    # run side by side. `more` has no title_key, so its search never reads the store (the session stays here).
    ahead = later(lambda: _collapsed(session, backend, more, filters, replace(params, facets=False), 0)[0]
                  ) if offset == 0 else None
    # An everyday word as typed (酒驾) is ranked by its best articles, not by how often texts use it: the texts
    # using the everyday word most are the ones about it in passing (measured with bench/officer_queries.py).
    first, _ = _collapsed(session, backend, text, filters, replace(params, facets=False), offset, mentions=False)
    need = params.per_page - len(first.hits)
    rest = ahead.result() if ahead is not None else _collapsed(
        session, backend, more, filters, replace(params, facets=False, per_page=max(need, 1)),
        max(0, offset - first.total))[0]
    counted_result = counted.result() if counted is not None else BackendResult(total=0, hits=[])
    return BackendResult(total=first.total + rest.total, hits=first.hits + rest.hits[:max(need, 0)],
                         facets=counted_result.facets, wider=counted_result.wider)


def _wording_only(text: TextQuery, parsed: ParsedQuery, everyday: tuple[Expansion, ...],
                  exact: bool) -> TextQuery | None:
    """The typed search with its one everyday word replaced by the law's wordings and excluded as typed: the
    works the expansion adds, none of them already found by the typed words."""
    if len(everyday) != 1 or not everyday[0].legal:
        return None
    word = everyday[0].word
    clause = term_clause(word, parsed.is_phrase(word), exact)
    wordings = tuple(c for c in (term_clause(w, exact=exact) for w in everyday[0].legal) if c)
    if clause is None or clause not in text.must or not wordings:
        return None  # the word is also a short name (道交法): searched as one group with both
    return replace(text, must=tuple(c for c in text.must if c != clause), any_of=(*text.any_of, wordings),
                   exclude=(*text.exclude, clause), title_key=None, together="")


def _undated_count(backend: SearchBackend, text: TextQuery, filters: Filters) -> int:
    """Works matching the search that a 时点 search cannot place: the text has no date, or the work ended
    (废止, 失效) on a day the sources do not give."""
    def count(**narrow: int | None) -> int:
        wider = Filters(**{**filters.__dict__, "as_of": None, "statuses": (), "current_only": True, **narrow})
        # One current version per work: counting documents counts works, without a distinct count.
        return backend.search(SearchRequest(text=text, filters=wider, limit=0, facets=False)).total

    return (count(effective_from=0, effective_to=0)
            + count(effective_from=1, effective_to=filters.as_of, ended_to=0))


def _collapsed(session: Session, backend: SearchBackend, text: TextQuery, filters: Filters, params: SearchParams,
               offset: int, mentions: bool = True) -> tuple[BackendResult, list[BackendHit]]:
    """One hit per work: several versions of a work can match (e.g. when superseded texts are included),
    the best-ranked one stands for the work. Beside it, the best articles holding every term when the works
    were ranked by them (else none). Not `mentions`: a short term ranks by its best articles too."""
    window = offset + params.per_page
    # Where matching documents are matching works, the engine's plain hit count is the total (a distinct count
    # of tens of thousands of work ids costs more than the search itself at 30,000 works).
    single_version = one_version_per_work(filters)
    count_field = _works_counted_by(filters)
    by_articles = _ranks_by_articles(text, filters, params)
    if single_version and not by_articles:
        return backend.search(SearchRequest(text=text, filters=filters, sort=params.sort, offset=offset,
                                            limit=params.per_page, facets=params.facets, wide_facets=True)), []
    limit = max(window, RANK_WINDOW) if by_articles else window
    request = SearchRequest(text=text, filters=filters, sort=params.sort, offset=0,
                            limit=limit if single_version else limit * 3 + 10,
                            facets=params.facets, count_field=count_field, wide_facets=True)
    by_mentions = by_articles and mentions and _ranks_by_mentions(text)
    # Ranked by mentions, the best articles would only break ties: their pass over every match is left out.
    pool = later(lambda: _article_pool(backend, text, filters)) if by_articles and not by_mentions else None
    counted = later(lambda: _mentions(backend, text, filters)) if by_mentions else None
    result = backend.search(request)
    hits = result.hits
    articles = pool.result() if pool is not None else []
    # The first RANK_WINDOW ranked again, the rest after them in the engine's order, on every page: a work the
    # new order moves off the first page must come on the next, never vanish between pages.
    if pool is not None:
        hits = _with_best_articles(session, text, hits[:RANK_WINDOW], articles) + hits[RANK_WINDOW:]
    elif counted is not None:
        hits = _by_mentions(session, backend, text, filters, hits[:RANK_WINDOW], counted.result()) + hits[RANK_WINDOW:]
    seen: set[int | str] = set()
    unique = []
    for hit in hits:
        if hit.work_key not in seen:
            seen.add(hit.work_key)
            unique.append(hit)
    result.hits = unique[offset:window]
    return result, articles


# A long code is ranked by its best articles, not punished for its length: the first RANK_WINDOW versions
# (by whole-text score) and the versions of the best ARTICLE_POOL articles are ranked again by their score
# plus the score of their best matching article; the works after them keep the engine's order. The shares were
# raised from (1.0, 0.25) when articles got fields of their own (base.ARTICLE_FIELDS): a version's text is then
# weighed against versions only, its terms' IDF lower beside an article's. bench/queries.json: MRR@10 0.906 at
# (1.0, 0.25), 0.912 at (1.5, 0.375) and (2.0, 0.5), 0.882 at (0.5, 0.125); the officer and phrase benches alike.
RANK_WINDOW = 50
ARTICLE_POOL = 100
ARTICLE_SHARES = (1.5, 0.375)


def _ranks_by_articles(text: TextQuery, filters: Filters, params: SearchParams) -> bool:
    return (params.sort == "relevance" and bool(text.must or text.any_of) and not text.title_only
            and not filters.doc_number_key)


def _article_pool(backend: SearchBackend, text: TextQuery, filters: Filters) -> list[BackendHit]:
    """The best ARTICLE_POOL articles holding every term, best first. Without the terms-together bonus: the
    versions' own search gives it, and in the pool it cost a quarter of the time for ranks that did not move
    (bench/queries.json, bench/officer_queries.py)."""
    pooled = replace(text, title_key=None, together="")
    return backend.search(SearchRequest(text=pooled, filters=replace(filters, kind="article"), limit=ARTICLE_POOL)).hits


# A term of one or two characters says little by its BM25: a character is indexed without frequencies, and a
# pair's saturates in long texts. Versions then rank by how many of their articles use it (the texts that use it
# most, as a reader counting mentions would), their score breaking ties. On 300 phrases of each length cut from
# the corpus (bench/phrase_recall.py) the source work came in the first ten for 2.7% of one-character phrases and
# 20.7% of two-character ones by score, 8.7% and 22.7% by mentions (a trigram FTS5 peer counting occurrences:
# 8.0% and 22.0%); bench/queries.json and the officer bench did not move. Ties broken by the best articles as well
# gave 23.7% at two characters, for one more pass over every matching article.
MENTIONS_UP_TO = 2


def _ranks_by_mentions(text: TextQuery) -> bool:
    """The whole query is one exact term of at most MENTIONS_UP_TO characters."""
    return 0 < len(lone_term(text)) <= MENTIONS_UP_TO


def _mentions(backend: SearchBackend, text: TextQuery, filters: Filters) -> list[tuple[int, int]]:
    """The RANK_WINDOW versions with the most articles holding the term, most first: (version id, articles)."""
    request = SearchRequest(text=replace(text, title_key=None, together=""), filters=replace(filters, kind="article"),
                            limit=0, per_version=RANK_WINDOW)
    return backend.search(request).per_version


def _by_mentions(session: Session, backend: SearchBackend, text: TextQuery, filters: Filters,
                 hits: list[BackendHit], counted: list[tuple[int, int]]) -> list[BackendHit]:
    """Version hits and the versions with most mentions, ranked by their articles holding the term, then by
    score. A work whose title is the term stays first."""
    articles = dict(counted)
    listed = {h.version_id for h in hits}
    missing = tuple(v for v in articles if v not in listed)
    if missing:  # matched, but below the window by their score
        hits = hits + backend.search(SearchRequest(text=text, filters=replace(filters, version_ids=missing),
                                                   limit=len(missing))).hits
    titled = _titled_hits(session, text, hits)
    return sorted(hits, key=lambda h: (h.version_id not in titled, -articles.get(h.version_id, 0), -h.score))


def _titled_hits(session: Session, text: TextQuery, hits: list[BackendHit]) -> set[int]:
    """The versions among the hits whose title is the query (title_key)."""
    # Only a hit scoring at least EXACT_TITLE_BOOST can hold the title: the title_key clause's BM25 (a rare term in
    # a one-term field) times that boost, times log2(2 + weight) >= 1, with nothing subtracted, in both engines.
    candidates = [h.version_id for h in hits if h.score >= EXACT_TITLE_BOOST]
    return _titled(session, text.title_key, candidates) if text.title_key and candidates else set()


def _with_best_articles(session: Session, text: TextQuery, hits: list[BackendHit],
                        articles: list[BackendHit]) -> list[BackendHit]:
    """Version hits re-ranked by their score plus their best article's (an article holds every term). A work
    whose title is the query stays first: articles citing that title must not pass it."""
    scored = {h.version_id: BackendHit(h.doc_id, h.work_key, h.version_id, h.score) for h in hits}
    seen: dict[int, int] = {}
    for article in articles:  # best first
        n = seen[article.version_id] = seen.get(article.version_id, 0) + 1
        if n > len(ARTICLE_SHARES):
            continue
        if article.version_id not in scored:  # matched, but below the window by its whole-text score
            scored[article.version_id] = BackendHit(f"v{article.version_id}", article.work_key, article.version_id,
                                                       0.0)
        scored[article.version_id].score += article.score * ARTICLE_SHARES[n - 1]
    titled = _titled_hits(session, text, hits)
    return sorted(scored.values(), key=lambda h: (h.version_id not in titled, -h.score))


def _titled(session: Session, key: str, version_ids: list[int]) -> set[int]:
    """The versions among these whose title, as people say it (title_key), is the key."""
    rows = session.execute(select(Version.id, Version.title).where(Version.id.in_(version_ids))).all()
    return {vid for vid, title in rows if title_key(title) == key}


def _works_counted_by(filters: Filters) -> str | None:
    """The field a search with these filters counts works by (SearchRequest.count_field): none where each matching
    document is a work of its own."""
    return None if one_version_per_work(filters) else "work_id"


def _wider_facets(backend: SearchBackend, text: TextQuery, filters: Filters,
                  skip: tuple[str, ...] = ()) -> dict[str, list[tuple[str, int]]]:
    """The facets of the filters in use, each counted without its own filter (to replace the search's), but
    those the search's own pass counts (skip: the engine folds them, backends.base.folded_facets)."""
    wider: dict[str, list[tuple[str, int]]] = {}
    for field_name, attr in MULTI_SELECT.items():
        if not getattr(filters, attr) or field_name in skip or (attr == "statuses" and filters.as_of is not None):
            continue
        without = Filters(**{**filters.__dict__, attr: ()})
        # Counted as the search that ticks the value would count: works, where one can match with several versions.
        wider[field_name] = backend.search(SearchRequest(text=text, filters=without, limit=0, facets=True,
                                                         facet_fields=(field_name,),
                                                         count_field=_works_counted_by(without))
                                           ).facets.get(field_name, [])
    return wider


@dataclass(frozen=True)
class ArticlePool:
    """The best articles holding every term of `text`, best first, as the ranking found them."""

    text: TextQuery
    hits: list[BackendHit]


def _hits(session: Session, backend: SearchBackend, result: BackendResult, parsed: ParsedQuery | None,
          params: SearchParams, exact: bool = True, pool: ArticlePool | None = None,
          everyday: tuple[Expansion, ...] = ()) -> list[Hit]:
    if not result.hits:
        return []
    version_ids = [h.version_id for h in result.hits]
    terms = _highlight_terms(parsed, exact) + [w for e in everyday for w in e.legal]
    # The engine finds each hit's best articles while the store reads the versions.
    found = later(lambda: _best_article_ids(backend, parsed, version_ids, terms, exact, pool, everyday))
    versions = _listed_versions(session, version_ids)
    # A snippet comes from the best matching article where there is one, else from the opening of the text:
    # reading whole codes (刑法 is 200,000 characters) for ten hits would cost more than the search itself.
    articles = _article_hits(session, found.result(), terms)
    # Only hits without a matching article need the opening of their text for a snippet.
    bare = [vid for vid in version_ids if not articles.get(vid)]
    openings: dict[int, str] = dict(session.execute(
        select(Version.id, func.substr(Version.text, 1, SNIPPET_SCAN)).where(Version.id.in_(bare))
    ).all()) if bare else {}
    bodies = issuing_body_names(session, list({v.work_id for v in versions.values()}))
    hits = []
    for hit in result.hits:
        v = versions.get(hit.version_id)
        if v is None:  # indexed but gone from the store: the next sync removes it
            continue
        matched = articles.get(v.id, [])
        hits.append(Hit(
            work_id=v.work_id,
            version=v.seq,
            is_current=v.id == v.current_version_id,
            title=v.title,
            doc_type=v.doc_type,
            region=v.region,
            status=v.status,
            status_official=v.status_official,
            published=v.published,
            effective=v.effective_from or v.published,
            issuing_bodies=tuple(bodies.get(v.work_id, ())),
            doc_number=v.doc_number,
            score=round(hit.score, 4),
            snippet=_hit_snippet(openings.get(v.id) or "", v.title, matched, terms),
            articles=tuple(matched),
        ))
    return hits


def _listed_versions(session: Session, version_ids: list[int]) -> dict[int, Row]:
    """What a hit shows of each version and its work, as plain rows: loading them as objects (with the work and
    its bodies) cost a third of a search's own time at 33,000 works."""
    rows = session.execute(
        select(Version.id, Version.seq, Version.title, Version.status, Version.status_official, Version.published,
               Version.effective_from, Version.doc_number, Version.work_id, Work.current_version_id, Work.doc_type,
               Work.region)
        .join(Work, Work.id == Version.work_id).where(Version.id.in_(version_ids))
    )
    return {row.id: row for row in rows}


def _hit_snippet(opening: str, title: str, articles: list[ArticleHit], terms: list[str]) -> str:
    if articles:
        return articles[0].snippet  # the best article's window is the hit's best window too
    body = opening[len(title):].lstrip() if opening.startswith(title) else opening
    return snippet(body, terms)


def _highlight_terms(parsed: ParsedQuery | None, exact: bool = True) -> list[str]:
    """What to mark: exact, the terms themselves (and the full names of abbreviations), which is what matched;
    fuzzy, their words as well."""
    if parsed is None:
        return []
    terms = list(parsed.terms())
    if parsed.work_article is not None:
        terms.extend(parsed.work_article.as_terms())
    terms.extend(full for word in list(terms) if (full := expand_abbreviation(word)))
    if not exact:
        for word in list(terms):
            terms.extend(t for t in analyse_query(word) if len(t) > 1)
    return terms


def _best_article_ids(backend: SearchBackend, parsed: ParsedQuery | None, version_ids: list[int],
                      terms: list[str], exact: bool = True, pool: ArticlePool | None = None,
                      everyday: tuple[Expansion, ...] = ()) -> dict[int, list[int]]:
    """version id -> the ids of its best ARTICLES_PER_HIT articles holding the terms, best first (the engine
    only: no store access, so it can run beside the store's reads)."""
    if parsed is None or not terms:
        return {}
    base = text_query(parsed, exact=exact, everyday=everyday)
    if base.is_empty:
        return {}
    per_version: dict[int, list[int]] = {}
    if pool is not None and (pool.text.must, pool.text.any_of, pool.text.exclude) == (
            base.must, base.any_of, base.exclude):
        # The ranking already found the best articles holding every term: a version with ARTICLES_PER_HIT of
        # them there has its best ones (a better one of it would be there too), with no search of its own.
        wanted_versions = set(version_ids)
        for hit in pool.hits:
            ids = per_version.setdefault(hit.version_id, []) if hit.version_id in wanted_versions else None
            if ids is not None and len(ids) < ARTICLES_PER_HIT and hit.article_id is not None:
                ids.append(hit.article_id)
    missing = [v for v in version_ids if len(per_version.get(v, ())) < ARTICLES_PER_HIT]
    if missing:
        query = TextQuery(must=base.must, any_of=base.any_of, exclude=base.exclude, match_any=True)
        request = SearchRequest(text=query, filters=Filters(kind="article", statuses=(), version_ids=tuple(missing)),
                                # Room for every version: a code with hundreds of matching articles must not
                                # take the places of the others' few.
                                limit=len(missing) * ARTICLES_PER_HIT * 20)
        for hit in backend.search(request).hits:
            ids = per_version.setdefault(hit.version_id, [])
            if len(ids) < ARTICLES_PER_HIT and hit.article_id is not None and hit.article_id not in ids:
                ids.append(hit.article_id)
    return per_version


def _article_hits(session: Session, per_version: dict[int, list[int]], terms: list[str]
                  ) -> dict[int, list[ArticleHit]]:
    """The articles read from the store, each with its snippet around the terms."""
    wanted = [a for ids in per_version.values() for a in ids]
    rows = {a.id: a for a in session.execute(
        select(Article.id, Article.number, Article.sub, Article.label, Article.text).where(Article.id.in_(wanted))
    )} if wanted else {}
    out: dict[int, list[ArticleHit]] = {}
    for version_id, ids in per_version.items():
        if not ids:
            continue
        out[version_id] = [
            ArticleHit(number=rows[i].number, sub=rows[i].sub, label=rows[i].label,
                       anchor=article_anchor(rows[i].number, rows[i].sub),
                       snippet=snippet(rows[i].text, terms, width=90))
            for i in ids if i in rows
        ]
    return out


def _facets(session: Session, raw: dict[str, list[tuple[str, int]]]) -> Facets:
    names: dict[str, str] = {}
    ids = [int(k) for k, _ in raw.get("body_ids", []) if k.isdigit()]
    if ids:
        names = {str(i): name for i, name in session.execute(
            select(IssuingBody.id, IssuingBody.name).where(IssuingBody.id.in_(ids)))}
    return Facets(
        doc_type=tuple(FacetValue(k, n) for k, n in raw.get("doc_type", []) if k),
        region=tuple(FacetValue(k, n) for k, n in raw.get("region", [])),
        status=tuple(FacetValue(k, n, label=STATUS_LABELS.get(k, k)) for k, n in raw.get("status", [])),
        issuing_body=tuple(FacetValue(names.get(k, k), n, id=k) for k, n in raw.get("body_ids", [])),
    )
