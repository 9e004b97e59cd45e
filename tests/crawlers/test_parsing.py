"""crawlers.parsing: pages read by beautifulsoup4, selectors by soupsieve, and the hostile HTML real sites
serve (cut off, tags never closed, tables inside tables, NUL bytes, declared charsets that lie)."""

from __future__ import annotations

import pytest

from crawlers.http import FetchResult
from crawlers.parsing import (
    element_text,
    parse_document,
    parse_fragment,
    parse_html,
    select_all,
    select_one,
    selector_problem,
    split_attribute,
    text_and_tables,
)
from crawlers.sources._common import page_text
from fagui.records import RecordError

INFO = """<html><body><table class="info">
<tr><td>发布机构：</td><td>嘉兴市人民政府办公室</td><td>文号：</td><td>嘉政办发〔2020〕12号</td></tr>
<tr><td>成文日期：</td><td>2020-04-01</td><td>有效期至：</td><td>2025-04-01</td></tr>
</table><div id="zoom"><p>第一条　为了规范管理。</p><p>第二条　本办法自发布之日起施行。</p></div></body></html>"""


def test_label_based_selectors_find_the_cell_after_its_label():
    tree = parse_html(INFO, "t")
    cell = select_one(tree, 'td:-soup-contains("有效期至") + td')
    assert cell is not None and element_text(cell).strip() == "2025-04-01"
    assert element_text(select_one(tree, 'td:-soup-contains("文号") + td')).strip() == "嘉政办发〔2020〕12号"
    assert [element_text(c) for c in select_all(tree, "table.info tr:nth-of-type(2) td")][1].strip() == "2020-04-01"


def test_alternatives_are_tried_in_order_and_missing_ones_are_none():
    tree = parse_html(INFO, "t")
    assert element_text(select_one(tree, "div.article || #zoom")).startswith("\n")
    assert select_one(tree, "div.nothing || span.none") is None
    assert select_one(tree, None) is None


def test_paragraphs_break_lines_and_scripts_comments_are_dropped():
    page = ("<html><body><div id='t'>标题<!-- 注释 --><script>var a=1;</script><style>p{}</style>"
            "<p>第一段</p>第二<br>段<table><tr><td>甲</td><td>乙</td></tr></table></div></body></html>")
    text = element_text(select_one(parse_html(page, "t"), "#t"))
    assert "注释" not in text and "var a" not in text and "p{}" not in text
    assert [line.strip() for line in text.splitlines() if line.strip()] == ["标题", "第一段", "第二", "段", "甲 乙"]


def test_a_truncated_page_is_refused_with_a_chinese_reason():
    with pytest.raises(RecordError, match="页面不完整"):
        parse_html(INFO[: len(INFO) // 2], "t")
    with pytest.raises(RecordError, match="内容为空"):
        parse_document("   ", "t", require_end=False)


def test_unclosed_tags_keep_every_paragraph():
    page = "<html><body><div id=zoom><p>第一条　甲<p>第二条　乙<li>丙<td>丁<b>加粗<i>斜体</html>"
    text = element_text(select_one(parse_html(page, "t"), "#zoom"))
    for part in ("第一条　甲", "第二条　乙", "丙", "丁", "加粗", "斜体"):
        assert part in text


def test_deeply_nested_tables_are_read_without_recursion_limits():
    depth = 1500
    page = "<html><body>" + "<table><tr><td>" * depth + "最里面的文字" + "</td></tr></table>" * depth + "</body></html>"
    tree = parse_html(page, "t")
    assert "最里面的文字" in element_text(tree)
    blocks = text_and_tables(parse_fragment("<p>前言</p><table><tr><td>甲<table><tr><td>内</td></tr></table></td>"
                                            "<td>乙</td></tr></table>"))
    assert blocks[0] == "前言" and blocks[1] == [["甲内", "乙"]]


def test_a_nul_byte_does_not_end_the_page():
    page = "<html><body><div id=zoom><p>第一条　甲</p>\x00<p>第二条　乙</p></div></body></html>"
    text = element_text(select_one(parse_html(page, "t"), "#zoom"))
    assert "第一条" in text and "第二条" in text


def test_a_page_declared_utf8_but_sent_in_gbk_is_read_as_gbk():
    body = "<html><head><meta charset=\"utf-8\"></head><body><div id=zoom>嘉兴市行政规范性文件管理办法，第一条规定。" \
           "</div></body></html>"
    page = FetchResult(url="http://x/", status=200, content=body.encode("gbk"),
                       headers={"content-type": "text/html; charset=utf-8"})
    tree = parse_html(page_text(page, "t"), "t")
    assert "嘉兴市行政规范性文件管理办法" in element_text(select_one(tree, "#zoom"))


def test_selector_problems_are_named_in_chinese():
    assert selector_problem('td:-soup-contains("有效期至") + td@title') is None
    assert selector_problem("td.bt a || td a@href") is None
    assert "写法有误" in (selector_problem("td[") or "")
    assert "写法有误" in (selector_problem("div ||| p") or "") or "空的候选" in (selector_problem("div ||| p") or "")
    assert split_attribute("td.bt a@href") == ("td.bt a", "href")
    assert split_attribute('td:-soup-contains("a@b")') == ('td:-soup-contains("a@b")', None)


def test_the_site_config_documentation_example_and_selectors_are_valid():
    import re
    import tomllib
    from pathlib import Path

    from crawlers.sources.normative_library import config_problems

    doc = (Path(__file__).resolve().parents[2] / "docs" / "sites.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", doc, re.S).group(1)
    assert config_problems(tomllib.loads(example)) == []
    table = doc.split("## Selectors", 1)[1].split("## Pagination", 1)[0]
    selectors = [s for row in re.findall(r"^\| (.+?) \| .+ \|$", table, re.M)
                 for s in re.findall(r"`([^`]+)`", row)]
    assert len(selectors) >= 12
    for selector in selectors:
        assert selector_problem(selector) is None, selector


def test_a_page_lxml_reads_as_empty_is_read_again_by_html_parser():
    page = "<!-- 未闭合的注释 <html><body><div id=zoom><p>第一条　甲</p></div></body></html>"
    tree = parse_html(page, "t")
    assert "第一条　甲" in element_text(tree)
    assert element_text(select_one(tree, "#zoom")).strip() == "第一条　甲"
