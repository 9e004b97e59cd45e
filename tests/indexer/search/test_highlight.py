"""Snippets: cut from the original text, escaped, matches marked, traditional/full-width folded for matching."""

from __future__ import annotations

from indexer.search.highlight import match_spans, snippet

ART_91 = ("第九十一条 饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证，并处一千元以上二千元以下罚款。"
          "因饮酒后驾驶机动车被处罚，再次饮酒后驾驶机动车的，处十日以下拘留，并处一千元以上二千元以下罚款，"
          "吊销机动车驾驶证。")


def test_marks_every_match_in_the_best_window():
    out = snippet(ART_91, ["饮酒", "驾驶证"], width=60)
    assert out.count("<mark>饮酒</mark>") >= 2 and "<mark>驾驶证</mark>" in out
    assert out.replace("<mark>", "").replace("</mark>", "").rstrip("…") in ART_91


def test_longest_term_wins_overlaps():
    assert match_spans("机动车驾驶证", ["驾驶", "驾驶证"]) == [(3, 6)]


def test_text_is_escaped_and_original_characters_kept():
    text = "依照<规定>处理，並處罰款 & 没收"
    out = snippet(text, ["并处罚款"])
    assert "&lt;规定&gt;" in out and "&amp;" in out
    assert "<mark>並處罰款</mark>" in out  # matched through folding, shown as written


def test_full_width_digits_match_half_width_query():
    assert "<mark>２０２１</mark>" in snippet("自２０２１年起施行", ["2021"])


def test_no_match_gives_the_start_of_the_text():
    assert snippet("第一条 为了规范管理，制定本办法。", ["不存在"], width=5) == "第一条 为…"
    assert snippet("", ["任何"]) == ""
