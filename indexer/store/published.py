"""Published clearance results as official ends of works.

A clearance round's result is published by a decision with a date and a 文号 (ClearanceRound.published_on,
published_number). From that date the round's 废止 decisions repeal the works and its 宣布失效 decisions end them
(status "expired"), as a stored repealing document would; a 修改 decision leaves the work in force with a pending
amendment note. A later published round that keeps (保留) or amends (修改) a work undoes an earlier published end
from its own publication date, so every date before it still shows the end: the links carry `until`.

Status (indexer.store.upsert.recompute_work), the clearance snapshot and the search index read the ends from here,
so they agree for any date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.store.models import ClearanceDecision, ClearanceRound
from indexer.store.status import RepealLink

ENDING = {"repeal": "repealed", "declare_invalid": "expired"}
LABELS = {"keep": "保留", "amend": "修改", "repeal": "废止", "declare_invalid": "宣布失效"}


@dataclass(frozen=True)
class PublishedDecision:
    """A decision of a published round on one work, as the document page shows it."""

    work_id: str
    round_id: int
    round_name: str
    decision: str  # keep, amend, repeal, declare_invalid
    reason: str
    published_on: date
    number: str  # 文号 of the publishing decision
    undone_on: date | None = None  # a later published decision undid this end (or superseded this note)

    @property
    def label(self) -> str:
        return LABELS.get(self.decision, self.decision)

    @property
    def source(self) -> str:
        """“2024年规章清理”清理结果（冀政字〔2024〕3号，2024-06-30 公布）"""
        return f"“{self.round_name}”清理结果（{self.number}，{self.published_on.isoformat()} 公布）"

    @property
    def pending_amendment(self) -> bool:
        """A 修改 decision not yet followed by a later published decision on the work."""
        return self.decision == "amend" and self.undone_on is None

    def link(self) -> RepealLink | None:
        """The end this decision puts on the work, None for 保留 / 修改."""
        status = ENDING.get(self.decision)
        if status is None:
            return None
        said = "清理决定废止" if status == "repealed" else "清理决定宣布失效"
        return RepealLink(effective=self.published_on, status=status, by=self.round_name, until=self.undone_on,
                          reason=f"{said}：{self.source}，{self.published_on.isoformat()}起")


def published_decisions(session: Session, work_ids: Iterable[str]) -> dict[str, list[PublishedDecision]]:
    """Per work, the decisions of published rounds in publication order, each with the date a later one undid it."""
    ids = list(dict.fromkeys(work_ids))
    out: dict[str, list[PublishedDecision]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = session.execute(
            select(ClearanceDecision.work_id, ClearanceDecision.decision, ClearanceDecision.reason,
                   ClearanceRound.id, ClearanceRound.name, ClearanceRound.published_on,
                   ClearanceRound.published_number)
            .join(ClearanceRound, ClearanceRound.id == ClearanceDecision.round_id)
            .where(ClearanceRound.published_on.is_not(None), ClearanceDecision.work_id.in_(chunk))
            .order_by(ClearanceDecision.work_id, ClearanceRound.published_on, ClearanceRound.id))
        for work_id, decision, reason, round_id, name, published_on, number in rows:
            assert published_on is not None  # the query asks for published rounds only
            out.setdefault(work_id, []).append(PublishedDecision(
                work_id=work_id, round_id=round_id, round_name=name, decision=decision, reason=reason,
                published_on=published_on, number=number or ""))
    for work_id, decisions in out.items():
        out[work_id] = [_with_undo(d, decisions[i + 1:]) for i, d in enumerate(decisions)]
    return out


def _with_undo(d: PublishedDecision, later: list[PublishedDecision]) -> PublishedDecision:
    # An end is undone by the next later decision that keeps or amends the work (a later 废止 only repeats it);
    # an amendment note is superseded by any later decision.
    for nxt in later:
        if d.decision in ENDING and nxt.decision in ENDING:
            continue
        return PublishedDecision(**{**d.__dict__, "undone_on": nxt.published_on})
    return d


def published_links(session: Session, work_ids: Iterable[str]) -> dict[str, list[RepealLink]]:
    """Per work, the ends its published clearance decisions put on it."""
    out: dict[str, list[RepealLink]] = {}
    for work_id, decisions in published_decisions(session, work_ids).items():
        links = [link for d in decisions if (link := d.link()) is not None]
        if links:
            out[work_id] = links
    return out
