"""Document numbers (发文字号): 川府规〔2023〕1号, 国办发〔2021〕12号, 国务院令第406号.

Sites write the same number with any of 〔〕 [] （） () 【】 ［］ ﹝﹞ around the year, full-width digits,
spaces and leading zeros; documents cite each other by it. `normalise_doc_number` gives the key that
compares equal across those spellings; the original spelling is always kept beside it (`DocNumber`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = "〔［[﹝【(（〖⦗"
_CLOSE = "〕］]﹞】)）〗⦘"
_DIGIT = "0-9０-９"
_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = "零〇○一二两三四五六七八九十百千"
_SPACES = re.compile(r"[\s\u3000\xa0]+")
_WIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)})
_COUNTRY = "中华人民共和国"

_HAN = r"[\u4e00-\u9fff]"
# 川府规〔2023〕1号, 中国人民银行令〔2021〕第3号
_BRACKETED = re.compile(
    rf"(?P<prefix>{_HAN}{{1,16}}?)\s*[{re.escape(_OPEN)}]\s*(?P<year>(?:19|20)?[{_DIGIT}]{{2}})\s*"
    rf"[{re.escape(_CLOSE)}]\s*(?P<nth>第)?\s*(?P<serial>[{_DIGIT}]{{1,5}})\s*(?P<hao>号)?"
)
# 国务院令第406号, 中华人民共和国主席令第五十七号
_ORDER = re.compile(
    rf"(?P<prefix>{_HAN}{{1,20}}?令)\s*第\s*(?P<serial>[{_DIGIT}]{{1,5}}|[{_CN_NUM}]{{1,8}})\s*号"
)
# 国家税务总局公告2018年第31号
_ANNOUNCEMENT = re.compile(
    rf"(?P<prefix>{_HAN}{{1,20}}?(?:公告|通告))\s*(?P<year>(?:19|20)[{_DIGIT}]{{2}})\s*年\s*第\s*"
    rf"(?P<serial>[{_DIGIT}]{{1,5}})\s*号"
)
# In running text a number is preceded by words that are not part of it: 根据, 印发, 的, a title's 通知...
_LEAD_IN = re.compile(
    r".*(?:根据|依据|依照|遵照|按照|参照|比照|对照|结合|重申|要求|印发|转发|下发|发布|公布|颁布|出台|施行|实施|执行"
    r"|落实|贯彻|引用|详见|废止|修改|文号|字号|通知|意见|办法|决定|方案|细则|条例|规划|批复|纲要|文件|[的和与及或以按据见即为是在将由对向从把被等于了并号日、])"
)


@dataclass(frozen=True)
class DocNumber:
    """A document number as written (original) and its comparison key (key)."""

    original: str
    key: str


def _cn_int(text: str) -> int:
    """五十七 -> 57, 一百零三 -> 103, 四〇六 -> 406 (orders are numbered in Chinese numerals too)."""
    if all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, digit = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
    return total + digit


def _serial(text: str) -> str:
    """The serial number without leading zeros (01号 and 1号 are one document)."""
    text = text.translate(_WIDTH)
    return str(int(text)) if text.isdigit() else str(_cn_int(text))


def _clean(value: str) -> str:
    value = _SPACES.sub("", value.translate(_WIDTH)).strip("，。；、,;.")
    pairs = {"（": "）", "(": ")", "《": "》", "“": "”", "[": "]", "【": "】"}
    while len(value) > 2 and value[0] in pairs and value[-1] == pairs[value[0]]:
        value = value[1:-1]  # a number quoted in brackets: （川府规〔2023〕1号）
    return value


def _key(match: re.Match[str], kind: str) -> str:
    prefix = match.group("prefix")
    if kind == "order":
        prefix = prefix.removeprefix(_COUNTRY) or prefix  # 中华人民共和国国务院令 = 国务院令
        return f"{prefix}第{_serial(match.group('serial'))}号"
    if kind == "announcement":
        return f"{prefix}{match.group('year')}年第{_serial(match.group('serial'))}号"
    return f"{prefix}〔{match.group('year')}〕{_serial(match.group('serial'))}号"


_PATTERNS = (("bracketed", _BRACKETED), ("order", _ORDER), ("announcement", _ANNOUNCEMENT))


def parse_doc_number(value: str | None) -> DocNumber | None:
    """value as a document number (original kept, comparison key beside it); None when it is not one."""
    if not value or not value.strip():
        return None
    cleaned = _clean(value)
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match:
            return DocNumber(original=value.strip(), key=_key(match, kind))
    return None


def normalise_doc_number(value: str) -> str:
    """The comparison key of a document number: 川府规[2023]01号, 川府规（２０２３）1号 and 川府规 〔2023〕 1号
    all give 川府规〔2023〕1号; 国务院令第406号 stays itself. Leading zeros of the serial number are dropped
    (01号 is 1号), as is a 第 before it after the year, so a citation finds its document however it was
    typed. A value that is not a document number comes back trimmed, without spaces, in half-width digits."""
    parsed = parse_doc_number(value)
    return parsed.key if parsed else _clean(value or "")


def _trim_lead_in(text: str, match: re.Match[str]) -> tuple[int, int]:
    """Drop the words before a number that belong to the sentence (根据国办发〔2021〕12号 -> 国办发…)."""
    start, prefix_end = match.start("prefix"), match.end("prefix")
    country = text.find(_COUNTRY, start, prefix_end)
    if country != -1:
        return country, match.end()  # 依据中华人民共和国国务院令…: 共和 is no sentence boundary
    lead = _LEAD_IN.match(text, start, prefix_end - 1)  # the prefix keeps at least one character
    return (lead.end() if lead else start), match.end()


def find_doc_numbers(text: str) -> list[str]:
    """The document numbers in running text, as written, in order of first appearance, each once (by key):
    （川府规〔2023〕1号）, 国办发〔2021〕12号, 中华人民共和国国务院令第406号, 国家税务总局公告2018年第31号."""
    spans: list[tuple[int, int]] = []
    for _, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if pattern is not _BRACKETED or match.group("hao"):  # in running text a number ends in 号
                spans.append(_trim_lead_in(text, match))
    found: list[str] = []
    seen: set[str] = set()
    last_end = -1
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start < last_end:
            continue  # the same number matched by two patterns
        parsed = parse_doc_number(text[start:end])
        if parsed is None:
            continue
        last_end = end
        if parsed.key not in seen:
            seen.add(parsed.key)
            found.append(parsed.original)
    return found
