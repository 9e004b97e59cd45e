"""invisible characters (issue 16): remove U+200B and the other characters that show nothing from stored texts

Texts imported before the corpus reader removed them keep zero-width spaces (U+200B …, fagui.normalise.text
INVISIBLE_CHARS) inside words and article labels: 新旧对照 then marks articles changed that differ only by one,
and a search for the words they split misses them. This removes them from versions.text (recomputing its
content hash with indexer.store.upsert.content_hash of this revision, so a re-import finds the same text
unchanged) and articles.text, and gives each changed work an outbox row, so `fagui index sync` (or the next
crawl or import) brings the search index along. Downgrade keeps the repaired texts (nothing to restore).

Revision ID: 0009_issue16
Revises: 0007_issue21
Create Date: 2026-12-03
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0009_issue16"
down_revision = "0008_issue17"
branch_labels = None
depends_on = None

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"  # as fagui.normalise.text.INVISIBLE_CHARS

versions = sa.table("versions", sa.column("id", sa.Integer), sa.column("work_id", sa.String),
                    sa.column("text", sa.Text), sa.column("content_hash", sa.String))
articles = sa.table("articles", sa.column("id", sa.Integer), sa.column("text", sa.Text))
outbox = sa.table("outbox", sa.column("entity", sa.String), sa.column("entity_id", sa.String),
                  sa.column("op", sa.String), sa.column("created_at", sa.DateTime))


def _has_invisible(column: sa.ColumnElement) -> sa.ColumnElement:
    return sa.or_(*(column.contains(ch, autoescape=True) for ch in _INVISIBLE))


def _strip(text: str) -> str:
    return text.translate(dict.fromkeys(map(ord, _INVISIBLE)))


def upgrade() -> None:
    from indexer.store.upsert import content_hash

    bind = op.get_bind()
    changed_works: set[str] = set()
    for vid, work_id, text in bind.execute(
            sa.select(versions.c.id, versions.c.work_id, versions.c.text).where(_has_invisible(versions.c.text))).all():
        clean = _strip(text)
        bind.execute(versions.update().where(versions.c.id == vid)
                     .values(text=clean, content_hash=content_hash(clean)))
        changed_works.add(work_id)
    for aid, text in bind.execute(sa.select(articles.c.id, articles.c.text)
                                  .where(_has_invisible(articles.c.text))).all():
        bind.execute(articles.update().where(articles.c.id == aid).values(text=_strip(text)))
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # noqa: UP017 - as the models' utcnow
    if changed_works:
        bind.execute(outbox.insert(), [{"entity": "work", "entity_id": w, "op": "upsert", "created_at": now}
                                       for w in sorted(changed_works)])


def downgrade() -> None:
    """The removed characters showed nothing and are not restored."""
