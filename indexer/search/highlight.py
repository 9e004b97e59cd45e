"""Snippets cut from the original text around the query's words, HTML-escaped, matches in <mark>.

Matching runs on a folded copy of the text (simplified script, half-width), so 發展 in a text is found by
发展 in a query, but the characters shown are always the original ones: no tokenizer spaces, no folding."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from indexer.search.analysis import fold


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    # Cached: query words recur on every snippet of a page, and popular articles on many pages.
    folded = fold(text)
    # Offsets are shared with the original only while folding keeps every character in place.
    return folded if len(folded) == len(text) else text.lower()


@lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern[str]:
    """A folded term as a pattern that lets whitespace stand between its characters, as exact matching does
    (a phrase broken by a line break or a space in the text is still the phrase)."""
    return re.compile(r"\s*".join(map(re.escape, "".join(term.split()))))


def match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of the terms in text, longest terms first."""
    folded = _fold(text)
    taken = [False] * len(text)
    spans: list[tuple[int, int]] = []
    wanted = {"".join(_fold(t).split()) for t in terms if t and t.strip()}
    for term in sorted(wanted, key=len, reverse=True):
        for match in _pattern(term).finditer(folded):
            start, end = match.span()
            if not any(taken[start:end]):
                spans.append((start, end))
                for i in range(start, end):
                    taken[i] = True
    return sorted(spans)


def snippet(text: str, terms: list[str], width: int = 120) -> str:
    """The window of about `width` characters holding the most matches, escaped, with matches marked.
    Without a match: the start of the text."""
    text = " ".join(text.split())  # line breaks and runs of spaces read as one space in a result list
    spans = match_spans(text, terms)
    if not spans:
        cut = text[:width]
        return escape(cut) + ("…" if len(text) > width else "")
    best_start, best_count = spans[0][0], 0
    j = 0
    for i, (start, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= start + width:
            j += 1
        if j - i > best_count:
            best_start, best_count = start, j - i
    begin = max(0, best_start - width // 4)
    end = min(len(text), begin + width)
    out = ["…" if begin > 0 else ""]
    pos = begin
    for start, stop in spans:
        if start < begin or stop > end:
            continue
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:stop])}</mark>")
        pos = stop
    out.append(escape(text[pos:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)
