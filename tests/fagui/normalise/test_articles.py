"""Articles: Chinese numbers, splitting texts into 第X条 with their 编/分编/章/节 path, article references.

The snippets are cut from the LawRefBook corpus (shared/corpus/lawrefbook.jsonl.gz) as the files have them:
markdown headings, blank lines between paragraphs, \u2002 inside the 民法典's headings."""

from __future__ import annotations

import pytest

from fagui.normalise.articles import chinese_number, is_article_label, parse_article_ref, split_articles


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一千二百六十", 1260),
        ("一百零三", 103),
        ("十一", 11),
        ("二十", 20),
        ("十", 10),
        ("一千零八十七", 1087),
        ("四百五十二", 452),
        ("两百", 200),
        ("1087", 1087),
        ("１０８７", 1087),  # full-width digits
        ("二〇二一", 2021),  # written digit by digit, as in years
        (" 九十一 ", 91),
    ],
)
def test_chinese_number(text, number):
    assert chinese_number(text) == number


@pytest.mark.parametrize("text", ["", "第一", "条", "十a", "一百零三条", "abc", "10八"])
def test_chinese_number_rejects_what_is_not_a_number(text):
    with pytest.raises(ValueError):
        chinese_number(text)


CRIMINAL_CODE = """# 中华人民共和国刑法

1997年3月14日 第八届全国人民代表大会第五次会议修订

<!-- INFO END -->

# 第一编 总则

## 第二章 犯罪

### 第一节 犯罪和刑事责任

第十六条 行为在客观上虽然造成了损害结果，但是不是出于故意或者过失，而是由于不能抗拒或者不能预见的原因所引起的，不是犯罪。

第十七条 已满十六周岁的人犯罪，应当负刑事责任。

已满十四周岁不满十六周岁的人，犯故意杀人、故意伤害致人重伤或者死亡、强奸、抢劫、贩卖毒品、放火、爆炸、投放危险物质罪的，应当负刑事责任。

第十七条之一 已满七十五周岁的人故意犯罪的，可以从轻或者减轻处罚；过失犯罪的，应当从轻或者减轻处罚。

第十八条 精神病人在不能辨认或者不能控制自己行为的时候造成危害结果，经法定程序鉴定确认的，不负刑事责任，但是应当责令他的家属或者监护人严加看管和医疗；在必要的时候，由政府强制医疗。

间歇性的精神病人在精神正常的时候犯罪，应当负刑事责任。

### 第二节 犯罪的预备、未遂和中止

第二十二条 为了犯罪，准备工具、制造条件的，是犯罪预备。
"""


def test_sub_articles_and_continuation_paragraphs():
    arts = split_articles(CRIMINAL_CODE)
    assert [(a.number, a.sub, a.label) for a in arts] == [
        (16, 0, "第十六条"),
        (17, 0, "第十七条"),
        (17, 1, "第十七条之一"),
        (18, 0, "第十八条"),
        (22, 0, "第二十二条"),
    ]
    art17, art17_1, art18 = arts[1], arts[2], arts[3]
    assert art17.text.splitlines() == [
        "第十七条 已满十六周岁的人犯罪，应当负刑事责任。",
        "已满十四周岁不满十六周岁的人，犯故意杀人、故意伤害致人重伤或者死亡、强奸、抢劫、贩卖毒品、放火、爆炸、"
        "投放危险物质罪的，应当负刑事责任。",
    ]
    assert art17_1.anchor == "art-17-1" and art17.anchor == "art-17"
    assert art18.text.endswith("间歇性的精神病人在精神正常的时候犯罪，应当负刑事责任。")
    assert art18.path == "第一编 总则 / 第二章 犯罪 / 第一节 犯罪和刑事责任"
    # a new 节 replaces the old one under the same 章
    assert arts[4].path == "第一编 总则 / 第二章 犯罪 / 第二节 犯罪的预备、未遂和中止"
    # the heading after an article is not part of its text
    assert "第二节" not in art18.text


CIVIL_CODE_CONTRACTS = """# 第三编 合同

## 第一分编\u2002\u2002通则

### 第一章\u2002\u2002一般规定

第四百六十三条 本编调整因合同产生的民事关系。

第四百六十四条 合同是民事主体之间设立、变更、终止民事法律关系的协议。

婚姻、收养、监护等有关身份关系的协议，适用有关该身份关系的法律规定；没有规定的，可以根据其性质参照适用本编规定。

### 第二章\u2002\u2002合同的订立

第四百七十一条 当事人订立合同，可以采取要约、承诺方式或者其他方式。

# 第五编 婚姻家庭

## 第一章\u2002\u2002一般规定

第一千零四十条 本编调整因婚姻家庭产生的民事关系。

# 附则

##

第一千二百五十九条 民法所称的“以上”、“以下”、“以内”、“届满”，包括本数；所称的“不满”、“超过”、“以外”，不包括本数。
"""


def test_paths_of_part_sub_part_chapter_and_a_closing_supplementary_part():
    arts = {a.number: a for a in split_articles(CIVIL_CODE_CONTRACTS)}
    assert arts[463].path == "第三编 合同 / 第一分编 通则 / 第一章 一般规定"
    assert arts[464].text.count("\n") == 1  # its second paragraph stays with it
    assert arts[471].path == "第三编 合同 / 第一分编 通则 / 第二章 合同的订立"
    # a new 编 drops the 分编 and 章 of the one before
    assert arts[1040].path == "第五编 婚姻家庭 / 第一章 一般规定"
    assert arts[1259].path == "附则"


def test_plain_text_headings_split_the_same_as_markdown_ones():
    """The store keeps the text without markdown marks; the articles and paths must come out the same."""
    plain = "\n".join(line.lstrip("#").strip() for line in CIVIL_CODE_CONTRACTS.splitlines())
    as_markdown = [(a.label, a.path, a.text) for a in split_articles(CIVIL_CODE_CONTRACTS)]
    assert [(a.label, a.path, a.text) for a in split_articles(plain)] == as_markdown


RENEWABLE_ENERGY_LAW = """## 第五章 价格管理与费用补偿

第二十一条 电网企业为收购可再生能源电量而支付的合理的接网费用以及其他合理的相关费用，可以计入电网企业输电成本，并从销售电价中回收。

第二十二条 国家投资或者补贴建设的公共可再生能源独立电力系统的销售电价，执行同一地区分类销售电价，其合理的运行和管理费用超出销售电价的部分，依照本法第二十条的规定补偿。

第二十条规定的差额费用，由在全国范围对销售电量征收可再生能源电价附加补偿。

第二十一条第一款规定的接网费用，电网企业不能通过销售电价回收的，可以申请可再生能源发展基金补助。

第二十三条 进入城市管网的可再生能源热力和燃气的价格，按照有利于促进可再生能源开发利用和经济合理的原则，根据价格管理权限确定。
"""


def test_a_paragraph_opening_with_a_reference_stays_in_its_article():
    # 第二十一条、第二十二条、第二十三条 are real (可再生能源法 2009); the two paragraphs opening with
    # "第二十条规定的" and "第二十一条第一款规定的" are written in its style to stand for such references.
    arts = split_articles(RENEWABLE_ENERGY_LAW)
    assert [a.number for a in arts] == [21, 22, 23]
    lines = arts[1].text.splitlines()
    assert lines[1].startswith("第二十条规定的差额费用")
    assert lines[2].startswith("第二十一条第一款规定的接网费用")
    assert all(a.path == "第五章 价格管理与费用补偿" for a in arts)


EVIDENCE_RULES = """# 最高人民法院关于民事诉讼证据的若干规定

2019年10月14日 最高人民法院审判委员会第1777次会议通过

<!-- INFO END -->

为保证人民法院正确认定案件事实，公正、及时审理民事案件，保障和便利当事人依法行使诉讼权利，根据《中华人民共和国民事诉讼法》（以下简称民事诉讼法）等有关法律的规定，结合民事审判经验和实际情况，制定本规定。

## 一、当事人举证

第一条 原告向人民法院起诉或者被告提出反诉，应当提供符合起诉条件的相应的证据。

第二条 人民法院应当向当事人说明举证的要求及法律后果，促使当事人在合理期限内积极、全面、正确、诚实地完成举证。

## 二、证据的调查收集和保全

第二十条 当事人及其诉讼代理人申请人民法院调查收集证据，应当在举证期限届满前提交书面申请。

## 六、附\u3000则

第一百条 本规定自2020年5月1日起施行。
"""


def test_text_before_the_first_article_is_no_article_and_sections_are_paths():
    arts = split_articles(EVIDENCE_RULES)
    assert [a.label for a in arts] == ["第一条", "第二条", "第二十条", "第一百条"]
    assert not any("为保证人民法院" in a.text for a in arts)
    assert arts[0].path == "一、当事人举证"
    assert arts[2].path == "二、证据的调查收集和保全"
    assert arts[3].path == "六、附则"  # the layout space inside 附　则 is not part of the name
    assert "二、证据" not in arts[1].text


def test_no_articles_in_a_text_without_any():
    assert split_articles("# 劳动仲裁和劳动诉讼的攻略\n\n<!-- INFO END -->\n\n一、什么是劳动仲裁\n") == []


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("道路交通安全法第九十一条", (91, 0)),
        ("第1087条", (1087, 0)),
        ("第一百三十三条之一", (133, 1)),
        ("刑法第 17 条", (17, 0)),
        ("民法典第一千二百六十条第二款", (1260, 0)),
        ("第一百二十条之六", (120, 6)),
    ],
)
def test_parse_article_ref(text, ref):
    assert parse_article_ref(text) == ref


@pytest.mark.parametrize("text", ["道路交通安全法", "第三章", "条例"])
def test_parse_article_ref_without_an_article(text):
    assert parse_article_ref(text) is None


@pytest.mark.parametrize(("text", "label"), [
    ("第十六条", True), ("第二百七十六条之一", True), ("第91条", True),
    ("第十六条企业", False), ("刑法第十六条", False), ("第一章", False), ("第条", False), ("", False),
])
def test_is_article_label_means_the_whole_text(text, label):
    assert is_article_label(text) is label
