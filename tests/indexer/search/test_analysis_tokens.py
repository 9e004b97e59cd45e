"""Analysis: index and query tokens agree, scripts and widths fold, legal terms stay whole, phrases stay near."""

from __future__ import annotations

import gzip
import json

import pytest

from indexer.search.analysis import (
    LineForms,
    analyse,
    analyse_query,
    exact_form,
    fold,
    legal_terms,
    line_forms,
    pretokenised,
    pretokenised_lines,
)
from tests.conftest import CORPUS, needs_corpus


def test_traditional_and_full_width_fold_together():
    assert analyse("個人信息保護") == analyse("个人信息保护")
    assert analyse_query("２０２１年ＡＢＣ") == analyse_query("2021年abc")
    assert fold("發展　ＡＢＣ") == "发展 abc"


def test_query_tokens_are_found_among_index_tokens_of_the_full_title():
    indexed = set(analyse("中华人民共和国道路交通安全法"))
    for query in ("道路交通安全法", "交通安全", "道路交通", "安全法"):
        assert set(analyse_query(query)) <= indexed, query


def test_legal_terms_stay_whole_in_queries_and_are_indexed():
    assert "行政规范性文件" in legal_terms()
    assert analyse_query("行政规范性文件") == ["行政规范性文件"]
    assert "行政规范性文件" in analyse("关于加强行政规范性文件制定和监督管理工作的通知")


def test_phrase_words_stay_close_in_the_index():
    tokens = analyse("中华人民共和国反电信网络诈骗法")
    first, second = analyse_query("反电信网络诈骗")
    assert 0 < tokens.index(second) - tokens.index(first) <= 4


def test_no_tokens_from_punctuation_or_space():
    assert analyse("，。；！ \n\t") == [] and analyse_query("") == []
    assert all(" " not in t for t in analyse("第 一 条  规定 ABC def"))


def test_line_cache_gives_the_same_tokens():
    text = "第一条 为了规范管理，制定本条例。\n\n第二条 本条例适用于本市。"
    cache: LineForms = {}
    assert pretokenised_lines(text, cache) == pretokenised(text.replace("\n\n", "\n"))
    assert len([line for line in cache if line]) == 2
    words, chars = line_forms(text, cache)
    assert chars == exact_form(text) == "第一条为了规范管理,制定本条例。第二条本条例适用于本市。"


@needs_corpus
def test_query_tokens_of_real_titles_match_their_index_tokens():
    """Every corpus title searched as typed (without 中华人民共和国) must find itself: the tokens a
    query asks for are all among the tokens the title was indexed with."""
    missing = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            md = json.loads(line)["markdown"]
            title = md.split("\n", 1)[0].removeprefix("# ").strip()
            if not title or title.startswith("---"):
                continue
            indexed = set(analyse(title))
            short = title.removeprefix("中华人民共和国")
            if not set(analyse_query(short)) <= indexed:
                missing.append(short)
    assert missing == []


@pytest.mark.parametrize("word", ["醉酒驾驶", "罚款", "听证", "民间借贷"])
def test_common_query_words_have_tokens(word):
    assert analyse_query(word)


@needs_corpus
def test_rjieba_gives_jiebas_tokens_on_corpus_paragraphs():
    """The fast path is only taken because it agrees with jieba (same dictionary): measured on every 50th
    corpus record, 342 of 345 paragraphs give identical search-mode tokens."""
    import jieba
    import rjieba

    jieba.setLogLevel(60)
    paragraphs = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % 50 == 0:
                md = json.loads(line)["markdown"]
                paragraphs += [p for p in md.split("\n") if len(p) > 20][:5]
    same = sum(list(jieba.cut_for_search(p)) == rjieba.cut_for_search(p) for p in paragraphs)
    assert len(paragraphs) > 300 and same / len(paragraphs) >= 0.98


def test_rank_tokens_are_the_fewest_words_that_spell_a_term_and_keep_every_character():
    from indexer.search.analysis import rank_tokens

    assert rank_tokens("人民代表大会") == ["人民代表大会"]
    assert rank_tokens("饮酒后驾驶机动车") == ["饮酒", "后", "驾驶", "机动车"]
    assert "".join(rank_tokens("2021年1月1日")) == "2021年1月1日"


def test_line_bigrams_are_the_bigrams_of_the_whole_exact_form():
    from indexer.search.analysis import exact_tokens, line_fields

    text = "第一条　为了规范\n\n（一）未取得许可证\nPM2.5 浓度"
    _, exact, pairs = line_fields(text, {})
    assert pairs == exact_tokens(exact)[0]  # the bigram across each line break included
