"""Near-namesakes (issue 17): a title a character or two from a stored one but naming another document (another
province, another ordinal, another 修正案) is never matched nor offered for review; it is unmatched, and the note
names the near title it ruled out and why. A real typo is offered for review (需人工确认), never matched."""

from __future__ import annotations

from datetime import date

import pytest

from clearance.matching import AMBIGUOUS, MATCHED, REVIEW, UNMATCHED, Matcher, WorkEntry, match_key
from clearance.namesakes import Places, conflicts, leading_places

STORED = [
    # (title, region, doc_type, bodies, dates)
    ("河南省物业管理条例", "河南省", "地方性法规", ["河南省人民代表大会常务委员会"], [date(2021, 7, 30)]),
    ("山东省物业管理条例", "山东省", "地方性法规", ["山东省人民代表大会常务委员会"], [date(2009, 1, 1)]),
    ("山东省湖泊保护条例", "山东省", "地方性法规", ["山东省人民代表大会常务委员会"], [date(2012, 1, 1)]),
    ("河南省档案管理条例", "河南省", "地方性法规", ["河南省人民代表大会常务委员会"], [date(2011, 1, 1)]),
    ("郑州市物业管理条例", "河南省", "地方性法规", ["郑州市人民代表大会常务委员会"], [date(2013, 1, 1)]),
    ("最高人民法院关于审理专利授权确权行政案件适用法律若干问题的规定（一）", "全国", "司法解释", ["最高人民法院"], []),
    ("最高人民法院关于审理网络消费纠纷案件适用法律若干问题的规定（一）", "全国", "司法解释", ["最高人民法院"], []),
    ("最高人民法院关于审理食品安全民事纠纷案件适用法律若干问题的解释（一）", "全国", "司法解释", ["最高人民法院"], []),
    ("最高人民法院关于审理劳动争议案件适用法律问题的解释（一）", "全国", "司法解释", ["最高人民法院"], []),
    ("中华人民共和国刑法修正案（九）", "全国", "法律", ["全国人民代表大会常务委员会"], []),
    ("浙江省实施《中华人民共和国献血法》办法", "浙江省", "地方政府规章", ["浙江省人民政府"], []),
    ("最高人民法院关于《中华人民共和国刑法修正案（九）》时间效力问题的解释", "全国", "司法解释", ["最高人民法院"], []),
    ("中华人民共和国道路交通安全法实施条例", "全国", "行政法规", ["国务院"], []),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    works = [WorkEntry(f"w{i}", title, region, bodies=list(bodies), dates=set(dates), doc_type=doc_type)
             for i, (title, region, doc_type, bodies, dates) in enumerate(STORED)]
    return Matcher(works, [(w.work_id, w.title) for w in works], [])


def _id(matcher: Matcher, title: str) -> str:
    return next(w.work_id for w in matcher.works.values() if w.title == title)


@pytest.mark.parametrize(("row", "near"), [
    ("河北省物业管理条例", "河南省物业管理条例"),
    ("广东省物业管理条例", "山东省物业管理条例"),
    ("江苏省湖泊保护条例", "山东省湖泊保护条例"),
    ("湖北省档案管理条例", "河南省档案管理条例"),
    ("杭州市物业管理条例", "郑州市物业管理条例"),
    ("最高人民法院关于审理专利授权确权行政案件适用法律若干问题的规定（二）",
     "最高人民法院关于审理专利授权确权行政案件适用法律若干问题的规定（一）"),
    ("最高人民法院关于审理网络消费纠纷案件适用法律若干问题的规定（二）",
     "最高人民法院关于审理网络消费纠纷案件适用法律若干问题的规定（一）"),
    ("最高人民法院关于审理食品安全民事纠纷案件适用法律若干问题的解释（二）",
     "最高人民法院关于审理食品安全民事纠纷案件适用法律若干问题的解释（一）"),
    ("最高人民法院关于审理劳动争议案件适用法律问题的解释（二）", "最高人民法院关于审理劳动争议案件适用法律问题的解释（一）"),
    ("中华人民共和国刑法修正案（十）", "中华人民共和国刑法修正案（九）"),
    ("最高人民检察院关于审理劳动争议案件适用法律问题的解释（一）", "最高人民法院关于审理劳动争议案件适用法律问题的解释（一）"),
])
def test_a_near_namesake_is_ruled_out_and_named(matcher, row, near):
    result = matcher.match(row)
    assert result.match == UNMATCHED and result.work_id is None and not result.candidates
    assert f"《{near}》" in result.note and "已排除" in result.note


def test_body_and_date_only_break_ties_and_never_make_a_match_of_another_province(matcher):
    henan = _id(matcher, "河南省物业管理条例")
    result = matcher.match("河北省物业管理条例", body="河北省人民代表大会常务委员会", when="2021-07-30")
    assert result.match == UNMATCHED and "河南省物业管理条例" in result.note
    # the right province and date still match exactly
    assert matcher.match("河南省物业管理条例", body="河南省人大常委会", when="2021-07-30").work_id == henan


def test_an_exact_title_with_a_body_of_another_province_is_for_review(matcher):
    result = matcher.match("河南省物业管理条例", body="河北省人民代表大会常务委员会")
    assert result.match == REVIEW and result.work_id is None
    assert result.candidates[0].title == "河南省物业管理条例" and "制定机关属河北省" in result.note
    national = matcher.match("河南省档案管理条例", body="国务院")
    assert national.match == REVIEW and "中央机关" in national.note
    level = matcher.match("河南省物业管理条例", body="河南省人民政府")  # a government makes no 地方性法规
    assert level.match == REVIEW and "制定机关为人民政府，库中文件为地方性法规" in level.note


def test_a_city_body_rules_out_a_near_title_of_the_province(matcher):
    result = matcher.match("河南省物业管理条列", body="郑州市人大常委会")
    assert result.match == UNMATCHED and "郑州市" in result.note


def test_a_typo_is_offered_for_review_never_matched(matcher):
    result = matcher.match("河南省物业管里条例")
    assert result.match == REVIEW and result.work_id is None and result.title is None
    assert result.candidates[0].work_id == _id(matcher, "河南省物业管理条例") and result.via == "fuzzy_title"
    assert "请人工确认" in result.note
    typo = matcher.match("道路交通安全法实施条列")
    assert typo.match == REVIEW and typo.candidates[0].title == "中华人民共和国道路交通安全法实施条例"


@pytest.mark.parametrize(("row", "stored"), [
    ("浙江省实施《献血法》办法", "浙江省实施《中华人民共和国献血法》办法"),
    ("浙江省实施献血法办法", "浙江省实施《中华人民共和国献血法》办法"),
    ("最高人民法院关于《刑法修正案（九）》时间效力问题的解释",
     "最高人民法院关于《中华人民共和国刑法修正案（九）》时间效力问题的解释"),
    ("最高人民法院关于〈中华人民共和国刑法修正案（九）〉时间效力问题的解释",
     "最高人民法院关于《中华人民共和国刑法修正案（九）》时间效力问题的解释"),
])
def test_an_inner_title_matches_with_or_without_the_state_name(matcher, row, stored):
    result = matcher.match(row)
    assert result.match == MATCHED and result.title == stored and result.via == "exact_title"


def test_a_number_and_a_title_that_disagree_are_for_review():
    works = [WorkEntry("a", "河南省物业管理条例", "河南省", doc_type="地方性法规"),
             WorkEntry("b", "河南省档案管理条例", "河南省", doc_type="地方性法规")]
    m = Matcher(works, [(w.work_id, w.title) for w in works], [("a", "豫常〔2021〕1号")])
    assert m.match("河南省物业管理条例", "豫常〔2021〕1号").match == MATCHED
    other = m.match("河南省档案管理条例", "豫常〔2021〕1号")
    assert other.match == AMBIGUOUS and "文号与标题指向不同的文件" in other.note
    unknown = m.match("青川县夜间经济促进办法", "豫常〔2021〕1号")
    assert unknown.match == REVIEW and unknown.work_id is None and "与所填标题不一致" in unknown.note


def test_a_leading_year_of_another_year_is_another_document():
    works = [WorkEntry("a", "2022年立法工作计划", "河南省"), WorkEntry("b", "河南省物业管理条例", "河南省")]
    m = Matcher(works, [(w.work_id, w.title) for w in works], [])
    assert m.match("2022年立法工作计划").work_id == "a"
    other = m.match("2023年立法工作计划")
    assert other.match == UNMATCHED and "年份不符" in other.note
    assert m.match("2021年河南省物业管理条例").work_id == "b"  # a year a list adds to a title without one


def test_conflict_reasons():
    places = Places.build(["郑州市物业管理条例"], [])
    assert conflicts(match_key("河北省物业管理条例"), match_key("河南省物业管理条例"), places) == [
        "地区不符（清单：河北省；库中：河南省）"]
    assert conflicts(match_key("浙江物业管理条例"), match_key("浙江省物业管理条例"), places) == []
    assert "序号、年份或编号不符" in conflicts(match_key("关于做好2023年工作的通知"), match_key("关于做好2022年工作的通知"),
                                          places)[0]
    assert "文件种类不符" in conflicts(match_key("某某管理办法"), match_key("某某管理条例"), places)[0]
    assert "文件种类不符" in conflicts(match_key("某某管理暂行办法"), match_key("某某管理办法"), places)[0]
    assert "发文机关不符" in conflicts(match_key("最高人民检察院关于X的解释"), match_key("最高人民法院关于X的解释"),
                                  places)[0]
    assert "文件种类不符" in conflicts(match_key("某某暂行办法"), match_key("某某试行办法"), places)[0]
    assert "文件种类不符" in conflicts(match_key("某某条例"), match_key("某某实施条例"), places)[0]
    assert "文件种类不符" in conflicts(match_key("某市实施植树实施条例"), match_key("某市实施植树条例"), places)[0]
    assert "文件种类不符" in conflicts(match_key("关于某某的规定"), match_key("关于某某的决定"), places)[0]
    # a kind word or a body garbled by a typo, not replaced by another: for review, not ruled out
    for typo, stored in (("某某法实及条例", "某某法实施条例"), ("某某的规干规定", "某某的若干规定"), ("某某实施条法", "某某实施条例"),
                         ("最高例民法院关于某某的解释", "最高人民法院关于某某的解释"), ("国务某行政机构编制条例", "国务院行政机构编制条例")):
        assert conflicts(match_key(typo), match_key(stored), places) == [], typo
    assert conflicts(match_key("河南省物业管理条列"), match_key("河南省物业管理条例"), places) == []


def test_title_keys_drop_the_state_name_inside_and_edition_notes_in_any_bracket():
    assert match_key("浙江省实施《中华 人民共和国献血法》办法") == match_key("浙江省实施献血法办法")
    assert match_key("中华人民共和国宪法修正案[2018年]") == match_key("中华人民共和国宪法修正案（2018年）")
    assert match_key("道路交通安全法【2021年修正】") == match_key("中华人民共和国道路交通安全法")
    assert match_key("规定〔一〕") != match_key("规定〔二〕")


def test_places_are_cities_and_counties_not_words_ending_in_shi():
    places = Places.build(["上海市商品交易市场管理条例", "郑州市物业管理条例", "杭州城市大脑赋能城市治理促进条例",
                           "山东省实施城市房地产管理法办法"], ["杭州市人民代表大会常务委员会"])
    assert {"郑州市", "郑州", "杭州市", "杭州"} <= set(places.names)
    assert not {"商品交易市", "实施城市", "杭州城市"} & set(places.names)
    assert leading_places(match_key("上海市商品交易市场管理条例"), places) == ["上海市"]
    assert leading_places(match_key("杭州城市大脑赋能城市治理促进条例"), places) == ["杭州市"]
