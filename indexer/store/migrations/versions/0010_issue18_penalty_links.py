"""penalty links (issue 18): store the links from each penalty article to the article(s) it enforces

A `penalty_links` table, one row per link of a version (indexer.store.models.PenaltyLink). It starts empty:
`fagui links rebuild` fills it for every version, and each newly stored version gets its links on upsert;
until then the pages and the API compute a version's links from its articles, as before.

Revision ID: 0010_issue18
Revises: 0009_issue16
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_issue18"
down_revision = "0009_issue16"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "penalty_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("penalty_number", sa.Integer(), nullable=False),
        sa.Column("penalty_sub", sa.Integer(), nullable=False),
        sa.Column("enforced_number", sa.Integer(), nullable=False),
        sa.Column("enforced_sub", sa.Integer(), nullable=False),
        sa.Column("enforced_paragraph", sa.Integer(), nullable=True),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("clause", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], name=op.f("fk_penalty_links_version_id_versions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalty_links")),
    )
    op.create_index(op.f("ix_penalty_links_version_id"), "penalty_links", ["version_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_penalty_links_version_id"), table_name="penalty_links")
    op.drop_table("penalty_links")
