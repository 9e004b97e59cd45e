"""Dates in the forms Chinese documents use: 2021年8月20日, 2021-08-20, 2021.8.20, 2021/8/20, 20210820,
二〇二一年八月二十日 (and 〇/零/○/O as zero)."""

from __future__ import annotations

import re
from datetime import date

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "Ｏ": 0, "０": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "两": 2}

NUMERIC_DATE = re.compile(
    r"(?P<y>\d{4})\s*(?:年|[-./／])\s*(?P<m>\d{1,2})\s*(?:月|[-./／])\s*(?P<d>\d{1,2})\s*日?"
)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?!\d)")
_CN_CHARS = "〇○零OＯ０一二三四五六七八九十两"
CHINESE_DATE = re.compile(
    rf"(?P<y>[{_CN_CHARS}]{{4}})\s*年\s*(?P<m>[{_CN_CHARS}]{{1,3}})\s*月\s*(?P<d>[{_CN_CHARS}]{{1,3}})\s*日"
)


def _small_chinese_number(text: str) -> int:
    """十 -> 10, 二十 -> 20, 二十一 -> 21, 三十一 -> 31, 八 -> 8."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return int("".join(str(_CN_DIGITS[ch]) for ch in text))


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．－／", "0123456789.-/")


def find_dates(text: str) -> list[date]:
    """Every valid date in text, in the order they appear."""
    text = text.translate(_FULL_WIDTH_DIGITS)
    found: list[tuple[int, date]] = []
    for pattern in (NUMERIC_DATE, CHINESE_DATE):
        for m in pattern.finditer(text):
            value = _from_match(m)
            if value is not None:
                found.append((m.start(), value))
    return [d for _, d in sorted(found, key=lambda pair: pair[0])]


def _from_match(m: re.Match[str]) -> date | None:
    y, mo, d = m.group("y"), m.group("m"), m.group("d")
    try:
        if y.isdigit() and mo.isdigit() and d.isdigit() and y.isascii():
            return _make(int(y), int(mo), int(d))
        return _make(int("".join(str(_CN_DIGITS[c]) for c in y)), _small_chinese_number(mo),
                     _small_chinese_number(d))
    except (KeyError, ValueError):
        return None


def parse_date(value: str | date | None) -> date | None:
    """The first date written in value, or None when it holds none (an empty or malformed value is no date)."""
    if value is None:
        return None
    if isinstance(value, date):
        return value
    text = value.strip().translate(_FULL_WIDTH_DIGITS)
    if not text:
        return None
    dates = find_dates(text)
    if dates:
        return dates[0]
    m = _COMPACT.search(text)
    return _from_match(m) if m else None
