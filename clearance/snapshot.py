"""A light snapshot of the store for clearance: works with their version dates, issuing bodies and repeal links,
without texts. Reports, rounds and the batch check compute statuses from it for any date (indexer.store.status),
never from the stored "today" column, so a past date gives past answers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from fagui.vocabulary import STATUS_LABELS
from indexer.store.citations import CITATION_SOURCE
from indexer.store.models import IssuingBody, Relation, Source, Version, Work, work_issuing_bodies
from indexer.store.published import published_links
from indexer.store.status import RepealLink, Status, VersionDates, in_force_index, work_status

T = TypeVar("T")
CHUNK = 500  # ids per IN (...) list: well under every database's limit on bound parameters
# Said wherever a basis change cannot be known because the citations were never read from the texts.
LINKS_NOT_BUILT = "未建立引用关系"
# A date the store cannot place a work on: its end has no date (a past date may be before or after it), or its
# history lines show it made by then while no text of that time is stored. Never a code of the store's status.
UNKNOWN = "unknown"
UNKNOWN_LABEL = "不详"
POINT_LABELS = {**STATUS_LABELS, UNKNOWN: UNKNOWN_LABEL}
LINKS_NOT_BUILT_NOTICE = ("本库尚未建立引用关系（从未运行 `fagui links rebuild`），无法判断文件的制定依据或所引用的法规"
                          "是否已变化：请先运行 `fagui links rebuild`。")


def links_built(session: Session) -> bool:
    """Whether the citations were ever read from the texts (`fagui links rebuild`): without them no document has
    a basis, so "basis unchanged" would be a guess. The rebuild registers its derived source on its first run."""
    return session.scalar(select(Source.id).where(Source.name == CITATION_SOURCE)) is not None


@dataclass
class VersionRow:
    """One version of a work: its dates, number, source label and history, no text."""

    id: int
    seq: int
    title: str
    doc_number: str | None
    published: date | None
    effective_from: date | None
    expires: date | None
    ended_on: date | None
    end_status: str | None
    source_status: str | None
    history: list | None

    @property
    def start(self) -> date | None:
        return self.effective_from or self.published

    def dates(self) -> VersionDates:
        return VersionDates(self.effective_from, self.published, self.expires, self.ended_on, self.end_status,
                            self.source_status)


@dataclass(frozen=True)
class RepealRow(RepealLink):
    """A repeal link, with the deciding work's own date for when the link itself names none."""

    decided: date | None = None
    decided_label: str = ""  # 施行日期 or 公布日期


@dataclass
class WorkRow:
    """One work with its versions (oldest first), issuing bodies (in order) and the links that repeal it."""

    id: str
    title: str
    doc_type: str | None
    region: str
    bodies: list[str] = field(default_factory=list)
    versions: list[VersionRow] = field(default_factory=list)
    repeals: list[RepealLink] = field(default_factory=list)

    def dates(self) -> list[VersionDates]:
        return [v.dates() for v in self.versions]

    def status_on(self, as_of: date) -> Status:
        return work_status(self.dates(), as_of, self.repeals)

    def point_status(self, as_of: date, today: date | None = None) -> Status:
        """status_on, but UNKNOWN (不详) for a date it cannot place: a past date before an end no source dates
        (never 已废止 for every past day), or a date before the first stored text when the history lines show the
        work made by then (never 尚未生效 for a law adopted years before the stored text)."""
        status = self.status_on(as_of)
        if status.status in ("repealed", "expired") and as_of < (today or date.today()):
            end, _ = self.known_end(as_of)
            if end is None:
                return Status(UNKNOWN, False, "废止或失效日期不详，无法判断该日是否仍然有效"
                              + (f"（{status.reason}）" if status.reason else ""))
        if status.status == "not_yet_effective" and self.versions:
            made = self.made_by(as_of)
            if made is not None:
                return Status(UNKNOWN, False, f"据文本沿革，{made.get('text') or made.get('date')}，"
                              "但本库未收录该日施行的文本")
        return status

    def made_by(self, as_of: date) -> dict[str, Any] | None:
        """The latest history event (adopted, amended, revised) of any stored text dated on or before as_of."""
        found: dict[str, Any] | None = None
        day = as_of.isoformat()
        for v in self.versions:
            for event in v.history or ():
                when = event.get("date")
                if event.get("kind") in ("adopted", "amended", "revised") and when and when <= day and (
                        found is None or when > found["date"]):
                    found = event
        return found

    def version_on(self, as_of: date) -> VersionRow | None:
        i = in_force_index(self.dates(), as_of)
        return self.versions[i] if i is not None else None

    def known_end(self, as_of: date) -> tuple[date | None, str]:
        """When the work stopped being in force, where its status on as_of is repealed or expired: the repeal
        link's date, or where the link names none, the repealing decision's own 施行/公布 date, with a note
        saying so; else the reported end or the 有效期至. (None, ""): no source dates the end (a source that only says 废止/失效, or a link whose
        decision has no date either); such an end belongs in no period."""
        for link in sorted(self.repeals, key=lambda r: r.effective or date.min):
            if link.effective is not None and link.applies(as_of):
                return link.effective, ""
            if link.effective is None and isinstance(link, RepealRow) and link.decided is not None:
                return link.decided, f"日期为《{link.by}》的{link.decided_label}（废止关系未注明日期）"
        v = self.version_on(as_of)
        if v is None:
            return None, ""
        if v.end_status and (v.ended_on is None or v.ended_on <= as_of):
            return v.ended_on, ""
        if v.expires is not None and v.expires < as_of:
            return v.expires, ""
        return None, ""


def snapshot(session: Session, *, region: str | None = None, doc_type: str | None = None,
             work_ids: set[str] | None = None) -> dict[str, WorkRow]:
    """The works in a region and of a doc_type (None: any), limited to work_ids where given (empty: none)."""
    query = select(Work.id, Work.title, Work.doc_type, Work.region)
    if region:
        query = query.where(Work.region == region)
    if doc_type:
        query = query.where(Work.doc_type == doc_type)
    if work_ids is not None:
        query = query.where(Work.id.in_(work_ids)) if work_ids else query.where(Work.id.is_(None))
    return fill(session, works_from(session.execute(query)))


def works_from(rows: Iterable[Row[Any]]) -> dict[str, WorkRow]:
    """Bare WorkRows (no versions yet) from rows of a select(Work.id, Work.title, Work.doc_type, Work.region)."""
    return {row.id: WorkRow(id=row.id, title=row.title, doc_type=row.doc_type, region=row.region) for row in rows}


def fill(session: Session, works: dict[str, WorkRow]) -> dict[str, WorkRow]:
    """Add versions, issuing bodies and repeal links to bare WorkRows; returns the same dict."""
    if not works:
        return works
    for chunk in chunks(list(works)):
        for row in session.execute(
            select(Version.work_id, Version.id, Version.seq, Version.title, Version.doc_number, Version.published,
                   Version.effective_from, Version.expires, Version.ended_on, Version.end_status,
                   Version.source_status, Version.history)
            .where(Version.work_id.in_(chunk)).order_by(Version.work_id, Version.seq)
        ):
            works[row.work_id].versions.append(VersionRow(
                id=row.id, seq=row.seq, title=row.title, doc_number=row.doc_number, published=row.published,
                effective_from=row.effective_from, expires=row.expires, ended_on=row.ended_on,
                end_status=row.end_status, source_status=row.source_status, history=row.history))
        for body in session.execute(
            select(work_issuing_bodies.c.work_id, IssuingBody.name)
            .join(IssuingBody, IssuingBody.id == work_issuing_bodies.c.body_id)
            .where(work_issuing_bodies.c.work_id.in_(chunk)).order_by(work_issuing_bodies.c.position)
        ):
            works[body.work_id].bodies.append(body.name)
        subject = Work.__table__.alias("subject")
        decision = Version.__table__.alias("decision")
        for link in session.execute(
            select(Relation.object_work_id, Relation.effective, subject.c.title.label("by"),
                   decision.c.effective_from.label("decision_effective"),
                   decision.c.published.label("decision_published"))
            .join(subject, subject.c.id == Relation.subject_work_id)
            .outerjoin(decision, decision.c.id == subject.c.current_version_id)
            .where(Relation.object_work_id.in_(chunk), Relation.relation_type.in_(("repeals", "replaces")))
        ):
            decided, label = ((link.decision_effective, "施行日期") if link.decision_effective
                              else (link.decision_published, "公布日期"))
            works[link.object_work_id].repeals.append(
                RepealRow(effective=link.effective, by=link.by, decided=decided, decided_label=label))
        for work_id, links in published_links(session, chunk).items():
            works[work_id].repeals.extend(links)
    return works


def chunks(ids: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]
