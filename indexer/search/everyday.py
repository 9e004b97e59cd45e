"""Everyday words (俗称, 简称, 口语) read as the law's own wording: 醉驾 is also searched as 醉酒驾驶机动车, and
where a word names one provision (离婚冷静期) the search lands on that article.

The map is `data/everyday_words.csv`, a table a lawyer can review: 领域, 口语 (the everyday word), 法律用语 (the
wording the law uses), 法规 and 条文 (the target, optional), 说明. A word may have several rows (several
wordings, several targets); the first row with a target is the one a search lands on.
tests/indexer/search/test_everyday_corpus.py checks every row against the corpus."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fagui.normalise.articles import parse_article_ref

DATA_FILE = Path(__file__).with_name("data") / "everyday_words.csv"
COLUMNS = ("领域", "口语", "法律用语", "法规", "条文", "说明")
# What people add around an everyday word when they ask (酒驾怎么处罚, 醉驾判几年): the word still names the act.
# Longest first where one begins another (怎么处罚 before 怎么).
FILLERS = ("怎么处罚", "如何处罚", "怎么处理", "如何处理", "怎么认定", "处罚标准", "罚款标准", "赔偿标准", "法律依据",
           "法律规定", "要坐牢吗", "什么意思", "多少钱", "罚多少", "罚款多少", "扣几分", "拘留几天", "判几年",
           "判多久", "怎么判", "怎么罚", "怎么赔", "赔多少", "谁负责", "谁承担", "谁赔偿", "能退吗", "可以退吗",
           "合法吗", "犯法吗", "违法吗", "算不算", "是什么", "什么是", "多少天", "有几天", "怎么办", "的处罚", "处罚",
           "罚款", "赔偿", "扣分", "坐牢", "几天", "多久", "规定", "法律", "责任", "依据", "条款", "法条", "标准",
           "后果", "新规", "关于", "怎么", "如何", "吗", "呢", "的")


class EverydayDataError(ValueError):
    """The map file has a malformed row; the message names the line."""


@dataclass(frozen=True)
class Entry:
    domain: str
    term: str  # the everyday word: 醉驾
    legal: str  # the law's wording: 醉酒驾驶机动车
    work_title: str  # the target work's title, "" when the word names no one provision
    article_label: str  # 第一百三十三条之一, "" without a target article
    note: str
    line: int  # the row's line in the file, for reports

    @property
    def article(self) -> tuple[int, int] | None:
        """(number, sub) of the target article."""
        return parse_article_ref(self.article_label) if self.article_label else None


@dataclass(frozen=True)
class Expansion:
    """One query word read as everyday words: what else to search for it, and where it lands."""

    word: str  # the query word as typed: 酒驾怎么处罚
    term: str  # the everyday word inside it: 酒驾
    legal: tuple[str, ...]  # the law's wordings, in the file's order
    target: Entry | None  # the first row of the term with a target article


def load(path: Path = DATA_FILE) -> tuple[Entry, ...]:
    """Every row of the map, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise EverydayDataError(f"{path.name} 第 1 行应为表头：{','.join(COLUMNS)}")
    entries = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            raise EverydayDataError(f"{path.name} 第 {line} 行应有 {len(COLUMNS)} 列，实有 {len(row)} 列")
        domain, term, legal, work, article, note = (cell.strip() for cell in row)
        if not term or not legal:
            raise EverydayDataError(f"{path.name} 第 {line} 行缺少口语或法律用语")
        if article and (not work or parse_article_ref(article) is None):
            raise EverydayDataError(f"{path.name} 第 {line} 行的条文“{article}”无法识别或缺少法规")
        entries.append(Entry(domain, term, legal, work, article, note, line))
    return tuple(entries)


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, list[Entry]], tuple[str, ...]]:
    by_term: dict[str, list[Entry]] = {}
    for entry in load():
        by_term.setdefault(entry.term.casefold(), []).append(entry)
    return by_term, tuple(sorted(by_term, key=len, reverse=True))


def is_filler(text: str) -> bool:
    """Only asking words (怎么处罚, 罚多少, 吗): what people add around an everyday word."""
    rest = text.strip()
    while rest:
        filler = next((f for f in FILLERS if rest.startswith(f)), None)
        if filler is None:
            return False
        rest = rest[len(filler):]
    return True


def _term_in(word: str, terms: tuple[str, ...]) -> str | None:
    """The everyday word the query word is, or holds with only asking words around it (酒驾怎么处罚,
    什么是离婚冷静期)."""
    for term in terms:  # longest first: 醉酒开车 before 开车
        at = word.find(term)
        if at >= 0 and is_filler(word[:at]) and is_filler(word[at + len(term):]):
            return term
    return None


def expand(word: str) -> Expansion | None:
    """The expansion of one query word, or None when it is no everyday word (or is already the law's wording)."""
    by_term, terms = _index()
    key = word.strip().casefold()
    term = _term_in(key, terms) if key else None
    if term is None:
        return None
    entries = by_term[term]
    legal = tuple(dict.fromkeys(e.legal for e in entries if e.legal.casefold() != key))
    target = next((e for e in entries if e.article_label), None)
    if not legal and target is None:
        return None
    return Expansion(word=word, term=term, legal=legal, target=target)
