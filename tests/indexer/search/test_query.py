"""Query parsing: queries as officers and citizens type them, malformed ones, and a fuzz test that no input
makes parse_query raise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.search.query import (
    ERROR_EMPTY,
    ERROR_NOTHING_SEARCHABLE,
    ERROR_ONLY_EXCLUDED,
    WARN_CONTRADICTION,
    WARN_DANGLING_OR,
    WARN_NEGATION_IN_OR,
    WARN_TITLE_WHOLE_QUERY,
    WARN_TOO_COMPLEX,
    WARN_UNBALANCED_PARENS,
    WARN_UNCLOSED_QUOTE,
    ParsedQuery,
    parse_query,
)

# ---------------------------------------------------------------------------------------------------------
# Words, phrases, OR, exclusion


def test_plain_words_all_must_match():
    q = parse_query("醉酒驾驶 机动车 驾驶证")
    assert q.must == ("醉酒驾驶", "机动车", "驾驶证")
    assert (q.phrases, q.any_of, q.exclude, q.warnings, q.error) == ((), (), (), (), None)
    assert not q.is_empty
    assert q.terms() == ("醉酒驾驶", "机动车", "驾驶证")


def test_full_width_space_and_chinese_punctuation_split_words():
    assert parse_query("醉酒驾驶\u3000机动车").must == ("醉酒驾驶", "机动车")
    assert parse_query("行政处罚，听证、告知；").must == ("行政处罚", "听证", "告知")
    assert parse_query("罚款1,000元").must == ("罚款1,000元",)  # a comma between digits is a number's


def test_phrase_word_and_exclusion():
    q = parse_query('"行政处罚" 听证 -罚款')
    assert q.phrases == ("行政处罚",)
    assert q.must == ("听证",)
    assert q.exclude == ("罚款",)
    assert q.error is None
    assert q.terms() == ("听证", "行政处罚")
    assert q.is_phrase("行政处罚") and not q.is_phrase("听证")


@pytest.mark.parametrize("query", ["“行政处罚” 听证", "「行政处罚」 听证", "＂行政处罚＂ 听证", "“行政处罚\" 听证"])
def test_chinese_and_mixed_quotes(query):
    q = parse_query(query)
    assert (q.phrases, q.must, q.warnings) == (("行政处罚",), ("听证",), ())


def test_phrase_keeps_inner_spaces_and_punctuation():
    q = parse_query("“违法行为  轻微，并及时改正”")
    assert q.phrases == ("违法行为 轻微，并及时改正",)


def test_unclosed_quote_takes_the_rest_as_phrase_with_a_warning():
    q = parse_query("听证 “行政处罚 程序")
    assert q.must == ("听证",)
    assert q.phrases == ("行政处罚 程序",)
    assert q.warnings == (WARN_UNCLOSED_QUOTE,)
    assert q.error is None


def test_or_between_words():
    q = parse_query("网络安全 OR 数据安全")
    assert q.any_of == (("网络安全", "数据安全"),)
    assert q.must == ()
    assert q.terms() == ("网络安全", "数据安全")
    assert parse_query("网络安全 或 数据安全").any_of == (("网络安全", "数据安全"),)
    assert parse_query("网络安全 | 数据安全").any_of == (("网络安全", "数据安全"),)
    assert parse_query("网络安全|数据安全").any_of == (("网络安全", "数据安全"),)
    assert parse_query("网络安全 OR 数据安全 OR 个人信息").any_of == (("网络安全", "数据安全", "个人信息"),)


def test_or_and_huo_are_operators_only_as_words_of_their_own():
    assert parse_query("或者 情节严重").must == ("或者", "情节严重")
    assert parse_query("ORACLE 数据库").must == ("ORACLE", "数据库")
    assert parse_query("or").must == ("or",)  # lower case is a word


def test_or_binds_tighter_than_the_implicit_and():
    q = parse_query("行政处罚 听证 OR 陈述申辩 -罚款")
    assert q.must == ("行政处罚",)
    assert q.any_of == (("听证", "陈述申辩"),)
    assert q.exclude == ("罚款",)


def test_parentheses_group_and_distribute():
    q = parse_query("(行政处罚 OR 行政许可) 听证")
    assert (q.must, q.any_of) == (("听证",), (("行政处罚", "行政许可"),))
    q = parse_query("（醉酒驾驶 机动车） OR 酒驾")  # = (醉酒驾驶 OR 酒驾) AND (机动车 OR 酒驾)
    assert q.any_of == (("醉酒驾驶", "酒驾"), ("机动车", "酒驾"))
    q = parse_query("-(罚款 OR 拘留) 行政处罚")
    assert (q.must, q.exclude) == (("行政处罚",), ("罚款", "拘留"))


def test_parentheses_inside_a_word_are_text():
    q = parse_query("安全生产许可证条例（试行） 企业")
    assert q.must == ("安全生产许可证条例（试行）", "企业")
    assert q.warnings == ()


def test_unbalanced_parentheses_are_ignored_with_a_warning():
    q = parse_query("(行政处罚 OR 行政许可 听证")
    assert (q.must, q.any_of) == (("听证",), (("行政处罚", "行政许可"),))
    assert q.warnings == (WARN_UNBALANCED_PARENS,)
    q = parse_query("行政处罚) 听证)")
    assert q.must == ("行政处罚", "听证")
    assert WARN_UNBALANCED_PARENS in q.warnings
    assert q.error is None


def test_hyphen_inside_a_word_or_alone_is_not_exclusion():
    assert parse_query("十四五规划 2021-2025").must == ("十四五规划", "2021-2025")
    q = parse_query("2021 - 2025")
    assert (q.must, q.exclude) == (("2021", "2025"), ())
    assert parse_query("GB/T-2260 标准").must == ("GB/T-2260", "标准")


def test_exclusion_forms():
    assert parse_query("行政处罚 －罚款").exclude == ("罚款",)  # full-width minus
    assert parse_query("行政处罚 --罚款").exclude == ("罚款",)
    assert parse_query("行政处罚 NOT 罚款").exclude == ("罚款",)
    q = parse_query('行政处罚 -"警告 罚款"')
    assert q.exclude == ("警告 罚款",) and q.is_phrase("警告 罚款")
    assert parse_query("+听证 行政处罚").must == ("听证", "行政处罚")


def test_only_exclusions_is_an_error_with_the_parse_kept():
    q = parse_query("-罚款")
    assert q.error == ERROR_ONLY_EXCLUDED
    assert q.exclude == ("罚款",)
    assert q.is_empty
    assert parse_query("-罚款 -拘留").error == ERROR_ONLY_EXCLUDED


def test_what_the_shape_cannot_hold_is_approximated_with_a_warning():
    q = parse_query("行政处罚 OR -罚款")
    assert q.must == ("行政处罚",) and q.warnings == (WARN_NEGATION_IN_OR,)
    q = parse_query("听证 OR")
    assert q.must == ("听证",) and q.warnings == (WARN_DANGLING_OR,)
    q = parse_query("行政处罚 -行政处罚")
    assert (q.must, q.exclude, q.warnings) == (("行政处罚",), (), (WARN_CONTRADICTION,))


def test_an_or_of_many_ands_is_loosened_not_expanded():
    query = " OR ".join(f"(甲{i} 乙{i})" for i in range(12))  # 2**12 clauses in normal form
    q = parse_query(query)
    assert q.warnings == (WARN_TOO_COMPLEX,)
    assert len(q.any_of) == 1 and len(q.any_of[0]) == 24


def test_redundant_groups_are_absorbed():
    q = parse_query("行政处罚 行政处罚 OR 行政许可 听证 OR 陈述 陈述 OR 听证")
    assert q.must == ("行政处罚",)
    assert q.any_of == (("听证", "陈述"),)


def test_book_title_marks_around_a_word_are_dropped():
    assert parse_query("《民法典》 离婚").must == ("民法典", "离婚")


# ---------------------------------------------------------------------------------------------------------
# Title-only


def test_title_prefix_on_the_whole_query():
    q = parse_query("title:安全生产条例")
    assert q.title_only and q.must == ("安全生产条例",) and q.warnings == ()
    for query in ("标题:安全生产条例", "标题：安全生产条例", "TITLE: 安全生产条例", "题名：安全生产条例"):
        q = parse_query(query)
        assert q.title_only and q.must == ("安全生产条例",), query
    q = parse_query('标题:"安全生产" 条例')
    assert q.title_only and (q.phrases, q.must) == (("安全生产",), ("条例",))


def test_title_prefix_on_a_later_word_applies_to_the_whole_query_and_says_so():
    q = parse_query("四川 标题:安全生产")
    assert q.title_only and q.must == ("四川", "安全生产")
    assert q.warnings == (WARN_TITLE_WHOLE_QUERY,)
    assert not parse_query("subtitle:安全").title_only
    assert parse_query("title:").error is not None


# ---------------------------------------------------------------------------------------------------------
# Document numbers


@pytest.mark.parametrize("query", [
    "川府规〔2023〕1号", "川府规[2023]1号", "川府规（2023）1号", "川府规(2023)1号", "川府规【2023】1号",
    "川府规［２０２３］０１号", "川府规 〔2023〕 1号", "川府规[2023]1", "文号:川府规〔2023〕1号", " 川府规〔2023〕1号 ",
])
def test_doc_number_in_any_bracket_form_gives_one_key(query):
    q = parse_query(query)
    assert q.doc_number is not None and q.doc_number.key == "川府规〔2023〕1号", query
    assert (q.must, q.phrases, q.any_of, q.error) == ((), (), (), None)
    assert not q.is_empty


def test_doc_number_with_other_words_keeps_them_as_terms():
    q = parse_query("国办发（2021）12号 安全生产")
    assert q.doc_number.key == "国办发〔2021〕12号"
    assert q.doc_number.original == "国办发（2021）12号"
    assert q.must == ("安全生产",)
    q = parse_query("关于 国务院令第406号 修改")
    assert q.doc_number.key == "国务院令第406号"
    assert q.must == ("关于", "修改")
    assert parse_query("中华人民共和国国务院令第四○六号").doc_number.key == "国务院令第406号"


@pytest.mark.parametrize("q", ['"依照 国务院令第406号"', "“国办发（2021）12号”", '"川府规[2023]1"', "「依照国务院令第406号」"])
def test_a_doc_number_inside_quotes_is_literal_text(q):
    parsed = parse_query(q)
    assert parsed.doc_number is None
    assert parsed.phrases == (q[1:-1],)


def test_excluded_doc_number_is_an_exclusion():
    q = parse_query("安全生产 -川府规〔2023〕1号")
    assert q.doc_number is None
    assert q.exclude == ("川府规〔2023〕1号",)


# ---------------------------------------------------------------------------------------------------------
# Work and article


@pytest.mark.parametrize("query, work, number, sub, label", [
    ("道路交通安全法第九十一条", "道路交通安全法", 91, 0, "第九十一条"),
    ("民法典 第1087条", "民法典", 1087, 0, "第一千零八十七条"),
    ("民法典第一千零八十七条", "民法典", 1087, 0, "第一千零八十七条"),
    ("刑法第一百三十三条之一", "刑法", 133, 1, "第一百三十三条之一"),
    ("《中华人民共和国道路交通安全法》第九十一条", "中华人民共和国道路交通安全法", 91, 0, "第九十一条"),
    ("《中华人民共和国 道路交通安全法》 第九十一条", "中华人民共和国道路交通安全法", 91, 0, "第九十一条"),
    ("道交法第91条", "道交法", 91, 0, "第九十一条"),
    ("道交法第９１条", "道交法", 91, 0, "第九十一条"),
    ("劳动合同法的第十条", "劳动合同法", 10, 0, "第十条"),
    ("行政处罚法 第 三十二 条", "行政处罚法", 32, 0, "第三十二条"),
    ("道路交通安全法第九十一条第二款", "道路交通安全法", 91, 0, "第九十一条"),
    ("道路交通安全法第一百一十条", "道路交通安全法", 110, 0, "第一百一十条"),
    ("刑法修正案（十一）第一条", "刑法修正案（十一）", 1, 0, "第一条"),
    ("刑法修正案(十一) 第一条", "刑法修正案（十一）", 1, 0, "第一条"),
])
def test_work_and_article(query, work, number, sub, label):
    q = parse_query(query)
    ref = q.work_article
    assert ref is not None, query
    assert (ref.work_title, ref.article_number, ref.article_sub, ref.label) == (work, number, sub, label)
    assert (q.must, q.phrases, q.error) == ((), (), None)
    assert not q.is_empty


def test_article_reference_with_other_words():
    q = parse_query("醉酒驾驶 刑法第一百三十三条之一 处罚")
    assert q.work_article.work_title == "刑法"
    assert q.work_article.anchor == "art-133-1"
    assert q.work_article.original == "刑法第一百三十三条之一"
    assert q.must == ("醉酒驾驶", "处罚")
    assert q.work_article.as_terms() == ("刑法", "第一百三十三条之一")


def test_what_is_not_a_work_article_reference():
    assert parse_query("第九十一条").work_article is None  # no work: a plain term
    assert parse_query("第九十一条").must == ("第九十一条",)
    quoted = parse_query("“民法典第1087条”")  # quotes mean literal text
    assert quoted.work_article is None and quoted.phrases == ("民法典第1087条",)
    # Anywhere inside the quotes, not only right after the opening one: an article's opening pasted in quotes.
    pasted = parse_query('"第二条 《档案法》第二条"')
    assert pasted.work_article is None and pasted.phrases == ("第二条 《档案法》第二条",)
    unclosed = parse_query("「故意 刑法第二百三十四条")
    assert unclosed.work_article is None and unclosed.phrases == ("故意 刑法第二百三十四条",)
    outside = parse_query("「故意 伤害」 刑法第二百三十四条")
    assert outside.work_article.original == "刑法第二百三十四条" and outside.phrases == ("故意 伤害",)
    excluded = parse_query("离婚 -民法典第1087条")
    assert excluded.work_article is None and excluded.exclude == ("民法典第1087条",)
    assert parse_query("民法典第0条").work_article is None
    assert parse_query("民法典第99999999999999条").work_article is None


# ---------------------------------------------------------------------------------------------------------
# Folding and cleaning


def test_traditional_is_folded_to_simplified_and_raw_kept():
    q = parse_query("個人信息保護 法律")
    assert q.must == ("个人信息保护", "法律")
    assert q.raw == "個人信息保護 法律"
    q = parse_query("“個人信息保護”")
    assert q.phrases == ("个人信息保护",)


def test_full_width_ascii_is_folded():
    q = parse_query("ＡＢＣ　２０２１")
    assert q.must == ("ABC", "2021")
    assert q.raw == "ＡＢＣ　２０２１"
    assert parse_query("ＧＢ／Ｔ　２２６０").must == ("GB/T", "2260")


def test_emoji_and_control_characters_are_dropped():
    q = parse_query("行政处罚\x00\x07 听证😀\u200b 👍🏽")
    assert q.must == ("行政处罚", "听证")
    assert q.error is None
    assert parse_query("行政\u200b处罚").must == ("行政处罚",)  # a zero-width space joins, it does not split
    assert parse_query("行政\ud800处罚").must == ("行政", "处罚")  # a lone surrogate never reaches the index


@pytest.mark.parametrize("query", ["😀", "\x00\x01", "？？？", "——", "《》", '""', "()", "OR", "|"])
def test_nothing_searchable_is_an_error(query):
    q = parse_query(query)
    assert q.error is not None and q.error.startswith(ERROR_EMPTY)
    assert q.is_empty


@pytest.mark.parametrize("query", ["", "   ", "\u3000\u3000", "\n\t", None])
def test_empty_query(query):
    q = parse_query(query)
    assert q.error == ERROR_EMPTY
    assert q.is_empty and q.terms() == ()


def test_long_input_is_cut_with_a_warning():
    q = parse_query("安全" * 5000)  # 10,000 characters
    assert q.warnings == ("检索词过长，已截取前200个字",)
    assert q.must == ("安全" * 100,)
    assert q.error is None
    q = parse_query("安全 生产 " * 2000, max_length=50)
    assert q.warnings == ("检索词过长，已截取前50个字",)
    assert q.must == ("安全", "生产")
    with pytest.raises(ValueError):
        parse_query("安全", max_length=0)


def test_result_is_frozen_and_hashable():
    q = parse_query("网络安全 OR 数据安全 -罚款")
    assert isinstance(hash(q), int)
    with pytest.raises(AttributeError):
        q.must = ()  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------------------
# No input makes it raise


def _check_invariants(text: str, q: ParsedQuery, max_length: int = 200) -> None:
    assert isinstance(q, ParsedQuery)
    assert q.raw == text
    assert (q.error is None) == (not q.is_empty)
    assert len(q.normalised) <= max_length
    for term in (*q.terms(), *q.exclude):
        assert term and term == term.strip()
    for word in q.must:
        assert not any(ch.isspace() for ch in word)
    assert all(len(group) >= 2 for group in q.any_of)
    assert q == parse_query(text, max_length)  # deterministic


QUERY_ALPHABET = st.sampled_from(
    list(' \u3000-−+|()（）"“”「」＂OR或ANDNOT&title:标题：第条之一九十百千1087号〔〕[]2023川府规法典《》的，、')
    + ["道路交通安全法", "民法典", "川府规〔2023〕1号", "行政处罚", " OR ", " -", "😀", "\x00", "\ud800"]
)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_fuzz_any_unicode_never_raises(text):
    _check_invariants(text, parse_query(text))


@settings(max_examples=400, deadline=None)
@given(st.lists(QUERY_ALPHABET, max_size=40).map("".join), st.integers(min_value=1, max_value=60))
def test_fuzz_query_syntax_never_raises(text, max_length):
    _check_invariants(text, parse_query(text, max_length), max_length)


def test_a_query_of_operator_words_alone_searches_for_them():
    assert parse_query("或").must == ("或",)
    assert parse_query("或 且").must == ("或", "且")
    assert parse_query("网络安全 或 数据安全").any_of == (("网络安全", "数据安全"),)


# ---------------------------------------------------------------------------------------------------------
# Exact matching (keep_punctuation): only whitespace separates terms, a pasted run stays whole


@pytest.mark.parametrize(("query", "must"), [
    ("饮酒后驾驶机动车的，处暂扣六个月", ("饮酒后驾驶机动车的，处暂扣六个月",)),
    ("行政处罚，听证、告知；", ("行政处罚，听证、告知；",)),
    ("（一）未取得许可的", ("（一）未取得许可的",)),  # a leading parenthesis holding text is no group
    ("县（市）", ("县（市）",)),
    ("（市）", ("（市）",)),
    ("）工业和信息化部", ("）工业和信息化部",)),  # a closer no group awaits is pasted text
    ("工业）和", ("工业）和",)),
    ("公布的《", ("公布的《",)),  # an opener ending a term is cut from a text, not a reader's wrapping
    ("》规定", ("》规定",)),
    ("《民法典》", ("民法典",)),  # a reader's own wrapping goes
    ("《民法典", ("民法典",)),
    ("《中华人民共和国道路交通安全法", ("中华人民共和国道路交通安全法",)),
    ("《企业法人营", ("《企业法人营",)),  # an unclosed 《 before what is no title was cut from a text with it
    ("《中华", ("《中华",)),
    ("条例：", ("条例：",)),
    ("。，！？", ("。，！？",)),
    ("第十二条 气象", ("第十二条", "气象")),  # whitespace still separates
])
def test_exact_terms_keep_their_punctuation(query, must):
    q = parse_query(query, keep_punctuation=True)
    assert (q.must, q.any_of, q.error) == (must, (), None)


def test_exact_terms_still_group_and_exclude():
    q = parse_query("(行政处罚 OR 行政许可) 听证 -罚款", keep_punctuation=True)
    assert (q.must, q.any_of, q.exclude, q.warnings) == (("听证",), (("行政处罚", "行政许可"),), ("罚款",), ())
    q = parse_query("(行政处罚|行政许可) 听证", keep_punctuation=True)
    assert q.any_of == (("行政处罚", "行政许可"),)
    assert parse_query("《》", keep_punctuation=True).error == ERROR_NOTHING_SEARCHABLE


def test_work_articles_can_be_left_in_the_text():
    assert parse_query("依照本法第九十一条的规定").work_article is not None
    q = parse_query("依照本法第九十一条的规定", keep_punctuation=True, work_articles=False)
    assert (q.work_article, q.must) == (None, ("依照本法第九十一条的规定",))


@pytest.mark.parametrize(("query", "work", "label"), [
    ("道路交通安全法 91条", "道路交通安全法", "第九十一条"),
    ("道交法91条", "道交法", "第九十一条"),
    ("刑法二百三十四条", "刑法", "第二百三十四条"),
    ("民法典1077", "民法典", "第一千零七十七条"),
    ("民法典 1077", "民法典", "第一千零七十七条"),
    ("《刑法》 234条", "刑法", "第二百三十四条"),
    ("刑法133条之一", "刑法", "第一百三十三条之一"),
    ("消防条例 12条 第2款", "消防条例", "第十二条"),
])
def test_article_references_in_everyday_spellings(query, work, label):
    ref = parse_query(query).work_article
    assert ref is not None and (ref.work_title, ref.label, ref.loose) == (work, label, True)


@pytest.mark.parametrize("query", ["GB/T 2260", "PM2.5", "第十条", "甲1 乙2", "食品安全 2条", "2021年", "5G网络"])
def test_numbers_that_follow_no_title_are_no_article_reference(query):
    assert parse_query(query).work_article is None
