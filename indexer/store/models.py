"""The store of record: SQLAlchemy 2 models for works, versions, articles, issuing bodies, relations, sources
and the indexing outbox. The search index is derived from these tables and can always be rebuilt."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


work_issuing_bodies = Table(
    "work_issuing_bodies",
    Base.metadata,
    Column("work_id", String(32), ForeignKey("works.id", ondelete="CASCADE"), primary_key=True),
    Column("body_id", Integer, ForeignKey("issuing_bodies.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)


class IssuingBody(Base):
    """制定机关 / 发文机关. Bodies form a hierarchy (省 > 市 > 部门) so a filter on one includes its sub-bodies."""

    __tablename__ = "issuing_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str | None] = mapped_column(String(40))  # 人大常委会, 政府, 部门, 法院, 检察院 ...
    region: Mapped[str | None] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("issuing_bodies.id", ondelete="SET NULL"))

    parent: Mapped[IssuingBody | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[IssuingBody]] = relationship(back_populates="parent")
    aliases: Mapped[list[BodyAlias]] = relationship(back_populates="body", cascade="all, delete-orphan")


class BodyAlias(Base):
    """Another name of a body as documents write it (全国人大常委会 for 全国人民代表大会常务委员会)."""

    __tablename__ = "body_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("issuing_bodies.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)

    body: Mapped[IssuingBody] = relationship(back_populates="aliases")


class Source(Base):
    """Where records come from: a crawler source, a file folder or a corpus."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="crawler")
    base_url: Mapped[str | None] = mapped_column(String(500))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Work(Base):
    """A regulation or document across its versions (法规/文件); its identity survives amendments."""

    __tablename__ = "works"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # region + normalised title (or a source's own stable id): how a new version finds its work.
    identity_key: Mapped[str] = mapped_column(String(400), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    doc_type: Mapped[str | None] = mapped_column(String(40), index=True)
    region: Mapped[str] = mapped_column(String(40), index=True, default="全国")
    region_code: Mapped[str | None] = mapped_column(String(6))
    # Status today, computed from versions and relations (indexer.store.status); never typed by hand.
    status: Mapped[str] = mapped_column(String(24), index=True, default="effective")
    status_official: Mapped[bool] = mapped_column(Boolean, default=False)
    status_reason: Mapped[str | None] = mapped_column(Text)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("versions.id", ondelete="SET NULL", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list[Version]] = relationship(
        back_populates="work",
        cascade="all, delete-orphan",
        order_by="Version.seq",
        foreign_keys="Version.work_id",
    )
    current_version: Mapped[Version | None] = relationship(foreign_keys=[current_version_id], post_update=True)
    issuing_bodies: Mapped[list[IssuingBody]] = relationship(
        secondary=work_issuing_bodies, order_by=work_issuing_bodies.c.position
    )


class Version(Base):
    """One text of a work (版本) with its dates, the source's own status label and the computed status."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("work_id", "content_hash", name="uq_versions_work_content"),
        UniqueConstraint("work_id", "seq", name="uq_versions_work_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[str] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1 = oldest; renumbered when an older version arrives late
    title: Mapped[str] = mapped_column(String(500))
    doc_number: Mapped[str | None] = mapped_column(String(200))
    doc_number_key: Mapped[str | None] = mapped_column(String(200), index=True)
    published: Mapped[date | None] = mapped_column(Date)
    effective_from: Mapped[date | None] = mapped_column(Date)
    # The day this text stopped being the one in force (the next version's effective date).
    effective_to: Mapped[date | None] = mapped_column(Date)
    expires: Mapped[date | None] = mapped_column(Date)  # 有效期至
    # An end of the whole work reported by the source (废止/失效) when no deciding document is stored.
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_status: Mapped[str | None] = mapped_column(String(24))
    source_status: Mapped[str | None] = mapped_column(String(40))  # the source's label, kept as it was
    status: Mapped[str] = mapped_column(String(24), default="effective")
    status_official: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    history: Mapped[list | None] = mapped_column(JSON)
    attachments: Mapped[list | None] = mapped_column(JSON)
    meta: Mapped[dict | None] = mapped_column(JSON)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    source_ref: Mapped[str | None] = mapped_column(String(500))  # the source's own id or path
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    work: Mapped[Work] = relationship(back_populates="versions", foreign_keys=[work_id])
    source: Mapped[Source | None] = relationship()
    articles: Mapped[list[Article]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Article.position"
    )


class VersionFact(Base):
    """What one source document says of one version: its 公布日期, 施行日期 or status label, and how it knows
    (basis: `official` the issuing authority's own database, `collection` a derived collection, `inferred`
    computed from another date). Version.published / effective_from / source_status hold the value of the
    highest-ranked fact (indexer.store.facts); the others are kept, and disagreements are reported."""

    __tablename__ = "version_facts"
    __table_args__ = (
        UniqueConstraint("version_id", "source_id", "source_ref", "field", name="uq_version_facts_version_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    source_ref: Mapped[str] = mapped_column(String(500))  # the source's own id of the record (flk's bbbs)
    source_url: Mapped[str | None] = mapped_column(String(1000))
    field: Mapped[str] = mapped_column(String(20))  # published, effective, status
    value: Mapped[str] = mapped_column(String(40))  # an ISO date, or the status label as the source wrote it
    basis: Mapped[str] = mapped_column(String(20))  # official, collection, inferred

    source: Mapped[Source] = relationship()


class Article(Base):
    """One article (条) of a version: 第十三条 -> number 13, 第一百三十三条之一 -> number 133, sub 1."""

    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_version_number", "version_id", "number", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    sub: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(40))
    path: Mapped[str | None] = mapped_column(String(500))  # 第一编 总则 / 第二章 ... / 第一节 ...
    text: Mapped[str] = mapped_column(Text)

    version: Mapped[Version] = relationship(back_populates="articles")

    @property
    def anchor(self) -> str:
        return article_anchor(self.number, self.sub)


def article_anchor(number: int, sub: int) -> str:
    """The page anchor of an article: art-91, art-133-1 for 第一百三十三条之一."""
    return f"art-{number}" + (f"-{sub}" if sub else "")


class PenaltyLink(Base):
    """A stored penalty link (罚则关联, indexer.store.penalties): the penalty article of a version sets a sanction
    for breaking the enforced article (number, sub and the 款 as parsed); details holds kinds, fines, detention
    and authority as the parser yields them. Rewritten per version by `fagui links rebuild` and on upsert."""

    __tablename__ = "penalty_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"), index=True)
    penalty_number: Mapped[int] = mapped_column(Integer)
    penalty_sub: Mapped[int] = mapped_column(Integer, default=0)
    enforced_number: Mapped[int] = mapped_column(Integer)
    enforced_sub: Mapped[int] = mapped_column(Integer, default=0)
    enforced_paragraph: Mapped[int | None] = mapped_column(Integer)
    form: Mapped[str] = mapped_column(String(20))  # violates, by_reference
    clause: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON)  # {"kinds": [...], "fines": [...], "detention": [...], "authority"}


class Relation(Base):
    """A link between works (关联): subject <type> object, e.g. a decision `repeals` a rule.

    The object may be unresolved (only its title or number is known); it is kept and reported."""

    __tablename__ = "relations"
    __table_args__ = (
        UniqueConstraint(
            "subject_work_id", "relation_type", "object_key", name="uq_relations_subject_type_object"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_work_id: Mapped[str] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    relation_type: Mapped[str] = mapped_column(String(20))
    object_work_id: Mapped[str | None] = mapped_column(
        ForeignKey("works.id", ondelete="SET NULL"), index=True
    )
    object_title: Mapped[str | None] = mapped_column(String(500))
    object_doc_number: Mapped[str | None] = mapped_column(String(200))
    object_article: Mapped[str | None] = mapped_column(String(40))
    # What identifies the object for uniqueness: its doc-number key, else its normalised title.
    object_key: Mapped[str] = mapped_column(String(500))
    effective: Mapped[date | None] = mapped_column(Date)  # when the link takes effect (a repeal's date)
    evidence: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    subject: Mapped[Work] = relationship(foreign_keys=[subject_work_id])
    object: Mapped[Work | None] = relationship(foreign_keys=[object_work_id])


class OutboxEvent(Base):
    """A change to be indexed, written in the same transaction as the change (indexer.store.outbox)."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))  # "work"
    entity_id: Mapped[str] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(10))  # "upsert" or "delete"
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)


class RecordFailure(Base):
    """A record a source could not turn into a stored version, with the reason (kept for reports)."""

    __tablename__ = "record_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    record_ref: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CrawlRun(Base):
    """One `fagui crawl SOURCE` run: its parameters, where it stands, and its summary counts.

    A run with no finished_at is unfinished; the next crawl of the source continues it (the pages it has
    done are those whose CrawlPage.last_run_id is this run)."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(80), index=True)
    state: Mapped[str] = mapped_column(String(20), default="running")  # running, finished, interrupted, abandoned
    since: Mapped[date | None] = mapped_column(Date)
    limit: Mapped[int | None] = mapped_column(Integer)
    from_archive: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    listed: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)  # bodies received (a 304 is not one)
    new: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    gone: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[list | None] = mapped_column(JSON)  # [{ref, url, code, reason}]
    unmatched: Mapped[list | None] = mapped_column(JSON)  # relation targets no stored work matched
    listing_error: Mapped[str | None] = mapped_column(Text)  # the listing stopped early: no gone marking


class CrawlPage(Base):
    """What the crawler knows of one document page of a source: its validators for conditional requests,
    the hash of the body last stored, and when it was last seen, changed, failed or found gone."""

    __tablename__ = "crawl_pages"
    __table_args__ = (UniqueConstraint("source", "ref", name="uq_crawl_pages_source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(80))
    ref: Mapped[str] = mapped_column(String(500))  # the source's own id (Listing.ref)
    url: Mapped[str] = mapped_column(String(1000), index=True)
    title: Mapped[str | None] = mapped_column(String(500))
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    content_hash: Mapped[str | None] = mapped_column(String(64))  # sha256 of the last body stored
    work_id: Mapped[str | None] = mapped_column(ForeignKey("works.id", ondelete="SET NULL"))
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_fetched: Mapped[datetime | None] = mapped_column(DateTime)
    last_changed: Mapped[datetime | None] = mapped_column(DateTime)
    gone_at: Mapped[datetime | None] = mapped_column(DateTime)  # missing from a full run; never deleted
    last_error: Mapped[str | None] = mapped_column(Text)
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True)


class User(Base):
    """A portal account (the clearance team): a name, a role and a password hash (werkzeug.security)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="clearance")
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


class LoginSession(Base):
    """One login of a portal account: the cookie carries a random token, this row its SHA-256. Logging out,
    changing the password or staying idle too long deletes the row, and the cookie opens nothing any more."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LoginFailure(Base):
    """A failed login, by account name and client address, kept while it counts towards the login throttle."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ChecklistJob(Base):
    """One batch validity check of an uploaded document list (清单核查): the input rows are stored with the job
    and each row's result is written as it is matched, so an interrupted run continues where it stopped."""

    __tablename__ = "checklist_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the uploaded file
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending, running, finished, failed
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    headers: Mapped[list] = mapped_column(JSON)  # the input's header row as written
    mapping: Mapped[dict] = mapped_column(JSON)  # role (title, doc_number, body, date) -> column index
    as_of: Mapped[date] = mapped_column(Date)
    base_url: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class ChecklistRow(Base):
    """One input row of a checklist job: its cells as read, and its result once matched (None until then)."""

    __tablename__ = "checklist_rows"
    __table_args__ = (UniqueConstraint("job_id", "position", name="uq_checklist_rows_job_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("checklist_jobs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1-based row number below the header
    cells: Mapped[list] = mapped_column(JSON)
    result: Mapped[dict | None] = mapped_column(JSON)
    match: Mapped[str | None] = mapped_column(String(20), index=True)  # matched, ambiguous, unmatched


class ClearanceRound(Base):
    """A clearance round (清理): a named review of the works in a scope (issuing body, region, doc_type)."""

    __tablename__ = "clearance_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    body: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(40))
    doc_type: Mapped[str | None] = mapped_column(String(40))
    opened: Mapped[date] = mapped_column(Date)
    closed: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The publishing decision (date and 文号): from that date the round's 废止 / 宣布失效 decisions end the works
    # (indexer.store.published); None while the result is unpublished.
    published_on: Mapped[date | None] = mapped_column(Date)
    published_number: Mapped[str | None] = mapped_column(String(200))
    published_by: Mapped[str | None] = mapped_column(String(80))


class ClearanceDecision(Base):
    """The decision of a round on one work: keep, amend, repeal or declare_invalid (保留/修改/废止/宣布失效).

    Until its round is published a decision never changes the work's status (a disagreement shows in the
    status-conflict report); a published 废止 / 宣布失效 ends the work (indexer.store.published)."""

    __tablename__ = "clearance_decisions"
    __table_args__ = (UniqueConstraint("round_id", "work_id", name="uq_clearance_decisions_round_work"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("clearance_rounds.id", ondelete="CASCADE"))
    work_id: Mapped[str] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(80))
    decided_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ClearanceAudit(Base):
    """The audit trail of clearance rounds: who did what, when, with the values before and after.

    Rows are only ever inserted (clearance.rounds refuses updates and deletes); work_id is a plain column so
    the trail outlives a deleted work."""

    __tablename__ = "clearance_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("clearance_rounds.id"), index=True)
    work_id: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(30))  # create_round, decide, change_decision, close_round ...
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
