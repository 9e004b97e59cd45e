"""Match a row of a document list (title and/or document number, maybe issuing body and date) to a stored work.

The clearance team's spreadsheets name documents the way people type them: without 中华人民共和国, with short
names (道交法), with an edition note (（2019年修正）, 2019年), with a character wrong, missing or extra, with the
document number in any bracket style. A `Matcher` holds an in-memory index of every work's titles and numbers,
built once, so thousands of rows match in a second or two:

- document numbers compare by their normalised key (fagui.normalise.docnumbers);
- titles compare by a key without spaces, punctuation, prefix and edition note; a short name is expanded
  (fagui.abbreviations);
- a title with no exact key is looked up through a character-bigram index and confirmed by an edit distance of
  at most two: a title within distance k of the query shares at least one of any 2k+1 distinct bigrams of the
  query (each edit destroys at most two), so only the postings of its rarest bigrams need reading;
- a title found only by the edit distance is a candidate, never a match: it is offered for review (需人工确认)
  unless it is a near-namesake, another document (clearance.namesakes: another region or city, ordinal, year,
  kind of document or issuing body), which is ruled out and named in the note;
- a row's issuing body rules out works of another region, city or level; issuing body and date only break ties
  between equally good candidates.

Each row gets matched (one work, found by its number, its exact title or a reviewed short name), review (one
near title, with the reason), ambiguous (the candidates with their scores) or unmatched (said plainly, with the
near-namesakes ruled out). A row is only ever matched to a work it names exactly."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.namesakes import Places, body_conflicts, conflicts, title_places
from fagui.abbreviations import expand
from fagui.normalise.dates import parse_date
from fagui.normalise.docnumbers import normalise_doc_number, parse_doc_number
from fagui.normalise.text import fold_width
from indexer.store.models import IssuingBody, Version, Work, work_issuing_bodies
from indexer.store.upsert import title_key

MATCHED, REVIEW, AMBIGUOUS, UNMATCHED = "matched", "review", "ambiguous", "unmatched"
MATCH_LABELS = {MATCHED: "已匹配", REVIEW: "需人工确认", AMBIGUOUS: "多个候选", UNMATCHED: "未找到"}
# How a candidate was found; only these name a work exactly enough to be matched.
EXACT_VIAS = frozenset({"number", "number_title", "exact_title", "abbreviation", "inner_title"})
VIA_LABELS = {
    "number": "文号", "number_title": "文号与标题", "exact_title": "标题完全一致", "abbreviation": "简称",
    "inner_title": "通知所印发文件的标题", "fuzzy_title": "标题近似",
}
MAX_CANDIDATES = 5

# Edition notes a list adds to a title: （2019年修正）, (2018修订), （2021年版）, 2019年, 2019年修订.
_EDITION_NOTE = re.compile(
    r"[（(\[【〔][^（）()\[\]【】〔〕]{0,20}?(?:\d{4}|修正|修订|修改|年版)[^（）()\[\]【】〔〕]{0,12}[）)\]】〕]$"
    r"|(?:\d{4}年?(?:第[一二三四五六七八九十]+次)?(?:修正|修订|修改)?(?:版|本|文本)?)$"
)
_LEADING_YEAR = re.compile(r"^\d{4}年(?:版)?")
_NON_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")  # spaces, punctuation and brackets of any width
# 关于印发《X》的通知 names X; X may hold brackets itself (《北京市实施〈…法〉办法》 typed with 《》 inside).
_INNER = re.compile(r"(?:印发|转发|发布|公布)[^《]*《(.{2,160})》")
_QUOTED = re.compile(r"^《([^《》]{2,120})》$")
# Body names as lists shorten them (全国人大常委会 for 全国人民代表大会常务委员会).
_BODY_SHORT = (("人民代表大会常务委员会", "人大常委会"), ("人民代表大会", "人大"), ("人民政府", "政府"))


def match_key(title: str) -> str:
    """What two spellings of one title share: width folded, edition notes, 中华人民共和国 (before the title and
    inside it: 实施《献血法》办法), spaces and punctuation removed (书名号, 顿号, brackets of every kind)."""
    t = fold_width(title or "").strip()
    quoted = _QUOTED.match(t)
    if quoted:
        t = quoted.group(1)
    t = _LEADING_YEAR.sub("", t)
    for _ in range(2):  # 标题（2019年修正）2019年 has two notes
        t = _EDITION_NOTE.sub("", t.strip())
    t = _NON_WORD.sub("", title_key(t))
    return t.replace("中华人民共和国", "") or t  # inner titles too: 浙江省实施《献血法》办法


def body_key(name: str) -> str:
    n = _NON_WORD.sub("", fold_width(name or "")).removeprefix("中华人民共和国")
    for long, short in _BODY_SHORT:
        n = n.replace(long, short)
    return n


def levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance of a and b, or limit + 1 as soon as it is certain to exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        best = i
        for j, cb in enumerate(b, start=1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            current.append(value)
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _bigrams(key: str) -> set[str]:
    if len(key) < 2:
        return {key} if key else set()
    return {key[i:i + 2] for i in range(len(key) - 1)}


def _max_distance(key: str, national: bool = False) -> int:
    # Short titles allow no typo (刑法 vs 民法 is another law), middling ones one, longer ones two. A
    # four-character name written with 中华人民共和国 before it (…资与税法) is a national law's: one typo.
    if len(key) <= 3 or (len(key) == 4 and not national):
        return 0
    return 1 if len(key) <= 8 else 2


def _row_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None or str(value).strip() == "":
        return None
    return parse_date(str(value))


@dataclass
class WorkEntry:
    """What the matcher knows of one work."""

    work_id: str
    title: str
    region: str
    bodies: list[str] = field(default_factory=list)
    dates: set[date] = field(default_factory=set)  # every version's published and effective dates
    doc_type: str | None = None  # 地方性法规 ...: the level a row's issuing body must fit


@dataclass(frozen=True)
class Candidate:
    work_id: str
    title: str
    score: float
    via: str

    def as_dict(self) -> dict[str, Any]:
        return {"work_id": self.work_id, "title": self.title, "score": round(self.score, 3), "via": self.via}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Candidate:
        return cls(work_id=data["work_id"], title=data["title"], score=data["score"], via=data["via"])


@dataclass
class MatchResult:
    match: str  # matched, ambiguous, unmatched
    work_id: str | None = None
    title: str | None = None
    confidence: float = 0.0
    via: str | None = None
    candidates: list[Candidate] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """As stored with a batch check's row (scores rounded); from_json reads it back."""
        return {
            "match": self.match, "work_id": self.work_id, "title": self.title,
            "confidence": round(self.confidence, 3), "via": self.via,
            "candidates": [c.as_dict() for c in self.candidates], "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MatchResult:
        return cls(match=data["match"], work_id=data.get("work_id"), title=data.get("title"),
                   confidence=data.get("confidence", 0.0), via=data.get("via"),
                   candidates=[Candidate.from_json(c) for c in data.get("candidates", ())],
                   note=data.get("note", ""))


@dataclass
class TitleHits:
    """The works a title names (exact first, else the near ones) and the near-namesakes ruled out, with why."""

    candidates: list[Candidate] = field(default_factory=list)
    excluded: list[tuple[Candidate, list[str]]] = field(default_factory=list)


class Matcher:
    """An in-memory index of the store's works by title key, bigram and document number."""

    def __init__(self, works: Iterable[WorkEntry], titles: Iterable[tuple[str, str]],
                 numbers: Iterable[tuple[str, str]]) -> None:
        self.works: dict[str, WorkEntry] = {w.work_id: w for w in works}
        by_key: dict[str, set[str]] = defaultdict(set)
        for work_id, title in titles:
            key = match_key(title)
            if key and work_id in self.works:
                by_key[key].add(work_id)
        self._keys: list[str] = list(by_key)
        self._key_ids: list[frozenset[str]] = [frozenset(by_key[k]) for k in self._keys]
        self._exact: dict[str, int] = {k: i for i, k in enumerate(self._keys)}
        postings: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(self._keys):
            for gram in _bigrams(key):
                postings[gram].append(i)
        self._postings = dict(postings)
        self._numbers: dict[str, set[str]] = defaultdict(set)
        for work_id, number in numbers:
            if number and work_id in self.works:
                self._numbers[number].add(work_id)
        local = [k for k, ids in zip(self._keys, self._key_ids, strict=True)
                 if any(self.works[w].region != "全国" for w in ids)]
        bodies = {_NON_WORD.sub("", fold_width(b)).removeprefix("中华人民共和国") for w in self.works.values()
                  for b in w.bodies}
        self.places = Places.build(local, bodies)
        self._work_places: dict[str, list[str]] = {}

    @classmethod
    def load(cls, session: Session) -> Matcher:
        works = {w.id: WorkEntry(work_id=w.id, title=w.title, region=w.region, doc_type=w.doc_type) for w in
                 session.execute(select(Work.id, Work.title, Work.region, Work.doc_type))}
        titles = [(wid, w.title) for wid, w in works.items()]
        numbers = []
        for v in session.execute(
            select(Version.work_id, Version.title, Version.doc_number_key, Version.published, Version.effective_from)
        ):
            titles.append((v.work_id, v.title))
            if v.doc_number_key:
                numbers.append((v.work_id, v.doc_number_key))
            entry = works.get(v.work_id)
            if entry is not None:
                entry.dates.update(d for d in (v.published, v.effective_from) if d)
        for wid, name in session.execute(
            select(work_issuing_bodies.c.work_id, IssuingBody.name)
            .join(IssuingBody, IssuingBody.id == work_issuing_bodies.c.body_id)
        ):
            if wid in works:
                works[wid].bodies.append(name)
        return cls(works.values(), titles, numbers)

    def __len__(self) -> int:
        return len(self.works)

    def works_with_key(self, key: str) -> frozenset[str]:
        """The works one of whose titles has this match_key (empty: none)."""
        i = self._exact.get(key)
        return self._key_ids[i] if i is not None else frozenset()

    def numbers(self) -> dict[str, frozenset[str]]:
        """Every normalised document number in the index, with the works that carry it."""
        return {number: frozenset(ids) for number, ids in self._numbers.items()}

    # ------------------------------------------------------------------------------------------------------

    def match(self, title: object = None, doc_number: object = None, body: object = None,
              when: object = None) -> MatchResult:
        """Match one row; its cells may be of any type a spreadsheet holds (a number typed as a title too)."""
        title = str(title).strip() if title is not None else ""
        doc_number = str(doc_number).strip() if doc_number is not None else ""
        body = str(body) if body is not None else None
        if not title and not doc_number:
            return MatchResult(UNMATCHED, note="未填写标题和文号，无法匹配")
        if not doc_number and parse_doc_number(title):
            title, doc_number = "", title  # a number typed into the title column
        by_number = self._by_number(doc_number)
        hits = self._by_title(title) if title else TitleHits()
        by_title = hits.candidates
        note, uncertain = "", ""
        if by_number and title:
            both = {c.work_id for c in by_title} & by_number
            if both:
                candidates = [Candidate(w, self.works[w].title, 1.0, "number_title") for w in sorted(both)]
            else:
                uncertain = "文号与标题指向不同的文件" if by_title else "文号对应的文件与所填标题不一致"
                candidates = [Candidate(w, self.works[w].title, 0.9, "number") for w in sorted(by_number)]
                candidates += [Candidate(c.work_id, c.title, min(c.score, 0.9), c.via) for c in by_title]
        elif by_number:
            candidates = [Candidate(w, self.works[w].title, 1.0, "number") for w in sorted(by_number)]
        else:
            candidates = by_title
            if doc_number and title:
                note = f"文号“{doc_number}”在库中未找到，按标题匹配"
        return self._decide(candidates, hits.excluded, title, doc_number, body, _row_date(when), note, uncertain)

    def _by_number(self, doc_number: str) -> set[str]:
        if not doc_number:
            return set()
        parsed = parse_doc_number(doc_number)
        key = parsed.key if parsed else normalise_doc_number(doc_number)
        return set(self._numbers.get(key, ()))

    def _by_title(self, title: str) -> TitleHits:
        key = match_key(title)
        variants: list[tuple[str, str, float]] = [(key, "exact_title", 1.0)]
        full = expand(key)
        if full:
            variants.append((match_key(full), "abbreviation", 0.95))
        inner = _INNER.search(fold_width(title))
        if inner:
            variants.append((match_key(inner.group(1)), "inner_title", 0.9))
        for vkey, via, score in variants:
            i = self._exact.get(vkey)
            if i is not None:
                return self._exact_hits(self._candidates(self._key_ids[i], score, via), title)
        found: dict[str, tuple[int, Candidate]] = {}
        excluded: dict[str, tuple[Candidate, list[str]]] = {}
        national = fold_width(title).strip().lstrip("《").startswith("中华人民共和国")
        for vkey, _via, score in variants:
            for i, distance in self._fuzzy(vkey, national):
                c_score = score * (0.92 - 0.08 * (distance - 1))
                reasons = conflicts(vkey, self._keys[i], self.places)
                for wid in self._key_ids[i]:
                    candidate = Candidate(wid, self.works[wid].title, c_score, "fuzzy_title")
                    if reasons:
                        excluded.setdefault(wid, (candidate, reasons))
                    elif wid not in found or found[wid][1].score < c_score:
                        found[wid] = (distance, candidate)
        if found:  # a closer title beats a farther one outright
            best = min(d for d, _ in found.values())
            kept = [c for d, c in found.values() if d == best]
        else:
            kept = []
        kept_ids = {c.work_id for c in kept}
        return TitleHits(sorted(kept, key=lambda c: (-c.score, c.title)),
                         sorted((e for wid, e in excluded.items() if wid not in kept_ids),
                                key=lambda e: (-e[0].score, e[0].title)))

    def _exact_hits(self, candidates: list[Candidate], title: str) -> TitleHits:
        """Works with the row's title key, but for those whose title begins with another year (2023年… is not
        2022年…, though a leading year is dropped from the key as lists add one)."""
        year = _leading_year(title)
        kept, excluded = [], []
        for c in candidates:
            other = _leading_year(c.title)
            if year and other and other != year:
                excluded.append((c, [f"年份不符（清单：{year}；库中：{other}）"]))
            else:
                kept.append(c)
        return TitleHits(self._literal_first(kept, title), excluded)

    def _candidates(self, ids: Iterable[str], score: float, via: str) -> list[Candidate]:
        return [Candidate(w, self.works[w].title, score, via) for w in sorted(ids)]

    @staticmethod
    def _literal_first(candidates: list[Candidate], title: str) -> list[Candidate]:
        """Among works sharing a title key (the store holds 最高人民法院、最高人民检察院… and 最高人民法院 最高人民
        检察院… as two works), the one whose title is exactly what the row wrote ranks first."""
        if len(candidates) < 2:
            return candidates
        literal = _SPACES.sub("", fold_width(title))
        same = [c for c in candidates if _SPACES.sub("", fold_width(c.title)) == literal]
        if len(same) != 1:
            return candidates
        return [c if c is same[0] else Candidate(c.work_id, c.title, c.score - 0.01, c.via) for c in candidates]

    def _fuzzy(self, key: str, national: bool = False) -> list[tuple[int, int]]:
        """Every stored title key within the allowed edit distance of key, with its distance."""
        limit = _max_distance(key, national)
        if limit == 0:
            return []
        grams = sorted(_bigrams(key), key=lambda g: len(self._postings.get(g, ())))
        seen: set[int] = set()
        for gram in grams[: 2 * limit + 1]:
            seen.update(self._postings.get(gram, ()))
        hits = []
        for i in seen:
            distance = levenshtein(key, self._keys[i], limit)
            if distance <= limit:
                hits.append((i, distance))
        return hits

    def _decide(self, candidates: list[Candidate], excluded: list[tuple[Candidate, list[str]]], title: str,
                doc_number: str, body: str | None, when: date | None, note: str, uncertain: str) -> MatchResult:
        blocked: dict[str, list[str]] = {}
        if body:
            for c in candidates:
                reasons = self._body_conflicts(c.work_id, body)
                if reasons and c.via not in EXACT_VIAS:
                    excluded.append((c, reasons))  # a near title of another region or level: ruled out
                elif reasons:
                    blocked[c.work_id] = reasons  # the title says one thing, the body another: a person decides
            ruled_out = {c.work_id for c, _ in excluded}
            candidates = [c for c in candidates if c.work_id not in ruled_out or c.via in EXACT_VIAS]
        if not candidates:
            what = "、".join(x for x in (title and f"标题“{title}”", doc_number and f"文号“{doc_number}”") if x)
            return MatchResult(UNMATCHED, note=_join(note, f"库中没有与{what}对应的文件", _excluded_note(excluded)))
        candidates = sorted(candidates, key=lambda c: (-c.score, c.title, c.work_id))
        top = [c for c in candidates if c.score >= candidates[0].score - 1e-9]
        decided = ""
        if len(top) > 1 and (body or when):
            fits = {c.work_id: self._fit(c.work_id, body, when) if c.work_id not in blocked else -1 for c in top}
            best_fit = max(fits.values())
            if best_fit > 0:
                top = [c for c in top if fits[c.work_id] == best_fit]
                decided = "按制定机关或日期从多个同名文件中选定" if len(top) == 1 else ""
        shown = (top + [c for c in candidates if c not in top])[:MAX_CANDIDATES]
        if len(top) > 1:
            return MatchResult(AMBIGUOUS, confidence=top[0].score, candidates=shown,
                               note=_join(note, uncertain, f"有 {len(top)} 个同样相符的文件，请补充文号、制定机关或日期",
                                          _excluded_note(excluded)))
        chosen = top[0]
        why = uncertain or "；".join(blocked.get(chosen.work_id, ()))
        if chosen.via not in EXACT_VIAS:
            why = _join(why, f"标题与库中《{chosen.title}》不完全一致")
        if why:
            return MatchResult(REVIEW, confidence=chosen.score, via=chosen.via, candidates=shown,
                               note=_join(note, why, "请人工确认是否为同一文件", _excluded_note(excluded)))
        score = chosen.score * 0.95 if decided else chosen.score
        return MatchResult(MATCHED, chosen.work_id, chosen.title, score, chosen.via,
                           shown if len(candidates) > 1 else [], _join(note, decided))

    def _body_conflicts(self, work_id: str, body: str) -> list[str]:
        work = self.works[work_id]
        if work_id not in self._work_places:
            self._work_places[work_id] = title_places(match_key(work.title), self.places)
        return body_conflicts(body_key(body), self._work_places[work_id], work.region, work.doc_type,
                              [body_key(b) for b in work.bodies], self.places)

    def _fit(self, work_id: str, body: str | None, when: date | None) -> int:
        work = self.works[work_id]
        score = 0
        if body:
            wanted = body_key(body)
            names = [body_key(b) for b in work.bodies]
            if wanted and any(wanted in n or n in wanted for n in names if n):
                score += 2
            elif work.region != "全国" and wanted.startswith(work.region.removesuffix("省").removesuffix("市")):
                score += 1
        if when and when in work.dates:
            score += 2
        return score


def _leading_year(title: str) -> str | None:
    m = _LEADING_YEAR.match(fold_width(title or "").strip().lstrip("《"))
    return m.group(0)[:4] if m else None


def _excluded_note(excluded: list[tuple[Candidate, list[str]]]) -> str:
    if not excluded:
        return ""
    shown = "；".join(f"《{c.title}》（{'，'.join(reasons)}）" for c, reasons in excluded[:3])
    more = f"等 {len(excluded)} 件" if len(excluded) > 3 else ""
    return f"已排除标题相近但不是同一文件的：{shown}{more}"


def _join(*notes: str) -> str:
    return "；".join(n for n in notes if n)
