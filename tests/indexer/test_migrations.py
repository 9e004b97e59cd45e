"""Alembic migrations create the same schema as the models on SQLite and PostgreSQL, and go down again."""

from __future__ import annotations

from sqlalchemy import inspect

from indexer.db import make_engine
from indexer.migrate import downgrade, is_current, upgrade
from indexer.models import Base


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
