"""version facts: what each source says of a version (公布日期, 施行日期, status label) and how it knows

Revision ID: 0007_issue21
Revises: 0006
Create Date: 2026-12-03

The stored versions' own dates and labels become their first facts, with the basis their source recorded
(a corpus's `date_sources`: a date taken from the publication date is `inferred`, one from the text's history
or the collection's fields is `collection`; a crawled source's own fields are `official`), the rule
indexer.store.facts applies to new records.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007_issue21"
down_revision = "0006"
branch_labels = None
depends_on = None


def _basis(meta: dict | None, field: str) -> str:
    sources = (meta or {}).get("date_sources")
    if not isinstance(sources, dict):
        return "official"
    said = sources.get(field) if field != "status" else "collection"
    if said == "published":
        return "inferred"
    return "official" if said == "official" else "collection"


def upgrade() -> None:
    op.create_table(
        "version_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_ref", sa.String(length=500), nullable=False),
        sa.Column("source_url", sa.String(length=1000), nullable=True),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], name=op.f("fk_version_facts_version_id_versions"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name=op.f("fk_version_facts_source_id_sources"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_facts")),
        sa.UniqueConstraint("version_id", "source_id", "source_ref", "field", name=op.f("uq_version_facts_version_id")),
    )
    op.create_index(op.f("ix_version_facts_version_id"), "version_facts", ["version_id"], unique=False)
    conn = op.get_bind()
    versions = sa.table("versions", sa.column("id"), sa.column("source_id"), sa.column("source_ref"),
                        sa.column("source_url"), sa.column("published"), sa.column("effective_from"),
                        sa.column("source_status"), sa.column("meta", sa.JSON))
    facts = sa.table("version_facts", sa.column("version_id"), sa.column("source_id"), sa.column("source_ref"),
                     sa.column("source_url"), sa.column("field"), sa.column("value"), sa.column("basis"))
    rows = []
    for v in conn.execute(sa.select(versions).where(versions.c.source_id.is_not(None))):
        meta = v.meta if isinstance(v.meta, dict) else (json.loads(v.meta) if isinstance(v.meta, str) else None)
        for field, value in (("published", v.published), ("effective", v.effective_from),
                             ("status", v.source_status)):
            if value in (None, ""):
                continue
            text = value if isinstance(value, str) else value.isoformat()
            rows.append({"version_id": v.id, "source_id": v.source_id, "source_ref": (v.source_ref or "")[:500],
                         "source_url": v.source_url, "field": field, "value": text[:40],
                         "basis": _basis(meta, field)})
    for start in range(0, len(rows), 1000):
        conn.execute(facts.insert(), rows[start:start + 1000])


def downgrade() -> None:
    op.drop_index(op.f("ix_version_facts_version_id"), table_name="version_facts")
    op.drop_table("version_facts")
