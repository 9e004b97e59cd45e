"""Parsing what a user types into the search box into structure the search layer can answer.

    醉酒驾驶 机动车                  words: all must match
    "行政处罚" 听证 -罚款             a quoted phrase, a word, an exclusion
    网络安全 OR 数据安全              either word (also `|`, and 或 standing alone)
    (行政处罚 OR 行政许可) 听证       parentheses group
    title:安全生产条例               search titles only (also 标题: and 题名:, full-width colon too)
    川府规〔2023〕1号                 a document number, in any bracket form
    道路交通安全法第九十一条           a work and one of its articles (民法典 第1087条, 刑法第一百三十三条之一)

Rules, in the order they apply:

- The query is cleaned (control, format, private-use and unassigned characters, emoji and other symbols go;
  ○ stays, it numbers documents), trimmed, cut to `max_length` characters (with a warning), folded to
  half-width ASCII and simplified Chinese (`fold_width`, `to_simplified`). `raw` keeps what was typed,
  `normalised` what was parsed.
- `title:` / `标题:` / `题名:` make the whole query title-only, wherever they stand: the engines search either
  titles or full text per query, not per word. Standing after the first word it also warns, so the user
  sees it is not per word. `文号:` / `发文字号:` / `字号:` are accepted and dropped (the number is found anyway).
- The first document number (`find_doc_numbers`, or a bracketed number typed without 号) becomes
  `doc_number` and leaves the text; the words around it stay terms. One written after `-` is an exclusion; one inside quotes is the phrase's text.
- The first work-plus-article reference becomes `work_article` and leaves the text. The work is the word
  directly before 第…条 (attached or after spaces; a 《…》 title may hold spaces, a work may hold a bracketed
  part: 刑法修正案（十一）), stripped of 《》, spaces and a trailing 的, with ASCII brackets made full-width;
  a following 第X款/第X项 is consumed with it. A bare 第X条 without a work stays a term, and so
  does a reference inside quotes (quotes mean literal text). Resolving the work title (abbreviations such as
  道交法) is the search layer's job; when no work matches it should search `work_article.as_terms()` as
  must-words (any word before 第…条 is taken as the work: 交通事故 第七十六条 gives work 交通事故).
- Words are split on whitespace (full-width space too) and on Chinese sentence punctuation ，、；。？！ (and
  `,` not between digits); 《》 and 【】 around a word are dropped. With `keep_punctuation` (精确检索) only
  whitespace splits and a word keeps its punctuation: only an opener leading it or a closer ending it goes
  (《民法典 -> 民法典; 公布的《 stays), parentheses around it stay (（市）), and a closing parenthesis no group
  awaits is text (）工业和信息化部). A parenthesis at a word's start groups only when it holds an expression
  (whitespace, `|`, quotes or a leading `-` inside); （一）未取得 is a word in either mode. Quotes "…", “…”, 「…」, 『…』 make a
  phrase; an unclosed quote takes the rest of the query as the phrase and warns. `-` at the start of a
  word or before a quote or parenthesis excludes (`--x` too); a `-` inside a word (2021-2025) or standing
  alone is no operator. A leading `+` is dropped. `|` is OR wherever it stands (it is never part of a legal
  word); `OR` (upper case) and 或 only as words of their own (between spaces or quotes). `AND`, `&`, `&&`,
  且 are accepted and change nothing; `NOT` works like `-`. A parenthesis groups only at a word boundary:
  管理办法（试行） and 国办发（2021）12号 are words. Unbalanced parentheses are dropped with a warning, as
  are parentheses nested deeper than 16.
- Precedence: `-` binds tightest, then OR, then the implicit AND between words:
  `a b OR c -d` = a AND (b OR c) AND NOT d.
- The expression is brought to conjunctive normal form. A one-word clause is in `must` (or `phrases` when
  quoted), a clause of several positive words is an `any_of` group, a negated word is in `exclude`.
  What that shape cannot hold is approximated with a warning: a `-word` inside an OR is dropped from it
  (`a OR -b` searches a), a negated AND (`-(a b)`) is ignored, and an OR of ANDs that would expand to more
  than 64 clauses is loosened to one OR group of all its words.
- `error` is set when nothing is left to search ("请输入检索词") or only exclusions are ("不能只包含排除词");
  the best-effort parse is still there. Nothing the user types makes `parse_query` raise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from itertools import product

from fagui.normalise.articles import CN_NUMBER, article_label, chinese_number
from fagui.normalise.docnumbers import DocNumber, find_doc_numbers, parse_doc_number
from fagui.normalise.paragraphs import parse_place
from fagui.normalise.text import fold_width, to_simplified
from indexer.search.characters import is_ignored

__all__ = ["DocNumber", "ParsedQuery", "WorkArticleRef", "parse_query"]

DEFAULT_MAX_LENGTH = 200
MAX_CLAUSES = 64  # an OR of ANDs expanding to more clauses than this is loosened
MAX_NESTING = 16  # parentheses nested deeper are dropped (and the recursion stays shallow)
MAX_ARTICLE = 9999

ERROR_EMPTY = "请输入检索词"
ERROR_NOTHING_SEARCHABLE = "请输入检索词：未识别到可检索的文字或数字"
ERROR_ONLY_EXCLUDED = "不能只包含排除词"
WARN_TOO_LONG = "检索词过长，已截取前{n}个字"
WARN_UNCLOSED_QUOTE = "引号不成对，已将引号后的内容作为短语检索"
WARN_UNBALANCED_PARENS = "括号不成对，已忽略多余的括号"
WARN_DEEP_PARENS = "括号嵌套过深，已忽略内层括号"
WARN_DANGLING_OR = "“或”（OR）两侧都需要检索词，已忽略多余的“或”"
WARN_NEGATION_IN_OR = "“或”条件中不能使用排除词，已忽略其中的排除词"
WARN_NEGATED_GROUP = "无法排除多个词的组合，已忽略该排除条件"
WARN_TOO_COMPLEX = "检索式过于复杂，已简化为任一词匹配"
WARN_TITLE_WHOLE_QUERY = "“标题:”对整个检索式生效，所有检索词都只在标题中查找"
WARN_MANY_DOC_NUMBERS = "检索式包含多个文号，仅按第一个文号查找，其余作为检索词"
WARN_MANY_ARTICLES = "检索式包含多个条文引用，仅按第一个查找，其余作为检索词"
WARN_CONTRADICTION = "同一检索词既要求包含又要求排除，已忽略排除"


@dataclass(frozen=True)
class WorkArticleRef:
    """道路交通安全法第九十一条: the work as typed (folded, without 《》) and the article it names."""

    work_title: str  # 道路交通安全法, 中华人民共和国道路交通安全法, 道交法 (not resolved here)
    article_number: int  # 91
    article_sub: int  # 之一 -> 1; 0 for a plain article
    label: str  # 第九十一条, 第一百三十三条之一: canonical Chinese numerals, as laws write it
    original: str  # the reference as it stood in the query (folded): 道交法第91条
    loose: bool = False  # written without 第 (道路交通安全法 91条, 刑法二百三十四条) or as a bare number (民法典1077)
    paragraph: int | None = None  # 第二款 (fagui.normalise.paragraphs)
    item: int | None = None  # 第三项

    @property
    def anchor(self) -> str:
        """The same anchor `ArticleText.anchor` gives: art-91, art-133-1."""
        return f"art-{self.article_number}" + (f"-{self.article_sub}" if self.article_sub else "")

    def as_terms(self) -> tuple[str, str]:
        """(work_title, label): what to search as must-words when no work of that title is found."""
        return self.work_title, self.label


@dataclass(frozen=True)
class ParsedQuery:
    """A search query as structure. Strings are folded (half-width, simplified) and not yet tokenised."""

    raw: str  # exactly what the user typed
    normalised: str = ""  # the cleaned, cut and folded text that was parsed
    must: tuple[str, ...] = ()  # unquoted words, all must match
    phrases: tuple[str, ...] = ()  # quoted phrases, all must match as phrases
    any_of: tuple[tuple[str, ...], ...] = ()  # each group: at least one must match (AND between groups)
    exclude: tuple[str, ...] = ()  # words or phrases no hit may contain
    quoted: frozenset[str] = field(default_factory=frozenset)  # strings (in any field) typed in quotes
    title_only: bool = False  # search titles only
    doc_number: DocNumber | None = None  # answer directly: the document with this number
    work_article: WorkArticleRef | None = None  # answer directly: this article of this work
    warnings: tuple[str, ...] = ()
    error: str | None = None  # set when the query cannot be searched; the parse is best effort then

    @property
    def is_empty(self) -> bool:
        """Nothing positive to search for (exclusions alone find nothing)."""
        return not (self.must or self.phrases or self.any_of or self.doc_number or self.work_article)

    def terms(self) -> tuple[str, ...]:
        """Every positive word and phrase, each once (must words, then phrases, then the OR groups' words):
        what to highlight. The document number and the work reference are not terms; they are answered
        directly (`WorkArticleRef.as_terms` gives the fallback)."""
        seen: dict[str, None] = {}
        for term in (*self.must, *self.phrases, *(t for group in self.any_of for t in group)):
            seen.setdefault(term, None)
        return tuple(seen)

    def is_phrase(self, term: str) -> bool:
        """True when term was typed in quotes: match it as a phrase (in `any_of` and `exclude` too)."""
        return term in self.quoted


# ---------------------------------------------------------------------------------------------------------
# Characters

_SEPARATORS = frozenset("，、；;。？！?!")
_MINUS = frozenset("-−")
_QUOTES = {  # opener -> the characters that close it (people mix straight and curly quotes)
    '"': '"”“＂', "＂": '＂"”“', "“": '”"“＂', "”": '”"“＂', "「": "」", "『": "』",
}
_STRAY_CLOSERS = frozenset("」』")
_OPEN_PARENS = frozenset("(（")
_CLOSE_PARENS = frozenset(")）")
_BOUNDARY = r"\s，、；;。？！?!"


def _clean(text: str) -> str:
    """Control characters, emoji and other symbols become spaces; zero-width format characters vanish."""
    out = []
    for ch in text:
        if ch.isascii():
            out.append(" " if (ch < " " or ch == "\x7f") else ch)
            continue
        if unicodedata.category(ch) == "Cf":
            continue
        out.append(" " if is_ignored(ch) else ch)
    return "".join(out)


def _is_separator(text: str, i: int, keep_punctuation: bool = False) -> bool:
    ch = text[i]
    if ch.isspace():
        return True
    if keep_punctuation:
        return False
    if ch in _SEPARATORS:
        return True
    if ch == ",":  # 1,000 is a number, not two words
        return not (0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit())
    return False


def _searchable(text: str, keep_punctuation: bool = False) -> bool:
    """Holds a letter (Chinese included) or a digit: something the word index can match; with punctuation kept
    (exact matching compares characters), anything but spaces."""
    if keep_punctuation:
        return bool(text.strip())
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


# ---------------------------------------------------------------------------------------------------------
# Prefixes, document numbers and article references, taken from the text before it is split

_PREFIX = re.compile(
    rf"(?:^|(?<=[{_BOUNDARY}(（\-−]))(?P<name>title|标题|题名|文号|发文字号|字号)\s*[:：]\s*", re.IGNORECASE
)
_TITLE_PREFIXES = {"title", "标题", "题名"}


def _take_prefixes(text: str, warnings: list[str]) -> tuple[str, bool]:
    title_only = False
    for match in _PREFIX.finditer(text):
        if match.group("name").lower() in _TITLE_PREFIXES:
            title_only = True
            if text[: match.start()].strip(" -−(（"):
                warnings.append(WARN_TITLE_WHOLE_QUERY)
    return _PREFIX.sub("", text), title_only


def _negated_at(text: str, start: int) -> bool:
    return start > 0 and text[start - 1] in _MINUS


def _cut(text: str, start: int, end: int) -> str:
    return f"{text[:start]} {text[end:]}"


_CHUNK = re.compile(rf"[^{_BOUNDARY}]+")


def _quote_end(text: str, start: int) -> int:
    """Where the quote opened at `start` closes: the index of its closer, or len(text) when it is unclosed."""
    closers = _QUOTES[text[start]]
    end = start + 1
    while end < len(text) and text[end] not in closers:
        end += 1
    return end


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Where quoted phrases stand, as _lex reads them (an unclosed quote runs to the end)."""
    spans, i = [], 0
    while i < len(text):
        if text[i] in _QUOTES:
            spans.append((i, _quote_end(text, i)))
            i = spans[-1][1]
        i += 1
    return spans


def _in_quotes(spans: list[tuple[int, int]], position: int) -> bool:
    """Quotes mean literal text: a document number or an article reference standing inside is a phrase's."""
    return any(start <= position < end for start, end in spans)


def _take_doc_number(text: str, warnings: list[str]) -> tuple[str, DocNumber | None]:
    spans: list[tuple[int, int, DocNumber]] = []
    quoted = _quoted_spans(text)
    for original in find_doc_numbers(text):
        start = text.find(original)
        parsed = parse_doc_number(original)
        if start >= 0 and parsed is not None and not _negated_at(text, start) and not _in_quotes(quoted, start):
            spans.append((start, start + len(original), parsed))
    if not spans:  # 川府规[2023]1 typed without 号: running text needs the 号, a word of its own does not
        for chunk in _CHUNK.finditer(text):
            parsed = (parse_doc_number(chunk.group())
                      if chunk.group()[0] not in _MINUS and not _in_quotes(quoted, chunk.start()) else None)
            if parsed is not None:
                spans.append((chunk.start(), chunk.end(), parsed))
    if not spans:
        return text, None
    if len(spans) > 1:
        warnings.append(WARN_MANY_DOC_NUMBERS)
    start, end, parsed = min(spans, key=lambda span: span[0])
    return _cut(text, start, end), parsed


_NUM = rf"[{CN_NUMBER}0-9]+"
_NOT_IN_WORK = rf"{_BOUNDARY}\"“”「」『』＂()（）|"
_WORK_ARTICLE = re.compile(
    rf"(?:^|(?<=[{_BOUNDARY}(（]))"
    rf"(?P<work>《[^《》]*》|[^{_NOT_IN_WORK}\-−](?:[^{_NOT_IN_WORK}]|（[^（）\s]*）|\([^()\s]*\))*?)?\s*"
    rf"(?P<ref>(?P<di>第)?\s*(?P<num>{_NUM})\s*条(?:\s*之\s*(?P<sub>{_NUM}))?"
    rf"|(?P<bare>[0-9]{{1,4}})(?=\s|$))"
    rf"(?P<place>(?:\s*第?\s*[（(]?{_NUM}[）)]?\s*[款项])*)"
)
_OPERATOR_WORDS = {"OR": "OR", "或": "OR", "AND": "AND", "&": "AND", "&&": "AND", "且": "AND", "NOT": "NOT"}


def _work_title(work: str) -> str:
    """《中华人民共和国 刑法修正案(十一)》的 -> 中华人民共和国刑法修正案（十一）: titles write full-width brackets."""
    title = re.sub(r"[\s《》〈〉]", "", work).replace("(", "（").replace(")", "）")
    return title.removesuffix("的")


_TITLE_ENDINGS = "法典例定则释令程》）"  # 刑法, 民法典, 条例, 规定, 细则, 解释, 国务院令, 章程, 《…》, 修正案（十一）


def _ends_a_title(title: str) -> bool:
    """Could name a work by its ending: what a loose number (刑法 234, 91条) may follow."""
    return len(title) >= 2 and title[-1] in _TITLE_ENDINGS


def _article_ref(match: re.Match[str]) -> WorkArticleRef | None:
    work = match.group("work")
    if not work:
        return None
    title = _work_title(work)
    if not title or title in _OPERATOR_WORDS or not any(unicodedata.category(ch)[0] == "L" for ch in title):
        return None
    if not match.group("di") and (title.endswith("第") or not _ends_a_title(title)):
        return None  # a loose number only follows a title: not GB/T 2260, PM2.5, 第十条, 甲1
    try:
        number = chinese_number(match.group("num") or match.group("bare"))
        sub = chinese_number(match.group("sub")) if match.group("sub") else 0
    except ValueError:
        return None
    if not (1 <= number <= MAX_ARTICLE) or not (0 <= sub <= 99) or (match.group("sub") and sub == 0):
        return None
    label = article_label(number, sub)
    original = match.group(0).strip()
    paragraph, item = parse_place(match.group("place") or "")
    return WorkArticleRef(work_title=title, article_number=number, article_sub=sub, label=label,
                          original=original, loose=not match.group("di"), paragraph=paragraph, item=item)


def _take_work_article(text: str, warnings: list[str]) -> tuple[str, WorkArticleRef | None]:
    # "第二条 《档案法》第二条", an article's opening pasted in quotes, is one phrase.
    quoted = _quoted_spans(text)
    found = [(m, ref) for m in _WORK_ARTICLE.finditer(text)
             if not _in_quotes(quoted, m.start()) and (ref := _article_ref(m)) is not None]
    if not found:
        return text, None
    if len(found) > 1:
        warnings.append(WARN_MANY_ARTICLES)
    match, ref = found[0]
    return _cut(text, match.start(), match.end()), ref


# ---------------------------------------------------------------------------------------------------------
# Tokens

@dataclass(frozen=True)
class _Token:
    kind: str  # WORD, PHRASE, LPAREN, RPAREN, OR, AND, NOT
    text: str = ""


_LPAREN, _RPAREN, _OR, _AND, _NOT = (_Token(k) for k in ("LPAREN", "RPAREN", "OR", "AND", "NOT"))
_WRAPPERS = {"《": "》", "〈": "〉", "【": "】", "[": "]", "〔": "〕", "（": "）", "(": ")", "<": ">"}
_EDGE = "《》〈〉<>：:·…—～~'‘’`=*#@&"
_EDGE_LEADING = "《〈<‘`'"  # exact matching keeps the text's own punctuation (条例：, ——) at a term's edges
_EDGE_TRAILING = "》〉>’`'"


def _clean_word(word: str, keep_punctuation: bool = False) -> str | None:
    """《民法典》 -> 民法典, 【通知】 -> 通知, 条例： -> 条例 (条例： with punctuation kept); None when nothing
    searchable is left."""
    if (keep_punctuation and word[:1] in "《〈" and _WRAPPERS[word[0]] not in word
            and any(ch.isalnum() for ch in word) and not word.rstrip(_EDGE_TRAILING).endswith(tuple(_TITLE_ENDINGS))):
        # An unclosed 《 before what is no title (《企业法人营, 《中华) was cut from a text with it: it stays.
        # Before a title (《民法典) it is the reader's own.
        return word if _searchable(word, keep_punctuation) else None
    previous = None
    while word != previous:
        previous = word
        # With punctuation kept, only an opener leading or a closer ending a term is a reader's own wrapping
        # (《民法典, 民法典》); 公布的《 and 》规定 are cut from a text as it stands.
        word = word.lstrip(_EDGE_LEADING).rstrip(_EDGE_TRAILING) if keep_punctuation else word.strip(_EDGE)
        if len(word) >= 2 and _WRAPPERS.get(word[0]) == word[-1] and not (keep_punctuation and word[0] in "(（"):
            word = word[1:-1]
        elif word and word[0] in _WRAPPERS and _WRAPPERS[word[0]] not in word:
            word = word[1:]
        elif word and word[-1] in _WRAPPERS.values():
            opener = next(o for o, c in _WRAPPERS.items() if c == word[-1])
            if opener not in word:
                word = word[:-1]
    return word if _searchable(word, keep_punctuation) else None


def _clean_phrase(phrase: str, keep_punctuation: bool = False) -> str | None:
    phrase = " ".join(phrase.split())
    return phrase if _searchable(phrase, keep_punctuation) else None


def _starts_operand(text: str, i: int, keep_punctuation: bool = False) -> bool:
    """After a `-` or `+`: does a word, phrase or group follow directly?"""
    if i >= len(text) or _is_separator(text, i, keep_punctuation):
        return False
    ch = text[i]
    return ch != "|" and ch not in _CLOSE_PARENS and ch not in _STRAY_CLOSERS


def _closing_paren(text: str, i: int) -> int | None:
    """Where the parenthesis opened at i closes, None when it does not."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] in _OPEN_PARENS:
            depth += 1
        elif text[j] in _CLOSE_PARENS:
            depth -= 1
            if depth == 0:
                return j
    return None


def _groups(text: str, i: int, keep_punctuation: bool = False) -> bool:
    """A parenthesis at a word's start groups when what it holds is an expression (words apart, |, quotes, a
    leading -); holding one run of text, as （一）未取得 pasted from an article does, it is part of the word,
    and with punctuation kept so is a run standing alone: 县（市） pasted as （市）."""
    end = _closing_paren(text, i)
    if end is None:
        return True  # unbalanced: dropped with a warning, as before
    inner = text[i + 1 : end]
    if not inner or inner[0] in _MINUS or any(c.isspace() or c == "|" or c in _QUOTES for c in inner):
        return True
    return not keep_punctuation and not (end + 1 < len(text) and not text[end + 1].isspace())


def _lex(text: str, warnings: list[str], keep_punctuation: bool = False) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    open_groups = 0
    while i < n:
        ch = text[i]
        if _is_separator(text, i, keep_punctuation) or ch in _STRAY_CLOSERS:
            i += 1
        elif ch in _QUOTES:
            j = _quote_end(text, i)
            if j >= n:
                warnings.append(WARN_UNCLOSED_QUOTE)
            phrase = _clean_phrase(text[i + 1 : j], keep_punctuation)
            if phrase is not None:
                tokens.append(_Token("PHRASE", phrase))
            i = j + 1
        elif ch in _OPEN_PARENS and _groups(text, i, keep_punctuation):
            tokens.append(_LPAREN)
            open_groups += 1
            i += 1
        elif ch in _CLOSE_PARENS and (open_groups or not keep_punctuation):
            tokens.append(_RPAREN)
            open_groups = max(open_groups - 1, 0)
            i += 1
        elif ch == "|":
            tokens.append(_OR)
            i += 1
        elif ch in _MINUS or ch == "+":
            j = i
            while j < n and text[j] == ch:
                j += 1
            if ch != "+" and _starts_operand(text, j, keep_punctuation):
                tokens.append(_NOT)
            i = j
        else:
            # With punctuation kept, a closing parenthesis no group awaits is text cut from a document:
            # ）工业和信息化部, 工业）和
            stray_closer = keep_punctuation and not open_groups
            j, depth = (i + 1 if ch in _CLOSE_PARENS else i), 0
            while j < n:
                c = text[j]
                if _is_separator(text, j, keep_punctuation) or c in _QUOTES or c == "|" or c in _STRAY_CLOSERS:
                    break
                if c in _OPEN_PARENS:
                    depth += 1
                elif c in _CLOSE_PARENS:
                    if depth == 0 and not stray_closer:
                        break
                    depth = max(depth - 1, 0)
                j += 1
            word = text[i:j]
            i = j
            operator = _OPERATOR_WORDS.get(word)
            if operator is not None:
                tokens.append(_Token(operator, word))
            elif (cleaned := _clean_word(word, keep_punctuation)) is not None:
                tokens.append(_Token("WORD", cleaned))
    if tokens and all(t.text in ("或", "且") for t in tokens):
        # Nothing but the Chinese operator words (a reader looking up 或 itself): they are the text sought.
        tokens = [_Token("WORD", cleaned) for t in tokens if (cleaned := _clean_word(t.text)) is not None]
    return tokens


def _balance(tokens: list[_Token], warnings: list[str]) -> list[_Token]:
    """Drop AND (a no-op), unmatched parentheses and parentheses nested deeper than MAX_NESTING."""
    drop: set[int] = set()
    stack: list[int] = []
    unbalanced = too_deep = False
    for index, token in enumerate(tokens):
        if token.kind == "AND":
            drop.add(index)
        elif token.kind == "LPAREN":
            stack.append(index)
        elif token.kind == "RPAREN":
            if stack:
                stack.pop()
            else:
                drop.add(index)
                unbalanced = True
    if stack:
        drop.update(stack)
        unbalanced = True
    depth = 0
    partner: list[bool] = []  # for each open parenthesis: kept?
    for index, token in enumerate(tokens):
        if index in drop:
            continue
        if token.kind == "LPAREN":
            depth += 1
            keep = depth <= MAX_NESTING
            partner.append(keep)
            if not keep:
                drop.add(index)
                too_deep = True
        elif token.kind == "RPAREN":
            depth -= 1
            if not partner.pop():
                drop.add(index)
    if unbalanced:
        warnings.append(WARN_UNBALANCED_PARENS)
    if too_deep:
        warnings.append(WARN_DEEP_PARENS)
    return [token for index, token in enumerate(tokens) if index not in drop]


# ---------------------------------------------------------------------------------------------------------
# Expression: parse, push negations down, bring to conjunctive normal form

@dataclass(frozen=True)
class _Lit:
    text: str
    phrase: bool
    positive: bool = True


@dataclass(frozen=True)
class _Node:
    op: str  # AND, OR, NOT
    children: tuple[_Node | _Lit, ...]


_Expr = _Node | _Lit


class _Parser:
    """and := or+ ; or := unary (OR unary)* ; unary := NOT* atom ; atom := WORD | PHRASE | ( and ).
    Parentheses are balanced beforehand; a dangling OR or NOT is skipped."""

    def __init__(self, tokens: list[_Token], warnings: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.warnings = warnings

    def _peek(self) -> str | None:
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else None

    def parse(self) -> _Expr | None:
        return self._and()

    def _and(self) -> _Expr | None:
        items: list[_Expr] = []
        while self._peek() not in (None, "RPAREN"):
            start = self.pos
            node = self._or()
            if node is not None:
                items.append(node)
            if self.pos == start:  # cannot happen with balanced input; never loop forever
                self.pos += 1
        if not items:
            return None
        return items[0] if len(items) == 1 else _Node("AND", tuple(items))

    def _or(self) -> _Expr | None:
        operands: list[_Expr] = []
        first = self._unary()
        if first is not None:
            operands.append(first)
        while self._peek() == "OR":
            dangling = not operands
            while self._peek() == "OR":
                self.pos += 1
            operand = self._unary()
            if operand is None:
                dangling = True
            else:
                operands.append(operand)
            if dangling:
                self.warnings.append(WARN_DANGLING_OR)
        if not operands:
            return None
        return operands[0] if len(operands) == 1 else _Node("OR", tuple(operands))

    def _unary(self) -> _Expr | None:
        negated = False
        while self._peek() == "NOT":
            negated = True  # --x and NOT -x mean exclude x, as people who type them mean
            self.pos += 1
        atom = self._atom()
        if atom is None:
            return None
        return _Node("NOT", (atom,)) if negated else atom

    def _atom(self) -> _Expr | None:
        kind = self._peek()
        if kind in ("WORD", "PHRASE"):
            token = self.tokens[self.pos]
            self.pos += 1
            return _Lit(token.text, phrase=kind == "PHRASE")
        if kind == "LPAREN":
            self.pos += 1
            inner = self._and()
            if self._peek() == "RPAREN":
                self.pos += 1
            return inner
        return None


def _nnf(node: _Expr, negate: bool = False) -> _Expr:
    """Negations pushed down to the words (De Morgan)."""
    if isinstance(node, _Lit):
        return _Lit(node.text, node.phrase, node.positive != negate)
    if node.op == "NOT":
        return _nnf(node.children[0], not negate)
    op = {"AND": "OR", "OR": "AND"}[node.op] if negate else node.op
    return _Node(op, tuple(_nnf(child, negate) for child in node.children))


def _positive_lits(node: _Expr) -> list[_Lit]:
    if isinstance(node, _Lit):
        return [node] if node.positive else []
    return [lit for child in node.children for lit in _positive_lits(child)]


def _cnf(node: _Expr, warnings: list[str]) -> list[tuple[_Lit, ...]]:
    if isinstance(node, _Lit):
        return [(node,)]
    parts = [_cnf(child, warnings) for child in node.children]
    if node.op == "AND":
        return [clause for part in parts for clause in part]
    size = 1
    for part in parts:
        size *= max(len(part), 1)
        if size > MAX_CLAUSES:
            warnings.append(WARN_TOO_COMPLEX)
            loose = tuple(_positive_lits(node))
            return [loose] if loose else []
    return [tuple(lit for clause in combo for lit in clause) for combo in product(*parts)]


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


_Fields = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, ...], ...], tuple[str, ...], frozenset[str]]


def _classify(clauses: list[tuple[_Lit, ...]], warnings: list[str]) -> _Fields:
    """Clauses -> (must, phrases, any_of, exclude, quoted)."""
    must: list[str] = []
    phrases: list[str] = []
    groups: list[tuple[str, ...]] = []
    exclude: list[str] = []
    quoted: set[str] = set()
    for clause in clauses:
        keys = {(lit.text, lit.phrase, lit.positive) for lit in clause}
        if any((lit.text, lit.phrase, not lit.positive) in keys for lit in clause):
            continue  # x OR -x: always true
        positive = _unique([lit.text for lit in clause if lit.positive])
        negative = _unique([lit.text for lit in clause if not lit.positive])
        if positive and negative:
            warnings.append(WARN_NEGATION_IN_OR)
        elif len(negative) > 1:
            warnings.append(WARN_NEGATED_GROUP)
            continue
        phrase_texts = {lit.text for lit in clause if lit.phrase and (lit.positive or not positive)}
        quoted.update(phrase_texts)
        if not positive:
            exclude.append(negative[0])
        elif len(positive) == 1:
            (phrases if positive[0] in phrase_texts else must).append(positive[0])
        else:
            groups.append(positive)
    single = set(must) | set(phrases)
    any_of: list[tuple[str, ...]] = []
    seen: set[frozenset[str]] = set()
    for group in groups:
        key = frozenset(group)
        if key & single or key in seen:
            continue  # a AND (a OR b) is a
        seen.add(key)
        any_of.append(group)
    if any(text in single for text in exclude):
        warnings.append(WARN_CONTRADICTION)
        exclude = [text for text in exclude if text not in single]
    return _unique(must), _unique(phrases), tuple(any_of), _unique(exclude), frozenset(quoted)


# ---------------------------------------------------------------------------------------------------------


def parse_query(text: str | None, max_length: int = DEFAULT_MAX_LENGTH, *, keep_punctuation: bool = False,
                work_articles: bool = True) -> ParsedQuery:
    """Parse a search box query. Never raises for anything typed: a query that cannot be searched comes back
    with `error` set (and whatever could be parsed), problems that could be worked around as `warnings`.

    keep_punctuation (精确检索): only whitespace separates terms and a term keeps the punctuation it holds, so a
    phrase pasted from a text (饮酒后驾驶机动车的，处暂扣六个月) is one term matched where it stands as a whole.
    work_articles=False leaves 第…条 references in the text (a reference to no known work is text to find).
    Raises ValueError only for a max_length below 1 (a programming error)."""
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, not {max_length}")
    raw = text if isinstance(text, str) else ("" if text is None else str(text))
    if not raw.strip():
        return ParsedQuery(raw=raw, error=ERROR_EMPTY)
    warnings: list[str] = []
    cleaned = " ".join(_clean(raw).split())
    if len(cleaned) > max_length:
        cleaned = cleaned[:max_length].rstrip()
        warnings.append(WARN_TOO_LONG.format(n=max_length))
    normalised = " ".join(to_simplified(fold_width(cleaned)).split())[:max_length]

    rest, title_only = _take_prefixes(normalised, warnings)
    rest, doc_number = _take_doc_number(rest, warnings)
    rest, work_article = _take_work_article(rest, warnings) if work_articles else (rest, None)
    tokens = _balance(_lex(rest, warnings, keep_punctuation), warnings)
    tree = _Parser(tokens, warnings).parse()
    clauses = _cnf(_nnf(tree), warnings) if tree is not None else []
    must, phrases, any_of, exclude, quoted = _classify(clauses, warnings)

    query = ParsedQuery(
        raw=raw, normalised=normalised, must=must, phrases=phrases, any_of=any_of, exclude=exclude,
        quoted=quoted, title_only=title_only, doc_number=doc_number, work_article=work_article,
        warnings=_unique(warnings),
    )
    if query.is_empty:
        error = ERROR_ONLY_EXCLUDED if exclude else ERROR_NOTHING_SEARCHABLE
        query = replace(query, error=error)
    return query
