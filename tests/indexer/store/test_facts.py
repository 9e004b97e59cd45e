"""One document from several sources (issue 21): one work, versions matched by 公布日期 and text, facts kept per
source and reconciled by precedence, disagreements listed, status recomputed; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from fagui.records import DocumentRecord
from indexer.store.documents import version_detail
from indexer.store.facts import disagreements
from indexer.store.models import Article, Version, VersionFact, Work
from indexer.store.upsert import SOURCE_STATUS_MAP, upsert_record

ARTICLES = "\n".join(f"第{n}条 道路运输经营者应当遵守第{n}项规定。" for n in "一二三四五六七八九十")
TEXT_2019 = "中华人民共和国道路运输条例\n\n第一章 总则\n\n" + ARTICLES
TEXT_2022 = TEXT_2019.replace("遵守第一项规定", "依法遵守第一项规定")
TEXT_2004 = "中华人民共和国道路运输条例\n" + "\n".join(
    f"第{n}条 旧文本的第{n}项内容。" for n in "一二三四五六七八九十")


def corpus(text: str = TEXT_2022, published: date = date(2022, 3, 29), ref: str = "行政法规/道路运输条例(2022-03-29).md",
           label: str = "有效") -> DocumentRecord:
    """A record as the LawRefBook corpus gives it: its 施行日期 inferred from the publication date."""
    return DocumentRecord(source="lawrefbook", source_ref=ref, title="中华人民共和国道路运输条例", text=text,
                          doc_type="行政法规", issuing_bodies=["国务院"], published=published, effective=published,
                          source_status=label,
                          extra={"date_sources": {"published": "history", "effective": "published"}})


def flk(text: str = TEXT_2022, published: date = date(2022, 3, 29), effective: date | None = date(2022, 5, 1),
        bbbs: str = "ff80818180e0a44101811e3947411441", label: str = "已修改") -> DocumentRecord:
    """A record as the flk snapshot gives it: official dates and label, flk's id and address."""
    return DocumentRecord(source="flk-snapshot", source_ref=bbbs, title="中华人民共和国道路运输条例", text=text,
                          doc_type="行政法规", issuing_bodies=["国务院"], published=published, effective=effective,
                          source_status=label, source_url=f"https://flk.npc.gov.cn/detail?bbbs={bbbs}")


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def the_version(session) -> Version:
    return session.scalars(select(Version)).one()


@pytest.mark.parametrize("order", ["corpus_first", "flk_first"])
def test_one_text_from_two_sources_is_one_version_with_the_official_date(store, order):
    # flk's text differs in layout and brackets only: the same text
    flk_text = TEXT_2022.replace("\n\n", "\n").replace("第一条 ", "第一条\u3000")
    records = [corpus(), flk(flk_text)] if order == "corpus_first" else [flk(flk_text), corpus()]
    with store.sessions.begin() as s:
        results = [upsert_record(s, r) for r in records]
    assert results[0].new_version and not results[1].new_version and results[1].updated
    with store.sessions() as s:
        assert count(s, Work) == 1 and count(s, Version) == 1
        v = the_version(s)
        assert (v.published, v.effective_from, v.source_status) == (date(2022, 3, 29), date(2022, 5, 1), "已修改")
        facts = {(f.source.name, f.field): (f.value, f.basis) for f in s.scalars(select(VersionFact))}
        assert facts[("flk-snapshot", "effective")] == ("2022-05-01", "official")
        assert facts[("lawrefbook", "effective")] == ("2022-03-29", "inferred")
        assert facts[("lawrefbook", "published")] == ("2022-03-29", "collection")
        found = {(d.field, d.values) for d in disagreements(s, SOURCE_STATUS_MAP)}
        assert found == {
            ("effective", (("flk-snapshot", "2022-05-01", "official"), ("lawrefbook", "2022-03-29", "inferred"))),
            ("status", (("flk-snapshot", "已修改", "official"), ("lawrefbook", "有效", "collection"))),
        }


def test_same_day_other_wording_matches_and_a_plainly_other_text_does_not(store):
    with store.sessions.begin() as s:
        upsert_record(s, corpus())
        # a few words apart, same 公布日期: the same version
        same = upsert_record(s, flk(TEXT_2022.replace("第二项规定", "第二项的规定")))
        # nothing in common though the same day: another text, kept as its own version
        other = upsert_record(s, flk(TEXT_2004, bbbs="other"))
    assert not same.new_version and other.new_version
    with store.sessions() as s:
        assert count(s, Version) == 2


def test_missing_versions_are_added_with_articles_and_the_status_recomputed(store):
    with store.sessions.begin() as s:
        upsert_record(s, corpus(TEXT_2019, date(2019, 3, 2), "行政法规/道路运输条例(2019-03-02).md", "失效"))
        upsert_record(s, corpus())
        older = upsert_record(s, flk(TEXT_2004, date(2004, 4, 30), date(2004, 7, 1), "b2004", "已修改"))
        upsert_record(s, flk(bbbs="b2022"))
    assert older.new_version and not older.new_work
    with store.sessions() as s:
        work = s.scalars(select(Work)).one()
        assert [(v.seq, v.published.year, v.status) for v in work.versions] == [
            (1, 2004, "amended"), (2, 2019, "amended"), (3, 2022, "effective")]
        assert count(s, Article) == 30
        oldest = work.versions[0]
        assert (oldest.source_ref, oldest.effective_to) == ("b2004", date(2019, 3, 2))
        assert work.versions[1].effective_to == date(2022, 5, 1)  # the reconciled 施行日期 ends the 2019 text


def test_a_second_run_changes_nothing(store):
    records = [corpus(), flk(bbbs="b2022"), flk(TEXT_2004, date(2004, 4, 30), date(2004, 7, 1), "b2004")]
    with store.sessions.begin() as s:
        for r in records:
            upsert_record(s, r)
    with store.sessions() as s:
        before = [(f.version_id, f.source_id, f.field, f.value, f.basis) for f in
                  s.scalars(select(VersionFact).order_by(VersionFact.id))]
    with store.sessions.begin() as s:
        again = [upsert_record(s, r) for r in records]
    assert not any(r.new_version or r.new_work or r.updated for r in again)
    with store.sessions() as s:
        assert [(f.version_id, f.source_id, f.field, f.value, f.basis) for f in
                s.scalars(select(VersionFact).order_by(VersionFact.id))] == before
        assert count(s, Version) == 2


def test_a_fact_no_longer_stated_is_dropped_and_the_next_best_is_used(store):
    with store.sessions.begin() as s:
        upsert_record(s, corpus())
        upsert_record(s, flk())
    with store.sessions.begin() as s:
        assert upsert_record(s, flk(effective=None)).updated
    with store.sessions() as s:
        assert the_version(s).effective_from == date(2022, 3, 29)  # back to the corpus's inference


def test_a_text_not_yet_in_force_shows_its_date(store):
    day = date.today() + timedelta(days=30)
    with store.sessions.begin() as s:
        upsert_record(s, corpus(TEXT_2019, date(2019, 3, 2)))
        upsert_record(s, flk(published=date.today(), effective=day, label="尚未生效"))
    with store.sessions() as s:
        work = s.scalars(select(Work)).one()
        old, new = work.versions
        assert (old.status, new.status, work.status) == ("effective", "not_yet_effective", "effective")
        assert new.status_official  # the source's 尚未生效 agrees with the computed status
        detail = version_detail(s, work.id, new.seq)
        assert detail.version.status == "not_yet_effective" and detail.version.effective_from == day
        chosen = [f for f in detail.facts if f.chosen]
        assert {(f.field, f.source, f.basis_label) for f in chosen} >= {("effective", "flk-snapshot", "官方数据库")}


def test_the_document_view_names_the_source_of_each_fact(store):
    with store.sessions.begin() as s:
        upsert_record(s, corpus())
        upsert_record(s, flk())
    with store.sessions() as s:
        work = s.scalars(select(Work)).one()
        facts = version_detail(s, work.id).facts
        effective = [(f.source, f.value, f.basis_label, f.chosen) for f in facts if f.field == "effective"]
        assert effective == [("flk-snapshot", "2022-05-01", "官方数据库", True),
                             ("lawrefbook", "2022-03-29", "推定", False)]
        link = next(f for f in facts if f.source == "flk-snapshot")
        assert link.source_url == "https://flk.npc.gov.cn/detail?bbbs=ff80818180e0a44101811e3947411441"


def test_the_migration_gives_stored_versions_their_facts(db_url):
    """A store made before version_facts: each version's own dates and label become facts of its source, with
    the basis the corpus recorded (a 施行日期 taken from the publication date is inferred)."""
    from sqlalchemy import text

    from indexer.store.db import make_engine
    from indexer.store.migrate import upgrade

    engine = make_engine(db_url)
    try:
        upgrade(engine, "0006")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO sources (id, name, kind, created_at) VALUES "
                              "(1, 'lawrefbook', 'corpus', '2026-01-01'), (2, 'gov_policy', 'crawler', '2026-01-01')"))
            conn.execute(text("INSERT INTO works (id, identity_key, title, region, status, status_official, "
                              "created_at, updated_at) VALUES ('w1', '全国|a', 'A', '全国', 'effective', false, "
                              "'2026-01-01', '2026-01-01')"))
            conn.execute(text(
                "INSERT INTO versions (id, work_id, seq, title, published, effective_from, source_status, status, "
                "status_official, content_hash, text, meta, source_id, source_ref, created_at) VALUES "
                "(1, 'w1', 1, 'A', '2022-03-29', '2022-03-29', '有效', 'effective', false, 'h1', 'A', "
                "'{\"date_sources\": {\"published\": \"history\", \"effective\": \"published\"}}', 1, 'a.md', "
                "'2026-01-01'), "
                "(2, 'w1', 2, 'A', '2023-01-01', NULL, NULL, 'effective', false, 'h2', 'A2', NULL, 2, 'g1', "
                "'2026-01-01')"))
        upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_id, source_id, source_ref, field, value, basis "
                                     "FROM version_facts ORDER BY version_id, field")).all()
        assert [tuple(r) for r in rows] == [
            (1, 1, "a.md", "effective", "2022-03-29", "inferred"),
            (1, 1, "a.md", "published", "2022-03-29", "collection"),
            (1, 1, "a.md", "status", "有效", "collection"),
            (2, 2, "g1", "published", "2023-01-01", "official"),
        ]
    finally:
        engine.dispose()
