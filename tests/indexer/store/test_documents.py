"""The document read model on a fresh store (SQLite and PostgreSQL): work metadata, the version timeline, links
in both directions, articles with anchors and contents, single articles, and 新旧对照 on the real texts of
道路运输条例 (2019, 2022, 2023) from the bundled corpus sample."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from crawlers.sources import lawrefbook
from fagui.records import DocumentRecord, RelationRef
from fagui.settings import BUNDLED_SAMPLE
from indexer.store import documents
from indexer.store.upsert import upsert_record
from indexer.store.views import ArticleView

RULE_TEXT = """某市道路运输管理办法

第一章 总则

第一条 为了加强道路运输管理，根据《中华人民共和国道路运输条例》，制定本办法。

第二条 本办法适用于本市行政区域。

第二条之一 本办法所称道路运输，包括客运和货运。

第二章 附则

第三条 本办法自公布之日起施行。
"""
OLD_RULE_TEXT = """某市出租汽车管理暂行规定

第一条 为了规范出租汽车经营，制定本规定。

第二条 本规定自发布之日起施行。
"""
DECISION_TEXT = """某市人民政府关于废止部分规章的决定

经市人民政府常务会议审议，决定废止下列规章：
一、某市出租汽车管理暂行规定
二、某市并不存在的管理办法
本决定自公布之日起施行。
"""


def _record(title: str, text: str, **kw) -> DocumentRecord:
    fields = dict(source="test", source_ref=title, title=title, text=text, doc_type="地方政府规章",
                  issuing_bodies=["某市人民政府"], region="山东省", published=date(2020, 1, 1),
                  effective=date(2020, 1, 1))
    fields.update(kw)
    return DocumentRecord(**fields)


@pytest.fixture
def loaded(store):
    """The three real versions of 道路运输条例 and a few local documents linked to it and to each other."""
    report = lawrefbook.read_corpus(BUNDLED_SAMPLE)
    road = [r for r in report.records if r.title == "中华人民共和国道路运输条例" and r.region == "全国"]
    assert len(road) == 3
    ids = {}
    with store.sessions.begin() as s:
        for r in road:
            ids["road"] = upsert_record(s, r).work_id
        ids["old_rule"] = upsert_record(s, _record("某市出租汽车管理暂行规定", OLD_RULE_TEXT,
                                                   published=date(2010, 5, 1), effective=date(2010, 5, 1))).work_id
        ids["rule"] = upsert_record(s, _record(
            "某市道路运输管理办法", RULE_TEXT, doc_number="某市政府令第12号",
            relations=[RelationRef("based_on", title="中华人民共和国道路运输条例")])).work_id
        ids["decision"] = upsert_record(s, _record(
            "某市人民政府关于废止部分规章的决定", DECISION_TEXT, doc_type="行政规范性文件",
            published=date(2021, 6, 1), effective=date(2021, 6, 1),
            relations=[RelationRef("repeals", title="某市出租汽车管理暂行规定", effective=date(2021, 6, 1)),
                       RelationRef("repeals", title="某市并不存在的管理办法", effective=date(2021, 6, 1))])).work_id
    with store.sessions.begin() as s:
        # The repeal arrived after the rule it repeals: recompute as the importer does after linking.
        from indexer.store.models import Work
        from indexer.store.upsert import recompute_work

        recompute_work(s, s.get(Work, ids["old_rule"]))
    return store, ids


def test_work_detail_has_timeline_status_and_bodies(loaded):
    store, ids = loaded
    with store.sessions() as s:
        work = documents.work_detail(s, ids["road"])
    assert work.title == "中华人民共和国道路运输条例" and work.doc_type == "行政法规"
    assert work.status == "effective" and work.status_label == "现行有效"
    assert work.current_version == 3 and work.published == date(2023, 7, 20)
    assert [b.name for b in work.issuing_bodies] == ["国务院"]
    timeline = [(v.seq, v.to_json()["published"], v.to_json()["effective_to"], v.status, v.is_current)
                for v in work.versions]
    assert timeline == [(1, "2019-03-02", "2022-03-29", "amended", False),
                        (2, "2022-03-29", "2023-07-20", "amended", False),
                        (3, "2023-07-20", None, "effective", True)]
    assert work.versions[0].status_label == "已修改"
    assert work.versions[0].status_basis == "系统推断"  # computed from dates, not said by the source
    assert work.versions[0].source_status == "失效"  # the source's own label kept beside it


def test_relations_in_both_directions_with_labels_and_unresolved_targets(loaded):
    store, ids = loaded
    with store.sessions() as s:
        road = documents.work_detail(s, ids["road"])
        rule = documents.work_detail(s, ids["rule"])
        decision = documents.work_detail(s, ids["decision"])
        old_rule = documents.work_detail(s, ids["old_rule"])
    basis_of = [(g.type, g.direction, g.label, [i.work_id for i in g.items]) for g in road.relations]
    assert basis_of == [("based_on", "incoming", "作为依据", [ids["rule"]])]
    based_on = rule.relations[0]
    assert (based_on.direction, based_on.label) == ("outgoing", "依据")
    assert based_on.items[0].title == "中华人民共和国道路运输条例" and based_on.items[0].resolved
    assert based_on.items[0].status_label == "现行有效"
    repeals = decision.relations[0]
    assert (repeals.type, repeals.label) == ("repeals", "废止")
    assert [(i.title, i.resolved, i.work_id) for i in repeals.items] == [
        ("某市出租汽车管理暂行规定", True, ids["old_rule"]), ("某市并不存在的管理办法", False, None)]
    assert repeals.items[0].effective == date(2021, 6, 1)
    repealed_by = old_rule.relations
    assert [(g.label, [i.title for i in g.items]) for g in repealed_by] == [
        ("被废止", ["某市人民政府关于废止部分规章的决定"])]
    assert old_rule.status == "repealed" and "某市人民政府关于废止部分规章的决定" in old_rule.status_reason
    assert old_rule.status_official is True


def test_version_detail_articles_anchors_and_contents(loaded):
    store, ids = loaded
    with store.sessions() as s:
        doc = documents.version_detail(s, ids["rule"])
        road_v1 = documents.version_detail(s, ids["road"], 1)
    assert doc.version.seq == 1 and doc.version.doc_number == "某市政府令第12号"
    assert [(a.label, a.anchor, a.path) for a in doc.articles] == [
        ("第一条", "art-1", "第一章 总则"), ("第二条", "art-2", "第一章 总则"),
        ("第二条之一", "art-2-1", "第一章 总则"), ("第三条", "art-3", "第二章 附则")]
    assert doc.articles[2].text == "第二条之一 本办法所称道路运输，包括客运和货运。"
    assert [(t.title, t.anchor, t.first_article, t.last_article) for t in doc.toc] == [
        ("第一章 总则", "art-1", "第一条", "第二条之一"), ("第二章 附则", "art-3", "第三条", "第三条")]
    assert doc.preamble == "" and doc.body is None
    # Nested contents: 第二章 has 节 below it; the history lines above the articles are the preamble.
    chapter_two = road_v1.toc[1]
    assert chapter_two.title == "第二章 道路运输经营"
    assert [c.title for c in chapter_two.children][:2] == ["第一节 客运", "第二节 货运"]
    assert chapter_two.children[1].anchor == "art-21"
    assert road_v1.preamble.startswith("2004年4月30日 中华人民共和国国务院令第406号公布")
    assert "中华人民共和国道路运输条例" not in road_v1.preamble.splitlines()[0]
    assert road_v1.version.status == "amended" and road_v1.versions == (1, 2, 3)


def test_text_without_articles_is_the_body(loaded):
    store, ids = loaded
    with store.sessions() as s:
        doc = documents.version_detail(s, ids["decision"])
    assert doc.articles == () and doc.toc == () and doc.preamble == ""
    assert doc.body.startswith("经市人民政府常务会议审议") and "二、某市并不存在的管理办法" in doc.body


def test_single_article_by_number_sub_and_version(loaded):
    store, ids = loaded
    with store.sessions() as s:
        current = documents.article(s, ids["road"], 63)
        old = documents.article(s, ids["road"], 63, seq=2)
        sub = documents.article(s, ids["rule"], 2, 1)
        assert documents.article(s, ids["road"], 999) is None
        assert documents.article(s, ids["road"], 2, 5) is None
        assert documents.article(s, ids["road"], 10**12) is None
    assert current.version.seq == 3 and old.version.seq == 2
    assert "道路普通货物运输" in current.article.text and "道路普通货物运输" not in old.article.text
    assert (current.previous, current.next) == ("art-62", "art-64")
    assert sub.article.anchor == "art-2-1" and (sub.previous, sub.next) == ("art-2", "art-3")


@pytest.mark.parametrize("call", [
    lambda s: documents.work_detail(s, "nope"),
    lambda s: documents.work_detail(s, "x' or '1'='1"),
    lambda s: documents.work_detail(s, "a" * 40),
    lambda s: documents.version_detail(s, "nope", 1),
    lambda s: documents.compare_versions(s, "nope", 1, 2),
])
def test_unknown_ids_give_none(loaded, call):
    store, _ = loaded
    with store.sessions() as s:
        assert call(s) is None


def test_unknown_versions_give_none(loaded):
    store, ids = loaded
    with store.sessions() as s:
        for seq in (0, 4, -1, 10**12):
            assert documents.version_detail(s, ids["road"], seq) is None
            assert documents.compare_versions(s, ids["road"], 1, seq) is None


def _rebuilt(segments, keep):
    return "".join(text for op, text in segments if op in keep)


def test_compare_real_versions_article_by_article(loaded):
    store, ids = loaded
    with store.sessions() as s:
        cmp = documents.compare_versions(s, ids["road"], 2, 3)
        old = documents.version_detail(s, ids["road"], 2)
        new = documents.version_detail(s, ids["road"], 3)
    assert (cmp.old.seq, cmp.new.seq) == (2, 3)
    pairs = cmp.pairs
    # Every article of both versions appears once, in the new version's order.
    assert [p.new.label for p in pairs if p.new] == [a.label for a in new.articles]
    assert sorted(p.old.label for p in pairs if p.old) == sorted(a.label for a in old.articles)
    assert sum(cmp.counts.values()) == len(pairs)
    by_old = {p.old.label: p for p in pairs if p.old}
    # 2023 deleted 第六十八条 of 2022 and renumbered the articles after it
    assert by_old["第六十八条"].op == "removed" and by_old["第六十八条"].new is None
    moved = by_old["第六十九条"]
    assert moved.new.label == "第六十八条" and moved.renumbered and moved.op == "changed"
    assert by_old["第一条"].op == "unchanged" and not by_old["第一条"].renumbered
    # 第六十三条 was rewritten under the same number: a change, not a removal and an addition
    rewritten = by_old["第六十三条"]
    assert rewritten.op == "changed" and rewritten.new.label == "第六十三条"
    assert "道路普通货物运输" in _rebuilt(rewritten.new_segments, {"insert"})
    changed_65 = by_old["第六十五条"]
    inserted = _rebuilt(changed_65.new_segments, {"insert"})
    assert "从事机动车维修经营业务，未按规定进行备案的" in inserted
    # The segments rebuild both texts exactly (labels excluded), so nothing is lost or invented.
    old_text = {a.label: a.text for a in old.articles}
    new_text = {a.label: a.text for a in new.articles}
    for p in pairs:
        if p.old:
            body = old_text[p.old.label].removeprefix(p.old.label).lstrip()
            assert _rebuilt(p.old_segments, {"equal", "delete"}) == body
        if p.new:
            body = new_text[p.new.label].removeprefix(p.new.label).lstrip()
            assert _rebuilt(p.new_segments, {"equal", "insert"}) == body
    assert cmp.counts["unchanged"] > 60 and cmp.counts["changed"] >= 4 and cmp.counts["removed"] >= 1


def test_compare_a_version_with_itself_is_all_unchanged(loaded):
    store, ids = loaded
    with store.sessions() as s:
        cmp = documents.compare_versions(s, ids["road"], 3, 3)
    assert set(p.op for p in cmp.pairs) == {"unchanged"}


def test_pairing_follows_renumbered_articles():
    def art(label, number, text, sub=0):
        return ArticleView(label=label, number=number, sub=sub, text=f"{label} {text}", path=None,
                           anchor=f"art-{number}")

    old = [art("第一条", 1, "为了规范管理，制定本办法。"),
           art("第二条", 2, "本办法适用于本市行政区域内的道路运输经营活动。"),
           art("第三条", 3, "市交通运输主管部门负责本办法的组织实施。"),
           art("第四条", 4, "本办法自公布之日起施行。")]
    new = [art("第一条", 1, "为了规范管理，制定本办法。"),
           art("第二条", 2, "从事网络预约出租汽车经营的，应当取得经营许可。"),
           art("第三条", 3, "本办法适用于本市行政区域内的道路运输经营和相关业务活动。"),
           art("第四条", 4, "本办法自2024年1月1日起施行。")]
    pairs = documents.pair_articles(old, new)
    # old 二 moved to new 三 with an edit; old 三 was removed; new 二 is new; 四 kept its number with an edit
    assert pairs == [(0, 0), (None, 1), (1, 2), (2, None), (3, 3)]


def test_character_segments_mark_only_what_changed():
    old_segs, new_segs = documents.char_diff("处一千元以上五千元以下的罚款", "处二千元以上一万元以下的罚款")
    assert old_segs == [["equal", "处"], ["delete", "一"], ["equal", "千元以上"], ["delete", "五千"],
                        ["equal", "元以下的罚款"]]
    assert new_segs == [["equal", "处"], ["insert", "二"], ["equal", "千元以上"], ["insert", "一万"],
                        ["equal", "元以下的罚款"]]


def test_every_article_edited_and_renumbered_still_pairs(loaded):
    """A revision that inserts an article at the front, renumbering and editing all the others (the hard case:
    no text is identical and every number now names a different provision)."""
    store, ids = loaded
    with store.sessions() as s:
        old = documents.version_detail(s, ids["road"], 3).articles
    new = [replace(a, number=a.number + 1, label=f"第{a.number + 1}条",
                   text=f"第{a.number + 1}条 " + documents._body(a).replace("。", "；", 1) + "（修订）") for a in old]
    new.insert(0, ArticleView(number=1, sub=0, label="第1条", text="第1条 为了促进交通运输高质量发展，制定本条例。",
                              path=None, anchor="art-1"))
    pairs = documents.pair_articles(old, new)
    assert pairs[0] == (None, 0)
    assert pairs[1:] == [(i, i + 1) for i in range(len(old))]


# ---------------------------------------------------------------- which text a cited article number means

DOG_V1 = """某市养犬管理条例

第一条 为了规范养犬行为，制定本条例。

第二条 本条例适用于本市。

第三条 携犬出户应当束犬链。
"""
# The 2020 revision put a new 第二条 in: the leash rule moved from 第三条 to 第四条.
DOG_V2 = """某市养犬管理条例

第一条 为了规范养犬行为，保障公民健康，制定本条例。

第二条 养犬应当登记。

第三条 本条例适用于本市。

第四条 携犬出户应当束犬链。
"""


def _citing(title: str) -> str:
    return f"""{title}

第一条 为了管理公园，制定本规定。

第二条 本规定适用于市属公园。

第三条 在公园内遛犬的，应当遵守《某市养犬管理条例》第三条的规定。
"""


@pytest.fixture
def dated_citations(store):
    """某市养犬管理条例 stored as of 2010 and 2020, and texts from 2005, 2015, 2020 and 2021 citing its 第三条."""
    from indexer.store.citations import rebuild_links

    ids = {}
    citing = {"before": ("某市公园管理暂行规定", date(2005, 3, 1), date(2005, 3, 1)),
              "first": ("某市城市公园管理规定", date(2015, 3, 1), date(2015, 3, 1)),
              # published before the revision was, in force after it took effect: it still cites the 2010 text
              "made_before": ("某市郊野公园管理规定", date(2019, 12, 1), date(2020, 6, 1)),
              # published after the revision, in force the day it takes effect: the revised text
              "same_day": ("某市口袋公园管理规定", date(2020, 2, 1), date(2020, 3, 1)),
              "current": ("某市公园游览规定", date(2021, 3, 1), date(2021, 3, 1))}
    with store.sessions.begin() as s:
        for text, published, effective in ((DOG_V1, date(2010, 1, 1), date(2010, 3, 1)),
                                           (DOG_V2, date(2020, 1, 1), date(2020, 3, 1))):
            ids["dog"] = upsert_record(s, _record("某市养犬管理条例", text, doc_type="地方性法规",
                                                  published=published, effective=effective)).work_id
        for key, (title, published, effective) in citing.items():
            ids[key] = upsert_record(s, _record(title, _citing(title), published=published,
                                                effective=effective)).work_id
    with store.sessions.begin() as s:
        rebuild_links(s)
    return store, ids


def _cited_item(detail: dict, direction: str, work_id: str | None = None) -> dict:
    return next(i for g in detail.relations if g.direction == direction for i in g.items
                if work_id is None or i.work_id == work_id)


def test_a_cited_article_is_read_in_the_text_in_force_when_it_was_cited(dated_citations):
    store, ids = dated_citations
    with store.sessions() as s:
        out = {k: _cited_item(documents.work_detail(s, ids[k]), "outgoing")
               for k in ("before", "first", "made_before", "same_day", "current")}
        dog = documents.work_detail(s, ids["dog"])
    fields = {k: (i.work_id, i.article, i.version, i.article_may_differ, i.to_json()["stored_from"])
              for k, i in out.items()}
    assert fields == {
        # cited when the current text was in force: its 第三条 as it is
        "current": (ids["dog"], "3", None, False, None),
        "same_day": (ids["dog"], "3", None, False, None),
        # cited when the 2010 text was in force: its 第三条 is in version 1
        "first": (ids["dog"], "3", 1, False, None),
        "made_before": (ids["dog"], "3", 1, False, None),
        # cited before any stored text: the number belongs to a text the store does not hold
        "before": (ids["dog"], "3", None, True, "2010-01-01"),
    }
    # the same from the cited work's side: which of its texts each citing work meant
    incoming = {i.work_id: (i.version, i.article_may_differ)
                for g in dog.relations if g.direction == "incoming" for i in g.items}
    assert incoming == {ids["current"]: (None, False), ids["same_day"]: (None, False),
                        ids["first"]: (1, False), ids["made_before"]: (1, False), ids["before"]: (None, True)}


def test_cited_version_without_dates_is_not_guessed():
    from indexer.store.documents import _Dated, cited_version

    cited = [_Dated(1, date(2010, 1, 1), date(2010, 3, 1), False), _Dated(2, date(2020, 1, 1), date(2020, 3, 1), True)]
    assert cited_version([_Dated(1, None, None, True)], cited) == (None, False)
    assert cited_version([_Dated(1, date(2015, 1, 1), date(2015, 1, 1), True)], cited) == (cited[0], False)
    undated_first = [_Dated(1, None, None, False), *cited[1:]]
    assert cited_version([_Dated(1, date(2015, 1, 1), date(2015, 1, 1), True)], undated_first) == (None, False)
