"""Chinese analysis shared by both engines: text is tokenised once, here, and both engines index the tokens.

Measured on this machine over 1.1 MB of corpus text (bench/analysis_speed.py prints the same figures):
Python jieba `cut_for_search` runs at 0.18 MB/s (0.3 MB/s without HMM), rjieba (jieba-rs) at 5.5 MB/s, so the
whole 58 MB corpus tokenises in about 10 s with rjieba against 5 minutes with jieba, and on 342 of 345 sampled
corpus paragraphs both give identical tokens (a test keeps checking this). rjieba cannot load a user
dictionary, so the legal dictionary (es_mappings/dict/legal.dict) is applied on top of its tokens: every
dictionary term found in the text is added as one more token, and a query word that contains a dictionary
term asks for that whole term. Both sides use the same functions, so index and query tokens always agree.

Index time (`analyse`): search-mode tokens (each word and the dictionary sub-words inside it, e.g.
道路交通 -> 道路, 交通, 道路交通) plus legal terms. Query time (`analyse_query`): the same tokens reduced to the
finest ones (a token that contains another query token is dropped), so 交通安全 finds 道路交通安全法 whose
words are 道路交通 / 安全法; order and nearness of the words then rank the hits. Traditional/simplified and
full-width/half-width fold together on both sides."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from itertools import compress
from operator import itemgetter, not_
from pathlib import Path

import opencc
import rjieba

from indexer.search.characters import strip_ignored

DICT_PATH = Path(__file__).resolve().parents[2] / "es_mappings" / "dict" / "legal.dict"
_WORD = re.compile(r"\w")
_FULL_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_lock = threading.Lock()
_state: dict = {}


def _converter() -> opencc.OpenCC:
    with _lock:
        if "cc" not in _state:
            _state["cc"] = opencc.OpenCC("t2s")
    return _state["cc"]


def legal_terms() -> tuple[str, ...]:
    """The user dictionary's terms, longest first."""
    if "terms" not in _state:
        terms = []
        for line in DICT_PATH.read_text(encoding="utf-8").splitlines():
            word = line.split(" ", 1)[0].strip()
            if len(word) > 1:
                terms.append(word)
        _state["terms"] = tuple(sorted(set(terms), key=len, reverse=True))
        _state["terms_re"] = re.compile("|".join(map(re.escape, _state["terms"])))
    return _state["terms"]


def _terms_re() -> re.Pattern[str]:
    legal_terms()
    return _state["terms_re"]


def fold(text: str) -> str:
    """Simplified script, half-width ASCII, lower case: the form both sides are compared in."""
    return _converter().convert(text.translate(_FULL_WIDTH)).lower()


def _is_token(word: str) -> bool:
    # A word character first settles it (str.isalnum is what \w means for str patterns); most words are.
    return word[:1].isalnum() or _WORD.search(word) is not None


_WORD_OF = itemgetter(0)
_START = itemgetter(1)
_END = itemgetter(2)


def analyse(text: str) -> list[str]:
    """Index-time tokens of a text, in the order their last characters appear (a word's pieces, then the
    word), so that the words of a phrase stay a token or two apart whatever pieces stand between them."""
    return _analyse_folded(fold(text))


def _analyse_folded(folded: str) -> list[str]:
    found = rjieba.tokenize(folded, mode="search")
    # Most tokens are letters, digits or CJK characters through and through: they are kept by C-level passes
    # (str.isalnum over every token), and only the rest (punctuation, 2.5, gb/t) is judged one by one.
    whole = list(map(str.isalnum, map(_WORD_OF, found)))
    spans = list(compress(found, whole))
    spans.extend(s if " " not in s[0] else (s[0].replace(" ", ""), s[1], s[2])
                 for s in compress(found, map(not_, whole)) if _is_token(s[0]))
    spans.extend((m.group(0), m.start(), m.end()) for m in _terms_re().finditer(folded))
    # By last character, then longest first (a word after its pieces): two stable sorts on C-level keys. Only
    # the same word at the same place compares equal, so the order the spans were gathered in does not show.
    spans.sort(key=_START, reverse=True)
    spans.sort(key=_END)
    return list(map(_WORD_OF, dict.fromkeys(spans)))


Span = tuple[str, int, int]


def _finest(found: list[Span]) -> list[Span]:
    """The finest tokens, judged by where they stand (a token holding another token's span is dropped), then
    every character a dropped token alone covered brought back with the shortest token covering it: 信用卡
    keeps 信用 and 信用卡 (卡 stays asked for), 2021年 keeps 2021 although "1" is a token too."""
    spans = set(found)
    finest = [s for s in found if not any(o != s and s[1] <= o[1] and o[2] <= s[2] for o in spans)]
    covered = {i for _, start, end in finest for i in range(start, end)}
    for span in sorted(found, key=lambda s: s[2] - s[1]):
        if span not in finest and any(i not in covered for i in range(span[1], span[2])):
            finest.append(span)
            covered.update(range(span[1], span[2]))
    return finest


def _word_spans(folded: str) -> list[Span]:
    """The search-mode words of a folded query, where each stands."""
    return [(w.replace(" ", ""), start, end) for w, start, end in rjieba.tokenize(folded, mode="search")
            if _is_token(w)]


@lru_cache(maxsize=4096)
def _query_tokens(text: str) -> tuple[str, ...]:
    folded = fold(text)
    finest = _finest(list(dict.fromkeys(_word_spans(folded))))
    # Legal terms stay whole: 行政规范性文件 asks for that term (indexed as one token), not for its pieces.
    # Pieces are matched by where they stand, not by their spelling: in 中华人民共和国全国人民代表大会常务委员会
    # the 人民 of 中华人民共和国 is no piece of the term, and the term must come after 共和, as in the text.
    for m in _terms_re().finditer(folded):
        finest = [span for span in finest if not (m.start() <= span[1] and span[2] <= m.end())]
        finest.append((m.group(0), m.start(), m.end()))
    # The order the index puts tokens in (by last character, a word after its pieces), so that neighbouring
    # query tokens are neighbours in an indexed phrase too.
    finest.sort(key=lambda span: (span[2], -span[1]))
    return tuple(dict.fromkeys(w for w, _, _ in finest))


@lru_cache(maxsize=4096)
def _rank_tokens(text: str) -> tuple[str, ...]:
    folded = fold(text)
    spans = _word_spans(folded) + [(m.group(0), m.start(), m.end()) for m in _terms_re().finditer(folded)]
    # Longest first from each place: the words that tile the term, each as long as an indexed token can be.
    spans.sort(key=lambda span: (span[1], span[1] - span[2]))
    out: list[str] = []
    reached = 0
    for word, start, end in spans:
        if start >= reached:
            out.append(word)
            reached = end
    return tuple(out)


def rank_tokens(text: str) -> list[str]:
    """The fewest indexed words that spell a term, longest first from its start (人民代表大会 is one word, where
    analyse_query gives 人民 / 代表 / 大会): in 精确检索 the characters select and these words only rank, and one
    word costs the engine one posting list where the pieces' phrase reads the positions of every piece (人民
    stands in almost every text)."""
    return list(_rank_tokens(text))


def analyse_query(text: str) -> list[str]:
    """Query-time tokens of one word or phrase: the finest tokens, all of which a match must contain."""
    return list(_query_tokens(text))


def pretokenised(text: str) -> str:
    """Tokens joined by single spaces: the form the engines' whitespace-analysed fields take."""
    return " ".join(analyse(text))


LineForms = dict[str, tuple[str, str, str]]


def line_fields(text: str, cache: LineForms) -> tuple[str, str, str]:
    """(pretokenised words, exact form, exact bigrams) of a text, line by line through a cache: the versions of
    one work and their articles share most lines, so each line is folded, tokenised and cut into bigrams once
    per work (words never cross a line break; exact forms run on, as whitespace does not count, so the bigram
    across each line break is added where the lines meet)."""
    words: list[str] = []
    exact: list[str] = []
    pairs: list[str] = []
    last = ""
    for line in text.split("\n"):
        forms = cache.get(line)
        if forms is None:
            folded = fold(line)
            compact = _exact_of_folded(folded)
            forms = cache[line] = (" ".join(_analyse_folded(folded)) if line.strip() else "", compact,
                                   " ".join(bigrams(compact)))
        if forms[0]:
            words.append(forms[0])
        compact = forms[1]
        if compact:
            if last:
                pairs.append(last + compact[0])
            if forms[2]:
                pairs.append(forms[2])
            last = compact[-1]
            exact.append(compact)
    return " ".join(words), "".join(exact), " ".join(pairs)


def line_forms(text: str, cache: LineForms) -> tuple[str, str]:
    """(pretokenised words, exact form) of a text, line by line through a cache (line_fields)."""
    words, exact, _ = line_fields(text, cache)
    return words, exact


def pretokenised_lines(text: str, cache: LineForms) -> str:
    """pretokenised(), line by line through a cache (line_forms)."""
    return line_forms(text, cache)[0]


# -- exact matching (精确检索): characters, whatever the segmentation ---------------------------------------
# Every text is also indexed as its folded characters with all whitespace removed: as overlapping bigrams
# with positions (a run of n >= 2 characters is the phrase of its n - 1 bigrams at consecutive positions)
# and as the set of its single characters (a one-character term). Punctuation stays a character like any
# other, so PM2.5, GB/T2260 and 〔2023〕 match as typed.
_SPACE = re.compile(r"\s+")


def exact_form(text: str) -> str:
    """The folded text without whitespace and without the characters search ignores
    (indexer.search.characters): what exact matching compares, on both sides."""
    return _exact_of_folded(fold(text))


def _exact_of_folded(folded: str) -> str:
    return _SPACE.sub("", strip_ignored(folded))


def bigrams(compact: str) -> list[str]:
    """The overlapping character bigrams of an exact form, in order."""
    return list(map(str.__add__, compact, compact[1:]))


def exact_tokens(compact: str) -> tuple[str, str]:
    """(bigrams, distinct characters) of an exact form, each joined by single spaces: the two
    whitespace-analysed exact fields both engines index."""
    return " ".join(bigrams(compact)), " ".join(dict.fromkeys(compact))
