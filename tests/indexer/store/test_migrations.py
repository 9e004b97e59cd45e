"""Alembic migrations create the same schema as the models on SQLite and PostgreSQL, and go down again."""

from __future__ import annotations

from sqlalchemy import inspect

from indexer.store.db import make_engine
from indexer.store.migrate import downgrade, is_current, upgrade
from indexer.store.models import Base


def test_upgrade_matches_models_and_downgrade_removes_everything(db_url):
    engine = make_engine(db_url)
    try:
        assert not is_current(engine)
        upgrade(engine)
        assert is_current(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        for name, table in Base.metadata.tables.items():
            columns = {c["name"] for c in inspect(engine).get_columns(name)}
            assert columns == {c.name for c in table.columns}, name
        upgrade(engine)  # a second upgrade is a no-op
        downgrade(engine, "base")
        assert not (set(Base.metadata.tables) & set(inspect(engine).get_table_names()))
    finally:
        engine.dispose()


def test_autogenerate_finds_no_difference_between_models_and_migrations(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_0005_rekeys_title_identities_and_merges_works_that_now_share_one(db_url):
    """A store made with the narrower title_key: "、" and a space made two works of one. After 0005 the
    works keep their ids, the two are one (versions, links and bodies moved, the same text once), and
    every changed work has an outbox row."""
    from datetime import date

    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from indexer.store.models import Article, IssuingBody, OutboxEvent, Relation, Version, Work
    from indexer.store.upsert import content_hash

    old_key = "最高人民法院、最高人民检察院关于办理操纵证券、期货市场刑事案件适用法律若干问题的解释"
    spaced = "最高人民法院 最高人民检察院关于办理操纵证券、期货市场刑事案件适用法律若干问题的解释"
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0004")
        with Session(engine) as s, s.begin():
            body = IssuingBody(name="最高人民法院")
            a = Work(id="aaaaaaaaaaaa", identity_key=f"全国|{old_key}", title=old_key, region="全国",
                     issuing_bodies=[body])
            b = Work(id="bbbbbbbbbbbb", identity_key=f"全国|{spaced.replace(' ', '')}", title=spaced,
                     region="全国")
            keep = Work(id="cccccccccccc", identity_key="全国|立法法", title="中华人民共和国立法法", region="全国")
            own = Work(id="dddddddddddd", identity_key="flk:abc", title="某某、条例", region="全国")
            s.add_all([a, b, keep, own])
            s.flush()
            for work, seq, text, day in [(a, 1, "第一条 甲。", date(2019, 6, 27)), (b, 1, "第一条 甲。", date(2019, 6, 27)),
                                         (b, 2, "第一条 乙。", date(2023, 1, 1))]:
                v = Version(work_id=work.id, seq=seq, title=work.title, content_hash=content_hash(text), text=text,
                            published=day, effective_from=day)
                s.add(v)
                s.flush()
                s.add(Article(version_id=v.id, position=0, number=1, label="第一条", text=text))
            s.add(Relation(subject_work_id=b.id, relation_type="cites", object_key="证券法", object_title="证券法"))
            s.add(Relation(subject_work_id=keep.id, relation_type="cites", object_key="x", object_work_id=b.id))
        with Session(engine) as s:  # rows the inserts above may have added (when outbox listeners are on)
            seen = s.scalar(select(func.max(OutboxEvent.id))) or 0
        upgrade(engine)
        with Session(engine) as s:
            works = {w.id: w for w in s.scalars(select(Work))}
            assert set(works) == {"bbbbbbbbbbbb", "cccccccccccc", "dddddddddddd"}  # the one with more versions
            merged = works["bbbbbbbbbbbb"]
            assert merged.identity_key == f"全国|{old_key.replace('、', '')}"
            assert works["cccccccccccc"].identity_key == "全国|立法法" and works["dddddddddddd"].identity_key == "flk:abc"
            assert [(v.seq, v.text) for v in merged.versions] == [(1, "第一条 甲。"), (2, "第一条 乙。")]
            assert merged.current_version.text == "第一条 乙。" and merged.versions[0].status == "amended"
            assert [b.name for b in merged.issuing_bodies] == ["最高人民法院"]
            assert s.scalar(select(Relation.object_work_id).where(Relation.subject_work_id == "cccccccccccc")) == \
                "bbbbbbbbbbbb"
            assert s.scalar(select(Relation.subject_work_id).where(Relation.object_key == "证券法")) == "bbbbbbbbbbbb"
            assert len(s.scalars(select(Article)).all()) == 2  # the deleted work's copy of 甲 went with it
            ops = {(e.entity_id, e.op) for e in s.scalars(select(OutboxEvent).where(OutboxEvent.id > seen))}
            assert {("aaaaaaaaaaaa", "delete"), ("bbbbbbbbbbbb", "upsert")} <= ops
            assert not any(wid in ("cccccccccccc", "dddddddddddd") for wid, _ in ops)
    finally:
        engine.dispose()


def test_0009_issue16_removes_invisible_characters_from_stored_texts(db_url):
    """Texts stored with zero-width spaces lose them, their hash is that of the clean text (a re-import finds
    them unchanged), and their works are queued for the index."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from indexer.store.models import Article, OutboxEvent, Version, Work
    from indexer.store.upsert import content_hash

    dirty, clean = "第一条\u200b 为了\ufeff规范管理。", "第一条 为了规范管理。"
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0008_issue17")
        with Session(engine) as s, s.begin():
            work = Work(id="zzzzzzzzzzzz", identity_key="全国|某办法", title="某办法", region="全国")
            other = Work(id="yyyyyyyyyyyy", identity_key="全国|另办法", title="另办法", region="全国")
            s.add_all([work, other])
            s.flush()
            for w, text in ((work, dirty), (other, clean)):
                v = Version(work_id=w.id, seq=1, title=w.title, content_hash="old", text=text)
                s.add(v)
                s.flush()
                s.add(Article(version_id=v.id, position=0, number=1, label="第一条", text=text))
        with Session(engine) as s:
            seen = s.scalar(select(func.max(OutboxEvent.id))) or 0
        upgrade(engine)
        with Session(engine) as s:
            versions = {v.work_id: v for v in s.scalars(select(Version))}
            assert versions["zzzzzzzzzzzz"].text == clean
            assert versions["zzzzzzzzzzzz"].content_hash == content_hash(clean)
            assert versions["yyyyyyyyyyyy"].content_hash == "old"  # untouched
            assert {a.text for a in s.scalars(select(Article))} == {clean}
            queued = {e.entity_id for e in s.scalars(select(OutboxEvent).where(OutboxEvent.id > seen))}
            assert queued == {"zzzzzzzzzzzz"}
    finally:
        engine.dispose()


def test_0010_adds_the_penalty_links_table_and_removes_it_again(db_url):
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0009_issue16")
        assert "penalty_links" not in inspect(engine).get_table_names()
        upgrade(engine)
        columns = {c["name"] for c in inspect(engine).get_columns("penalty_links")}
        assert {"version_id", "penalty_number", "enforced_number", "enforced_paragraph", "details"} <= columns
        assert any(i["column_names"] == ["version_id"] for i in inspect(engine).get_indexes("penalty_links"))
        downgrade(engine, "0009_issue16")
        assert "penalty_links" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
