"""Document numbers (发文字号): one comparison key for every spelling, the original always kept."""

from __future__ import annotations

import dataclasses
import re

import pytest

from fagui.normalise import DocNumber, find_doc_numbers, normalise_doc_number, parse_doc_number


@pytest.mark.parametrize("spelling", [
    "川府规〔2023〕1号", "川府规[2023]1号", "川府规（2023）1号", "川府规【2023】1号", "川府规(2023)1号",
    "川府规［2023］1号", "川府规﹝2023﹞1号", "川府规〔2023〕01号", "川府规〔２０２３〕１号", "川府规 〔 2023 〕 1 号",
    "（川府规〔2023〕1号）", "川府规〔2023〕第1号", "川府规〔2023〕1",
])
def test_spellings_share_one_key(spelling):
    assert normalise_doc_number(spelling) == "川府规〔2023〕1号"


@pytest.mark.parametrize(("value", "key"), [
    ("国务院令第406号", "国务院令第406号"),
    ("中华人民共和国国务院令第406号", "国务院令第406号"),
    ("中华人民共和国主席令第五十七号", "主席令第57号"),
    ("公安部令第０１２号", "公安部令第12号"),
    ("国办发〔2021〕12号", "国办发〔2021〕12号"),
    ("国家税务总局公告2018年第31号", "国家税务总局公告2018年第31号"),
    ("法释〔2024〕4号", "法释〔2024〕4号"),
])
def test_keys(value, key):
    assert normalise_doc_number(value) == key


def test_different_numbers_keep_different_keys():
    keys = {normalise_doc_number(v) for v in ("川府规〔2023〕1号", "川府规〔2023〕10号", "川府规〔2022〕1号",
                                             "川府发〔2023〕1号")}
    assert len(keys) == 4


def test_parse_keeps_the_original():
    parsed = parse_doc_number(" 川府规［２０２３］０１号 ")
    assert parsed == DocNumber(original="川府规［２０２３］０１号", key="川府规〔2023〕1号")
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.key = "x"  # type: ignore[misc]


@pytest.mark.parametrize("value", ["", "   ", None, "不是文号", "2021年8月20日", "第十三条", "(2021-2025年)"])
def test_not_a_document_number(value):
    assert parse_doc_number(value) is None


def test_a_value_that_is_no_number_is_only_tidied():
    assert normalise_doc_number(" 无 文号 ") == "无文号"


def test_finds_numbers_in_running_text():
    text = ("根据《四川省人民政府关于印发某方案的通知》（川府规〔2023〕1号）和国办发〔2021〕12号文件精神，"
            "依据中华人民共和国国务院令第406号，以及国家税务总局公告2018年第31号，重申川府规[2023]01号。")
    assert find_doc_numbers(text) == [
        "川府规〔2023〕1号", "国办发〔2021〕12号", "中华人民共和国国务院令第406号", "国家税务总局公告2018年第31号"]


@pytest.mark.parametrize(("text", "found"), [
    ("1998年9月17日，我院以法〔1998〕86号通知印发了", ["法〔1998〕86号"]),
    ("经国务院批准，以国务院令第406号公布", ["国务院令第406号"]),
    ("印发的国办发〔2021〕12号", ["国办发〔2021〕12号"]),
    ("《法治政府建设实施纲要(2021-2025年)》", []),
    ("《X省法治政府建设实施方案(X-X年)》(X办发〔X〕108号)", []),  # a template's placeholders
])
def test_finds_only_the_number(text, found):
    assert find_doc_numbers(text) == found


def test_numbers_found_in_the_corpus_are_well_formed(corpus_markdown):
    found = [number for md in corpus_markdown for number in find_doc_numbers(md)]
    assert len(found) > 20
    canonical = re.compile(r"^[\u4e00-\u9fff]{1,20}(?:〔\d{4}〕[1-9]\d*号|令第[1-9]\d*号|\d{4}年第[1-9]\d*号)$")
    for number in found:
        key = normalise_doc_number(number)
        assert canonical.match(key), (number, key)
        assert any(number in md for md in corpus_markdown)
