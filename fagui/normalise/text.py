"""Normalising the text of crawled pages: encodings, mojibake, pinyin, script, widths, whitespace.

Pages reach us from many sites, some of them mirrors that damaged the text; search and comparison need one
form. `normalise_page` turns raw bytes into clean simplified Chinese; each step is a public function of its
own so that sources can use only what they need.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

from fagui.errors import FaguiError
from fagui.normalise import _mojibake
from fagui.normalise._chinese import is_cjk, pinyin_syllable, plausibility, simplify


class NormaliseError(FaguiError, ValueError):
    """Raised when raw page bytes cannot be turned into text."""


# ---------------------------------------------------------------------------------------------------------
# Mojibake


def repair_mojibake(text: str) -> str:
    """Undo character-set damage: UTF-8 read as Latin-1/cp1252 (Ã¤Â¸Â­), UTF-8 read as GBK (锛堜竴锛),
    and GBK read one byte out of step (?。ㄒ唬┙∪ -> （一）健全), restoring list-marker numbers the
    decoder ate from their neighbours. Mirrors of government pages carry all three; a repair is kept only
    when it reads as more plausible Chinese, so clean text comes back unchanged."""
    text = _mojibake.repair_utf8_read_as_latin1(text)
    text = _mojibake.repair_utf8_read_as_gbk(text)
    return _mojibake.repair_shifted_gbk(text)


# ---------------------------------------------------------------------------------------------------------
# Pinyin

_TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN_IN_BRACKETS = re.compile(rf"(?P<char>.)[(（](?P<syllable>[a-zü{_TONE_MARKS}\u0300-\u030c]{{1,7}})[)）]")
# Characters whose neutral-tone readings a site may write without a tone mark: 的(de), 了(le), 麼(me).
_NEUTRAL_READINGS = {
    "的": {"de"}, "地": {"de"}, "得": {"de"}, "了": {"le"}, "着": {"zhe"}, "著": {"zhe"}, "么": {"me"},
    "麼": {"me"}, "们": {"men"}, "們": {"men"}, "吗": {"ma"}, "嗎": {"ma"}, "呢": {"ne"}, "吧": {"ba"},
    "啊": {"a"}, "子": {"zi"}, "个": {"ge"}, "個": {"ge"}, "头": {"tou"}, "頭": {"tou"},
}


def _is_inserted_pinyin(char: str, syllable: str) -> bool:
    """A single pinyin syllable after a Chinese character: toned, or a known neutral-tone reading."""
    reading = pinyin_syllable(syllable) if is_cjk(char) else None
    if reading is None:
        return False
    toned, plain = reading
    return toned or plain in _NEUTRAL_READINGS.get(char, ())


def strip_pinyin(text: str) -> str:
    """發(fā)展 -> 發展: some mirrors annotate characters with their pinyin, which breaks words for search.
    Only a single pinyin syllable right after a Chinese character is dropped; (WTO), (GB/T 2260), (a) and
    English words in brackets are real text and stay."""
    if "(" not in text and "（" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        if _is_inserted_pinyin(match.group("char"), match.group("syllable")):
            return match.group("char")
        return match.group(0)

    return _PINYIN_IN_BRACKETS.sub(replace, text)


# ---------------------------------------------------------------------------------------------------------
# Script and width


def to_simplified(text: str) -> str:
    """Traditional -> simplified (OpenCC t2s), so 發展規劃 and 发展规划 search and compare as one.
    Text that is already simplified is never changed (OpenCC's phrase tables would turn 破坏土地 into
    破坯土地)."""
    return simplify(text)


# Full-width forms that are really ASCII (digits, letters, a few symbols of numbers and codes). Chinese
# punctuation such as ，。：；（）《》〔〕［］！？ is the legal text's own and stays full-width.
_FOLDED = "０１２３４５６７８９" + "".join(chr(c) for c in range(0xFF21, 0xFF3B)) + \
          "".join(chr(c) for c in range(0xFF41, 0xFF5B)) + "％＋－＝＠＃＆＊＿＄＾｜＼\u3000"
_WIDTH_TABLE = str.maketrans({ch: " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0) for ch in _FOLDED})
# A full-width full stop or slash inside a number or code (１．５, ＧＢ／Ｔ) is ASCII too.
_INNER_DOT_SLASH = re.compile(r"(?<=[0-9A-Za-z])[．／](?=[0-9A-Za-z])")


def fold_width(text: str) -> str:
    """Full-width digits, letters and the ideographic space -> ASCII (２０２１ -> 2021, ＧＢ／Ｔ -> GB/T), so
    numbers and codes search alike however a site typed them; Chinese punctuation stays full-width."""
    text = text.translate(_WIDTH_TABLE)
    return _INNER_DOT_SLASH.sub(lambda m: chr(ord(m.group()) - 0xFEE0), text)


# ---------------------------------------------------------------------------------------------------------
# Whitespace

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
# Characters that show nothing: zero-width space/joiners, word joiner, BOM, soft hyphen, Mongolian vowel separator.
INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE_CHARS))
_SPACES_IN_LINE = re.compile(r"[\xa0\u2000-\u200a\u202f\u205f]")
_INDENT = re.compile(r"^[ \t\xa0\u3000\u2000-\u200a\u202f\u205f]+", re.MULTILINE)
_TRAILING = re.compile(r"[ \t\xa0\u3000\u2000-\u200a\u202f\u205f]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")


def strip_invisible(text: str) -> str:
    """text without the characters that show nothing (INVISIBLE_CHARS)."""
    return text.translate(_INVISIBLE)


def normalise_whitespace(text: str) -> str:
    """One line-ending style, no zero-width characters, no indentation (sites indent with spaces, NBSP or
    ideographic spaces at random), no trailing spaces, at most one blank line between paragraphs.
    Line breaks inside the text are kept: they separate paragraphs and articles."""
    text = _LINE_BREAKS.sub("\n", text).translate(_INVISIBLE)
    text = _INDENT.sub("", text)
    text = _TRAILING.sub("", text)
    text = _SPACES_IN_LINE.sub(" ", text)
    return _BLANK_RUNS.sub("\n\n", text).strip("\n")


def normalise_text(text: str) -> str:
    """The whole pipeline, in the order that works: mojibake first (it needs the bytes the damage left,
    before anything rewrites characters), then pinyin (the repair can restore a lost '(' of it), then
    simplified script, width and whitespace."""
    text = repair_mojibake(text)
    text = strip_pinyin(text)
    text = to_simplified(text)
    text = fold_width(text)
    return normalise_whitespace(text)


# ---------------------------------------------------------------------------------------------------------
# Bytes

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_GB_LABELS = {"gb2312", "gbk", "gb18030", "cp936", "ms936", "windows-936", "x-gbk", "euc-cn", "gb_2312-80",
              "csgb2312", "iso-ir-58", "chinese", "x-euc-cn"}
_DECLARED = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_MAX_GUESSES = 5
_GB_BONUS = 0.5  # on a Chinese site an undeclared legacy encoding is GBK unless another reads clearly better
_MIN_PLAUSIBILITY = 2.0  # real text of any language scores above; random bytes read as anything score below
_MAX_JUNK = 0.02  # share of control/unassigned/replacement characters text can have; binary has far more

_UNDECODABLE = "无法将文件内容识别为文本：编码未知或不是文本文件"


def codec_name(label: str | None) -> str | None:
    """A Python codec for a charset label; every GB2312/GBK label means GB18030, its superset, because
    pages labelled GB2312 routinely hold GBK-only characters."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _GB_LABELS or label.replace("_", "-") in _GB_LABELS:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "gb18030" if name in ("gbk", "gb2312", "gb18030") else name


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    junk = sum(1 for ch in text if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs")
                                                       and ch not in "\t\n\r\x0b\x0c"))
    return junk / len(text) <= _MAX_JUNK


def _try_decode(data: bytes, codec: str) -> str | None:
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    return text if _looks_like_text(text) else None


def _detected(data: bytes) -> list[tuple[str, str | None]]:
    """(codec, reading) for the charsets charset-normalizer finds possible, best first (a GB2312/GBK guess
    read as GB18030)."""
    readings = []
    for match in list(from_bytes(data))[:_MAX_GUESSES]:
        codec = codec_name(match.encoding) or match.encoding
        readings.append((codec, _try_decode(data, codec)))
    return readings


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Raw page bytes -> text: a byte-order mark wins, then the declared charset (any GB2312/GBK label read
    as GB18030), then strict UTF-8, then charset-normalizer's detection.

    A declared charset loses to UTF-8 when the bytes are valid UTF-8 holding non-ASCII characters: pages
    re-encoded to UTF-8 keep their old gb2312 meta tag, and GBK text is practically never valid UTF-8.
    Raises NormaliseError when nothing yields text (binary data, NUL-riddled files): better a clear error
    than a page of junk in the index.
    """
    if not data:
        return ""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _try_decode(data, codec)
            if text is not None:
                return text
    utf8 = _try_decode(data, "utf-8")
    if utf8 is not None and not data.isascii():
        return utf8
    declared_codec = codec_name(declared)
    if declared_codec:
        text = _try_decode(data, declared_codec)
        if text is not None:
            return text
    if utf8 is not None:
        return utf8
    if data.count(b"\x00") > len(data) // 100:
        raise NormaliseError(_UNDECODABLE)  # not UTF-16 (that has a BOM), so binary
    # Undeclared and not UTF-8: most likely GBK (or Big5) on a Chinese site. charset-normalizer ranks
    # short Chinese text as Korean, so its readings and GB18030 compete on how Chinese they read.
    scored = [(plausibility(text[:2000]) + (_GB_BONUS if codec == "gb18030" else 0.0), text)
              for codec, text in [("gb18030", _try_decode(data, "gb18030")), *_detected(data)]
              if text is not None]
    if not scored:
        raise NormaliseError(_UNDECODABLE)
    text = max(scored, key=lambda item: item[0])[1]  # the first of equals: the detector's order
    if plausibility(text[:2000]) < _MIN_PLAUSIBILITY:
        raise NormaliseError(_UNDECODABLE)  # every reading is junk: binary data
    return text


def _declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first bytes (<meta charset=...>, <?xml encoding=...?>)."""
    match = _DECLARED.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def normalise_page(data: bytes | str) -> str:
    """A raw crawled page (bytes in any encoding, or text already decoded) -> normalised text.

    Raises NormaliseError when the bytes cannot be decoded."""
    text = data if isinstance(data, str) else decode_bytes(data, _declared_charset(data))
    return normalise_text(text)
