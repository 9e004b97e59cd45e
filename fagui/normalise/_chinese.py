"""What ordinary Chinese text looks like, for judging repairs: word and character frequencies from jieba's
dictionary, a plausibility score, and the traditional -> simplified converter (OpenCC).

Private to fagui.normalise: the dictionary is loaded only when a repair has to be judged, so clean text
never pays for it.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from functools import cache
from pathlib import Path

import jieba
import opencc

# Punctuation a Chinese legal text really uses: as plausible as a common character.
CN_PUNCT = frozenset("，。、；：？！“”‘’（）《》〈〉〔〕【】［］—…·「」『』％～")
_PUNCT_SCORE = 4.0
_ASCII_ALNUM_SCORE = 3.0
_ASCII_OTHER_SCORE = 2.5
_QUESTION_SCORE = 0.5  # a '?' between Chinese characters is more often a lost byte than a question


_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|ui|ue"
    r"|er|a|o|e|i|u|ng|n|m)"
)


def pinyin_syllable(text: str) -> tuple[bool, str] | None:
    """(toned, toneless form) when text is one pinyin syllable (fā -> (True, "fa"), de -> (False, "de"));
    None when it is not pinyin (law, WTO, yuan is pinyin but 'ab' is not)."""
    decomposed = unicodedata.normalize("NFD", text)  # ǎ -> a + caron; ü keeps its diaeresis, not a tone
    toned = any(unicodedata.combining(ch) and ch != "\u0308" for ch in decomposed)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return (toned, plain) if _SYLLABLE.fullmatch(plain) else None


def is_cjk(ch: str) -> bool:
    """A CJK unified ideograph (basic block, extension A, compatibility)."""
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


@cache
def word_freq() -> dict[str, int]:
    """jieba's dictionary: word -> frequency. Read directly, so jieba builds no cache file."""
    freqs: dict[str, int] = {}
    path = Path(jieba.__file__).with_name("dict.txt")
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split(" ")
            if len(parts) >= 2 and parts[1].strip().isdigit():
                freqs[parts[0]] = int(parts[1])
    return freqs


@cache
def _char_log_freq() -> dict[str, float]:
    """How common each character is: log10 of the summed frequency of the words it occurs in."""
    totals: dict[str, int] = {}
    for word, freq in word_freq().items():
        for ch in word:
            totals[ch] = totals.get(ch, 0) + freq
    return {ch: math.log10(total + 1) for ch, total in totals.items()}


_lock = threading.Lock()
_t2s: opencc.OpenCC | None = None


def converter() -> opencc.OpenCC:
    """The OpenCC traditional -> simplified converter, created once on first use (it loads dictionaries)."""
    global _t2s
    if _t2s is None:
        with _lock:
            if _t2s is None:
                _t2s = opencc.OpenCC("t2s")
    return _t2s


@cache
def simplify_char(ch: str) -> str:
    """One character converted alone; equal to ch when ch is not a traditional form."""
    return converter().convert(ch)


@cache
def _traditional_only(ch: str) -> bool:
    """A character only traditional text uses: it converts, and simplified Chinese (GB2312) lacks it.
    乾, 著, 於 convert too but are also simplified characters (乾坤, 著作, 於 as a surname)."""
    if ch.isascii() or simplify_char(ch) == ch:
        return False
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return True
    return False


def _simplify_line(line: str) -> str:
    converted = converter().convert(line)
    if converted == line or len(converted) != len(line):
        return converted
    return "".join(
        new if new == old or simplify_char(old) != old else old
        for old, new in zip(line, converted, strict=True)
    )


def simplify(text: str) -> str:
    """Traditional -> simplified, leaving text that is already simplified exactly as it was.

    Only lines holding a character that exists in traditional text alone are converted (乾健门, a name in a
    simplified law, must not become 干健门), and within them a character that converts to itself on its
    own keeps its form (OpenCC's phrase tables would turn 破坏土地 into 破坯土地, 坏土 being a
    traditional phrase)."""
    if not text:
        return text
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if any(_traditional_only(ch) for ch in line):
            lines[index] = _simplify_line(line)
    return "\n".join(lines)


_MIN_BIGRAM_FREQ = 10  # a two-character word must be common to count as evidence; a longer one need not


def word_evidence(candidate: str, left: str, right: str) -> tuple[int, int]:
    """How strongly jieba's dictionary says candidate (simplified) belongs between left and right (the
    simplified characters beside it): (frequency of the best three-character word it completes, of the best
    common two-character word). Compare the tuples: a three-character word is the more specific evidence."""
    freqs = word_freq()
    long_words = (left[-2:] + candidate, candidate + right[:2], left[-1:] + candidate + right[:1])
    long_freq = max((freqs.get(w, 0) for w in long_words if len(w) == 3), default=0)
    short_freq = max((freqs.get(w, 0) for w in (left[-1:] + candidate, candidate + right[:1]) if len(w) == 2),
                     default=0)
    return long_freq, short_freq if short_freq >= _MIN_BIGRAM_FREQ else 0


def char_score(ch: str) -> float:
    """How plausible one character is in Chinese text (higher is more plausible, 0 for junk)."""
    if is_cjk(ch):
        return _char_log_freq().get(simplify_char(ch), 0.0)
    if ch in CN_PUNCT:
        return _PUNCT_SCORE
    if ch == "?":
        return _QUESTION_SCORE
    if ch.isascii():
        if ch.isalnum():
            return _ASCII_ALNUM_SCORE
        return _ASCII_OTHER_SCORE if ch.isprintable() else 0.0
    if "\uff10" <= ch <= "\uff5a" and ch.isalnum():
        return _ASCII_OTHER_SCORE
    if unicodedata.category(ch) in ("Zs",):
        return _ASCII_OTHER_SCORE
    return 0.0  # private use, bopomofo, box drawing, stray Latin-1 or Hebrew letters: mojibake signs


def plausibility(text: str) -> float:
    """Mean character score of text; mojibake scores far below real Chinese."""
    if not text:
        return 0.0
    return sum(char_score(ch) for ch in text) / len(text)
