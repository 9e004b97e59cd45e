"""Citations in document text: find 《...》 references (根据《X法》...制定, 《X法》第九十一条, 本条例第三条),
resolve them to stored works and articles, and store them as `based_on` / `cites` relations.

Finding is pure text work (find_citations); resolving needs the store's titles (Resolver); storing replaces
exactly the relations this module made before (marked by the `citations` source), so re-running is idempotent
and never touches relations a crawler reported."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, load_only

from fagui.abbreviations import expand
from fagui.normalise.articles import CN_NUMBER, parse_article_ref, split_articles
from fagui.normalise.history import split_history
from fagui.vocabulary import REGION_CODES, canonical_region
from indexer.store.models import Relation, Version, Work
from indexer.store.upsert import get_source, title_key

CITATION_SOURCE = "citations"
CITATION_TYPES = ("based_on", "cites")

# A bracketed title, then optionally the article it names: 《道路交通安全法》第九十一条第一款第二项.
_ARTICLE_TAIL = rf"(第\s*[{CN_NUMBER}\d]+\s*条(?:之[{CN_NUMBER}\d]+)?)(?:\s*(第[{CN_NUMBER}\d]+款))?(?:\s*(第[{CN_NUMBER}\d]+项))?"
_QUOTED = re.compile(rf"《([^《》\n]{{2,120}})》(?:\s*{_ARTICLE_TAIL})?")
# Self references name an article of the citing text itself (本条例第三条, 本法第十条第二款).
_SELF = re.compile(rf"本(法|条例|规定|办法|细则|决定|规则|解释|实施办法|实施细则|意见|通知)\s*{_ARTICLE_TAIL}")
# The basis sentence: a trigger word, then quoted titles, then 制定 within the same sentence.
_BASIS = re.compile(r"(根据|依据|依照|按照|遵照)([^。；;\n]*?)(制定|制订|修订|修改|如下)")
_BARE_CONSTITUTION = re.compile(r"(?<=[据照循和、及与])(宪法)(?=[和、及与，,的规定等])")
# Only titles of legal acts count; 《营业执照》 or 《人民日报》 are not citations.
_LEGAL_SUFFIX = re.compile(
    r"(法|法典|宪法|条例|规定|办法|细则|规则|决定|解释|意见|通知|批复|答复|决议|公约|协定|条约|章程|纲要|规划|"
    r"方案|目录|标准|守则|准则|规范|制度|令|公告|通告|意见稿|实施方案|暂行规定|若干规定)$"
)
# Edition notes inside the brackets: 《中华人民共和国行政处罚法（2021修订）》, (2019修正), (2017年第二次修正).
_EDITION = re.compile(r"[（(][^（）()]{0,16}?(?:修正|修订|修改|年版|版|试行稿|草案)[^（）()]{0,6}[）)]$")
# 《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》（以下简称《解释》）: the short name stands for the full.
_ALIAS = re.compile(r"《([^《》\n]{2,120})》\s*[（(][^（）()《\n]{0,30}?以下(?:简称|称)《([^《》\n]{1,30})》[）)]")
_REGION_PREFIXES = tuple(sorted((n for n in REGION_CODES if n != "全国"), key=len, reverse=True))
_ISSUERS = ("最高人民法院", "最高人民检察院", "最高人民法院、最高人民检察院", "最高人民法院最高人民检察院", "国务院",
            "全国人民代表大会常务委员会", "国务院办公厅")
_BASIS_WINDOW = 2  # the basis is named in the preamble or the first articles


@dataclass(frozen=True)
class Citation:
    """One reference in a text. kind: based_on | cites | self (an article of the citing text itself)."""

    kind: str
    title: str | None  # the cited title as written, without 《》; None for self references
    article: tuple[int, int] | None  # (number, sub) of 第X条(之Y)
    article_label: str | None  # 第九十一条第一款 as written
    evidence: str  # the sentence that holds the reference
    start: int  # offsets of the reference in the text searched
    end: int

    @property
    def article_key(self) -> str | None:
        """What Relation.object_article holds: "91", or "133-1" for 第一百三十三条之一 (the anchor's suffix)."""
        if self.article is None:
            return None
        number, sub = self.article
        return f"{number}-{sub}" if sub else str(number)


def article_anchor(article_key: str | None) -> str | None:
    return f"art-{article_key}" if article_key else None


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(ch, 0, start) for ch in "。；\n") + 1
    rights = [i for i in (text.find(ch, end) for ch in "。；\n") if i != -1]
    right = min(rights) + 1 if rights else len(text)
    sentence = text[left:right].strip()
    if len(sentence) > 240:  # keep the reference in view when the sentence is very long
        lo = max(0, start - left - 80)
        sentence = ("…" if lo else "") + sentence[lo:lo + 240] + "…"
    return sentence


def is_legal_title(title: str) -> bool:
    return bool(_LEGAL_SUFFIX.search(clean_title(title)))


def clean_title(title: str) -> str:
    """《 》, spaces and an edition note off a cited title."""
    t = re.sub(r"[\s\u3000]", "", title).strip("《》〈〉")
    return _EDITION.sub("", t)


def body_of(text: str) -> str:
    """The text after its title and history lines: the 《关于修改〈...〉的决定》 named there amend the text,
    they are not cited by it. Works for corpus markdown (<!-- INFO END -->) and for stored plain texts."""
    if "<!-- INFO END -->" in text:
        return split_history(text)[1]
    lines = text.split("\n")
    keep, seen_title = 0, False
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        if not seen_title and not _SENTENCE_MARKS.search(s) and len(s) <= 120 and not _ARTICLE_START.match(s):
            seen_title, keep = True, i + 1
            continue
        if _dated(s):
            keep = i + 1
            continue
        break
    return "\n".join(lines[keep:])


_SENTENCE_MARKS = re.compile(r"[。，；：,;:]")  # a title line has none of these; a preamble sentence has
_ARTICLE_START = re.compile(rf"^第[{CN_NUMBER}\d]+条")
_HISTORY_LINE = re.compile(r"^[（(]?\s*(?:根据)?\s*(?:\d{4}|[一二〇○零]{4})\s*年")
_HISTORY_VERB = re.compile(r"(通过|修正|修订|公布|施行|批准|发布)")


def _dated(line: str) -> bool:
    return bool(_HISTORY_LINE.match(line)) and bool(_HISTORY_VERB.search(line))


def find_citations(text: str) -> list[Citation]:
    """Every reference in a document's text, in order. Quoted titles in the basis sentence of the preamble or
    the first articles are `based_on`; every other quoted legal title is `cites`; 本条例第X条 is `self`."""
    body = body_of(text)
    articles = split_articles(body)
    # The basis window ends where the article after the first _BASIS_WINDOW articles starts.
    if len(articles) > _BASIS_WINDOW:
        marker = articles[_BASIS_WINDOW].text.split("\n", 1)[0][:30]
        cut = body.find(marker)
        window_end = cut if cut > 0 else min(len(body), 1500)
    else:
        window_end = len(body)
    basis_spans: list[tuple[int, int]] = []
    for m in _BASIS.finditer(body, 0, window_end):
        basis_spans.append((m.start(1), m.end(2)))
    aliases = {m.group(2): m.group(1) for m in _ALIAS.finditer(body)}
    found: list[Citation] = []
    for m in _QUOTED.finditer(body):
        title = aliases.get(m.group(1), m.group(1))
        if not is_legal_title(title):
            continue
        in_basis = any(lo <= m.start() < hi for lo, hi in basis_spans)
        found.append(_citation("based_on" if in_basis else "cites", title, m, body))
    for lo, hi in basis_spans:
        # 根据宪法 is written without brackets nearly everywhere; the constitution is still the basis.
        for m in _BARE_CONSTITUTION.finditer(body, lo, hi):  # (a lookbehind sees before pos; ^ would not)
            found.append(Citation("based_on", "中华人民共和国宪法", None, None,
                                  _sentence(body, m.start(), m.end()), m.start(1), m.end(1)))
    for m in _SELF.finditer(body):
        found.append(_citation("self", None, m, body, first_group=2))
    found.sort(key=lambda c: c.start)
    return found


def _citation(kind: str, title: str | None, m: re.Match, body: str, first_group: int = 2) -> Citation:
    art_text = m.group(first_group)
    article = parse_article_ref(art_text) if art_text else None
    label = "".join(g for g in m.groups()[first_group - 1:] if g) or None
    return Citation(
        kind=kind,
        title=title,
        article=article,
        article_label=re.sub(r"\s+", "", label) if label else None,
        evidence=_sentence(body, m.start(), m.end()),
        start=m.start(),
        end=m.end(),
    )


# ----------------------------------------------------------------------------------------------------------
# Resolution


def resolve_key(title: str) -> str:
    """title_key, with titles nested inside a title in one bracket style (《民事诉讼法》 / 〈民事诉讼法〉)."""
    return title_key(clean_title(title)).replace("《", "〈").replace("》", "〉")


@dataclass
class _Candidate:
    work_id: str
    title: str
    region: str
    doc_type: str | None
    starts: list[date] = field(default_factory=list)  # start of every version (effective or published)


@dataclass(frozen=True)
class Resolved:
    work_id: str
    title: str
    version_seq: int | None  # the version in force on the citing document's date, where dated


class Resolver:
    """Cited titles -> stored works, loaded once from the store's work and version titles."""

    def __init__(self, candidates: Iterable[_Candidate], titles_by_key: dict[str, set[str]]) -> None:
        self._by_id = {c.work_id: c for c in candidates}
        self._by_key = titles_by_key

    @classmethod
    def load(cls, session: Session) -> Resolver:
        by_id: dict[str, _Candidate] = {}
        for wid, title, region, doc_type in session.execute(
            select(Work.id, Work.title, Work.region, Work.doc_type)
        ):
            by_id[wid] = _Candidate(wid, title, region, doc_type)
        by_key: dict[str, set[str]] = defaultdict(set)
        for wid in by_id:
            by_key[resolve_key(by_id[wid].title)].add(wid)
        for wid, title, start, published in session.execute(
            select(Version.work_id, Version.title, Version.effective_from, Version.published).order_by(
                Version.work_id, Version.seq
            )
        ):
            by_key[resolve_key(title)].add(wid)
            by_id[wid].starts.append(start or published or date.min)
        return cls(by_id.values(), dict(by_key))

    @classmethod
    def from_works(cls, works: Iterable[tuple[str, str, str, str | None, list[tuple[str, date | None]]]]) -> Resolver:
        """Built from plain data (work_id, title, region, doc_type, [(version title, start)] oldest first), for
        texts that are not in a store (the corpus benchmark)."""
        by_id: dict[str, _Candidate] = {}
        by_key: dict[str, set[str]] = defaultdict(set)
        for wid, title, region, doc_type, versions in works:
            cand = by_id.setdefault(wid, _Candidate(wid, title, region, doc_type))
            by_key[resolve_key(title)].add(wid)
            for vtitle, start in versions:
                by_key[resolve_key(vtitle)].add(wid)
                cand.starts.append(start or date.min)
        return cls(by_id.values(), dict(by_key))

    def keys_for(self, title: str, region: str | None) -> list[str]:
        """The title keys a cited title may be stored under, most literal first."""
        t = clean_title(title)
        variants = [t]
        full = expand(t)
        if full:
            variants.append(full)
        for v in list(variants):
            if v.endswith("实施条例") and not v.endswith("法实施条例"):
                variants.append(v[: -len("实施条例")] + "法实施条例")
            elif v.endswith("法实施条例"):
                variants.append(v[: -len("法实施条例")] + "实施条例")
        for v in list(variants):
            if v.startswith("关于"):
                # 最高人民法院《关于审理...的解释》: the issuer stands before the brackets, the stored title has it.
                variants.extend(issuer + v for issuer in _ISSUERS)
        region_name = canonical_region(region)
        if region_name != "全国":
            for v in list(variants):
                if not v.startswith(_REGION_PREFIXES) and not v.startswith("中华人民共和国"):
                    variants.append(region_name + v)
        return list(dict.fromkeys(resolve_key(v) for v in variants))

    def resolve(self, title: str, region: str | None, on: date | None) -> Resolved | None:
        region_name = canonical_region(region)
        for key in self.keys_for(title, region):
            ids = self._by_key.get(key)
            if not ids:
                continue
            best = min((self._by_id[i] for i in ids), key=lambda c: self._rank(c, region_name, on))
            return Resolved(best.work_id, best.title, self._version_seq(best, on))
        return None

    @staticmethod
    def _rank(c: _Candidate, region: str, on: date | None) -> tuple:
        place = 0 if c.region == region else 1 if c.region == "全国" else 2
        in_force = 0 if on is None or any(s <= on for s in c.starts) else 1
        newest = -max((s.toordinal() for s in c.starts), default=0)
        return (place, in_force, newest, c.work_id)

    @staticmethod
    def _version_seq(c: _Candidate, on: date | None) -> int | None:
        if not c.starts:
            return None
        if on is None:
            return len(c.starts)
        seq = None
        for i, start in enumerate(c.starts, start=1):
            if start <= on:
                seq = i
        return seq or 1

    def work_ids(self) -> set[str]:
        return set(self._by_id)


# ----------------------------------------------------------------------------------------------------------
# Storing


@dataclass
class LinkSummary:
    works: int = 0
    based_on: int = 0
    cites: int = 0
    resolved: int = 0
    unresolved: int = 0
    unresolved_titles: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def as_dict(self) -> dict:
        return {
            "works": self.works, "based_on": self.based_on, "cites": self.cites,
            "resolved": self.resolved, "unresolved": self.unresolved,
            "top_unresolved": sorted(self.unresolved_titles.items(), key=lambda kv: -kv[1])[:20],
        }


def citing_date(version: Version) -> date | None:
    return version.published or version.effective_from


def link_work(session: Session, work: Work, resolver: Resolver, summary: LinkSummary | None = None) -> LinkSummary:
    """Replace the citation relations of one work with those found in its current text."""
    summary = summary or LinkSummary()
    source = get_source(session, CITATION_SOURCE, title="正文引用识别", kind="derived")
    session.execute(
        delete(Relation).where(
            Relation.subject_work_id == work.id,
            Relation.source_id == source.id,
            Relation.relation_type.in_(CITATION_TYPES),
        )
    )
    version = work.current_version or (work.versions[-1] if work.versions else None)
    summary.works += 1
    if version is None:
        return summary
    taken = {
        (t, k)
        for t, k in session.execute(
            select(Relation.relation_type, Relation.object_key).where(Relation.subject_work_id == work.id)
        )
    }
    on = citing_date(version)
    based_keys: set[str] = set()
    for cit in find_citations(version.text):
        if cit.kind == "self" or cit.title is None:  # only self references come without a title
            continue
        resolved = resolver.resolve(cit.title, work.region, on)
        if resolved is not None and resolved.work_id == work.id:
            continue  # a text naming itself (its own title in 《》) is no link
        base_key = resolve_key(cit.title)
        if cit.kind == "cites" and cit.article is None and base_key in based_keys:
            continue  # already linked as its basis
        key = base_key + (f"#{cit.article_key}" if cit.article_key else "")
        if (cit.kind, key) in taken:
            continue
        taken.add((cit.kind, key))
        if cit.kind == "based_on":
            based_keys.add(base_key)
        session.add(
            Relation(
                subject_work_id=work.id,
                relation_type=cit.kind,
                object_work_id=resolved.work_id if resolved else None,
                object_title=clean_title(cit.title)[:500],
                object_article=cit.article_key,
                object_key=key[:500],
                evidence=cit.evidence,
                source_id=source.id,
            )
        )
        setattr(summary, cit.kind, getattr(summary, cit.kind) + 1)
        if resolved:
            summary.resolved += 1
        else:
            summary.unresolved += 1
            summary.unresolved_titles[clean_title(cit.title)] += 1
    return summary


def rebuild_links(session: Session, work_id: str | None = None) -> LinkSummary:
    """Recompute citation relations for one work or the whole store (the caller commits)."""
    resolver = Resolver.load(session)
    summary = LinkSummary()
    query = select(Work).options(load_only(Work.id, Work.region, Work.current_version_id))
    if work_id is not None:
        query = query.where(Work.id == work_id)
    works = session.scalars(query.order_by(Work.id)).all()
    for work in works:
        link_work(session, work, resolver, summary)
    session.flush()
    return summary


def link_targets(session: Session, text: str, region: str | None, on: date | None,
                 resolver: Resolver | None = None) -> list[dict]:
    """For document pages: each reference in `text` with the work and article it lands on (None when it
    cannot be resolved), offsets into the text after its history lines (body_of)."""
    resolver = resolver or Resolver.load(session)
    out = []
    for cit in find_citations(text):
        resolved = resolver.resolve(cit.title, region, on) if cit.title else None
        out.append({
            "kind": cit.kind, "title": cit.title, "start": cit.start, "end": cit.end,
            "work_id": resolved.work_id if resolved else None,
            "version_seq": resolved.version_seq if resolved else None,
            "anchor": article_anchor(cit.article_key),
        })
    return out
