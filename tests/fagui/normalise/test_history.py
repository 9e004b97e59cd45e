"""History lines (the dated lines between a corpus text's `# title` and `<!-- INFO END -->`) as events.

Every line here is copied from the LawRefBook corpus (shared/corpus/lawrefbook.jsonl.gz) with the record it
comes from, except the repeal (废止) lines: the corpus has none, so those are written the way such lines are
written in the 国家法律法规数据库 and the courts' own lists."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from fagui.normalise.history import (
    bodies_in,
    event_kind,
    history_block,
    parse_history,
    split_dated_segments,
    split_history,
)
from fagui.records import HISTORY_KINDS

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO.parent / "shared" / "corpus" / "lawrefbook.jsonl.gz"

NPCSC = "全国人民代表大会常务委员会"


def one(line: str):
    (event,) = parse_history([line])
    return event


def kinds(lines):
    return [(e.kind, e.date, e.body) for e in parse_history(lines)]


@pytest.mark.parametrize(
    ("line", "kind", "when", "body"),
    [
        # 刑法
        ("1979年7月1日 第五届全国人民代表大会第二次会议通过", "adopted", date(1979, 7, 1), "全国人民代表大会"),
        ("1997年3月14日 第八届全国人民代表大会第五次会议修订", "revised", date(1997, 3, 14), "全国人民代表大会"),
        ("2023年12月29日 第十四届全国人民代表大会常务委员会第七次会议通过的《中华人民共和国刑法修正案（十二）》",
         "amended", date(2023, 12, 29), NPCSC),
        # 立法法 (2023)
        ("2015年3月15日 第十二届全国人民代表大会第三次会议《关于修改〈中华人民共和国立法法〉的决定》第一次修正",
         "amended", date(2015, 3, 15), "全国人民代表大会"),
        # 道路运输条例
        ("2004年4月30日 中华人民共和国国务院令第406号公布", "published", date(2004, 4, 30), "国务院"),
        ("2012年11月9日 《国务院关于修改和废止部分行政法规的决定》第一次修订", "revised", date(2012, 11, 9), "国务院"),
        # 企业名称登记管理规定: 修订通过 is a revision
        ("2020年12月14日 国务院第118次常务会议修订通过", "revised", date(2020, 12, 14), "国务院"),
        # 反间谍法实施细则: an order number alone promulgates
        ("2017年11月22日 中华人民共和国国务院令第692号", "published", date(2017, 11, 22), "国务院"),
        # 民法典
        ("2021年1月1日 施行", "effective", date(2021, 1, 1), None),
        # 青岛市轨道交通条例: the city adopts, the province approves, the city publishes
        ("2015年6月26日 青岛市第十五届人民代表大会常务委员会第二十八次会议通过", "adopted", date(2015, 6, 26),
         "青岛市人民代表大会常务委员会"),
        ("2015年7月24日 山东省第十二届人民代表大会常务委员会第十五次会议批准", "approved", date(2015, 7, 24),
         "山东省人民代表大会常务委员会"),
        ("2015年7月24日 青岛市人民代表大会常务委员会公告公布", "published", date(2015, 7, 24),
         "青岛市人民代表大会常务委员会"),
        # 市场监督管理总局 rules
        ("2021年8月2日 国家市场监督管理总局令第46号公布", "published", date(2021, 8, 2), "国家市场监督管理总局"),
        # 互联网信息服务算法推荐管理规定
        ("2021年11月16日 国家互联网信息办公室2021年第20次室务会议审议通过", "adopted", date(2021, 11, 16),
         "国家互联网信息办公室"),
        # 上海市水产养殖保护规定: "通过和..." still ends in 通过
        ("1988年11月10日 上海市第九届人民代表大会常务委员会第四次会议通过和", "adopted", date(1988, 11, 10),
         "上海市人民代表大会常务委员会"),
        # 浙江省义务教育条例: adopted under its former title
        ("1985年6月13日 浙江省第六届人民代表大会常务委员会第三次会议通过《浙江省实行九年制义务教育条例》", "adopted",
         date(1985, 6, 13), "浙江省人民代表大会常务委员会"),
    ],
)
def test_kind_date_and_body_of_real_lines(line, kind, when, body):
    event = one(line)
    assert (event.kind, event.date, event.body) == (kind, when, body)
    assert event.text == line


@pytest.mark.parametrize(
    ("line", "body"),
    [
        ("2013年1月18日 中华人民共和国国务院令第628号废止", "国务院"),
        ("2020年12月29日 最高人民法院审判委员会第1823次会议通过的《最高人民法院关于废止部分司法解释及相关规范性文件的决定》废止",
         "最高人民法院"),
        ("2019年7月31日 山东省第十三届人民代表大会常务委员会第十三次会议《关于废止〈山东省实施《中华人民共和国水法》办法〉的决定》",
         "山东省人民代表大会常务委员会"),
        ("2016年1月13日 《国务院关于宣布失效一批国务院文件的决定》宣布失效", "国务院"),
    ],
)
def test_repeal_lines(line, body):
    event = one(line)
    assert (event.kind, event.body) == ("repealed", body)


def test_a_repeal_decisions_title_does_not_make_an_amendment_a_repeal():
    line = "2014年2月19日 《国务院关于废止和修改部分行政法规的决定》第一次修订"  # 个体工商户条例
    assert one(line).kind == "revised"
    assert event_kind("2023年7月20日 《国务院关于修改和废止部分行政法规的决定》第二次修订）") == "revised"


def test_joint_judicial_interpretation_each_court_adopts_then_both_publish():
    # 最高人民法院、最高人民检察院关于办理寻衅滋事刑事案件适用法律若干问题的解释 (2013)
    lines = [
        "2013年5月27日 最高人民法院审判委员会第1579次会议、2013年4月28日最高人民检察院第十二届检察委员会第5次会议通过",
        "2013年7月15日 最高人民法院、最高人民检察院公告公布",
        "2013年7月22日 施行",
    ]
    assert kinds(lines) == [
        ("adopted", date(2013, 5, 27), "最高人民法院"),
        ("adopted", date(2013, 4, 28), "最高人民检察院"),
        ("published", date(2013, 7, 15), "最高人民法院、最高人民检察院"),
        ("effective", date(2013, 7, 22), None),
    ]


def test_a_meeting_with_no_verb_on_its_own_line_adopted_the_text():
    # 最高人民法院、最高人民检察院关于修改《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》的决定:
    # the court's meeting is a line of its own, without 通过 (the known gap)
    lines = [
        "2018年7月30日 最高人民法院审判委员会第1745次会议",
        "2018年10月19日 最高人民检察院第十三届检察委员会第七次会议通过",
        "2018年12月1日 施行",
    ]
    assert kinds(lines) == [
        ("adopted", date(2018, 7, 30), "最高人民法院"),
        ("adopted", date(2018, 10, 19), "最高人民检察院"),
        ("effective", date(2018, 12, 1), None),
    ]
    assert one("2018年7月30日 最高人民法院审判委员会第1745次会议").kind == "adopted"


def test_city_regulation_amended_by_a_decision_the_province_approved():
    # 郑州市中小学校学生人身伤害事故预防与处理条例 (2022): "河省" is the file's own typo for 河南省
    lines = [
        "2006年8月25日 郑州市第十二届人民代表大会常务委员会第二十三次会议通过",
        "2006年12月1日 河南省第十届人民代表大会常务委员会第二十七次会议批准",
        "2021年10月29日 郑州市第十五届人民代表大会常务委员会第二十八次会议通过",
        "2021年11月27日 河省第十三届人民代表大会常务委员会第二十八次会议批准的《郑州市人民代表大会常务委员会关于修改部分地方性法规的决定》修正",
    ]
    assert kinds(lines) == [
        ("adopted", date(2006, 8, 25), "郑州市人民代表大会常务委员会"),
        ("approved", date(2006, 12, 1), "河南省人民代表大会常务委员会"),
        # the city's second 通过 adopted the amending decision, not the regulation
        ("amended", date(2021, 10, 29), "郑州市人民代表大会常务委员会"),
        # the approving province first, then the city that made the decision (named in its title)
        ("amended", date(2021, 11, 27), "河省人民代表大会常务委员会、郑州市人民代表大会常务委员会"),
    ]


def test_adopted_and_approved_on_one_line():
    # 泰安市城市绿化条例 (2018)
    line = ("2020年2月28日 泰安市第十七届人民代表大会常务委员会第二十五次会议通过并经2020年3月26日山东省第十三届人民代表大会"
            "常务委员会第十八次会议批准的《泰安市人民代表大会常务委员会关于修改〈泰安市城市绿化条例〉的决定》修正")
    events = parse_history(["2018年8月29日 泰安市第十七届人民代表大会常务委员会第十一次会议通过", line])
    assert [(e.kind, e.date) for e in events] == [
        ("adopted", date(2018, 8, 29)),
        ("amended", date(2020, 2, 28)),
        ("amended", date(2020, 3, 26)),
    ]
    assert events[1].body == "泰安市人民代表大会常务委员会"


def test_shortened_legislature_names():
    # 宁波杭州湾新区条例: the line leaves out the city and the province
    assert one("2014年12月26日 市十四届人大常委会第二十次会议通过").body == "市人民代表大会常务委员会"
    assert one("2015年3月27日 省十二届人大常委会第十八次会议批准").body == "省人民代表大会常务委员会"
    # 景宁畲族自治县: 人大 (the full congress) without 第
    assert bodies_in("2015年3月26日 景宁畲族自治县八届人大四次会议通过") == ["景宁畲族自治县人民代表大会"]
    assert bodies_in("2015年2月8日 市十四届人大五次会议通过") == ["市人民代表大会"]
    assert bodies_in("1991年12月21日 北京市第九届人大常委会第三十一次会议通过") == ["北京市人民代表大会常务委员会"]


@pytest.mark.parametrize(
    ("segment", "bodies"),
    [
        ("1999年1月25日 监察部、人事部、中国人民银行、海关总署、国家外汇管理局令第7号发布",
         ["监察部", "人事部", "中国人民银行", "海关总署", "国家外汇管理局"]),
        ("1982年2月4日 卫生部、交通部、中国民用航空总局、铁道部发布", ["卫生部", "交通部", "中国民用航空总局", "铁道部"]),
        ("1990年3月12日 国家教育委员会令第8号、国家体育运动委员会令第11号发布", ["国家教育委员会", "国家体育运动委员会"]),
        ("1988年12月17日 中华人民共和国国务院、中央军事委员会令第22号发布", ["国务院", "中央军事委员会"]),
        ("2001年7月27日 《国务院、中央军委关于修改〈中华人民共和国飞行基本规则〉的决定》第一次修订", ["国务院", "中央军事委员会"]),
        ("2003年8月18日 食品药品监管局、海关总署第4号令公布", ["国家食品药品监督管理局", "海关总署"]),
        ("2008年7月17日 经人力资源和社会保障部第6次部务会议通过", ["人力资源和社会保障部"]),
        ("1949年12月23日 政务院发布", ["政务院"]),
        ("2006年11月17日 北京市人民政府第56次常务会议审议通过", ["北京市人民政府"]),
        ("1996年9月19日 经国务院批准", ["国务院"]),
        ("2021年5月18日 最高人民法院审判委员会第1838次会议通过", ["最高人民法院"]),
        ("2019年12月2日 最高人民检察院第十三届检察委员会第二十八次会议通过", ["最高人民检察院"]),
    ],
)
def test_bodies_in(segment, bodies):
    assert bodies_in(segment) == bodies


def test_lines_broken_inside_a_title_are_joined():
    # 土地管理法 (2019): the decision's title runs over two lines
    lines = [
        "2019年8月26日 第十三届全国人民代表大会常务委员会第十二次会议《关于修改〈中华人民共和国土地管理法〉",
        "〈中华人民共和国城市房地产管理法〉的决定》第三次修正",
    ]
    (event,) = parse_history(lines)
    assert (event.kind, event.date, event.body) == ("amended", date(2019, 8, 26), NPCSC)
    # 山东省乡镇人民代表大会工作若干规定 (2015): three lines, a title quoted inside a title inside the title;
    # the 全国人民代表大会 named in the inner title is no body of this event
    lines = [
        "2015年12月3日 山东省第十二届人民代表大会常务委员会第十七次会议《关于修改〈山东省县乡两级人民代表大会选举实施细则〉",
        "〈山东省实施《中华人民共和国全国人民代表大会和地方各级人民代表大会代表法》办法〉",
        "〈山东省乡镇人民代表大会工作若干规定〉的决定》第二次修正",
    ]
    assert kinds(lines) == [("amended", date(2015, 12, 3), "山东省人民代表大会常务委员会")]


def test_lines_broken_inside_a_date_or_a_name_are_joined():
    # 济南市农村公路条例 (2014) and 青岛市国有土地上房屋征收与补偿条例 (2017)
    assert kinds(["2014年9月26", "日山东省第十二届人民代表大会常务委员会第十次会议批准"]) == [
        ("approved", date(2014, 9, 26), "山东省人民代表大会常务委员会")]
    assert kinds(["2013年2月26日 青岛市第十五届人民代表大会常务委员会", "第九次会议通过"]) == [
        ("adopted", date(2013, 2, 26), "青岛市人民代表大会常务委员会")]


def test_joint_publishers_on_separate_lines_and_a_second_act_of_the_same_day():
    # 武器装备研制设计师系统和行政指挥系统工作条例 (1984): the bodies share one verb
    assert kinds(["1984年4月4日 国务院", "中央军委发布"]) == [
        ("published", date(1984, 4, 4), "国务院、中央军事委员会")]
    # 科学技术档案工作条例 (1980): four publishers, then 施行 on the day of publication
    lines = ["1980年12月9日 国务院批准", "1980年12月27日 国家经济委员会", "国家基本建设委员会", "国家科学技术委员会",
             "国家档案局发布", "发布之日施行"]
    assert kinds(lines) == [
        ("approved", date(1980, 12, 9), "国务院"),
        ("published", date(1980, 12, 27), "国家经济委员会、国家基本建设委员会、国家科学技术委员会、国家档案局"),
        ("effective", date(1980, 12, 27), None),
    ]
    # 进口影片管理办法 (1981): approved, then published by two ministries, all on one date
    assert kinds(["1981年10月13日 国务院批准", "文化部", "海关总署发布"]) == [
        ("approved", date(1981, 10, 13), "国务院"),
        ("published", date(1981, 10, 13), "文化部、海关总署"),
    ]


def test_two_acts_in_one_segment():
    # 宪法 (1982) and 关于工资总额组成的规定 (1990)
    assert kinds(["1982年12月4日 全国人民代表大会公告公布施行"]) == [
        ("published", date(1982, 12, 4), "全国人民代表大会"), ("effective", date(1982, 12, 4), None)]
    assert kinds(["1990年1月1日 国家统计局令第1号发布  自发布之日施行"]) == [
        ("published", date(1990, 1, 1), "国家统计局"), ("effective", date(1990, 1, 1), None)]


def test_full_width_digits_in_dates():
    # 公安机关办理行政案件程序规定 (2019)
    event = one("２０１２年１２月１９日 中华人民共和国公安部令第１２５号发布，")
    assert (event.kind, event.date, event.body) == ("published", date(2012, 12, 19), "公安部")


def test_a_sentence_is_no_event():
    # 工资支付暂行规定 (1994): the covering notice sits among the history lines
    line = ("为配合《劳动法》的贯彻实施，充分保障劳动者通过劳动获得劳动报酬的合法权益，规范用人单位的工资支付行为，"
            "特制定《工资支付暂行规定》。现印发给你们，请结合实际情况贯彻执行。")
    assert parse_history([line]) == []
    assert parse_history(["关于印发《工资支付暂行规定》的通知", "劳部发〔1994〕489号"]) == []


def test_split_dated_segments():
    line = "2010年3月31日 山东省第十一届人民代表大会常务委员会第十六次会议批准2010年3月31日青岛市人民代表大会常务委员会公告公布自2010年5月1日施行"
    assert split_dated_segments(line) == [
        (date(2010, 3, 31), "2010年3月31日 山东省第十一届人民代表大会常务委员会第十六次会议批准"),
        (date(2010, 3, 31), "2010年3月31日青岛市人民代表大会常务委员会公告公布自"),
        (date(2010, 5, 1), "2010年5月1日施行"),
    ]
    assert split_dated_segments("根据《国务院关于修改部分行政法规的决定》") == [(None, "根据《国务院关于修改部分行政法规的决定》")]
    assert split_dated_segments("") == []


def test_history_block_and_the_end_of_a_line_after_the_marker():
    # 外商投资法 (2019): the file puts "会议通过）" after <!-- INFO END --> (its first article shortened here)
    markdown = ("# 中华人民共和国外商投资法\n\n2019年3月15日 第十三届全国人民代表大会第二次\n\n\n\n\n<!-- INFO END -->\n\n"
                "会议通过）\n\n## 第一章 总 则\n\n第一条 为了进一步扩大对外开放，积极促进外商投资，制定本法。\n")
    lines, body = split_history(markdown)
    assert lines == ["2019年3月15日 第十三届全国人民代表大会第二次", "会议通过）"]
    assert body.lstrip().startswith("## 第一章")
    assert history_block(markdown) == lines
    assert kinds(lines) == [("adopted", date(2019, 3, 15), "全国人民代表大会")]
    assert history_block("# 标题\n\n第一条 没有信息块。\n") == []


@pytest.fixture(scope="module")
def corpus_histories() -> list[tuple[str, list[str]]]:
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not present at {CORPUS} (expected beside the repository)")
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    return [(r["path"], history_block(r["markdown"])) for r in records]


def test_every_dated_event_of_the_corpus_is_read(corpus_histories):
    events = 0
    lost = []
    for path, lines in corpus_histories:
        found = parse_history(lines)
        events += len(found)
        assert all(e.kind in HISTORY_KINDS for e in found), path
        seen = {e.date for e in found}
        for line in lines:
            for when, segment in split_dated_segments(line):
                if when and when not in seen:
                    lost.append((path, segment))
    assert events > 8000
    # the few dated lines that are no event: a bare date under a notice, a line cut off in the file
    assert len(lost) <= 10, lost
