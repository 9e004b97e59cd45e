"""Chinese analysis shared by both engines: text is tokenised once, here, and Tantivy and Elasticsearch index
the same whitespace-separated tokens.

Tokeniser
    jieba (precise mode, HMM on) with the legal-domain user dictionary es_mappings/dict/legal.dict, on a
    private `jieba.Tokenizer` built once, lazily; its cache file goes to $FAGUI_DATA_DIR/cache or, without
    that, the system temp directory (never beside site-packages). User words *replace* a word's frequency in
    the dictionary total, as jieba-rs's `add_word` does (Python jieba's `load_userdict` adds the frequency
    again without subtracting the old one, which shifts the total and flips near-ties such as 技术成果 vs
    技术/成果).

Fast path (rjieba, jieba-rs): decided by measurement
    This rjieba (0.2.2) cannot read a dictionary file, but a private `rjieba.Jieba()` takes the same words
    through `add_word`. Measured over all 365,994 non-empty paragraphs of the shared corpus (57 MB), precise
    mode with offsets: with the totals aligned as above, rjieba and jieba differ in 136 paragraphs and every
    difference lies in a block of letters/digits joined by one of ``+#&._%-`` (5.1.1, 26341-2010,
    github.com: jieba-rs keeps these whole, jieba splits them); outside such blocks 0 paragraphs differ.
    (With the original 110-word dictionary loaded the stock way, 84 paragraphs also differed in Chinese
    words.) So rjieba cuts the whole text and each block holding one of ``+#&._%-`` (0.42 % of the corpus's
    characters, 1,544 distinct strings such as ## or 10%, cached) is cut by jieba instead; jieba cuts text
    block by block, so the splice is exact. tests/indexer/test_analysis.py checks fast path == jieba on
    real corpus paragraphs; bench/analysis_speed.py --all found 0 of 365,994 paragraphs differing.
    Speed, whole corpus, paragraph by paragraph (`.venv/bin/python bench/analysis_speed.py --all`):
    jieba precise 1.18 MB/s (209 k tokens/s), rjieba precise 18.6 MB/s (3.3 M tokens/s); the whole
    `analyse` 0.96 MB/s on jieba alone, 5.66 MB/s (1.08 M tokens/s) on the fast path, i.e. about 10 s
    for the corpus instead of a minute.

Index time (`analyse`, `tokens_with_offsets`, `pretokenised`)
    Each jieba word, preceded by every dictionary word of two or more characters inside it (all lengths,
    not only the 2- and 3-grams of jieba's `cut_for_search`), ordered by end then start: 道路交通安全法 ->
    道路 交通 道路交通 安全 交通安全 道路交通安全 安全法 道路交通安全法. So a law name is one token and is
    also found by any dictionary word within it (交通安全, 安全法); a word's pieces stand just before it.
    Names of national laws are in the user dictionary for this reason.
Query time (`analyse_query`)
    Coarser: the jieba words of the query, the words a user means, without the pieces: 行政规范性文件 and
    法治政府 stay one token. A dictionary word of the query that stands inside a longer word of the text
    is among that word's pieces, so it is found. A single Chinese character is a weak word and is often
    absorbed into a longer word of the text (the 法 of 交通安全法 inside 道路交通安全法), so when a query has
    longer words its single Chinese characters are dropped (ASCII is cut alike everywhere and stays).
    Measured on 20,000 random corpus paragraphs (share of queries whose tokens are all indexed in a
    paragraph that contains the query text): word-aligned phrases of 1-3 words 98.5 % (98.6 % for the
    finest pieces of the query, the other option), random 2-6 character substrings 81 % (36 % for finest
    pieces, 36 % keeping single characters); every corpus title finds itself.
Article references
    第九十一条 / 第91条 / 第９１条 are one token, always in Chinese numerals (第九十一条); also 款, 项, 章,
    节, 编. jieba alone would cut 第九十/一条. The reference is cut out before segmentation, so the words
    around it are cut as if it were a separator.
Folding (index and query alike)
    Traditional -> simplified (crawlers.normalise.text.to_simplified: OpenCC 't2s', only on lines that hold a
    traditional-only character, so simplified text never changes), full-width -> half-width ASCII
    (crawlers.normalise.text.fold_width), lower case. Folding keeps every character in place (one character
    for one), so offsets into the folded text are offsets into the original: a line whose OpenCC conversion
    would change its length is converted character by character instead. Tokens of punctuation or
    whitespace are dropped.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jieba
import rjieba

from crawlers.normalise.text import fold_width, to_simplified

DICT_PATH = Path(__file__).resolve().parent.parent / "es_mappings" / "dict" / "legal.dict"

Span = tuple[str, int, int]

# jieba's own block pattern (re_han_default): it segments each such run on its own.
_BLOCK_CHARS = "\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-"
# A block holding one of +#&._%- : there jieba-rs's HMM differs from jieba's, so jieba cuts it.
_SLOW_BLOCK = re.compile(rf"(?<![{_BLOCK_CHARS}])[{_BLOCK_CHARS}]*?[+#&._%\-][{_BLOCK_CHARS}]*")
_SPECIAL = re.compile(r"[+#&._%\-]")
_ALNUM = re.compile(r"[^\W_]")
_WIDE = re.compile("[０-９Ａ-Ｚａ-ｚ％＋－＝＠＃＆＊＿＄＾｜＼．／\u3000]")
_NUMERAL = "零〇一二两三四五六七八九十百千"
_ARTICLE = re.compile(rf"第([0-9]{{1,4}}|[{_NUMERAL}]{{1,8}})([条款项章节编])")
_ARTICLE_TOKEN = re.compile(rf"第[{_NUMERAL}]+[条款项章节编]")
_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    """91 -> 九十一, 1087 -> 一千零八十七, 110 -> 一百一十, 10 -> 十: how Chinese law numbers its articles."""
    if n == 0:
        return "零"
    parts: list[str] = []
    gap = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            if gap:
                parts.append("零")
            parts.append(_DIGITS[digit] + unit)
            gap = False
        elif parts:
            gap = True
    out = "".join(parts)
    return out[1:] if out.startswith("一十") else out


def _article_token(number: str, unit: str) -> str:
    if number.isdigit():
        number = _chinese_number(int(number))
    return f"第{number}{unit}"


# ---------------------------------------------------------------------------------------------------------
# Folding


def _fold_line_by_char(line: str) -> str:
    out = []
    for ch in line:
        simple = to_simplified(ch)
        out.append(simple if len(simple) == 1 else ch)
    return "".join(out)


def _simplified_in_place(text: str) -> str:
    try:
        text.encode("gb2312")  # traditional-only characters are never in GB2312: nothing to convert
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for line in text.split("\n"):  # to_simplified decides line by line too
        new = to_simplified(line)
        out.append(new if len(new) == len(line) else _fold_line_by_char(line))
    return "\n".join(out)


def _lower_in_place(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)  # İ would become two chars


def fold(text: str) -> str:
    """Simplified script, half-width ASCII, lower case: the form index and query are compared in. One
    character for one, so positions in the result are positions in `text`."""
    if _WIDE.search(text):
        text = fold_width(text)
    return _lower_in_place(_simplified_in_place(text))


# ---------------------------------------------------------------------------------------------------------
# Tokenisers, built once


@dataclass(frozen=True)
class _Engines:
    jieba: jieba.Tokenizer
    rjieba: rjieba.Jieba
    words: frozenset[str]  # every dictionary word of two or more characters


_lock = threading.Lock()
_engines: _Engines | None = None


def _cache_dir() -> str:
    data_dir = os.environ.get("FAGUI_DATA_DIR")
    if data_dir:
        path = Path(data_dir) / "cache"
        try:
            path.mkdir(parents=True, exist_ok=True)
            if os.access(path, os.W_OK):
                return str(path)
        except OSError:
            pass
    return tempfile.gettempdir()


def _user_words(path: Path = DICT_PATH) -> list[tuple[str, int, str | None]]:
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 1
        entries.append((parts[0], freq, parts[2] if len(parts) > 2 else None))
    return entries


def _build() -> _Engines:
    logging.getLogger("jieba").setLevel(logging.WARNING)  # no "Building prefix dict" on every start
    jb = jieba.Tokenizer()
    jb.tmp_dir = _cache_dir()
    jb.initialize()
    rj = rjieba.Jieba()
    entries = _user_words()
    for word, freq, tag in entries:
        old = jb.FREQ.get(word, 0)
        jb.add_word(word, freq, tag)
        jb.total -= old  # replace, not add: the same dictionary total as jieba-rs, hence the same cuts
        rj.add_word(word, freq, tag)
    return _Engines(jb, rj, frozenset(w for w, f in jb.FREQ.items() if f and len(w) > 1))


def _get() -> _Engines:
    global _engines
    if _engines is None:
        with _lock:
            if _engines is None:
                _engines = _build()
    return _engines


@lru_cache(maxsize=1)
def legal_terms() -> tuple[str, ...]:
    """The user dictionary's terms, longest first."""
    return tuple(sorted({w for w, _, _ in _user_words() if len(w) > 1}, key=len, reverse=True))


# ---------------------------------------------------------------------------------------------------------
# Segmentation


def _mask_articles(folded: str) -> tuple[str, list[Span]]:
    """Article references as tokens, and the text with them blanked out (same length) for segmentation."""
    found: list[Span] = []
    if "第" not in folded:
        return folded, found
    for m in _ARTICLE.finditer(folded):
        found.append((_article_token(m.group(1), m.group(2)), m.start(), m.end()))
    if not found:
        return folded, []
    chars = list(folded)
    for _, start, end in found:
        chars[start:end] = " " * (end - start)
    return "".join(chars), found


def _jieba_cut(engines: _Engines, text: str, offset: int = 0) -> list[Span]:
    return [(w, s + offset, e + offset) for w, s, e in engines.jieba.tokenize(text, mode="default", HMM=True)]


@lru_cache(maxsize=65536)
def _jieba_block(block: str) -> tuple[Span, ...]:
    """jieba's cut of one block: the corpus's 29,000 such blocks are 1,544 distinct strings (##, 5.1, 10%)."""
    return tuple(_jieba_cut(_get(), block))


def _cut(text: str, jieba_only: bool = False) -> tuple[list[Span], int]:
    """jieba's precise cut of `text` with offsets, and how many characters jieba itself had to cut (the rest
    went through rjieba, whose words are identical there)."""
    engines = _get()
    if jieba_only:
        return _jieba_cut(engines, text), len(text)
    spans = engines.rjieba.tokenize(text, mode="default", hmm=True)
    if _SPECIAL.search(text) is None:
        return spans, 0
    slow = [m.span() for m in _SLOW_BLOCK.finditer(text)]
    if not slow:
        return spans, 0
    out: list[Span] = []
    i, n = 0, len(spans)
    for start, end in slow:
        while i < n and spans[i][2] <= start:
            out.append(spans[i])
            i += 1
        first = i
        while i < n and spans[i][1] < end:
            i += 1
        # A word across a block edge would make the splice inexact; never measured, but stay exact.
        if first < n and spans[first][1] < start or i > first and spans[i - 1][2] > end:
            return _jieba_cut(engines, text), len(text)
        out.extend((w, s + start, e + start) for w, s, e in _jieba_block(text[start:end]))
    out.extend(spans[i:])
    return out, sum(end - start for start, end in slow)


def _is_token(word: str) -> bool:
    """A word, not punctuation or whitespace (jieba yields those as tokens of their own)."""
    return word.isalnum() or _ALNUM.search(word) is not None


def _words(text: str, jieba_only: bool = False) -> list[Span]:
    """Folded words (jieba's cut plus article references) in text order, offsets into `text`."""
    masked, articles = _mask_articles(fold(text))
    spans, _ = _cut(masked, jieba_only)
    words = [span for span in spans if span[0].isalnum() or _is_token(span[0])]
    if articles:
        words = sorted(words + articles, key=lambda span: span[1])
    return words


def _index_spans(text: str, jieba_only: bool = False) -> list[Span]:
    words = _get().words
    out: list[Span] = []
    append = out.append
    for span in _words(text, jieba_only):
        word, start, end = span
        n = end - start
        if n > 2 and not word.isascii() and not _ARTICLE_TOKEN.fullmatch(word):
            for j in range(2, n + 1):  # pieces by end, then the shorter first
                for i in range(j - 2, -1, -1):
                    if (i or j != n) and word[i:j] in words:
                        append((word[i:j], start + i, start + j))
        append(span)
    return out


# ---------------------------------------------------------------------------------------------------------
# Public


def tokens_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """Index-time tokens with [start, end) offsets in the original `text`, so highlights can be cut from the
    original characters: text[start:end] folds to the token (an article reference in Arabic digits excepted,
    whose token is written in Chinese numerals)."""
    return _index_spans(text)


def analyse(text: str) -> list[str]:
    """Index-time tokens of a text, folded: each word preceded by the dictionary words inside it."""
    return [word for word, _, _ in _index_spans(text)]


@lru_cache(maxsize=4096)
def _query_tokens(text: str) -> tuple[str, ...]:
    words = [w for w, _, _ in _words(text)]
    if any(len(w) > 1 for w in words):
        words = [w for w in words if len(w) > 1 or w.isascii()]  # ASCII is cut alike everywhere: keep it
    return tuple(dict.fromkeys(words))


def analyse_query(text: str) -> list[str]:
    """Query-time tokens: the words a user means (jieba's cut, legal terms and law names whole), folded;
    every one must match."""
    return list(_query_tokens(text))


def pretokenised(text: str) -> str:
    """Tokens joined by single spaces: the form the engines' whitespace-analysed fields take."""
    return " ".join(analyse(text))


def pretokenised_lines(text: str, cache: dict[str, str]) -> str:
    """pretokenised(), line by line through a cache: the versions of one work and their articles share most
    lines, so each line is tokenised once per work (tokens never cross a line break)."""
    out = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        tokens = cache.get(line)
        if tokens is None:
            tokens = cache[line] = pretokenised(line)
        if tokens:
            out.append(tokens)
    return " ".join(out)
