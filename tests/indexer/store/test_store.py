"""The store of record on SQLite and PostgreSQL: versions, idempotence, status, links, outbox, bodies."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from fagui.records import DocumentRecord, RelationRef
from indexer.store.models import Article, BodyAlias, IssuingBody, OutboxEvent, Relation, Version, Work
from indexer.store.upsert import recompute_work, title_key, upsert_record, work_id_for

TEXT_2019 = """中华人民共和国道路运输条例

第一章 总则

第一条 为了维护道路运输市场秩序，保障道路运输安全，制定本条例。

第二条 从事道路运输经营以及道路运输相关业务的，应当遵守本条例。
"""
TEXT_2022 = TEXT_2019.replace("制定本条例。", "促进道路运输业的健康发展，制定本条例。")


def record(text: str = TEXT_2019, **kw) -> DocumentRecord:
    fields = dict(
        source="test",
        source_ref=kw.pop("source_ref", "r1"),
        title="中华人民共和国道路运输条例",
        text=text,
        doc_type="行政法规",
        issuing_bodies=["国务院"],
        region="全国",
        published=date(2019, 3, 2),
        effective=date(2019, 3, 2),
    )
    fields.update(kw)
    return DocumentRecord(**fields)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_first_record_makes_work_version_articles_and_outbox_row(store):
    with store.sessions.begin() as s:
        result = upsert_record(s, record())
    assert result.new_work and result.new_version
    with store.sessions() as s:
        work = s.get(Work, result.work_id)
        assert work.title == "中华人民共和国道路运输条例"
        assert work.status == "effective" and work.status_official is False
        assert [v.seq for v in work.versions] == [1]
        assert [b.name for b in work.issuing_bodies] == ["国务院"]
        arts = s.scalars(select(Article).order_by(Article.position)).all()
        assert [(a.number, a.label, a.path) for a in arts] == [(1, "第一条", "第一章 总则"), (2, "第二条", "第一章 总则")]
        events = s.scalars(select(OutboxEvent)).all()
        assert {(e.entity_id, e.op) for e in events} == {(result.work_id, "upsert")}


def test_same_text_again_adds_nothing_even_with_other_spacing(store):
    with store.sessions.begin() as s:
        first = upsert_record(s, record())
    respaced = TEXT_2019.replace("第二条 ", "第二条\u3000").replace("\n\n", "\n")
    with store.sessions.begin() as s:
        again = upsert_record(s, record(text=respaced, source_ref="r2"))
    assert not again.new_version and again.version_id == first.version_id
    with store.sessions() as s:
        assert count(s, Version) == 1
        assert count(s, Article) == 2


def test_changed_text_adds_version_and_supersedes_old_one(store):
    with store.sessions.begin() as s:
        upsert_record(s, record())
        upsert_record(s, record(TEXT_2022, published=date(2022, 3, 29), effective=date(2022, 5, 1)))
    with store.sessions() as s:
        work = s.scalars(select(Work)).one()
        old, new = work.versions
        assert (old.seq, old.status, old.effective_to) == (1, "amended", date(2022, 5, 1))
        assert (new.seq, new.status, new.effective_to) == (2, "effective", None)
        assert work.current_version_id == new.id and work.status == "effective"


def test_older_version_arriving_late_is_ordered_by_date(store):
    with store.sessions.begin() as s:
        upsert_record(s, record(TEXT_2022, published=date(2022, 3, 29), effective=date(2022, 3, 29)))
        upsert_record(s, record(TEXT_2019))
    with store.sessions() as s:
        versions = s.scalars(select(Version).order_by(Version.seq)).all()
        assert [(v.seq, v.published.year, v.status) for v in versions] == [
            (1, 2019, "amended"),
            (2, 2022, "effective"),
        ]


def test_status_for_a_past_date_and_a_future_version(store):
    with store.sessions.begin() as s:
        upsert_record(s, record())
        upsert_record(s, record(TEXT_2022, published=date(2022, 3, 29), effective=date(2099, 1, 1)))
    with store.sessions.begin() as s:
        work = s.scalars(select(Work)).one()
        old, new = work.versions
        assert (old.status, new.status) == ("effective", "not_yet_effective")
        assert work.current_version_id == old.id
        recompute_work(s, work, as_of=date(2099, 6, 1))
        assert (old.status, new.status, work.status) == ("amended", "effective", "effective")
        recompute_work(s, work, as_of=date(2000, 1, 1))
        assert work.status == "not_yet_effective"


def test_expiry_date_passed_means_expired_and_inferred(store):
    with store.sessions.begin() as s:
        rec = record(expires=date(2020, 12, 31), source_status="有效", title="某市规范性文件管理办法")
        upsert_record(s, rec)
    with store.sessions() as s:
        work = s.scalars(select(Work)).one()
        assert work.status == "expired" and not work.status_official
        assert "2020-12-31" in work.status_reason
        assert work.versions[0].source_status == "有效"  # the source's label stays as evidence


def test_source_reported_end_is_official(store):
    with store.sessions.begin() as s:
        upsert_record(s, record(source_status="失效", extra={"end_status": "expired"}))
    with store.sessions() as s:
        work = s.scalars(select(Work)).one()
        assert (work.status, work.status_official) == ("expired", True)
        assert work.status_reason == "来源标注“失效”（来源未注明日期）"


def test_repeal_decision_links_and_repeals_target(store):
    with store.sessions.begin() as s:
        target = upsert_record(s, record(doc_number="国务院令第406号"))
        decision = DocumentRecord(
            source="test",
            source_ref="d1",
            title="国务院关于废止部分行政法规的决定",
            text="第一条 废止下列行政法规。\n",
            doc_type="行政法规",
            published=date(2030, 1, 1),
            effective=date(2030, 1, 1),
            relations=[
                RelationRef("repeals", title="道路运输条例", doc_number="国务院令〔第406号〕", effective=date(2030, 1, 1)),
                RelationRef("repeals", title="不存在的条例"),
            ],
        )
        upsert_record(s, decision)
    with store.sessions.begin() as s:
        links = s.scalars(select(Relation).order_by(Relation.id)).all()
        assert [(r.relation_type, r.object_work_id) for r in links] == [
            ("repeals", target.work_id),
            ("repeals", None),  # unresolved, kept for the report
        ]
        work = s.get(Work, target.work_id)
        recompute_work(s, work)
        assert work.status == "effective"  # the repeal is not in force yet
        recompute_work(s, work, as_of=date(2030, 1, 2))
        assert (work.status, work.status_official) == ("repealed", True)
        assert "国务院关于废止部分行政法规的决定" in work.status_reason


def test_outbox_row_is_rolled_back_with_the_change(store):
    s = store.sessions()
    with s.begin():
        upsert_record(s, record())
        assert count(s, OutboxEvent) == 1
        s.rollback()
    with store.sessions() as s:
        assert count(s, Work) == 0 and count(s, OutboxEvent) == 0


def test_a_rolled_back_savepoint_does_not_swallow_a_later_change(store):
    """One transaction, savepoint per record (as ingest and the crawler run): a record that fails after its
    work's outbox row was written must not stop the next change of that work from writing one."""
    with store.sessions.begin() as s:
        upsert_record(s, record())
    with store.sessions() as s, s.begin():
        s.execute(OutboxEvent.__table__.update().values(processed_at=func.now()))
    s = store.sessions()
    with s.begin():
        work = s.scalars(select(Work)).one()
        with pytest.raises(RuntimeError), s.begin_nested():
            work.status_reason = "changed, then the record failed"
            s.flush()
            raise RuntimeError("bad record")
        work.status_reason = "changed by the next record"
        s.flush()
    with store.sessions() as s:
        pending = s.scalars(select(OutboxEvent).where(OutboxEvent.processed_at.is_(None))).all()
        assert [e.entity_id for e in pending] == [work.id]
    s.close()


def test_bodies_have_hierarchy_and_aliases(store):
    with store.sessions.begin() as s:
        upsert_record(
            s,
            record(
                title="济南市城市道路管理条例",
                region="山东",
                doc_type="地方性法规",
                issuing_bodies=["济南市人民代表大会常务委员会"],
            ),
        )
        upsert_record(s, record(title="道路交通安全违法行为处理程序规定", issuing_bodies=["公安部"]))
    with store.sessions() as s:
        city = s.scalar(select(IssuingBody).where(IssuingBody.name == "济南市人民代表大会常务委员会"))
        assert city.parent.name == "山东省人民代表大会常务委员会"
        assert city.kind == "人大常委会" and city.region == "山东省"
        ministry = s.scalar(select(IssuingBody).where(IssuingBody.name == "公安部"))
        assert ministry.parent.name == "国务院"
        alias = s.scalar(select(BodyAlias).where(BodyAlias.alias == "济南市人大常委会"))
        assert alias.body_id == city.id
        work = s.scalar(select(Work).where(Work.title == "济南市城市道路管理条例"))
        assert work.region == "山东省" and work.region_code == "370100"  # the city its body names (GB/T 2260)


def test_work_identity_survives_prefix_and_edition_notes():
    assert title_key("中华人民共和国立法法") == title_key("立法法（2023年修正）") == "立法法"
    assert title_key("最高人民法院关于适用<刑事诉讼法>的解释") == title_key("最高人民法院关于适用〈刑事诉讼法〉的解释")
    assert work_id_for("全国|立法法") == work_id_for("全国|立法法") != work_id_for("山东省|立法法")


@pytest.mark.parametrize("a, b", [
    # the corpus's three duplicated works: 、 in one file, one or two spaces in the other
    ("最高人民法院、最高人民检察院关于办理强奸、猥亵未成年人刑事案件适用法律若干问题的解释",
     "最高人民法院  最高人民检察院关于办理强奸、猥亵未成年人刑事案件适用法律若干问题的解释"),
    ("最高人民法院、最高人民检察院关于办理侵犯知识产权刑事案件具体应用法律若干问题的解释（三）",
     "最高人民法院 最高人民检察院关于办理侵犯知识产权刑事案件具体应用法律若干问题的解释(三)"),
    ("关于执行《中华人民共和国刑法》确定罪名的补充规定（七）", "关于执行〈中华人民共和国刑法〉 确定罪名的补充规定（七）"),
    ("国务院关于深化“放管服”改革的意见", '国务院关于深化"放管服"改革的意见'),
    ("某省2021—2025年规划纲要", "某省２０２１－２０２５年规划纲要"),  # full-width digits and dash
    ("关于【某事】的通知：第一批", "关于[某事]的通知:第一批"),
])
def test_title_spellings_of_one_work_share_a_key(a, b):
    assert title_key(a) == title_key(b)


@pytest.mark.parametrize("a, b", [
    ("最高人民法院关于适用《民法典》合同编的解释（一）", "最高人民法院关于适用《民法典》合同编的解释（二）"),
    ("最高人民法院、最高人民检察院关于办理强奸、猥亵未成年人刑事案件适用法律若干问题的解释",
     "最高人民法院关于办理强奸、猥亵未成年人刑事案件适用法律若干问题的解释"),
    ("道路交通安全法", "道路交通安全法实施条例"),
    ("专利法实施细则", "专利代理条例"),
])
def test_different_works_keep_different_keys(a, b):
    assert title_key(a) != title_key(b)


def test_a_work_is_found_by_its_stored_identity_not_by_an_id_derived_from_it(store):
    """A store made before title_key grew keeps its work ids: the work made under another id is found by its
    identity_key, for a new version and for a link naming it."""
    from indexer.store.upsert import find_work_id

    title = "最高人民法院、最高人民检察院关于某问题的解释"
    with store.sessions.begin() as s:  # as migration 0005 leaves it: an older id, the new identity_key
        s.add(Work(id="oldid0000000", identity_key=f"全国|{title_key(title)}", title=title, region="全国"))
    with store.sessions.begin() as s:
        again = upsert_record(s, record(TEXT_2022, title="最高人民法院 最高人民检察院关于某问题的解释",
                                        doc_type="司法解释", source_ref="r2", published=date(2022, 3, 29)))
        assert not again.new_work and again.work_id == "oldid0000000"
        assert find_work_id(s, "最高人民法院 最高人民检察院关于某问题的解释", None, "全国") == "oldid0000000"
        assert count(s, Work) == 1 and count(s, Version) == 1


@pytest.mark.parametrize("bad", [{"title": ""}, {"title": "   "}, {"text": ""}])
def test_record_without_title_or_text_is_refused(bad):
    from fagui.records import RecordError

    with pytest.raises(RecordError) as err:
        record(**bad)
    assert "r1" in str(err.value)


def test_an_amendment_keeping_the_old_effective_date_is_in_force_only_from_its_publication(store):
    from indexer.search.index_docs import docs_for_work
    from indexer.store.status import VersionDates, in_force_index

    with store.sessions.begin() as s:
        upsert_record(s, record())
        upsert_record(s, record(TEXT_2022, published=date(2026, 2, 1), effective=date(2019, 3, 2)))
    with store.sessions() as s:
        work = s.scalars(select(Work)).one()
        old, new = work.versions
        assert old.published == date(2019, 3, 2) and new.published == date(2026, 2, 1)
        assert old.effective_to == date(2026, 2, 1) and new.effective_from == date(2019, 3, 2)  # kept as given
        dates = [VersionDates(v.effective_from, v.published) for v in work.versions]
        assert in_force_index(dates, date(2024, 1, 1)) == 0 and in_force_index(dates, date(2026, 3, 1)) == 1
        indexed = {d["version_id"]: d for d in docs_for_work(s, work)}
        assert indexed[new.id]["effective"] == indexed[old.id]["effective_to"]
        assert indexed[new.id]["effective"] > indexed[old.id]["effective"]


def test_characters_that_show_nothing_make_no_new_text_and_no_change_in_compare():
    from indexer.store.documents import char_diff, comparable
    from indexer.store.upsert import content_hash

    spaced = TEXT_2019.replace("维护", "维\u200b护").replace("第二条", "第\ufeff二条")
    assert content_hash(spaced) == content_hash(TEXT_2019)
    assert comparable("第一条\u200b为了") == comparable("第一条为了")
    old, new = char_diff("道路\u200b运输", "道路运输")
    assert all(seg[0] == "equal" for seg in old + new), (old, new)
