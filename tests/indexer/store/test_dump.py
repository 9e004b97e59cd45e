"""Moving the whole store between SQLite and PostgreSQL: every table, every row, proven by counts and digests;
broken or mismatched dumps are refused with nothing written."""

from __future__ import annotations

import gzip

import pytest
from sqlalchemy import func, select

from crawlers.sources import lawrefbook
from fagui.records import DocumentRecord
from fagui.settings import BUNDLED_SAMPLE
from indexer.ingest.pipeline import ingest
from indexer.store.db import make_engine, session_factory
from indexer.store.dump import DumpError, export_store, import_store, table_digests
from indexer.store.migrate import upgrade
from indexer.store.models import IssuingBody, Relation, Version, Work
from indexer.store.upsert import upsert_record
from tests.conftest import _drop_pg, _fresh_pg_url


@pytest.fixture(scope="module")
def records():
    return lawrefbook.read_corpus(BUNDLED_SAMPLE).records


def _filled_sqlite(path, records, n=80):
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    factory = session_factory(engine)
    ingest(factory, lawrefbook.SOURCE, records[:n], [])
    with factory.begin() as session:  # a relation and a body hierarchy, so every kind of link travels
        works = session.scalars(select(Work).order_by(Work.id).limit(2)).all()
        session.add(Relation(subject_work_id=works[0].id, relation_type="cites", object_work_id=works[1].id,
                             object_title=works[1].title, object_key="k", object_article="3"))
        bodies = session.scalars(select(IssuingBody).order_by(IssuingBody.id).limit(2)).all()
        bodies[1].parent_id = bodies[0].id
    return engine, factory


def _digests(engine):
    with engine.connect() as conn:
        return table_digests(conn).as_dict()


@pytest.mark.postgres
def test_sqlite_to_postgresql_and_back(tmp_path, pg_admin, records):
    source, _ = _filled_sqlite(tmp_path / "source.db", records)
    dump = tmp_path / "store.jsonl.gz"
    exported = export_store(source, dump).as_dict()
    assert exported["versions"]["count"] >= 70 and exported["articles"]["count"] > 1000
    assert exported == _digests(source)

    url = _fresh_pg_url(pg_admin)
    try:
        target = make_engine(url)
        upgrade(target)
        imported = import_store(target, dump).as_dict()
        assert imported == exported
        assert _digests(target) == exported
        # the sequences moved past the imported ids: new records go in without collisions
        factory = session_factory(target)
        with factory.begin() as session:
            upsert_record(session, DocumentRecord(source="test", source_ref="new", title="某某市新规定",
                                                  text="第一条 新的规定。", region="全国"))
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(Version)) == exported["versions"]["count"] + 1

        # and back to a new SQLite file: the same digests as PostgreSQL held before the new record
        back_dump = tmp_path / "back.jsonl.gz"
        export_store(target, back_dump)
        back = make_engine(f"sqlite:///{tmp_path / 'back.db'}")
        upgrade(back)
        import_store(back, back_dump)
        assert _digests(back) == _digests(target)
        target.dispose()
        back.dispose()
    finally:
        _drop_pg(pg_admin, url)
    source.dispose()


def test_broken_and_wrong_dumps_write_nothing(tmp_path, records):
    source, _ = _filled_sqlite(tmp_path / "source.db", records, n=30)
    dump = tmp_path / "store.jsonl.gz"
    export_store(source, dump)
    raw = gzip.decompress(dump.read_bytes()).decode()

    def target(name):
        engine = make_engine(f"sqlite:///{tmp_path / name}")
        upgrade(engine)
        return engine

    cut = tmp_path / "cut.jsonl.gz"  # an export interrupted half-way: no footer
    cut.write_bytes(gzip.compress(raw[: len(raw) // 2].rsplit("\n", 1)[0].encode() + b"\n"))
    t1 = target("t1.db")
    with pytest.raises(DumpError, match="不完整"):
        import_store(t1, cut)
    with t1.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Work)) == 0

    truncated = tmp_path / "truncated.jsonl.gz"  # the gzip stream itself cut off
    truncated.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    with pytest.raises(DumpError, match="无法读取|损坏"):
        import_store(target("t2.db"), truncated)

    tampered = tmp_path / "tampered.jsonl.gz"  # a row changed after export: the digest catches it
    tampered.write_bytes(gzip.compress(raw.replace("第一条", "第壹条", 1).encode()))
    t3 = target("t3.db")
    with pytest.raises(DumpError, match="校验不一致"):
        import_store(t3, tampered)
    with t3.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Work)) == 0

    not_a_dump = tmp_path / "other.jsonl.gz"
    not_a_dump.write_bytes(gzip.compress(b'{"hello": 1}\n'))
    with pytest.raises(DumpError, match="不是 fagui 导出文件"):
        import_store(target("t4.db"), not_a_dump)

    with pytest.raises(DumpError, match="不是空的"):
        import_store(source, dump)  # never on top of an existing store
    source.dispose()
