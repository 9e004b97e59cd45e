"""Analysis (indexer/analysis.py): folding, legal words, article references, offsets into the original text,
and the rjieba fast path giving exactly jieba's tokens. Inline literals run everywhere; tests on the shared
corpus and sample pages skip with the reason when ../shared is missing."""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

import jieba
import pytest

from crawlers.normalise.text import to_simplified
from indexer import analysis
from indexer.analysis import analyse, analyse_query, fold, legal_terms, pretokenised, tokens_with_offsets

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "lawrefbook.jsonl.gz"
PAGES = SHARED / "samples" / "pages"
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason=f"shared corpus not present at {CORPUS}")
needs_pages = pytest.mark.skipif(not PAGES.is_dir(), reason=f"shared sample pages not present at {PAGES}")


def _corpus_documents():
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def _assert_offsets_point_at_original(text: str) -> None:
    for token, start, end in tokens_with_offsets(text):
        original = text[start:end]
        if analysis._ARTICLE_TOKEN.fullmatch(token):
            assert analysis._ARTICLE.fullmatch(fold(original)), (token, original)
        else:
            assert fold(original) == token, (token, original, start, end)


# ---------------------------------------------------------------------------------------------------------
# Folding


def test_traditional_and_simplified_give_the_same_tokens():
    assert analyse("發展") == analyse("发展") == ["发展"]
    assert analyse("法治政府建設實施綱要") == analyse("法治政府建设实施纲要")
    assert analyse_query("個人信息保護法") == analyse_query("个人信息保护法") == ["个人信息保护法"]


def test_full_width_and_half_width_give_the_same_tokens():
    assert analyse("２０２１年") == analyse("2021年")
    assert "2021" in analyse("２０２１年")
    assert analyse("ＡＢＣ") == analyse("ABC") == analyse("abc") == ["abc"]
    assert analyse_query("２０２１年ＡＢＣ") == analyse_query("2021年abc")


def test_fold_keeps_every_character_in_place():
    text = "發展　ＡＢＣ，２０２１ İstanbul 破坏土地"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("发展 abc，2021 ")
    assert "破坏土地" in folded  # simplified text is never run through OpenCC's phrase tables (破坯)


def test_opencc_t2s_is_one_character_for_one_where_it_matters():
    # t2s converts some phrases to a different length; fold must still keep offsets.
    for text in ("乾隆皇帝著作權", "裡面", "於是", "蘋果電腦", "聯繫方式"):
        assert len(fold(text)) == len(text)
        _assert_offsets_point_at_original(text)


# ---------------------------------------------------------------------------------------------------------
# Offsets, output forms, empty input


def test_offsets_point_at_the_original_characters():
    text = "依照《道路交通安全法》第９１条，對發展ＡＢＣ公司處以罰款。"
    spans = tokens_with_offsets(text)
    assert [t for t, _, _ in spans] == analyse(text)
    _assert_offsets_point_at_original(text)
    by_token = {t: text[s:e] for t, s, e in spans}
    assert by_token["第九十一条"] == "第９１条"
    assert by_token["发展"] == "發展"
    assert by_token["abc"] == "ＡＢＣ"
    assert by_token["道路交通安全法"] == "道路交通安全法"


@pytest.mark.parametrize("text", ["", " ", "\n\t　", "，。；！？《》（）", "……——", " - ## ---"])
def test_empty_whitespace_and_punctuation_give_no_tokens(text):
    assert analyse(text) == []
    assert analyse_query(text) == []
    assert tokens_with_offsets(text) == []
    assert pretokenised(text) == ""


def test_pretokenised_is_tokens_joined_by_single_spaces():
    text = "第一条　为了规范行政处罚的设定和实施，根据宪法，制定本法。\n第二条 本法适用于 ABC 公司。"
    out = pretokenised(text)
    assert out == " ".join(analyse(text))
    assert "  " not in out and out == out.strip()
    assert all(token and not any(ch.isspace() for ch in token) for token in analyse(text))


# ---------------------------------------------------------------------------------------------------------
# Legal words, law names, article references


def test_user_dictionary_terms_stay_whole_in_query_analysis():
    assert "行政规范性文件" in legal_terms() and "法治政府" in legal_terms()
    assert analyse_query("行政规范性文件") == ["行政规范性文件"]
    assert analyse_query("法治政府") == ["法治政府"]
    assert analyse_query("法治政府建设") == ["法治政府", "建设"]
    assert "行政规范性文件" in analyse("关于加强行政规范性文件制定和监督管理工作的通知")


def test_law_names_are_searchable_whole_and_by_parts():
    indexed = analyse("中华人民共和国道路交通安全法")
    assert "道路交通安全法" in indexed
    for query in ("道路交通安全法", "交通安全", "道路交通", "安全法", "交通安全法", "道路交通安全"):
        assert set(analyse_query(query)) <= set(indexed), query
    assert analyse_query("道路交通安全法") == ["道路交通安全法"]


def test_a_words_pieces_stand_just_before_it():
    tokens = analyse("道路交通安全法")
    assert tokens[-1] == "道路交通安全法"
    assert tokens.index("道路") < tokens.index("交通") < tokens.index("交通安全") < tokens.index("安全法")
    # the words of a query phrase stay near each other in the index
    text = analyse("公民应当遵守道路交通安全法律法规")
    first, second = analyse_query("遵守道路交通安全")
    assert 0 < text.index(second) - text.index(first) <= 8


def test_article_references_are_one_token_in_chinese_numerals():
    assert analyse("第九十一条") == ["第九十一条"]
    assert analyse("第91条") == analyse("第９１条") == ["第九十一条"]
    assert analyse_query("第九十一条") == analyse_query("第91条") == ["第九十一条"]
    assert analyse_query("民法典 第1087条") == ["民法典", "第一千零八十七条"]
    tokens = analyse("依照道路交通安全法第九十一条的规定处罚")
    assert "第九十一条" in tokens and "规定" in tokens
    assert not {"第九十", "一条", "第九"} & set(tokens)
    assert analyse("第二款第（三）项")[0] == "第二款"
    assert "第三章" in analyse("第三章 法律责任")


def test_the_character_after_a_reference_starts_the_next_word():
    # In the corpus 第X条/款/项/章 is always a reference (第一款所列, 第二项行为, 第三章程序), never 第二 条例.
    assert analyse("第二条例外情形") == ["第二条", "例外", "情形"]
    assert analyse("第三章程序规定")[:2] == ["第三章", "程序"]
    assert "第九十一条" in analyse("第九十一条例外")


@pytest.mark.parametrize("number, words", [(1, "一"), (10, "十"), (15, "十五"), (20, "二十"), (91, "九十一"),
                                           (100, "一百"), (101, "一百零一"), (110, "一百一十"), (1010, "一千零一十"),
                                           (1087, "一千零八十七"), (1260, "一千二百六十")])
def test_arabic_article_numbers_read_as_chinese_law_writes_them(number, words):
    assert analysis._chinese_number(number) == words


def test_query_drops_single_characters_beside_longer_words():
    # 交通安全法 in 道路交通安全法: a lone 法 is not among the indexed pieces, 交通安全 is.
    assert set(analyse_query("交通安全法")) <= set(analyse("道路交通安全法"))
    assert analyse_query("法") == ["法"]  # a single-character query keeps its character
    assert analyse_query("GB/T 2260") == ["gb", "t", "2260"]  # ASCII is cut alike everywhere: kept
    assert set(analyse_query("GB/T 2260")) <= set(analyse("《GB/T 2260—2007》"))


# ---------------------------------------------------------------------------------------------------------
# Tokenisers: private, cached in a writable place, fast path identical to jieba


def test_a_private_jieba_tokenizer_with_the_user_dictionary():
    engines = analysis._get()
    assert engines.jieba is not jieba.dt
    assert engines.jieba.FREQ.get("行政规范性文件")
    assert not jieba.dt.FREQ.get("行政规范性文件")  # the global tokenizer is left alone
    cache_dir = Path(engines.jieba.tmp_dir)
    assert os.access(cache_dir, os.W_OK)
    assert not any(cache_dir.is_relative_to(p) for p in map(Path, sys.path) if "site-packages" in str(p))


def test_cache_dir_is_under_the_data_dir_when_set(tmp_path, monkeypatch):
    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    assert analysis._cache_dir() == str(tmp_path / "cache")
    assert (tmp_path / "cache").is_dir()
    monkeypatch.delenv("FAGUI_DATA_DIR")
    assert os.access(analysis._cache_dir(), os.W_OK)


def test_user_words_replace_frequencies_in_the_total_as_jieba_rs_does():
    """jieba-rs's add_word counts a word already in the dictionary once (total += new - old); Python jieba's
    load_userdict would add it again. Scores depend on the total, so both must agree for identical cuts
    (with the original 110-word dictionary, stock loading made 84 corpus paragraphs cut differently)."""
    base = jieba.Tokenizer()
    base.tmp_dir = analysis._cache_dir()
    base.initialize()
    expected = base.total + sum(freq - base.FREQ.get(word, 0) for word, freq, _ in analysis._user_words())
    assert analysis._get().jieba.total == expected


def test_every_user_dictionary_line_is_word_frequency_tag():
    for line in analysis.DICT_PATH.read_text(encoding="utf-8").splitlines():
        word, freq, tag = line.split(" ")
        assert word and freq.isdigit() and tag.isalpha(), line


FAST_PATH_LITERALS = [
    "第一条 为了规范行政处罚的设定和实施，保障和监督行政机关有效实施行政管理。",
    "职务技术成果是执行法人或者非法人组织的工作任务所完成的技术成果。",  # 技术成果: a near-tie in jieba's scores
    "#### 5.1.1 重伤一级",
    "GB/T 26341-2010 残疾人残疾分类和分级",
    "支持从 [国家法律法规数据库](https://flk.npc.gov.cn) 爬取",
    "增长10.5%，C++ 与 R&D 投入",
    "个人信息处理者应当采取必要措施保障所处理的个人信息的安全。",
]


@pytest.mark.parametrize("text", FAST_PATH_LITERALS)
def test_fast_path_gives_jiebas_tokens(text):
    assert analysis._index_spans(text) == analysis._index_spans(text, jieba_only=True)
    assert analysis._cut(text)[0] == analysis._cut(text, jieba_only=True)[0]


@needs_corpus
def test_fast_path_gives_jiebas_tokens_on_real_corpus_paragraphs():
    """Paragraphs of every 25th document, every paragraph with 技术成果 (a near-tie that differs unless the
    dictionary totals agree) and the first 1,500 paragraphs with a block jieba itself must cut: wherever the
    fast path is taken, its tokens are jieba's."""
    paragraphs: list[str] = []
    near_ties = blocks = 0
    for number, doc in enumerate(_corpus_documents()):
        for paragraph in doc["markdown"].split("\n"):
            if not paragraph.strip():
                continue
            if number % 25 == 0:
                paragraphs.append(paragraph)
            elif "技术成果" in paragraph and near_ties < 200:
                paragraphs.append(paragraph)
                near_ties += 1
            elif blocks < 1500 and analysis._SLOW_BLOCK.search(paragraph):
                paragraphs.append(paragraph)
                blocks += 1
    assert len(paragraphs) > 10_000 and near_ties and blocks
    fast = 0
    for paragraph in paragraphs:
        masked, _ = analysis._mask_articles(fold(paragraph))
        spans, by_jieba = analysis._cut(masked)
        # jieba cut only the blocks holding +#&._%- (no paragraph fell back to jieba as a whole)
        assert by_jieba == sum(len(m.group()) for m in analysis._SLOW_BLOCK.finditer(masked)), paragraph
        fast += by_jieba < len(masked)
        assert spans == analysis._cut(masked, jieba_only=True)[0], paragraph
        assert analysis._index_spans(paragraph) == analysis._index_spans(paragraph, jieba_only=True), paragraph
    assert fast > 0.99 * len(paragraphs)


@needs_corpus
def test_every_corpus_title_finds_itself():
    """A title typed without 中华人民共和国 asks only for tokens its work's title was indexed with."""
    missing = []
    for doc in _corpus_documents():
        title = doc["markdown"].split("\n", 1)[0].removeprefix("# ").strip()
        if title and not title.startswith("---"):
            query = title.removeprefix("中华人民共和国")
            if not set(analyse_query(query)) <= set(analyse(title)):
                missing.append(query)
    assert missing == []


@needs_corpus
def test_offsets_on_corpus_text():
    for number, doc in enumerate(_corpus_documents()):
        if number % 200 == 0:
            _assert_offsets_point_at_original(doc["markdown"][:20_000])


@needs_pages
def test_sample_pages_traditional_mirror_folds_to_its_simplified_form():
    page = (PAGES / "chengdu-fazhi-zhengfu-fangan-mirror.txt").read_text(encoding="utf-8")
    assert "發" in page or "際" in page  # the mirror really is in traditional characters
    for line in page.split("\n"):
        assert analyse(line) == analyse(to_simplified(line)), line
    tokens = set(analyse(page))
    assert {"法治政府", "建设", "实施方案"} <= tokens or {"法治政府", "建设", "实施"} <= tokens


@needs_pages
def test_sample_pages_offsets_and_legal_terms():
    for path in sorted(PAGES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        _assert_offsets_point_at_original(text)
        assert analysis._index_spans(text) == analysis._index_spans(text, jieba_only=True), path.name
    outline = (PAGES / "fazhi-zhengfu-gangyao-2021-2025-part.txt").read_text(encoding="utf-8")
    indexed = set(analyse(outline))
    for query in ("法治政府", "行政执法", "依法行政", "2021"):
        assert set(analyse_query(query)) <= indexed, query
