"""clearance round publication: the date, 文号 and publisher of the decision that published a round's result

A published round's 废止 / 宣布失效 decisions end the works from the publication date (indexer.store.published).

Revision ID: 0008_issue17
Revises: 0007_issue21
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_issue17"
down_revision = "0007_issue21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clearance_rounds") as batch:
        batch.add_column(sa.Column("published_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("published_number", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("published_by", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clearance_rounds") as batch:
        batch.drop_column("published_by")
        batch.drop_column("published_number")
        batch.drop_column("published_on")
