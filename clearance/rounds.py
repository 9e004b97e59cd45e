"""Clearance rounds (清理): a round reviews the works in a scope (issuing body, region, doc_type) and records a
decision per work — 保留 / 修改 / 废止 / 宣布失效 — with reviewer, date and reason.

Every change is written to an append-only audit trail (who, what, when, before, after); audit rows are never
updated or deleted (the ORM refuses). Decisions never change a work's status: status comes from documents and
links only (indexer.store.status). A decision that disagrees with the computed status is a finding, listed in the
status-conflict report (decision_conflicts, called by clearance.reports.conflicts).

Published results: the round's result list and the catalogue of effective documents per issuing body
(现行有效目录), as clearance.models.Report objects so the portal and clearance.exports show and export them.

This module reads the store through clearance.snapshot and never imports clearance.reports: the reports import
it (the status-conflict report lists decision_conflicts), so the dependency runs one way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, func, or_, select
from sqlalchemy.orm import Session

from clearance.models import Column, Report, report_title
from clearance.snapshot import POINT_LABELS, VersionRow, WorkRow, snapshot
from fagui.errors import FaguiError
from fagui.vocabulary import DOC_TYPES, STATUS_LABELS, canonical_region
from indexer.store.bodies import descendant_ids
from indexer.store.models import (
    BodyAlias,
    ClearanceAudit,
    ClearanceDecision,
    ClearanceRound,
    IssuingBody,
    Work,
    utcnow,
    work_issuing_bodies,
)
from indexer.store.status import Status

DECISIONS: dict[str, str] = {"keep": "保留", "amend": "修改", "repeal": "废止", "declare_invalid": "宣布失效"}
DECISION_CODES = {label: code for code, label in DECISIONS.items()}
ACTION_LABELS = {"create_round": "新建清理轮次", "decide": "作出决定", "change_decision": "变更决定",
                 "close_round": "结束清理轮次", "publish_round": "公布清理结果",
                 "import_decisions": "导入清理决定"}
_ENDED = ("repealed", "expired")


class ClearanceError(FaguiError, ValueError):
    """A clearance action that cannot be done; the message is Chinese and says why."""


@event.listens_for(ClearanceAudit, "before_update")
def _no_audit_update(_mapper, _connection, _target) -> None:
    raise ClearanceError("审计记录不可修改")


@event.listens_for(ClearanceAudit, "before_delete")
def _no_audit_delete(_mapper, _connection, _target) -> None:
    raise ClearanceError("审计记录不可删除")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_audit_change(state) -> None:
    # session.execute(update(ClearanceAudit)) / delete(...) bypass the mapper events above.
    if (state.is_update or state.is_delete) and any(
            m.class_ is ClearanceAudit for m in state.all_mappers):
        raise ClearanceError("审计记录不可修改或删除")


def decision_code(value: str) -> str:
    """keep / 保留 -> keep; anything else is a ClearanceError naming the choices."""
    value = (value or "").strip()
    if value in DECISIONS:
        return value
    if value in DECISION_CODES:
        return DECISION_CODES[value]
    raise ClearanceError(f"未知的清理决定：{value[:20]}（可选：{'、'.join(DECISIONS.values())}）")


def _round_dict(r: ClearanceRound) -> dict:
    out = {"name": r.name, "body": r.body, "region": r.region, "doc_type": r.doc_type,
           "opened": r.opened.isoformat(), "closed": r.closed.isoformat() if r.closed else None}
    if r.published_on:
        out |= {"published_on": r.published_on.isoformat(), "published_number": r.published_number}
    return out


def _decision_dict(d: ClearanceDecision) -> dict:
    return {"decision": d.decision, "reason": d.reason, "reviewer": d.reviewer,
            "decided_on": d.decided_on.isoformat()}


def record_audit(session: Session, round_id: int, actor: str, action: str, work_id: str | None = None,
           before: dict | None = None, after: dict | None = None) -> None:
    session.add(ClearanceAudit(round_id=round_id, work_id=work_id, actor=actor, action=action, before=before,
                               after=after))


def checked_actor(actor: str) -> str:
    actor = (actor or "").strip()
    if not actor:
        raise ClearanceError("必须注明操作人")
    return actor[:80]


# ----------------------------------------------------------------------------------------------------------
# Rounds and decisions


def create_round(session: Session, name: str, actor: str, *, body: str | None = None, region: str | None = None,
                 doc_type: str | None = None, opened: date | None = None) -> ClearanceRound:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ClearanceError("清理轮次名称不能为空，且不超过 200 个字符")
    if session.scalar(select(ClearanceRound.id).where(ClearanceRound.name == name)) is not None:
        raise ClearanceError(f"已有同名的清理轮次：{name}")
    body = (body or "").strip() or None
    if body and _body_id(session, body) is None:
        raise ClearanceError(f"库中没有名为“{body}”的制定机关")
    doc_type = (doc_type or "").strip() or None
    if doc_type and doc_type not in DOC_TYPES:
        raise ClearanceError(f"未知的效力级别：{doc_type}")
    region = canonical_region(region) if (region or "").strip() else None
    rnd = ClearanceRound(name=name, body=body, region=region, doc_type=doc_type, opened=opened or date.today(),
                         created_by=checked_actor(actor))
    session.add(rnd)
    session.flush()
    record_audit(session, rnd.id, rnd.created_by, "create_round", after=_round_dict(rnd))
    session.flush()
    return rnd


def get_round(session: Session, round_id: int) -> ClearanceRound:
    rnd = session.get(ClearanceRound, round_id)
    if rnd is None:
        raise ClearanceError(f"没有编号为 {round_id} 的清理轮次")
    return rnd


@dataclass(frozen=True)
class RoundSummary:
    """One round as the round lists show it."""

    id: int
    name: str
    scope: str  # scope_label: 制定机关、行政区划、效力级别, or 全部文件
    opened: date
    closed: date | None
    created_by: str
    decisions: int  # works decided so far
    published_on: date | None = None  # the publishing decision's date and 文号, None while unpublished
    published_number: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """For JSON output (`fagui rounds list --json`)."""
        return {"id": self.id, "name": self.name, "scope": self.scope, "opened": self.opened.isoformat(),
                "closed": self.closed.isoformat() if self.closed else None, "created_by": self.created_by,
                "decisions": self.decisions,
                "published_on": self.published_on.isoformat() if self.published_on else None,
                "published_number": self.published_number}


def list_rounds(session: Session) -> list[RoundSummary]:
    """Every round, the latest opened first, with its number of decisions."""
    counts: dict[int, int] = {round_id: n for round_id, n in session.execute(
        select(ClearanceDecision.round_id, func.count()).group_by(ClearanceDecision.round_id))}
    return [RoundSummary(id=rnd.id, name=rnd.name, scope=scope_label(rnd), opened=rnd.opened, closed=rnd.closed,
                         created_by=rnd.created_by, decisions=counts.get(rnd.id, 0),
                         published_on=rnd.published_on, published_number=rnd.published_number)
            for rnd in session.scalars(select(ClearanceRound)
                                       .order_by(ClearanceRound.opened.desc(), ClearanceRound.id.desc()))]


def scope_label(rnd: ClearanceRound) -> str:
    parts = [p for p in (rnd.body, rnd.region, rnd.doc_type) if p]
    return "、".join(parts) if parts else "全部文件"


def undecided_count(session: Session, round_id: int) -> tuple[int, int]:
    """(works still 待定, works in the scope) of a round."""
    rnd = get_round(session, round_id)
    scope = scope_work_ids(session, rnd)
    decided = set(decisions_of(session, round_id)) & scope
    return len(scope) - len(decided), len(scope)


def close_round(session: Session, round_id: int, actor: str, closed: date | None = None, *,
                allow_undecided: bool = False) -> ClearanceRound:
    """End a round: no decision can be made or changed afterwards. Works still 待定 make this a ClearanceError
    naming how many, unless allow_undecided (the person closing confirmed it); the audit row records the count."""
    rnd = get_round(session, round_id)
    if rnd.closed is not None:
        raise ClearanceError(f"清理轮次“{rnd.name}”已于 {rnd.closed.isoformat()} 结束")
    closed = closed or date.today()
    if closed < rnd.opened:
        raise ClearanceError("结束日期不能早于开始日期")
    undecided, total = undecided_count(session, round_id)
    if undecided and not allow_undecided:
        raise ClearanceError(f"本轮清理范围内共 {total} 件，尚有 {undecided} 件待定（未作出决定）："
                             "请先作出决定，或确认仍要结束本轮清理（待定的文件不作处理）")
    before = _round_dict(rnd)
    rnd.closed = closed
    record_audit(session, rnd.id, checked_actor(actor), "close_round", before=before,
           after={**_round_dict(rnd), "undecided": undecided, "total": total})
    session.flush()
    return rnd


@dataclass(frozen=True)
class Publication:
    """What publishing a round changed: works it ended (废止 / 宣布失效), amendment notes, works it kept."""

    round_id: int
    published_on: date
    number: str
    ended: list[str]  # work ids
    amended: list[str]
    kept: list[str]


def publish_round(session: Session, round_id: int, actor: str, published_on: date, number: str) -> Publication:
    """Publish a closed round's result by the decision dated published_on with 文号 number: from that date its
    废止 / 宣布失效 decisions end the works (status, search, catalogues, feeds), 修改 shows a pending-amendment note,
    and 保留 / 修改 undo an earlier published end. The works' stored status is recomputed now and each change goes
    to the outbox, so the search index takes it at its next sync. Published once; the audit trail records it."""
    from indexer.store.upsert import recompute_work  # the store's status, recomputed for the decided works

    rnd = get_round(session, round_id)
    if rnd.closed is None:
        raise ClearanceError(f"清理轮次“{rnd.name}”尚未结束：请先结束本轮清理，再公布清理结果")
    if rnd.published_on is not None:
        raise ClearanceError(f"清理轮次“{rnd.name}”的清理结果已于 {rnd.published_on.isoformat()} 公布"
                             f"（{rnd.published_number}）；如需变更，请在新的清理轮次中作出决定并公布")
    number = (number or "").strip()
    if not number or len(number) > 200:
        raise ClearanceError("请填写公布清理结果的决定的文号（不超过 200 个字符）")
    if published_on is None:
        raise ClearanceError("请填写公布日期")
    if published_on < rnd.closed:
        raise ClearanceError(f"公布日期不能早于本轮清理的结束日期 {rnd.closed.isoformat()}")
    actor = checked_actor(actor)
    before = _round_dict(rnd)
    rnd.published_on, rnd.published_number, rnd.published_by = published_on, number, actor
    session.flush()
    decisions = decisions_of(session, round_id)
    for work in session.scalars(select(Work).where(Work.id.in_(list(decisions) or [""]))):
        recompute_work(session, work)
        work.updated_at = utcnow()  # the work changed: feeds and the index see it
    by = {code: sorted(w for w, d in decisions.items() if d.decision in codes)
          for code, codes in (("ended", ("repeal", "declare_invalid")), ("amended", ("amend",)), ("kept", ("keep",)))}
    record_audit(session, rnd.id, actor, "publish_round", before=before,
           after={**_round_dict(rnd), "ended": len(by["ended"]), "amended": len(by["amended"]),
                  "kept": len(by["kept"])})
    session.flush()
    return Publication(rnd.id, published_on, number, by["ended"], by["amended"], by["kept"])


def decide(session: Session, round_id: int, work_id: str, decision: str, reason: str, actor: str,
           decided_on: date | None = None) -> ClearanceDecision | None:
    """Record (or change) the round's decision on a work; returns None when nothing changed."""
    rnd = get_round(session, round_id)
    if rnd.closed is not None:
        raise ClearanceError(f"清理轮次“{rnd.name}”已结束，不能再作出或变更决定")
    code = decision_code(decision)
    reason = (reason or "").strip()
    if not reason:
        raise ClearanceError("请填写决定理由")
    if len(reason) > 2000:
        raise ClearanceError("决定理由不超过 2000 个字符")
    actor = checked_actor(actor)
    if session.get(Work, work_id) is None:
        raise ClearanceError(f"没有编号为 {work_id} 的文件")
    if work_id not in scope_work_ids(session, rnd):
        raise ClearanceError("该文件不在本轮清理范围内")
    decided_on = decided_on or date.today()
    current = session.scalar(select(ClearanceDecision).where(ClearanceDecision.round_id == round_id,
                                                             ClearanceDecision.work_id == work_id))
    if current is None:
        current = ClearanceDecision(round_id=round_id, work_id=work_id, decision=code, reason=reason,
                                    reviewer=actor, decided_on=decided_on)
        session.add(current)
        record_audit(session, round_id, actor, "decide", work_id, None, _decision_dict(current))
    else:
        if current.decision == code and current.reason == reason:
            return None
        before = _decision_dict(current)
        current.decision, current.reason, current.reviewer, current.decided_on = code, reason, actor, decided_on
        record_audit(session, round_id, actor, "change_decision", work_id, before, _decision_dict(current))
    session.flush()
    return current


def find_round_work(session: Session, round_id: int, ref: str) -> str:
    """A work of the round's scope named by its id (文件编号) or its exact title; a title that names several works
    of the scope, or none, is a ClearanceError that says so (the id then tells them apart)."""
    rnd = get_round(session, round_id)
    ref = (ref or "").strip()
    if not ref:
        raise ClearanceError("请注明文件编号或标题")
    scope = scope_work_ids(session, rnd)
    if ref in scope:
        return ref
    if session.get(Work, ref) is not None:
        raise ClearanceError(f"文件 {ref} 不在本轮清理范围内")
    found = sorted(w for w in session.scalars(select(Work.id).where(Work.title == ref)) if w in scope)
    if not found:
        raise ClearanceError(f"本轮清理范围内没有标题为“{ref[:100]}”的文件")
    if len(found) > 1:
        raise ClearanceError(f"本轮清理范围内有 {len(found)} 件标题为“{ref[:100]}”的文件（文件编号 "
                             f"{'、'.join(found[:5])}）：请用文件编号指明")
    return found[0]


@dataclass(frozen=True)
class AuditEntry:
    """One row of a round's audit trail; before and after are the stored values as they were written."""

    id: int
    at: datetime
    actor: str
    action: str  # create_round, decide, change_decision, close_round
    work_id: str | None
    title: str  # the work's title, "" for an action on the round itself
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def before_text(self) -> str:
        return _describe(self.before)

    @property
    def after_text(self) -> str:
        return _describe(self.after)


def audit_trail(session: Session, round_id: int, work_id: str | None = None) -> list[AuditEntry]:
    query = (select(ClearanceAudit, Work.title).outerjoin(Work, Work.id == ClearanceAudit.work_id)
             .where(ClearanceAudit.round_id == round_id).order_by(ClearanceAudit.id))
    if work_id:
        query = query.where(ClearanceAudit.work_id == work_id)
    return [AuditEntry(id=a.id, at=a.at, actor=a.actor, action=a.action, work_id=a.work_id, title=title or "",
                       before=a.before, after=a.after)
            for a, title in session.execute(query)]


def _describe(values: dict | None) -> str:
    if not values:
        return ""
    if "decision" in values:
        return f"{DECISIONS.get(values['decision'], values['decision'])}（{values.get('reviewer', '')}，" \
               f"{values.get('decided_on', '')}）：{values.get('reason', '')}"
    return "；".join(f"{k}={v}" for k, v in values.items() if v)


# ----------------------------------------------------------------------------------------------------------
# Scope and the round's works


def _body_id(session: Session, name: str) -> int | None:
    found = session.scalar(select(IssuingBody.id).where(IssuingBody.name == name))
    if found is None:
        found = session.scalar(select(BodyAlias.body_id).where(BodyAlias.alias == name))
    return found


def scope_work_ids(session: Session, rnd: ClearanceRound) -> set[str]:
    query = select(Work.id)
    if rnd.region:
        query = query.where(Work.region == rnd.region)
    if rnd.doc_type:
        query = query.where(Work.doc_type == rnd.doc_type)
    if rnd.body:
        body_id = _body_id(session, rnd.body)
        ids = descendant_ids(session, body_id) if body_id is not None else []
        query = query.where(Work.id.in_(select(work_issuing_bodies.c.work_id)
                                        .where(work_issuing_bodies.c.body_id.in_(ids or [-1]))))
    return set(session.scalars(query))


def decisions_of(session: Session, round_id: int) -> dict[str, ClearanceDecision]:
    return {d.work_id: d for d in session.scalars(select(ClearanceDecision)
                                                   .where(ClearanceDecision.round_id == round_id))}


@dataclass(frozen=True)
class WorkFilter:
    body: str | None = None
    status: str | None = None
    decision: str | None = None  # a code, or "none" for works without a decision
    text: str | None = None


@dataclass(frozen=True)
class RoundWork:
    """A work in a round's scope: its version in force, computed status on a date and the round's decision."""

    work_id: str
    title: str
    doc_type: str  # "" where none
    region: str
    bodies: str  # joined with 、
    doc_number: str  # "" where none
    published: date | None
    status: str  # code (effective ...)
    status_label: str
    status_reason: str
    decision: str | None  # code (keep ...), None while undecided
    decision_label: str  # 待定 while undecided
    reviewer: str
    decided_on: date | None
    reason: str


def round_works(session: Session, round_id: int, as_of: date | None = None,
                flt: WorkFilter = WorkFilter()) -> list[RoundWork]:
    """The works in the round's scope with their computed status on as_of and the round's decision."""
    rnd = get_round(session, round_id)
    as_of = as_of or date.today()
    works = snapshot(session, work_ids=scope_work_ids(session, rnd))
    decisions = decisions_of(session, round_id)
    rows = []
    for w in works.values():
        status = w.point_status(as_of)
        d = decisions.get(w.id)
        if flt.body and not any(flt.body in b for b in w.bodies):
            continue
        if flt.status and status.status != flt.status:
            continue
        if flt.decision == "none" and d is not None:
            continue
        if flt.decision and flt.decision != "none" and (d is None or d.decision != flt.decision):
            continue
        if flt.text and flt.text not in w.title:
            continue
        v = w.version_on(as_of)
        rows.append(RoundWork(
            work_id=w.id, title=w.title, doc_type=w.doc_type or "", region=w.region, bodies="、".join(w.bodies),
            doc_number=(v.doc_number if v else None) or "", published=v.published if v else None,
            status=status.status, status_label=POINT_LABELS[status.status], status_reason=status.reason or "",
            decision=d.decision if d else None, decision_label=DECISIONS[d.decision] if d else "待定",
            reviewer=d.reviewer if d else "", decided_on=d.decided_on if d else None, reason=d.reason if d else "",
        ))
    rows.sort(key=lambda r: (DOC_TYPES.index(r.doc_type) if r.doc_type in DOC_TYPES else 99, r.title))
    return rows


def round_bodies(session: Session, round_id: int) -> list[str]:
    rnd = get_round(session, round_id)
    ids = scope_work_ids(session, rnd)
    names = session.scalars(select(IssuingBody.name).join(
        work_issuing_bodies, work_issuing_bodies.c.body_id == IssuingBody.id)
        .where(work_issuing_bodies.c.work_id.in_(ids or {""})).distinct())
    return sorted(names)


# ----------------------------------------------------------------------------------------------------------
# Compare and publish


def compare_rounds(session: Session, round_a: int, round_b: int) -> Report:
    """Per work decided in either round: the decision in A, in B, and whether it changed."""
    a, b = get_round(session, round_a), get_round(session, round_b)
    da, db = decisions_of(session, a.id), decisions_of(session, b.id)
    titles = dict(session.execute(select(Work.id, Work.title).where(Work.id.in_(set(da) | set(db) or {""}))).all())
    rows: list[dict[str, Any]] = []
    for wid in set(da) | set(db):
        x, y = da.get(wid), db.get(wid)
        rows.append({
            "work_id": wid, "title": titles.get(wid, wid),
            "decision_a": DECISIONS[x.decision] if x else "未列入", "reason_a": x.reason if x else "",
            "decision_b": DECISIONS[y.decision] if y else "未列入", "reason_b": y.reason if y else "",
            "changed": (x.decision if x else None) != (y.decision if y else None),
        })
    rows.sort(key=lambda r: (not r["changed"], r["title"]))
    changed = sum(r["changed"] for r in rows)
    return Report(
        "compare", report_title(f"清理轮次对比 {a.name} 与 {b.name}"),
        f"两轮清理对同一文件的决定：“{a.name}”（A）与“{b.name}”（B），变化的排在前面。",
        [Column("title", "标题", "work"), Column("decision_a", f"A：{a.name}"), Column("reason_a", "A 理由"),
         Column("decision_b", f"B：{b.name}"), Column("reason_b", "B 理由"), Column("changed", "是否变化")],
        rows, {"round_a": a.id, "round_b": b.id}, summary={"total": len(rows), "changed": changed},
    )


def result_report(session: Session, round_id: int, as_of: date | None = None) -> Report:
    """清理结果: every work in the round's scope with its decision (待定 where none) and computed status."""
    rnd = get_round(session, round_id)
    as_of = as_of or date.today()
    rows = [_result_row(w) for w in round_works(session, round_id, as_of)]
    counts = {label: sum(1 for r in rows if r["decision"] == label) for label in [*DECISIONS.values(), "待定"]}
    return Report(
        "clearance-result", report_title(f"{rnd.name} 清理结果"),
        f"清理范围：{scope_label(rnd)}；开始于 {rnd.opened.isoformat()}"
        + (f"，结束于 {rnd.closed.isoformat()}" if rnd.closed else "，尚未结束")
        + f"。{publication_note(rnd)}时效性按 {as_of.isoformat()} 计算。",
        [Column("title", "标题", "work"), Column("doc_type", "效力级别"), Column("bodies", "制定机关"),
         Column("doc_number", "发文字号"), Column("published", "公布日期", "date"), Column("status", "时效性"),
         Column("decision", "清理决定"), Column("reason", "理由"), Column("reviewer", "审核人"),
         Column("decided_on", "决定日期", "date"), Column("work_id", "文件编号")],
        rows, {"as_of": as_of, "round": rnd.id},
        chart=[(k, v) for k, v in counts.items() if v], chart_title="清理决定（件）", summary=counts,
    )


def publication_note(rnd: ClearanceRound) -> str:
    """How the round's decisions bear on status, for the result list and catalogue descriptions."""
    if rnd.published_on:
        return (f"清理结果已于 {rnd.published_on.isoformat()} 公布（{rnd.published_number}），"
                "自该日起决定废止、宣布失效的文件按已废止、已失效计。")
    return "清理结果尚未公布，清理决定尚不改变文件的时效性。"


def _result_row(w: RoundWork) -> dict[str, Any]:
    # Labels in place of codes; the key order is the JSON export's, kept as it has always been.
    return {"work_id": w.work_id, "title": w.title, "doc_type": w.doc_type, "region": w.region, "bodies": w.bodies,
            "doc_number": w.doc_number, "published": w.published, "status": w.status_label,
            "status_reason": w.status_reason, "decision": w.decision_label, "reviewer": w.reviewer,
            "decided_on": w.decided_on, "reason": w.reason}


def catalogue_report(session: Session, round_id: int, as_of: date | None = None) -> Report:
    """现行有效目录 per issuing body: the works in the round's scope in force on as_of, grouped by body (a joint
    document is listed under each of its bodies)."""
    rnd = get_round(session, round_id)
    as_of = as_of or date.today()
    works = snapshot(session, work_ids=scope_work_ids(session, rnd))
    rows: list[dict[str, Any]] = []
    for w in works.values():
        if w.status_on(as_of).status != "effective":
            continue
        v = w.version_on(as_of)
        for body in w.bodies or ["未标注"]:
            rows.append({"body": body, "work_id": w.id, "title": w.title, "doc_type": w.doc_type or "",
                         "doc_number": (v.doc_number if v else None) or "", "published": v.published if v else None,
                         "effective": v.effective_from if v else None, "expires": v.expires if v else None})
    rows.sort(key=lambda r: (r["body"], DOC_TYPES.index(r["doc_type"]) if r["doc_type"] in DOC_TYPES else 99,
                             -(r["published"] or date.min).toordinal(), r["title"]))
    per_body: dict[str, int] = {}
    for r in rows:
        per_body[r["body"]] = per_body.get(r["body"], 0) + 1
    return Report(
        "clearance-catalogue", report_title(f"{rnd.name} 现行有效目录"),
        f"清理范围：{scope_label(rnd)}。截至 {as_of.isoformat()} 现行有效的文件，按制定机关分列。"
        + publication_note(rnd),
        [Column("body", "制定机关"), Column("title", "标题", "work"), Column("doc_type", "效力级别"),
         Column("doc_number", "发文字号"), Column("published", "公布日期", "date"),
         Column("effective", "施行日期", "date"), Column("expires", "有效期至", "date")],
        rows, {"as_of": as_of, "round": rnd.id},
        chart=sorted(per_body.items(), key=lambda kv: -kv[1])[:15], chart_title="按制定机关（件）",
        summary={"total": len({r['work_id'] for r in rows}), "bodies": len(per_body)},
    )


# ----------------------------------------------------------------------------------------------------------
# Status conflicts


@dataclass(frozen=True)
class DecisionConflict:
    """The latest clearance decision on a work, where it disagrees with the work's computed status."""

    work: WorkRow
    version: VersionRow | None  # in force on the date asked about
    status: Status  # computed
    decision: str  # code
    round_name: str
    why: str  # Chinese, says how they disagree

    @property
    def label(self) -> str:
        """The decision as the conflict report's "source label" column shows it: 保留（2024年清理）."""
        return f"{DECISIONS[self.decision]}（{self.round_name}）"


def decision_conflicts(session: Session, works: dict[str, WorkRow], as_of: date) -> list[DecisionConflict]:
    """Where the latest clearance decision on a work disagrees with its computed status on as_of: 保留 or 修改
    for a work computed repealed or expired; 废止 or 宣布失效 decided in a round closed on or before as_of, for
    a work still computed in force. The status-conflict report (clearance.reports.conflicts) lists them."""
    if not works:
        return []
    latest: dict[str, tuple[ClearanceDecision, ClearanceRound]] = {}
    query = (select(ClearanceDecision, ClearanceRound).join(ClearanceRound,
                                                             ClearanceRound.id == ClearanceDecision.round_id)
             .where(ClearanceRound.opened <= as_of,
                    or_(ClearanceDecision.decided_on <= as_of, ClearanceRound.closed.is_(None)))
             .order_by(ClearanceRound.opened, ClearanceRound.id))
    for d, rnd in session.execute(query):
        if d.work_id in works:
            latest[d.work_id] = (d, rnd)  # later rounds overwrite earlier ones
    found = []
    for wid, (d, rnd) in latest.items():
        w = works[wid]
        status = w.status_on(as_of)
        ended = status.status in _ENDED
        if d.decision in ("keep", "amend") and ended:
            why = f"清理决定{DECISIONS[d.decision]}，但文件按计算已{STATUS_LABELS[status.status].removeprefix('已')}"
        elif d.decision in ("repeal", "declare_invalid") and not ended and rnd.closed and rnd.closed <= as_of:
            why = f"清理决定{DECISIONS[d.decision]}（{rnd.closed.isoformat()} 清理结束），但尚无废止或失效的文件或关联"
        else:
            continue
        found.append(DecisionConflict(work=w, version=w.version_on(as_of), status=status, decision=d.decision,
                                      round_name=rnd.name, why=why))
    return found
