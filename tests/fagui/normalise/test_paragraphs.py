"""Paragraph (款) and item (项) places of an article's lines and of references."""

from __future__ import annotations

from fagui.normalise.paragraphs import has_place, line_places, parse_place, suffix

# 中华人民共和国道路交通安全法 第九十九条 (cut): a 款 with items, then a second 款.
LINES = ["有下列行为之一的，由公安机关交通管理部门处二百元以上二千元以下罚款：",
         "（一）未取得机动车驾驶证、机动车驾驶证被吊销或者机动车驾驶证被暂扣期间驾驶机动车的；",
         "（二）将机动车交由未取得机动车驾驶证或者机动车驾驶证被吊销、暂扣的人驾驶的；",
         "行为人有前款第二项、第四项情形之一的，可以并处吊销机动车驾驶证。"]


def test_lines_are_paragraphs_and_items():
    assert line_places(LINES) == [(1, None), (1, 1), (1, 2), (2, None)]
    assert has_place(LINES, 2, None) and has_place(LINES, 1, 2) and has_place(LINES, None, 1)
    assert not has_place(LINES, 3, None) and not has_place(LINES, 2, 1)


def test_references_and_anchors():
    assert parse_place("道交法第91条第2款") == (2, None)
    assert parse_place("第九十一条第二款") == (2, None)
    assert parse_place("第三十条第一款第（二）项") == (1, 2)
    assert parse_place("第九十九条第三项") == (None, 3)
    assert parse_place("第九十一条") == (None, None)
    assert suffix(2) == "-p2" and suffix(1, 2) == "-p1-i2" and suffix(None, 3) == "-p1-i3" and suffix(None) == ""
