"""HTML reading for every source: pages parsed by beautifulsoup4 (the lxml parser for speed; Python's own
html.parser where lxml gives up on a page), CSS selectors evaluated by its engine soupsieve, and the text of an
element with paragraphs on their own lines. Crawled pages, uploaded .html files and HTML inside JSON answers
all go through here; no source parses HTML any other way.

Selectors are soupsieve's (CSS level 4 plus its own `:-soup-contains("…")`), so a config can find a cell by
its label: `td:-soup-contains("有效期至") + td`. Two conveniences of the site configs are read here too:
`a || b` tries a, then b; `selector@attr` takes an attribute instead of the text."""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any

import soupsieve
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from bs4.element import NavigableString, PreformattedString, Script, Stylesheet, Tag

from fagui.records import RecordError

Node = Tag  # what a parsed page and every element in it are

_PARSERS = ("lxml", "html.parser")
_SKIPPED_TAGS = frozenset({"script", "style", "noscript"})
_BLOCK_TAGS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
                         "article", "blockquote", "pre", "ul", "ol", "dd", "dt"})
_CELL_TAGS = frozenset({"td", "th"})
_END = re.compile(r"</html\s*>", re.IGNORECASE)
_ATTR = re.compile(r"@([A-Za-z_:][-A-Za-z0-9_:.]*)\s*$")


class SelectorProblem(ValueError):
    """A CSS selector soupsieve cannot read; the message is Chinese and names the selector."""


def _soup(text: str, parser: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        # multi_valued_attributes=None: class="a b" stays the string it is in the page
        return BeautifulSoup(text, parser, multi_valued_attributes=None)


def _has_content(soup: BeautifulSoup) -> bool:
    return soup.find(True) is not None and bool(soup.get_text(strip=True))


def parse_document(text: str, ref: str, *, require_end: bool = True) -> Node:
    """An HTML page as a tree. With require_end, a page cut off in transfer (no closing </html>) is refused:
    its text would be stored as if it were the whole document. lxml parses first; a page it reads as empty
    (a stray NUL byte, markup it stops at) is read again by html.parser."""
    if require_end and not _END.search(text[-2000:]):
        raise RecordError(ref, "页面不完整：缺少 </html> 结尾，可能下载中断")
    if not text.strip():
        raise RecordError(ref, "无法解析网页：内容为空或不是有效的 HTML")
    bare = None
    for parser in _PARSERS:
        soup = _soup(text.replace("\x00", "") if parser == "lxml" else text, parser)
        if _has_content(soup):
            return soup
        bare = bare or (soup if soup.find(True) is not None else None)
    if bare is not None:
        # Markup without any text (a list page whose rows are gone): a page all the same, for the selectors
        # to find nothing in, which the list and detail parsers report in their own words.
        return bare
    raise RecordError(ref, "无法解析网页：内容为空或不是有效的 HTML")


def parse_html(text: str, ref: str) -> Node:
    """A crawled page as a tree; a page with no </html> end is refused (see parse_document)."""
    return parse_document(text, ref, require_end=True)


def parse_fragment(markup: str) -> Node:
    """A piece of HTML (the text field of a JSON answer) as a tree; never refused: no markup is no text."""
    return _soup(markup, "lxml")


@lru_cache(maxsize=512)
def _compiled(selector: str) -> Any:
    try:
        return soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        raise SelectorProblem(f"选择器“{selector}”写法有误：第 {exc.col} 列附近无法解析") from exc
    except (ValueError, TypeError) as exc:
        raise SelectorProblem(f"选择器“{selector}”写法有误") from exc


def selector_problem(selector: str) -> str | None:
    """Why a config's selector (`||` alternatives, each with an optional `@attr`) cannot be used, in
    Chinese; None when it can."""
    parts = selector.split("||")
    for part in parts:
        css, _ = split_attribute(part.strip())
        if not css.strip():
            if len(parts) > 1:
                return f"选择器“{selector}”中有空的候选（“||”两边都要写选择器）"
            continue
        try:
            _compiled(css.strip())
        except SelectorProblem as exc:
            return str(exc)
    return None


def select_value(node: Node, selector: str) -> str | None:
    """The text (or, for `css@attr`, the attribute) of what a selector finds under node, stripped; with `||`
    alternatives, the first that gives a value. A bare `@attr` reads node's own attribute."""
    for part in selector.split("||"):
        css, attr = split_attribute(part.strip())
        found = select_one(node, css) if css.strip() else node
        if found is None:
            continue
        value = attribute(found, attr) if attr else element_text(found)
        if value and value.strip():
            return value.strip()
    return None


def split_attribute(selector: str) -> tuple[str, str | None]:
    """`td.bt a@href` -> ("td.bt a", "href"); a selector with no trailing @name has no attribute."""
    found = _ATTR.search(selector)
    if found is None or '"' in selector[found.start():] or "'" in selector[found.start():]:
        return selector, None
    return selector[:found.start()], found.group(1)


def select_all(node: Node, selector: str) -> list[Node]:
    """Every element one selector finds under node, in document order."""
    return list(_compiled(selector.strip()).select(node))


def select_one(node: Node, selector: str | None) -> Node | None:
    """The first element a selector finds; selectors separated by || are tried in order."""
    if not selector:
        return None
    for sel in selector.split("||"):
        found = _compiled(sel.strip()).select_one(node)
        if found is not None:
            return found
    return None


def descendants(node: Node, tag: str) -> list[Node]:
    """The elements named tag inside node (node itself included when it is one)."""
    found = list(node.find_all(tag))
    return [node, *found] if node.name == tag else found


def attribute(node: Node, name: str) -> str | None:
    value = node.get(name)
    if isinstance(value, list):
        value = " ".join(value)
    return value


def element_text(node: Node) -> str:
    """The text of an element with paragraphs on their own lines (block elements and <br> break lines, table
    cells are separated by a space); scripts, styles and comments are dropped. Walked without recursion, so
    tables nested a thousand deep are read like any other."""
    parts: list[str] = []
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and not isinstance(item, NavigableString):
            parts.append(item)  # a closing line break pushed below
            continue
        if isinstance(item, NavigableString):
            if not isinstance(item, (PreformattedString, Script, Stylesheet)):
                parts.append(str(item))
            continue
        if not isinstance(item, Tag):
            continue
        name = item.name
        if name in _SKIPPED_TAGS:
            continue
        block = name in _BLOCK_TAGS
        if block:
            parts.append("\n")
            stack.append("\n")
        if name in _CELL_TAGS:
            parts.append(" ")
        stack.extend(reversed(item.contents))
    return "".join(parts)


_LINE_BREAKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"})
_FLUSH = object()


def table_rows(table: Node) -> list[list[str]]:
    """The rows of one table as cell texts with all white space removed; rows of nested tables are theirs,
    empty rows are left out."""
    rows = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = [re.sub(r"\s+", "", element_text(cell)) for cell in tr.find_all(["td", "th"], recursive=False)]
        if any(cells):
            rows.append(cells)
    return rows


def text_and_tables(node: Node) -> list[str | list[list[str]]]:
    """A page as a sequence of text lines and tables (rows of cell texts) in document order: what a decision
    listing the documents it repeals is read as."""
    blocks: list[str | list[list[str]]] = []
    text: list[str] = []

    def flush() -> None:
        line = "".join(text).strip()
        if line:
            blocks.append(line)
        text.clear()

    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if item is _FLUSH:
            flush()
        elif isinstance(item, NavigableString):
            if not isinstance(item, (PreformattedString, Script, Stylesheet)):
                text.append(str(item))
        elif isinstance(item, Tag) and item.name not in _SKIPPED_TAGS:
            if item.name == "table":
                flush()
                blocks.append(table_rows(item))
                continue
            if item.name in _LINE_BREAKS:
                flush()
                stack.append(_FLUSH)
            stack.extend(reversed(item.contents))
    flush()
    return blocks
