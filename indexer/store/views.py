"""The document views as typed values: a work with its versions and links, one version with its articles and
table of contents, one article, and the comparison of two versions (新旧对照).

indexer.store.documents builds them from the store; the portal pages, the API and the downloads read them by
attribute. Each type writes its own JSON in `to_json`, in the key order the API has always used (the OpenAPI
document in portal/openapi.py describes it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fagui.vocabulary import STATUS_LABELS
from indexer.store.published import PublishedDecision

JSON = dict[str, Any]
# A run of a compared text: [op, text], op "equal", "delete" (old side) or "insert" (new side); text unescaped.
Segment = list[str]


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def status_basis(official: bool) -> str:
    return "官方标注" if official else "系统推断"


class _Status:
    """The status fields shared by works and versions: the code, its label and whether a source said so."""

    status: str
    status_official: bool

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def status_basis(self) -> str:
        return status_basis(self.status_official)

    def _status_json(self) -> JSON:
        return {"status": self.status, "status_label": self.status_label,
                "status_official": bool(self.status_official), "status_basis": self.status_basis}


@dataclass(frozen=True)
class VersionSummary(_Status):
    """One text of a work as the version timeline lists it."""

    seq: int
    title: str
    doc_number: str | None
    published: date | None
    effective_from: date | None
    effective_to: date | None
    expires: date | None
    status: str
    status_official: bool
    source_status: str | None
    source_url: str | None
    is_current: bool
    created_at: datetime | None

    def to_json(self) -> JSON:
        return {
            "seq": self.seq,
            "title": self.title,
            "doc_number": self.doc_number,
            "published": iso(self.published),
            "effective_from": iso(self.effective_from),
            "effective_to": iso(self.effective_to),
            "expires": iso(self.expires),
            **self._status_json(),
            "source_status": self.source_status,
            "source_url": self.source_url,
            "is_current": self.is_current,
            "created_at": iso(self.created_at),
        }


@dataclass(frozen=True)
class WorkSummary(_Status):
    """A work as the head of its pages shows it: title, level, region and its status with the reason."""

    id: str
    title: str
    doc_type: str | None
    region: str
    status: str
    status_official: bool
    status_reason: str | None

    def to_json(self) -> JSON:
        return {"id": self.id, "title": self.title, "doc_type": self.doc_type, "region": self.region,
                **self._status_json(), "status_reason": self.status_reason}


@dataclass(frozen=True)
class BodyRef:
    id: int
    name: str

    def to_json(self) -> JSON:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class RelationItem:
    """The other end of a link. For a link to an article: which text of the cited work holds that number."""

    work_id: str | None
    title: str
    resolved: bool
    doc_number: str | None
    article: str | None  # "133" or "133-1"
    effective: date | None
    status: str | None  # None: the other end is not in the store
    # The version of the cited work (the relation's object) that holds the article; None = its current text.
    version: int | None = None
    # The citing text predates every stored version of the cited work: the article number may differ.
    article_may_differ: bool = False
    # Then the day the earliest stored version of the cited work was published.
    stored_from: date | None = None

    @property
    def status_label(self) -> str | None:
        return STATUS_LABELS.get(self.status, self.status) if self.status is not None else None

    def to_json(self) -> JSON:
        return {
            "work_id": self.work_id,
            "title": self.title,
            "resolved": self.resolved,
            "doc_number": self.doc_number,
            "article": self.article,
            "effective": iso(self.effective),
            "status": self.status,
            "status_label": self.status_label,
            "version": self.version,
            "article_may_differ": self.article_may_differ,
            "stored_from": iso(self.stored_from),
        }


@dataclass(frozen=True)
class RelationGroup:
    """The links of one type and direction (修改 / 被修改 ...), labelled as they read from this work."""

    type: str
    direction: str  # "outgoing" | "incoming"
    label: str
    items: tuple[RelationItem, ...]

    def to_json(self) -> JSON:
        return {"type": self.type, "direction": self.direction, "label": self.label,
                "items": [i.to_json() for i in self.items]}


@dataclass(frozen=True)
class SourceGone:
    """A source page of the work that a complete crawl of its source no longer listed (kept, not deleted)."""

    source: str
    url: str
    gone_on: date

    def to_json(self) -> JSON:
        return {"source": self.source, "url": self.url, "gone_on": iso(self.gone_on),
                "label": f"来源页面已下线（{self.gone_on.isoformat()}）"}


@dataclass(frozen=True)
class WorkView(WorkSummary):
    """A work's page: metadata of its current text, the versions as a timeline and links both ways."""

    region_code: str | None
    issuing_bodies: tuple[BodyRef, ...]
    current_version: int | None
    doc_number: str | None
    published: date | None
    effective_from: date | None
    expires: date | None
    source_url: str | None
    history: tuple[dict[str, Any], ...]  # events as stored: kind, date, body, text
    updated_at: datetime | None
    versions: tuple[VersionSummary, ...]
    relations: tuple[RelationGroup, ...]
    # Decisions of published clearance rounds on the work (indexer.store.published), oldest first.
    clearance: tuple[PublishedDecision, ...] = ()
    # source pages of this work a complete crawl no longer found (来源页面已下线): url, source, date
    source_gone: tuple[SourceGone, ...] = ()

    @property
    def summary(self) -> WorkSummary:
        return WorkSummary(self.id, self.title, self.doc_type, self.region, self.status, self.status_official,
                           self.status_reason)

    def to_json(self) -> JSON:
        return {
            **super().to_json(),
            "region_code": self.region_code,
            "issuing_bodies": [b.to_json() for b in self.issuing_bodies],
            "current_version": self.current_version,
            "doc_number": self.doc_number,
            "published": iso(self.published),
            "effective_from": iso(self.effective_from),
            "expires": iso(self.expires),
            "source_url": self.source_url,
            "history": list(self.history),
            "updated_at": iso(self.updated_at),
            "versions": [v.to_json() for v in self.versions],
            "relations": [g.to_json() for g in self.relations],
            "clearance_decisions": [{
                "decision": d.label, "round": d.round_name, "published_on": iso(d.published_on),
                "doc_number": d.number, "undone_on": iso(d.undone_on), "pending_amendment": d.pending_amendment,
            } for d in self.clearance],
            "source_gone": [g.to_json() for g in self.source_gone],
        }

    def versions_json(self) -> JSON:
        """The version list of the API (/works/<id>/versions)."""
        return {"work_id": self.id, "title": self.title, "current_version": self.current_version,
                "versions": [v.to_json() for v in self.versions]}


@dataclass(frozen=True)
class ArticleView:
    """One article (条): number and sub (第一百三十三条之一 is 133, 1), its heading path and text; anchor art-<n>."""

    number: int
    sub: int
    label: str
    path: str | None
    anchor: str
    text: str

    def to_json(self) -> JSON:
        return {"number": self.number, "sub": self.sub, "label": self.label, "path": self.path,
                "anchor": self.anchor, "text": self.text}


@dataclass
class TocEntry:
    """A heading (编 / 章 / 节) of the table of contents, pointing at its first article."""

    title: str
    level: int
    anchor: str
    first_article: str
    last_article: str
    children: list[TocEntry] = field(default_factory=list)

    def to_json(self) -> JSON:
        return {"title": self.title, "level": self.level, "anchor": self.anchor,
                "first_article": self.first_article, "last_article": self.last_article,
                "children": [c.to_json() for c in self.children]}


@dataclass(frozen=True)
class FactView:
    """What one source says of a version's 公布日期, 施行日期 or status, and whether it is the value shown."""

    field: str  # published, effective, status
    value: str
    source: str  # the source's title (国家法律法规数据库（快照）)
    basis: str  # official, collection, inferred
    basis_label: str  # 官方数据库, 汇编, 推定
    source_ref: str
    source_url: str | None
    chosen: bool

    def to_json(self) -> JSON:
        return {"field": self.field, "value": self.value, "source": self.source, "basis": self.basis,
                "basis_label": self.basis_label, "source_ref": self.source_ref, "source_url": self.source_url,
                "chosen": self.chosen}


@dataclass(frozen=True)
class VersionView:
    """One version to read: its articles and table of contents, or its text (body) when it has no 第X条."""

    work: WorkSummary
    issuing_bodies: tuple[str, ...]
    version: VersionSummary
    versions: tuple[int, ...]  # the seqs of all versions of the work
    preamble: str
    body: str | None
    articles: tuple[ArticleView, ...]
    toc: tuple[TocEntry, ...]
    attachments: tuple[dict[str, Any], ...]
    # Where each date and the status label come from, per source, the value shown first (indexer.store.facts).
    facts: tuple[FactView, ...] = ()

    def facts_of(self, name: str) -> tuple[FactView, ...]:
        return tuple(f for f in self.facts if f.field == name)

    def to_json(self) -> JSON:
        return {
            "work": self.work.to_json(),
            "issuing_bodies": list(self.issuing_bodies),
            "version": self.version.to_json(),
            "versions": list(self.versions),
            "preamble": self.preamble,
            "body": self.body,
            "articles": [a.to_json() for a in self.articles],
            "toc": [t.to_json() for t in self.toc],
            "attachments": list(self.attachments),
            "facts": [f.to_json() for f in self.facts],
        }


@dataclass(frozen=True)
class ArticleDetail:
    """One article of a version with the anchors of its neighbours."""

    work: WorkSummary
    version: VersionSummary
    article: ArticleView
    previous: str | None
    next: str | None

    def to_json(self) -> JSON:
        return {"work": self.work.to_json(), "version": self.version.to_json(), "article": self.article.to_json(),
                "previous": self.previous, "next": self.next}


@dataclass(frozen=True)
class ComparedArticle:
    """One side of a compared pair: which article it is, without its text (the segments carry that)."""

    number: int
    sub: int
    label: str
    anchor: str
    path: str | None

    def to_json(self) -> JSON:
        return {"number": self.number, "sub": self.sub, "label": self.label, "anchor": self.anchor,
                "path": self.path}


PAIR_OP_LABELS = {"unchanged": "未修改", "changed": "修改", "added": "新增", "removed": "删除"}


@dataclass(frozen=True)
class ComparePair:
    """A row of 新旧对照: an old article and the new article it became (either may be missing)."""

    op: str  # unchanged | changed | added | removed
    renumbered: bool
    format_only: bool  # unchanged but for character width or spacing
    old: ComparedArticle | None
    new: ComparedArticle | None
    old_segments: list[Segment]
    new_segments: list[Segment]

    @property
    def op_label(self) -> str:
        return PAIR_OP_LABELS[self.op]

    def to_json(self) -> JSON:
        return {
            "op": self.op,
            "op_label": self.op_label,
            "renumbered": self.renumbered,
            "format_only": self.format_only,
            "old": self.old.to_json() if self.old is not None else None,
            "new": self.new.to_json() if self.new is not None else None,
            "old_segments": self.old_segments,
            "new_segments": self.new_segments,
        }


@dataclass(frozen=True)
class Comparison:
    """新旧对照 of two versions of a work, the older one on the old side."""

    work: WorkSummary
    old: VersionSummary
    new: VersionSummary
    counts: dict[str, int]  # pairs per op
    pairs: tuple[ComparePair, ...]

    def to_json(self) -> JSON:
        return {"work": self.work.to_json(), "old": self.old.to_json(), "new": self.new.to_json(),
                "counts": dict(self.counts), "pairs": [p.to_json() for p in self.pairs]}
