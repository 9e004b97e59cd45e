"""Decisions of a round imported from a CSV or XLSX file: the round's own result export (清理结果, edited in a
spreadsheet) or any table with a 标题 or 文件编号 column, a 清理决定 column and a 理由 column (决定日期
optional). Rows whose decision is empty or 待定 are left undecided. The person importing is the reviewer and the
actor of each audit row (a 审核人 column in the file is not taken on trust); one more audit row names the file.

All or nothing: every row is checked first (decision word, reason, the work in the round's scope, a work named
twice); any error names its line, and the caller commits only when there is none. Each decision recorded goes through
clearance.rounds.decide, so it has its audit row like one made on the site."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from clearance.checklist import ChecklistError, read_table
from clearance.rounds import (
    ClearanceError,
    checked_actor,
    decide,
    decision_code,
    find_round_work,
    get_round,
    record_audit,
)
from fagui.normalise.dates import parse_date

_HEADERS = {
    "work_id": ("文件编号", "work_id", "编号"),
    "title": ("标题", "名称", "文件名称", "title"),
    "decision": ("清理决定", "决定", "decision"),
    "reason": ("理由", "决定理由", "清理理由", "reason"),
    "decided_on": ("决定日期", "decided_on"),
}
UNDECIDED = ("", "待定")


@dataclass
class ImportResult:
    recorded: int = 0  # decisions made or changed
    unchanged: int = 0  # already so
    undecided: int = 0  # rows left 待定
    errors: list[str] = field(default_factory=list)  # "第 N 行：..." (nothing written when any)


def _columns(headers: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, header in enumerate(headers):
        name = str(header).strip()
        for role, names in _HEADERS.items():
            if role not in found and name in names:
                found[role] = i
    return found


def import_decisions(session: Session, round_id: int, source: bytes | BinaryIO | Path, filename: str,
                     actor: str) -> ImportResult:
    """Record the decisions in the file. Any error is returned in `errors` (nothing is recorded when a row is
    wrong; should a decision still fail while recording, the caller must roll back rather than commit)."""
    rnd = get_round(session, round_id)
    if rnd.closed is not None:
        raise ClearanceError(f"清理轮次“{rnd.name}”已结束，不能再作出或变更决定")
    actor = checked_actor(actor)
    try:
        table = read_table(source, filename)
    except ChecklistError as exc:  # a clear Chinese message already
        raise ClearanceError(str(exc)) from None
    cols = _columns(table.headers)
    if "decision" not in cols:
        raise ClearanceError(f"文件中没有“清理决定”列；表头为：{'、'.join(table.headers)[:200]}")
    if "work_id" not in cols and "title" not in cols:
        raise ClearanceError("文件中需要“文件编号”或“标题”列")
    result = ImportResult()
    planned: list[tuple[int, str, str, str, date | None]] = []
    seen: dict[str, int] = {}

    def cell(row: list, role: str) -> str:
        i = cols.get(role)
        value = row[i] if i is not None and i < len(row) else None
        if isinstance(value, date):
            return value.isoformat()
        return "" if value is None else str(value).strip()

    for offset, row in enumerate(table.rows, start=1):
        line = table.header_row + offset
        decision = cell(row, "decision")
        if decision in UNDECIDED:
            result.undecided += 1
            continue
        try:
            code = decision_code(decision)
            work_id = find_round_work(session, round_id, cell(row, "work_id") or cell(row, "title"))
            reason = cell(row, "reason")
            if not reason:
                raise ClearanceError("请填写决定理由")
            decided_text = cell(row, "decided_on")
            decided_on = parse_date(decided_text[:10]) if decided_text else None
            if decided_text and decided_on is None:
                raise ClearanceError(f"决定日期无法识别：{decided_text[:20]}")
        except ClearanceError as exc:
            result.errors.append(f"第 {line} 行：{exc}")
            continue
        if work_id in seen:
            result.errors.append(f"第 {line} 行：与第 {seen[work_id]} 行是同一文件")
            continue
        seen[work_id] = line
        planned.append((line, work_id, code, reason, decided_on))
    if result.errors:
        return result
    for line, work_id, code, reason, decided_on in planned:
        try:
            done = decide(session, round_id, work_id, code, reason, actor, decided_on)
        except ClearanceError as exc:
            result.errors.append(f"第 {line} 行：{exc}")
            continue
        if done is None:
            result.unchanged += 1
        else:
            result.recorded += 1
    if not result.errors:
        record_audit(session, round_id, actor, "import_decisions",
               after={"file": Path(filename or "").name[:200], "recorded": result.recorded,
                      "unchanged": result.unchanged, "undecided": result.undecided})
        session.flush()
    return result
