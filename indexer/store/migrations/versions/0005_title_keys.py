"""title keys: recompute works.identity_key with the wider title_key (separators, quotes, NFKC)

title_key now also folds 、，：；, quotation marks, full-width forms (NFKC), 《》/〈〉 and dash variants, so
"最高人民法院、最高人民检察院关于..." and "最高人民法院 最高人民检察院关于..." are one work. A work is found by its
stored identity_key (region|title_key); this recomputes the keys of title-identified works and keeps every
work's id (URLs stay). Works that now share a key are merged into the one with the most versions: versions,
links, crawl pages, clearance decisions and issuing bodies move over, the other work is deleted, and the kept
work's order of versions and status are recomputed (with the models and indexer.store.upsert.recompute_work of this
revision). Each changed work gets an outbox row, so `fagui index sync` brings the search index along.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

works = sa.table("works", sa.column("id", sa.String), sa.column("identity_key", sa.String),
                 sa.column("title", sa.String), sa.column("region", sa.String))
versions = sa.table("versions", sa.column("id", sa.Integer), sa.column("work_id", sa.String),
                    sa.column("seq", sa.Integer), sa.column("content_hash", sa.String))
relations = sa.table("relations", sa.column("id", sa.Integer), sa.column("subject_work_id", sa.String),
                     sa.column("object_work_id", sa.String), sa.column("relation_type", sa.String),
                     sa.column("object_key", sa.String))
articles = sa.table("articles", sa.column("version_id", sa.Integer))
crawl_pages = sa.table("crawl_pages", sa.column("work_id", sa.String))
decisions = sa.table("clearance_decisions", sa.column("id", sa.Integer), sa.column("round_id", sa.Integer),
                     sa.column("work_id", sa.String))
bodies = sa.table("work_issuing_bodies", sa.column("work_id", sa.String), sa.column("body_id", sa.Integer))
outbox = sa.table("outbox", sa.column("entity", sa.String), sa.column("entity_id", sa.String),
                  sa.column("op", sa.String), sa.column("created_at", sa.DateTime))


def upgrade() -> None:
    from indexer.store.models import utcnow
    from indexer.store.upsert import title_key

    conn = op.get_bind()
    rows = conn.execute(sa.select(works.c.id, works.c.identity_key, works.c.title, works.c.region)).all()
    counts: dict[str, int] = dict(conn.execute(sa.select(versions.c.work_id, sa.func.count()).group_by(versions.c.work_id)).all())
    groups: dict[str, list] = defaultdict(list)
    for row in rows:
        if row.identity_key.startswith(f"{row.region}|"):  # region|title; a source's own work_key stays
            groups[f"{row.region}|{title_key(row.title)}"].append(row)
    changed: list[tuple[str, str]] = []
    merged: list[str] = []
    for key, members in groups.items():
        members.sort(key=lambda r: (-counts.get(r.id, 0), r.identity_key != key, r.id))
        keeper, others = members[0], members[1:]
        for other in others:
            _merge(conn, other.id, keeper.id)
            changed.append((other.id, "delete"))
        if keeper.identity_key != key:
            # the others are gone, so the unique key is free
            conn.execute(sa.update(works).where(works.c.id == keeper.id).values(identity_key=key))
        if others or keeper.identity_key != key:
            changed.append((keeper.id, "upsert"))
        if others:
            merged.append(keeper.id)
    if changed:
        conn.execute(sa.insert(outbox), [{"entity": "work", "entity_id": wid, "op": what, "created_at": utcnow()}
                                         for wid, what in changed])
    if merged:
        _recompute(conn, merged)


def _merge(conn, old: str, new: str) -> None:
    """Move everything of work `old` onto work `new`, then delete `old`."""
    have = set(conn.execute(sa.select(versions.c.content_hash).where(versions.c.work_id == new)).scalars())
    top = conn.execute(sa.select(sa.func.max(versions.c.seq)).where(versions.c.work_id == new)).scalar() or 0
    for vid, digest in conn.execute(sa.select(versions.c.id, versions.c.content_hash)
                                    .where(versions.c.work_id == old).order_by(versions.c.seq)).all():
        if digest in have:
            continue  # the same text twice: it goes with the old work (articles cascade)
        top += 1
        conn.execute(sa.update(versions).where(versions.c.id == vid).values(work_id=new, seq=top))
        have.add(digest)
    taken = {(r.relation_type, r.object_key) for r in conn.execute(
        sa.select(relations.c.relation_type, relations.c.object_key).where(relations.c.subject_work_id == new))}
    for rel in conn.execute(sa.select(relations.c.id, relations.c.relation_type, relations.c.object_key)
                            .where(relations.c.subject_work_id == old)).all():
        if (rel.relation_type, rel.object_key) not in taken:
            conn.execute(sa.update(relations).where(relations.c.id == rel.id).values(subject_work_id=new))
            taken.add((rel.relation_type, rel.object_key))
    conn.execute(sa.update(relations).where(relations.c.object_work_id == old).values(object_work_id=new))
    conn.execute(sa.update(crawl_pages).where(crawl_pages.c.work_id == old).values(work_id=new))
    rounds = set(conn.execute(sa.select(decisions.c.round_id).where(decisions.c.work_id == new)).scalars())
    conn.execute(sa.update(decisions).where(decisions.c.work_id == old, decisions.c.round_id.not_in(rounds))
                 .values(work_id=new))
    if not conn.execute(sa.select(bodies.c.work_id).where(bodies.c.work_id == new).limit(1)).first():
        conn.execute(sa.update(bodies).where(bodies.c.work_id == old).values(work_id=new))
    conn.execute(sa.text("UPDATE works SET current_version_id = NULL WHERE id = :id"), {"id": old})
    left = sa.select(versions.c.id).where(versions.c.work_id == old).scalar_subquery()
    conn.execute(sa.delete(articles).where(articles.c.version_id.in_(left)))
    conn.execute(sa.delete(versions).where(versions.c.work_id == old))
    conn.execute(sa.delete(relations).where(relations.c.subject_work_id == old))
    conn.execute(sa.delete(decisions).where(decisions.c.work_id == old))
    conn.execute(sa.delete(bodies).where(bodies.c.work_id == old))
    conn.execute(sa.delete(works).where(works.c.id == old))


def _recompute(conn, work_ids: list[str]) -> None:
    from sqlalchemy.orm import Session

    from indexer.store.models import Work
    from indexer.store.upsert import recompute_work

    session = Session(bind=conn)
    for wid in work_ids:
        work = session.get(Work, wid)
        if work is not None:
            # No round could be published before 0008_issue17 (whose columns do not exist yet).
            recompute_work(session, work, with_published=False)
    session.flush()
    session.close()  # the connection's transaction is alembic's: it commits the lot


def downgrade() -> None:
    """Keys stay as they are (the older, narrower title_key would find fewer works, not wrong ones); merged
    works stay merged."""
