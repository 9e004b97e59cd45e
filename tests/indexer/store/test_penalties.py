"""Penalty links read from article texts. Each text is copied from the corpus (shared/corpus/lawrefbook.jsonl.gz),
the work named beside it."""

from __future__ import annotations

from indexer.store.penalties import by_article, has_penalty_wording, sanctions_of, version_links

# 中华人民共和国广告法 第五十九条 (first sentence) and the articles it names.
AD_59 = ("第五十九条 有下列行为之一的，由市场监督管理部门责令停止发布广告，对广告主处十万元以下的罚款：\n"
         "（一）广告内容违反本法第八条规定的；\n（二）广告引证内容违反本法第十一条规定的；")
# 浙江省计量监督管理条例 第四十五条 (second paragraph): the fine stands in the sentence after 责令.
METRO_45 = ("第四十五条 计量校准机构违反本条例第二十四条第一款规定，未按照规定向计量主管部门备案的，由计量主管部门"
            "责令限期补办备案手续；逾期不补办的，由计量主管部门处五千元罚款。")
# 山东省邮政条例 第三十四条: 处分 is no sanction, and the fine after it is for another act.
POST_34 = ("第三十四条 违反本条例第二十二条规定的，由邮政管理部门依法给予处分；对隐匿、毁弃、私拆、盗窃邮件，贪污、"
           "冒领用户款项的，由邮政管理部门追回赃款赃物，并可处以三万元以下的罚款；构成犯罪的，依法追究刑事责任。")
# 中华人民共和国食品安全法 第一百二十九条 (end) points at the article that sets its penalty.
FOOD_129 = "第一百二十九条 违反本法规定，进口商未建立并遵守食品进口和销售记录制度的，由出入境检验检疫机构依照本法第一百二十六条的规定给予处罚。"
FOOD_126 = ("第一百二十六条 违反本法规定，有下列情形之一的，由县级以上人民政府食品安全监督管理部门责令改正，给予警告；"
            "拒不改正的，处五千元以上五万元以下罚款；情节严重的，责令停产停业，直至吊销许可证")
# 中华人民共和国治安管理处罚法 第四十三条: states its act itself, names no article.
BEATING = "第四十三条 殴打他人的，或者故意伤害他人身体的，处五日以上十日以下拘留，并处二百元以上五百元以下罚款"


def plain(n: int) -> str:
    return f"第{n}条 ……"


def test_list_items_take_the_sanction_the_list_opened_with():
    links = version_links([(8, 0, plain(8)), (11, 0, plain(11)), (59, 0, AD_59)])
    assert [(link.penalty.number, link.enforced.number) for link in links] == [(59, 8), (59, 11)]
    first = links[0]
    assert first.kinds == ("罚款",) and first.fines == ("十万元以下的",) or first.fines == ("十万元以下",)
    assert first.authority == "市场监督管理部门" and first.form == "violates"


def test_the_fine_after_an_order_to_correct_and_a_paragraph_reference():
    links = version_links([(24, 0, plain(24)), (45, 0, METRO_45)])
    assert len(links) == 1 and links[0].enforced.paragraph == 1 and links[0].enforced.label == "第二十四条第一款"
    assert links[0].fines == ("五千元",) and links[0].summary == "罚款（五千元）"
    assert links[0].enforced.anchor == "art-24-p1"


def test_a_fine_for_another_act_is_not_taken():
    assert version_links([(22, 0, plain(22)), (34, 0, POST_34)]) == []


def test_by_reference_links_the_act_to_the_penalty_article():
    links = version_links([(126, 0, FOOD_126), (129, 0, FOOD_129)])
    assert len(links) == 1
    link = links[0]
    assert (link.penalty.number, link.enforced.number, link.form) == (126, 129, "by_reference")
    assert link.kinds[:2] == ("警告", "罚款") and "吊销" in link.kinds
    both = by_article(links)
    assert both[(129, 0)].penalised_by == [link] and both[(126, 0)].punishes == [link]


def test_an_article_stating_its_own_act_sets_sanctions_but_links_nothing():
    assert has_penalty_wording(BEATING) and version_links([(43, 0, BEATING)]) == []
    kinds, fines, detention, _ = sanctions_of(BEATING)
    assert kinds == ("拘留", "罚款") and detention == ("五日以上十日以下",) and fines == ("二百元以上五百元以下",)
    assert not has_penalty_wording("第十二条 管制器具的管理办法由国务院公安部门制定。")


def test_references_to_missing_articles_and_ranges():
    text = "第九十条 违反本条例第十条至第十三条规定的，由公安机关处五百元罚款。"
    links = version_links([(n, 0, plain(n)) for n in (10, 11, 12, 13)] + [(90, 0, text)])
    assert [link.enforced.number for link in links] == [10, 11, 12, 13]
    assert version_links([(90, 0, text)]) == []  # the version has none of the articles named


def _version_with_penalties(session):
    from indexer.store.models import Article, Version, Work
    from indexer.store.upsert import content_hash

    texts = [(8, 0, "第八条 广告不得含有虚假内容。"), (11, 0, "第十一条 广告引证内容应当真实。"), (59, 0, AD_59)]
    work = Work(id="adlaw0000001", identity_key="全国|广告法", title="中华人民共和国广告法", region="全国")
    session.add(work)
    session.flush()
    text = "\n".join(t for _, _, t in texts)
    version = Version(work_id=work.id, seq=1, title=work.title, content_hash=content_hash(text), text=text)
    session.add(version)
    session.flush()
    for i, (n, s, t) in enumerate(texts):
        session.add(Article(version_id=version.id, position=i, number=n, sub=s, label=f"第{n}条", text=t))
    session.flush()
    return work, version


def test_links_rebuild_stores_the_links_of_a_version_and_a_second_rebuild_the_same_rows(store):
    from sqlalchemy import select

    from indexer.store.models import PenaltyLink as Row
    from indexer.store.penalties import links_for, rebuild_penalty_links, stored_links

    def rows(session):
        return [(r.penalty_number, r.enforced_number, r.enforced_paragraph, r.form, r.details)
                for r in session.scalars(select(Row).order_by(Row.id))]

    with store.sessions() as session:
        work, version = _version_with_penalties(session)
        assert stored_links(session, version.id) is None  # never rebuilt: the pages compute them
        computed = links_for(session, work.id, 1, [(8, 0, plain(8)), (11, 0, plain(11)), (59, 0, AD_59)])
        assert [(link.penalty.number, link.enforced.number) for link in computed] == [(59, 8), (59, 11)]
        assert rebuild_penalty_links(session) == (1, 2)
        session.commit()
        first = rows(session)
        assert [r[:4] for r in first] == [(59, 8, None, "violates"), (59, 11, None, "violates")]
        assert first[0][4]["kinds"] == ["罚款"] and first[0][4]["authority"] == "市场监督管理部门"
        assert rebuild_penalty_links(session, [version.id]) == (1, 2)
        session.commit()
        assert rows(session) == first
        stored = stored_links(session, version.id)
        assert stored is not None and stored == computed
        # Stored links are what the pages read, even when the articles passed would give others.
        assert links_for(session, work.id, 1, []) == computed


def test_upsert_stores_the_links_of_a_new_version(sqlite_store):
    from datetime import date

    from fagui.records import DocumentRecord
    from indexer.store.penalties import stored_links
    from indexer.store.upsert import upsert_record

    text = "\n".join(["第八条 广告不得含有虚假内容。", "第十一条 广告引证内容应当真实。", AD_59])
    record = DocumentRecord(source="test", source_ref="ad", title="中华人民共和国广告法", text=text, doc_type="法律",
                            issuing_bodies=["全国人民代表大会常务委员会"], region="全国", published=date(2021, 4, 29),
                            effective=date(2021, 4, 29))
    with sqlite_store.sessions() as session:
        result = upsert_record(session, record)
        session.commit()
        stored = stored_links(session, result.version_id)
        assert stored is not None
        assert [(link.penalty.number, link.enforced.number, link.kinds) for link in stored] == [
            (59, 8, ("罚款",)), (59, 11, ("罚款",))]
