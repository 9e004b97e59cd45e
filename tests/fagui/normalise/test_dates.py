"""parse_date: the date forms Chinese documents use; anything else is no date."""

from __future__ import annotations

from datetime import date

import pytest

from fagui.normalise import find_dates, fold_width, parse_date


@pytest.mark.parametrize("value", [
    "2021年8月20日", "2021-08-20", "2021.8.20", "2021/8/20", "20210820", "二〇二一年八月二十日", "二○二一年八月二十日",
    "2021 年 8 月 20 日", "公布日期：2021年8月20日", date(2021, 8, 20),
])
def test_parses_the_usual_forms(value):
    assert parse_date(value) == date(2021, 8, 20)


@pytest.mark.parametrize("value", [
    None, "", "   ", "无", "2021年2月30日", "2021-13-01", "二〇二一年二月三十日", "20211301", "第十三条",
])
def test_invalid_or_missing_dates_are_none(value):
    assert parse_date(value) is None


def test_first_date_wins_and_find_dates_keeps_order():
    line = "（2021年8月20日第十三届全国人民代表大会常务委员会第三十次会议通过　自2021年11月1日起施行）"
    assert parse_date(line) == date(2021, 8, 20)
    assert find_dates(line) == [date(2021, 8, 20), date(2021, 11, 1)]


def test_full_width_digits_after_folding():
    # normalise_text folds widths before anything parses dates from it
    assert parse_date(fold_width("２０２１年８月２０日")) == date(2021, 8, 20)


def test_chinese_numerals_in_month_and_day():
    assert parse_date("一九九九年十二月三十一日") == date(1999, 12, 31)
    assert parse_date("二〇〇〇年一月十日") == date(2000, 1, 10)


def test_history_lines_of_the_corpus_give_dates(corpus_markdown):
    heads = [md.split("<!-- INFO END -->")[0] for md in corpus_markdown if "<!-- INFO END -->" in md]
    lines = [ln for head in heads for ln in head.splitlines() if "通过" in ln and "年" in ln]
    assert len(lines) > 20
    parsed = [parse_date(ln) for ln in lines]
    assert sum(d is not None for d in parsed) >= 0.9 * len(lines)
    assert all(d is None or date(1949, 1, 1) <= d <= date(2026, 12, 31) for d in parsed)
