"""Splitting a legal text into articles (第一条 ... 第一百三十三条之一) with their 编/分编/章/节 path."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGIT = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
          "八": 8, "九": 9}
_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}
CN_NUMBER = "零〇○一二两三四五六七八九十百千万"


def chinese_number(text: str) -> int:
    """一千二百六十 -> 1260, 一百零三 -> 103, 十一 -> 11, 二十 -> 20, 1087 -> 1087. Raises ValueError."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _DIGIT and ch not in _UNIT for ch in text):
        raise ValueError(f"not a Chinese number: {text!r}")
    if all(ch in _DIGIT for ch in text) and len(text) > 1:  # 二〇二一 written digit by digit
        return int("".join(str(_DIGIT[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _DIGIT:
            digit = _DIGIT[ch]
            continue
        unit = _UNIT[ch]
        if unit == 10000:
            total += (section + (digit or 0)) * unit
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * unit
            digit = None
    return total + section + (digit or 0)


_CN_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """91 -> 九十一, 103 -> 一百零三, 110 -> 一百一十, 1000 -> 一千 (chinese_number the other way round)."""
    if not 0 < n < 100_000:
        return str(n)
    out, zero, started = "", False, False
    for value, unit in ((10_000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            if zero:
                out += "零"
            if not (digit == 1 and value == 10 and not started):  # 十一, not 一十一
                out += _CN_DIGITS[digit]
            out += unit
            started, zero = True, False
        elif started:
            zero = True
    return out


def article_label(number: int, sub: int = 0) -> str:
    """(133, 1) -> 第一百三十三条之一."""
    return f"第{chinese_numeral(number)}条" + (f"之{chinese_numeral(sub)}" if sub else "")


# 编 > 分编 > 章 > 节: ranks decide nesting whatever markdown level a heading was written at.
_HEADING_RANKS = {"编": 0, "分编": 1, "章": 2, "节": 3}
_HEADING = re.compile(rf"^\s*#*\s*(第[{CN_NUMBER}\d]+(分编|编|章|节))(?:\s+|$)(.*)$")
# Headings without a number: a code's 附则 (民法典, 刑法) stands beside its 编; judicial interpretations divide
# into sections "一、一般规定". They are headings only as a whole short line with no sentence punctuation.
_PLAIN_PART = re.compile(r"^(附\s*则|总\s*则|分\s*则|附\s*件\s*[一二三四五六七八九十\d]*|附\s*表\s*[一二三四五六七八九十\d]*)$")
_SECTION = re.compile(r"^([一二三四五六七八九十]{1,3})、\s*([^。；;，,：:！？（(“\"]{1,24})$")
_LABEL = rf"第([{CN_NUMBER}\d]+)条(?:之([{CN_NUMBER}\d]+))?"  # 第九十一条, 第133条之一
_ARTICLE = re.compile(rf"^\s*\**\s*({_LABEL})\**(?:[\s:：]+|$)(.*)$")
_WHOLE_LABEL = re.compile(_LABEL)


def is_article_label(text: str) -> bool:
    """第十六条, 第二百七十六条之一: the text is an article's label and nothing else."""
    return _WHOLE_LABEL.fullmatch(text) is not None


@dataclass(frozen=True)
class ArticleText:
    number: int
    sub: int  # 之一 -> 1; 0 for a plain article
    label: str  # 第一百三十三条之一
    path: str  # 第一编 总则 / 第一章 基本规定
    text: str  # the article's whole text, label first, paragraphs joined by newlines

    @property
    def anchor(self) -> str:
        return f"art-{self.number}" + (f"-{self.sub}" if self.sub else "")


def _squeeze(name: str) -> str:
    """附 则 / 总\u3000\u3000则 -> 附则: spaces inside a Chinese heading are layout, not part of its name."""
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", name.strip())


def _heading(line: str) -> tuple[int, str] | None:
    """(rank, name) when the line is a heading. Markdown marks are optional, so the plain text the store keeps
    (headings without #) splits exactly as the corpus markdown does."""
    m = _HEADING.match(line)
    if m:
        rest = _squeeze(m.group(3))
        return _HEADING_RANKS[m.group(2)], m.group(1) + (" " + rest if rest else "")
    bare = line.lstrip("#").strip()
    if _PLAIN_PART.match(bare):
        return 0, _squeeze(bare)
    m = _SECTION.match(bare)
    if m:
        return 2, f"{m.group(1)}、{_squeeze(m.group(2))}"
    return None


def split_articles(text: str) -> list[ArticleText]:
    """The articles of a text in order. Lines before the first article and headings are not article text.

    A line only starts an article when 第X条 opens it and is followed by a space, a colon or the line end, so
    references such as "第三条规定的" at a paragraph start stay inside the article they belong to.
    Headings (第X编/分编/章/节, 附则, "一、..." sections, any other markdown heading) end the article before
    them; numbered and named ones also set the path of the articles after them."""
    body = text.split("<!-- INFO END -->", 1)[1] if "<!-- INFO END -->" in text else text
    path: dict[int, str] = {}
    articles: list[ArticleText] = []
    current: dict | None = None
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        heading = _heading(line)
        if heading is not None or line.startswith("#"):
            if current is not None:
                articles.append(_finish(current))
                current = None
            if heading is not None:
                rank, title = heading
                path = {r: t for r, t in path.items() if r < rank}
                path[rank] = title
            continue
        m = _ARTICLE.match(line)
        if m:
            try:
                number = chinese_number(m.group(2))
                sub = chinese_number(m.group(3)) if m.group(3) else 0
            except ValueError:
                number = None
            if number is not None:
                if current is not None:
                    articles.append(_finish(current))
                rest = m.group(4).strip()
                current = {
                    "number": number,
                    "sub": sub,
                    "label": m.group(1),
                    "path": " / ".join(path[r] for r in sorted(path)),
                    "lines": [f"{m.group(1)} {rest}".strip()],
                }
                continue
        if current is not None:
            current["lines"].append(line)
    if current is not None:
        articles.append(_finish(current))
    return articles


def _finish(current: dict) -> ArticleText:
    return ArticleText(
        number=current["number"],
        sub=current["sub"],
        label=current["label"],
        path=current["path"],
        text="\n".join(current["lines"]),
    )


def parse_article_ref(text: str) -> tuple[int, int] | None:
    """第九十一条 / 第91条 / 第一百三十三条之一 -> (number, sub); None when text names no article."""
    m = re.search(rf"第\s*([{CN_NUMBER}\d]+)\s*条(?:之([{CN_NUMBER}\d]+))?", text)
    if not m:
        return None
    try:
        return chinese_number(m.group(1)), chinese_number(m.group(2)) if m.group(2) else 0
    except ValueError:
        return None
