"""Characters search ignores: the same on the query side and in the indexed text."""

from __future__ import annotations

import pytest

from indexer.search.analysis import exact_form
from indexer.search.characters import is_ignored, strip_ignored
from indexer.search.query import parse_query
from indexer.search.service import term_clause


@pytest.mark.parametrize("ch", ["\ue010", "\x00", "\u200b", "🚗", "★", "\u2028", "\U000f0000"])
def test_unreadable_and_symbol_characters_are_ignored(ch):
    assert is_ignored(ch)
    assert strip_ignored(f"a{ch}b{ch}") == "ab"


@pytest.mark.parametrize("ch", ["○", "法", "a", "1", "，", "（", "〔", "—", "\u3000"])
def test_text_and_punctuation_are_kept(ch):
    assert not is_ignored(ch)
    assert strip_ignored(f"a{ch}b") == f"a{ch}b"


def test_a_phrase_pasted_across_an_ignored_character_matches_its_text():
    """A crawled text holds a private-use character (少于人均1\\ue01070): quoted or not, the pasted phrase asks
    for the characters the index holds."""
    text = "人均住房建筑面积少于人均1\ue01070平方米"
    indexed = exact_form(text)
    assert "少于人均170" in indexed
    quoted = parse_query('"少于人均1\ue01070"', keep_punctuation=True)
    clause = term_clause(quoted.phrases[0], phrase=True)
    assert clause is not None and clause.chars in indexed
    number = exact_form("国务院令第四○六号")
    assert number == "国务院令第四○六号"
