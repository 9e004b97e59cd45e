"""DocumentRecord: the plain-data contract every source produces and the store consumes.

A crawler never touches the database; it yields records, and the store decides what is new."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Protocol

from fagui.errors import FaguiError

# History event kinds found in the lines above a text (通过, 修正, 修订, 公布, 施行, 废止, 批准).
HISTORY_KINDS = ("adopted", "amended", "revised", "published", "effective", "repealed", "approved")


@dataclass(frozen=True)
class HistoryEvent:
    kind: str  # one of HISTORY_KINDS
    date: date | None
    body: str | None = None  # the body that acted, e.g. 全国人民代表大会常务委员会
    text: str = ""  # the line as written


@dataclass(frozen=True)
class RelationRef:
    """A link found in or given with a document; the target is named, not yet resolved to a work."""

    relation_type: str  # a vocabulary relation type
    title: str | None = None
    doc_number: str | None = None
    article: str | None = None
    effective: date | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class Attachment:
    url: str
    title: str | None = None
    media_type: str | None = None


@dataclass
class DocumentRecord:
    """One document as one source saw it: the text of one version and everything said about it."""

    source: str  # the source's name, e.g. "lawrefbook"
    source_ref: str  # the source's own id or path of this record
    title: str
    text: str
    doc_type: str | None = None
    issuing_bodies: list[str] = field(default_factory=list)
    doc_number: str | None = None
    region: str = "全国"
    published: date | None = None
    effective: date | None = None
    expires: date | None = None
    source_status: str | None = None  # the source's own label (有效 / 失效 / 已修改 / code 3 ...)
    html: str | None = None
    source_url: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    history: list[HistoryEvent] = field(default_factory=list)
    relations: list[RelationRef] = field(default_factory=list)
    # A stable identity the source gives across versions, where it has one; else region + title decide.
    work_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.title or not self.title.strip():
            raise RecordError(self.source_ref, "缺少标题")
        if self.text is None or not self.text.strip():
            raise RecordError(self.source_ref, "缺少正文")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (dates as ISO strings), as the example tests compare it."""
        return _jsonable(asdict(self))


class RecordError(FaguiError, ValueError):
    """A source record that cannot become a DocumentRecord; names the record so the error can be found."""

    def __init__(self, ref: str, reason: str) -> None:
        super().__init__(f"{ref}: {reason}")
        self.ref = ref
        self.reason = reason


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class RunCounts(Protocol):
    """The score of a crawl run, as the runner keeps it (crawlers.runner.RunSummary) and the store side saves
    it (indexer.ingest.crawl_state): part of the contract between them, so it is written once, here."""

    @property
    def listed(self) -> int: ...
    @property
    def fetched(self) -> int: ...
    @property
    def new(self) -> int: ...
    @property
    def changed(self) -> int: ...
    @property
    def unchanged(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def gone(self) -> int: ...
    @property
    def failures(self) -> list[dict[str, Any]]: ...
    @property
    def unmatched(self) -> list[dict[str, Any]]: ...
    @property
    def listing_error(self) -> str | None: ...
