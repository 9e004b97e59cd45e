"""Repairs of text that went through the wrong character set on its way to us.

Three kinds of damage are seen on Chinese government pages and their mirrors:

* UTF-8 bytes read as GBK (锛堜竴锛 for （一）) and UTF-8 bytes read as Latin-1/cp1252 (Ã¤Â¸Â­ for 中):
  the whole byte sequence survives, so re-encoding and decoding again gives the text back.
* GBK bytes read one byte out of step (?。ㄒ唬┙∪ for （一）健全): an odd byte before the text made a
  GBK decoder pair every trail byte with the next lead byte. The bytes are still there, so re-encoding the
  garbled run as GBK and pairing the bytes one place later gives the text back, except for the bytes the
  decoder threw away as '?' (an invalid pair): those are guessed from the neighbours, or dropped.

Every repair is kept only when the result reads as more plausible Chinese, so clean text is never changed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from fagui.normalise._chinese import (
    char_score,
    is_cjk,
    pinyin_syllable,
    plausibility,
    simplify,
    simplify_char,
    word_evidence,
)

_MAX_RUN = 300  # a run ends at the first ASCII byte that puts the decoder back in step: within a paragraph
_MARGIN = 0.6  # how much more plausible (mean character score) a repair must read to be kept
_CN_NUMERALS = "一二三四五六七八九十"
_LABEL_END = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+[编章节条]$")

# ---------------------------------------------------------------------------------------------------------
# GBK bytes of characters a mismatched decoder produced


@cache
def _gb18030_2000_pua() -> dict[str, bytes]:
    """Private-use characters an older (GB18030-2000 / cp936) decoder gave to GBK codes that Python's
    GB18030-2005 codec now maps elsewhere: needed to get the original bytes back."""
    table: dict[str, bytes] = {chr(0xE7C8): b"\xa8\xbf"}
    for i, trail in enumerate(range(0x89, 0x96)):
        table[chr(0xE7E7 + i)] = bytes([0xA9, trail])
    for i, trail in enumerate([*range(0x50, 0x7F), *range(0x80, 0xA1)]):
        table[chr(0xE815 + i)] = bytes([0xFE, trail])
    return {ch: code for ch, code in table.items() if len(ch.encode("gb18030")) != 2}


def _gbk_bytes(ch: str) -> bytes | None:
    """The two GBK bytes a decoder read as ch, or None for anything that is not a double-byte code."""
    legacy = _gb18030_2000_pua().get(ch)
    if legacy is not None:
        return legacy
    try:
        code = ch.encode("gb18030")
    except UnicodeEncodeError:
        return None
    return code if len(code) == 2 else None


def _decode_pair(lead: int, trail: int) -> str | None:
    """The character two GBK bytes stand for; None for an invalid pair or a private-use code (which real
    text never holds, so a repair producing one is wrong)."""
    if not (0x81 <= lead <= 0xFE and 0x40 <= trail <= 0xFE and trail != 0x7F):
        return None
    try:
        ch = bytes([lead, trail]).decode("gb18030")
    except UnicodeDecodeError:
        return None
    if len(ch) != 1 or unicodedata.category(ch) == "Co":
        return None
    return ch


def _decode_pairs(data: bytes) -> str | None:
    chars = []
    for i in range(0, len(data) - 1, 2):
        ch = _decode_pair(data[i], data[i + 1])
        if ch is None:
            return None
        chars.append(ch)
    return "".join(chars)


# ---------------------------------------------------------------------------------------------------------
# Guessing a character of which only one byte survived

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN_TAIL = re.compile(rf"([a-zü{_TONED}]{{1,6}})[)）]")
_TAG_AFTER_LOST = re.compile(r"/?[a-zA-Z][a-zA-Z0-9]*>")  # "/p>" whose "<" the decoder ate
_PINYIN_GROUP = re.compile(rf"[(（][a-zü{_TONED}]{{1,6}}[)）]")


def _pinyin_after_lost(text: str, pos: int = 0) -> re.Match[str] | None:
    """ "quán)" at pos: a toned pinyin syllable whose "(" the decoder ate along with the byte before it."""
    match = _PINYIN_TAIL.match(text, pos)
    reading = pinyin_syllable(match.group(1)) if match else None
    return match if reading is not None and reading[0] else None


def _cjk_context(text: str, at_end: bool) -> str:
    """Up to two simplified CJK characters next to a gap (pinyin annotations skipped), for word lookups."""
    text = _PINYIN_GROUP.sub("", text)
    chars = text[::-1] if at_end else text
    taken: list[str] = []
    for ch in chars:
        if not is_cjk(ch) or len(taken) == 2:
            break
        taken.append(ch)
    found = "".join(reversed(taken)) if at_end else "".join(taken)
    return simplify(found)


_AFTER_ORDINAL = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+$")
_LABEL_UNITS = "条款项章节编目"
# With a neighbour on one side only, a common two-character word is weak evidence (对在 -> 自在): ask more.
_ONE_SIDED_MIN_FREQ = 100


def _plain_gbk(ch: str) -> bool:
    """In GB2312, the character set of simplified text: a guess outside it (a traditional or rare
    character from GBK's extension) is only right where the text around is traditional too."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _guess_char(known: int, known_is_lead: bool, left: str, right: str) -> str:
    """The character whose other byte was lost, when the neighbours make it a dictionary word; else ''.

    Guessing wrong would put a false character into a legal text, so without word evidence the character
    is dropped (except the two punctuation marks whose place makes them certain, see _guess_punctuation).
    """
    marker = _marker_bracket(known, known_is_lead, left, right)
    if marker:
        return marker
    left_cjk, right_cjk = _cjk_context(left, at_end=True), _cjk_context(right, at_end=False)
    traditional_context = any(not _plain_gbk(ch) for ch in left[-8:] + right[:8] if is_cjk(ch))
    after_ordinal = bool(_AFTER_ORDINAL.search(_PINYIN_GROUP.sub("", left)))
    best, best_evidence = "", (0, 0, 0)
    others = range(0x40, 0xFF) if known_is_lead else range(0x81, 0xFF)
    for other in others:
        ch = _decode_pair(known, other) if known_is_lead else _decode_pair(other, known)
        if ch is None or not is_cjk(ch) or not (traditional_context or _plain_gbk(ch)):
            continue
        simple = simplify_char(ch)
        label = int(after_ordinal and simple in _LABEL_UNITS)  # 第十八条: legal text counts in these units
        long_freq, short_freq = word_evidence(simple, left_cjk, right_cjk)
        if not (left_cjk and right_cjk) and short_freq < _ONE_SIDED_MIN_FREQ:
            short_freq = 0
        evidence = (label, long_freq, short_freq)
        if evidence > best_evidence:
            best, best_evidence = ch, evidence
    if best:
        return best
    return _guess_punctuation(known, known_is_lead, left, right)


_NUMBER_THEN_CLOSE = re.compile(r"^[一二三四五六七八九十百\d]{1,4}[)）]")
_OPEN_THEN_NUMBER = re.compile(r"[（(][一二三四五六七八九十百\d]{1,4}$")


def _marker_bracket(known: int, known_is_lead: bool, left: str, right: str) -> str:
    """The bracket of a list marker such as （一） or （3）, which no dictionary word can vouch for: its
    place before a number and a closing bracket (or after an opening one and a number) makes it certain."""
    if (0xA3 if known_is_lead else 0xA8) == known and _NUMBER_THEN_CLOSE.match(right):
        return "（"
    if (0xA3 if known_is_lead else 0xA9) == known and _OPEN_THEN_NUMBER.search(left):
        return "）"
    return ""


_LIST_ITEM = re.compile(r"^\s*(?:[（(][一二三四五六七八九十百\d]{1,4}[)）]|\d{1,3}[.．、]|[一二三四五六七八九十]{1,3}、)")


def _guess_punctuation(known: int, known_is_lead: bool, left: str, right: str) -> str:
    """Punctuation whose place makes it certain, for a character of which only the lead byte survived."""
    if not known_is_lead:
        return ""
    following = right.lstrip()
    line = left.rpartition("\n")[2]
    if known == 0xA1 and (not following or not (is_cjk(following[0]) or following[0].isalnum())):
        return "。"  # A1xx are CJK punctuation; at the end of a sentence it is the full stop
    if known == 0xA3 and not following and _LIST_ITEM.match(line):
        return "；"  # A3xx are full-width ASCII; ending a list item (（二）……的；) it is the semicolon
    return ""


def _lost_ascii(before: str, following: str) -> str:
    """The ASCII byte a decoder threw away with an invalid pair, when its neighbours show which it was."""
    if _pinyin_after_lost(following):
        return "("
    if _TAG_AFTER_LOST.match(following):
        return "<"
    if _LABEL_END.search(before) and following[:1] and is_cjk(following[0]):
        return " "  # 第一条 为了…: the space after an article label
    return ""


# ---------------------------------------------------------------------------------------------------------
# GBK read one byte out of step


def _finish_run(body: bytes, kind: str, left: str, following: str) -> str | None:
    """The text behind a garbled run whose GBK bytes are body, read one byte later.

    body[0] is the trail byte of a character whose lead byte was lost before the run. kind says how the run
    ended: "ascii" (body ends with the ASCII byte that put the decoder back in step), "lost" (the decoder
    threw away the next pair: our last byte plus an ASCII byte) or "dangling" (the last byte is lost).
    """
    pairs = body[1:] if kind == "ascii" else body[1:-1]
    middle = _decode_pairs(pairs)
    if middle is None:
        return None
    first = _guess_char(body[0], False, left, middle + ("" if kind == "lost" else following))
    tail = ""
    if kind == "lost":
        after = following
        pinyin = _pinyin_after_lost(following)
        if pinyin:
            after = following[pinyin.end():]
        last = _guess_char(body[-1], True, left + first + middle, after)
        tail = last + _lost_ascii(left + first + middle + last, following)
    return first + middle + tail


def _shifted_runs(text: str, start: int, left: str) -> list[tuple[str, int]]:
    """Every reading of a garbled run starting at start, one per place the run could end: (text, end)."""
    body = bytearray()
    found: list[tuple[str, int]] = []
    k = start
    while k < len(text) and k - start < _MAX_RUN:
        ch = text[k]
        if ch == "?":
            rep = _finish_run(bytes(body), "lost", left, text[k + 1:k + 12]) if body else None
            if rep is not None:
                found.append((rep, k + 1))
            return found
        code = ord(ch)
        if code < 0x80:
            if body and 0x40 <= code <= 0x7E:  # a trail byte in ASCII range: the decoder is back in step
                rep = _finish_run(bytes(body) + bytes([code]), "ascii", left, text[k + 1:k + 12])
                if rep is not None:
                    found.append((rep, k + 1))
            if not 0x20 < code < 0x7F:
                break
            body += bytes([0xA3, code + 0x80])  # or it was a full-width form that a site folded to ASCII
            k += 1
            continue
        code_bytes = _gbk_bytes(ch)
        if code_bytes is None:
            break
        body += code_bytes
        k += 1
    if body:
        rep = _finish_run(bytes(body), "dangling", left, text[k:k + 12])
        if rep is not None:
            found.append((rep, k))
    return found


def _is_anchor(text: str, pos: int) -> bool:
    """A '?' that can stand for an invalid GBK pair: between Chinese text, not in ASCII text or URLs."""
    before = text[pos - 1] if pos else "\n"
    after = text[pos + 1] if pos + 1 < len(text) else "\n"
    if before.isascii() and not before.isspace():
        return False
    return not after.isascii() or bool(_pinyin_after_lost(text, pos + 1))


def _best_repair(text: str, pos: int, left: str) -> tuple[str, int] | None:
    """The most plausible repair of the damage marked by the '?' at pos: (replacement, end of damage)."""
    candidates: list[tuple[str, int]] = []
    start = pos + 1
    pinyin = _pinyin_after_lost(text, start)
    if pinyin:  # a character lost together with the "(" of its pinyin: only the pinyin is left
        start = pinyin.end()
        candidates.append(("", start))
    candidates += _shifted_runs(text, start, left)
    if not candidates:
        return None
    line_end = text.find("\n", pos)
    window = max(end for _, end in candidates) + 4
    window = min(window, len(text) if line_end == -1 else max(line_end, window - 4))
    scored = [(plausibility(rep + text[end:window]), rep, end) for rep, end in candidates]
    best_score, rep, end = max(scored, key=lambda item: item[0])
    if pinyin or best_score >= plausibility(text[pos:window]) + _MARGIN:
        return rep, end
    return None


_DAMAGED_MARKER = re.compile(r"(?m)(?:^|(?<=\s))(?P<indent>[ \t\u3000\xa0]*)\?。\?(?P<digits>\d*)[)）]")
_CLEAN_MARKER = re.compile(r"(?m)(?:^|(?<=\s))[ \t\u3000\xa0]*[(（](?P<n>\d{1,3})[)）]")


def _fits(number: int, digits: str) -> bool:
    """The decoder ate exactly the first digit of a marker: （12） arrives as ?。?2)."""
    return str(number)[1:] == digits


def _infer_numbers(markers: list[tuple[bool, int | str]]) -> list[int | None]:
    """Numbers for list markers in document order: (True, n) is a clean marker, (False, digits) a damaged
    one of which only the digits after the first survived. A damaged marker gets the number its
    neighbours' sequence gives it (counting on from the one before, or back from the one after); None
    when neither fits."""
    forward: list[int | None] = []
    previous: int | None = 0  # a list starts at 1
    for clean, value in markers:
        if clean:
            previous = int(value)
        else:
            previous = previous + 1 if previous is not None and _fits(previous + 1, str(value)) else None
        forward.append(previous)
    backward: list[int | None] = [None] * len(markers)
    following: int | None = None
    for i in range(len(markers) - 1, -1, -1):
        clean, value = markers[i]
        if clean:
            following = int(value)
        elif following is not None and following > 1 and _fits(following - 1, str(value)):
            following -= 1
        else:
            following = None
        backward[i] = following
    numbers: list[int | None] = []
    for (clean, value), ahead, behind in zip(markers, forward, backward, strict=True):
        if clean:
            numbers.append(int(value))
        elif ahead is not None and behind is not None and ahead != behind:
            numbers.append(behind if behind == 1 else ahead)  # a list that starts again at 1
        else:
            numbers.append(ahead if ahead is not None else behind)
    return numbers


def repair_markers(text: str) -> str:
    """（10） read out of step arrives as ?。?0): the digit after the bracket is lost. Restore the number
    from the markers around it, or drop the damaged marker when the sequence does not tell."""
    damaged = list(_DAMAGED_MARKER.finditer(text))
    if not damaged:
        return text
    found = [(m.start(), False, m) for m in damaged]
    found += [(m.start(), True, m) for m in _CLEAN_MARKER.finditer(text)]
    found.sort(key=lambda item: item[0])
    numbers = _infer_numbers([(clean, m.group("n") if clean else m.group("digits")) for _, clean, m in found])
    parts, last = [], 0
    for (_, clean, m), number in zip(found, numbers, strict=True):
        if clean:
            continue
        parts.append(text[last:m.start()])
        parts.append(m.group("indent") + (f"（{number}）" if number is not None else ""))
        last = m.end()
    parts.append(text[last:])
    return "".join(parts)


def repair_shifted_gbk(text: str) -> str:
    """Repair every run of GBK read one byte out of step; each run starts at a '?' the decoder left."""
    if "?" not in text:
        return text
    text = repair_markers(text)
    out: list[str] = []
    i = 0
    while (pos := text.find("?", i)) != -1:
        out.append(text[i:pos])
        line_so_far = "".join(out[-4:]).rpartition("\n")[2][-80:]  # context for guesses: this line's text
        repair = _best_repair(text, pos, line_so_far) if _is_anchor(text, pos) else None
        if repair is None:
            out.append("?")
            i = pos + 1
        else:
            out.append(repair[0])
            i = repair[1]
    out.append(text[i:])
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------
# Whole byte sequences read with the wrong character set

_CP1252_ONLY = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_LATIN_RUN = re.compile(rf"[\u0080-\u00ff{_CP1252_ONLY}]{{2,}}")
_UTF8_LEAD_AS_LATIN = re.compile(r"[\u00c2-\u00ef]")


def _latin_bytes(run: str) -> bytes | None:
    try:
        return bytes(ord(ch) if ord(ch) < 0x100 else ch.encode("cp1252")[0] for ch in run)
    except UnicodeEncodeError:
        return None


def _repair_latin_run(match: re.Match[str]) -> str:
    run = match.group()
    if not _UTF8_LEAD_AS_LATIN.search(run):
        return run  # Chinese quotes and dashes share this range; UTF-8 lead bytes read as Latin-1 do not
    for _ in range(3):  # pages are sometimes mis-decoded twice (Ã¤Â¸Â­)
        data = _latin_bytes(run)
        if data is None:
            break
        try:
            run = data.decode("utf-8")
        except UnicodeDecodeError:
            break
        if not _LATIN_RUN.search(run):
            break
    return run


def repair_utf8_read_as_latin1(text: str) -> str:
    """ä¸­æ–‡ (UTF-8 read as Latin-1 or cp1252) -> 中文; a run is changed only when its bytes are valid UTF-8."""
    return _LATIN_RUN.sub(_repair_latin_run, text)


_MAX_LOST_BYTES = 2  # each U+FFFD a GBK decoder left stands for one byte; more lost in a row is hopeless


def _unfinished_tail(data: bytes) -> int:
    """How many bytes at the end of data belong to a UTF-8 character that is not finished."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:
            continue
        size = 2 if byte >> 5 == 0b110 else 3 if byte >> 4 == 0b1110 else 4 if byte >> 3 == 0b11110 else 1
        return back if size > back else 0
    return 0


def _leading_continuations(data: bytes) -> int:
    count = 0
    while count < min(3, len(data)) and data[count] & 0xC0 == 0x80:
        count += 1
    return count


def _gap_options(tail: bytes, lost: int, head: bytes) -> list[str]:
    """Every character that tail + `lost` unknown bytes + head can be in UTF-8."""
    options = []
    for value in range(0x80 ** lost):
        middle = bytes(0x80 + (value >> (7 * i) & 0x7F) for i in range(lost))
        try:
            ch = (tail + middle + head).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(ch) == 1 and (ch.isprintable() or ch == "\u3000"):
            options.append(ch)
    return options


_CLOSING = {"（": "）", "(": ")", "《": "》", "〔": "〕", "【": "】", "“": "”"}


def _choose(options: list[str], left: str, right: str) -> str:
    """The lost character: one that makes a dictionary word with its neighbours, else one closing a bracket
    left open, else the most plausible character."""
    left_cjk, right_cjk = _cjk_context(left, at_end=True), _cjk_context(right, at_end=False)
    scored = [(word_evidence(simplify_char(ch), left_cjk, right_cjk), ch) for ch in options if is_cjk(ch)]
    evidence, best = max(scored, default=((0, 0), ""))
    if best and evidence > (0, 0):
        return best
    for opening, closing in _CLOSING.items():
        if closing in options and left.count(opening) > left.count(closing):
            return closing
    if "。" in options and not right.strip():
        return "。"  # the end of a line ends a sentence
    if "\u3000" in options and _LABEL_END.search(left):
        return "\u3000"  # 第一条　为了…: the space after an article label
    return max(options, key=char_score)


def _utf8_from_gbk_line(line: str) -> str | None:
    """Decode a line's GBK bytes as UTF-8, the bytes behind each run of U+FFFD guessed from what is left of
    their character and its neighbours. None when the bytes are not UTF-8."""
    parts = re.split(r"(\ufffd+)", line)
    # parts alternate: text, a run of U+FFFD, text, ...; chunks[j] is the bytes of parts[2j]
    try:
        chunks = [part.encode("gbk") for part in parts[0::2]]
    except UnicodeEncodeError:
        return None
    gaps: dict[int, list[str]] = {}
    for j, run in enumerate(parts[1::2]):
        lost = len(run)
        before, after = chunks[j], chunks[j + 1]
        tail_len, head_len = _unfinished_tail(before), _leading_continuations(after)
        options = _gap_options(before[len(before) - tail_len:], lost, after[:head_len])
        if lost > _MAX_LOST_BYTES or not options:
            return None
        gaps[2 * j + 1] = options
        chunks[j] = before[:len(before) - tail_len]
        chunks[j + 1] = after[head_len:]
    try:
        decoded = [chunk.decode("utf-8") for chunk in chunks]
    except UnicodeDecodeError:
        return None
    texts = [decoded[i // 2] if i % 2 == 0 else "" for i in range(len(parts))]
    for i, options in gaps.items():
        texts[i] = _choose(options, "".join(texts[:i]), "".join(texts[i + 1:]))
    return "".join(texts)


def repair_utf8_read_as_gbk(text: str) -> str:
    """锛堜竴锛 (UTF-8 read as GBK) -> （一）, line by line, when the result reads as better Chinese."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.isascii():
            continue
        fixed = _utf8_from_gbk_line(line)
        if (fixed and fixed != line and any(is_cjk(ch) for ch in fixed)
                and plausibility(fixed) >= plausibility(line) + _MARGIN):
            lines[index] = fixed
    return "\n".join(lines)
