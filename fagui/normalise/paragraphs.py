"""Paragraphs (款) and items (项) of an article, and the anchors that link to them: 第九十一条第二款 is
#art-91-p2, its third item (第二款第三项) #art-91-p2-i3.

An article's text has one line per 款; a line opening with an item number (（一）, (一), 一、 is not used in
articles for items) is an item of the 款 before it."""

from __future__ import annotations

import re

from fagui.normalise.articles import CN_NUMBER, chinese_number

_ITEM = re.compile(rf"^\s*[（(]([{CN_NUMBER}0-9]+)[）)]")
_PARAGRAPH_REF = re.compile(rf"第?\s*([{CN_NUMBER}0-9]+)\s*款")
_ITEM_REF = re.compile(rf"第?\s*[（(]?\s*([{CN_NUMBER}0-9]+)\s*[）)]?\s*项")


def _number(text: str) -> int | None:
    try:
        n = int(text) if text.isdigit() else chinese_number(text)
    except ValueError:
        return None
    return n if 1 <= n <= 999 else None


def line_places(lines: list[str]) -> list[tuple[int, int | None]]:
    """(款, 项 or None) of each line of an article's body, in order."""
    places: list[tuple[int, int | None]] = []
    paragraph = 0
    for line in lines:
        m = _ITEM.match(line)
        item = _number(m.group(1)) if m else None
        if item is None or paragraph == 0:
            paragraph += 1
        places.append((paragraph, item))
    return places


def suffix(paragraph: int | None, item: int | None = None) -> str:
    """-p2, -p2-i3, -i3 (an item of the first 款 when no 款 is named): what follows the article's anchor."""
    if paragraph is None and item is None:
        return ""
    return (f"-p{paragraph or 1}") + (f"-i{item}" if item else "")


def parse_place(text: str) -> tuple[int | None, int | None]:
    """(款, 项) a reference names after its 条: 第九十一条第二款 -> (2, None), 第三十条第一款第（二）项 -> (1, 2)."""
    after = text.split("条", 1)[1] if "条" in text else text
    p = _PARAGRAPH_REF.search(after)
    i = _ITEM_REF.search(after)
    return (_number(p.group(1)) if p else None), (_number(i.group(1)) if i else None)


def has_place(lines: list[str], paragraph: int | None, item: int | None) -> bool:
    """The article has that 款 (and 项)."""
    places = line_places(lines)
    want_paragraph = paragraph or 1
    if item is None:
        return any(p == want_paragraph for p, _ in places)
    return (want_paragraph, item) in places
