"""clearance: checklist jobs with their rows, clearance rounds, decisions and the audit trail

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checklist_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("base_url", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_jobs")),
    )
    op.create_index(op.f("ix_checklist_jobs_content_hash"), "checklist_jobs", ["content_hash"], unique=False)
    op.create_table(
        "clearance_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=40), nullable=True),
        sa.Column("doc_type", sa.String(length=40), nullable=True),
        sa.Column("opened", sa.Date(), nullable=False),
        sa.Column("closed", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearance_rounds")),
        sa.UniqueConstraint("name", name=op.f("uq_clearance_rounds_name")),
    )
    op.create_table(
        "checklist_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("match", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["checklist_jobs.id"],
                                name=op.f("fk_checklist_rows_job_id_checklist_jobs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_rows")),
        sa.UniqueConstraint("job_id", "position", name="uq_checklist_rows_job_position"),
    )
    op.create_index(op.f("ix_checklist_rows_match"), "checklist_rows", ["match"], unique=False)
    op.create_table(
        "clearance_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.String(length=32), nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["clearance_rounds.id"],
                                name=op.f("fk_clearance_audit_round_id_clearance_rounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearance_audit")),
    )
    op.create_index(op.f("ix_clearance_audit_round_id"), "clearance_audit", ["round_id"], unique=False)
    op.create_table(
        "clearance_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.String(length=32), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(length=80), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["clearance_rounds.id"],
                                name=op.f("fk_clearance_decisions_round_id_clearance_rounds"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["work_id"], ["works.id"], name=op.f("fk_clearance_decisions_work_id_works"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearance_decisions")),
        sa.UniqueConstraint("round_id", "work_id", name="uq_clearance_decisions_round_work"),
    )
    op.create_index(op.f("ix_clearance_decisions_work_id"), "clearance_decisions", ["work_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_clearance_decisions_work_id"), table_name="clearance_decisions")
    op.drop_table("clearance_decisions")
    op.drop_index(op.f("ix_clearance_audit_round_id"), table_name="clearance_audit")
    op.drop_table("clearance_audit")
    op.drop_index(op.f("ix_checklist_rows_match"), table_name="checklist_rows")
    op.drop_table("checklist_rows")
    op.drop_table("clearance_rounds")
    op.drop_index(op.f("ix_checklist_jobs_content_hash"), table_name="checklist_jobs")
    op.drop_table("checklist_jobs")
