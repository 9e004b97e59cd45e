"""Where the sources of one version disagree (来源之间不一致): a field (公布日期, 施行日期, 时效性 label) and what each
source document says of it, best-ranked first; the value the store uses is marked 采用. Rows for the status-
conflict report (clearance.reports.conflicts)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from clearance.snapshot import VersionRow, WorkRow
from indexer.store.facts import BASIS_LABELS, FIELD_LABELS, disagreements
from indexer.store.upsert import SOURCE_STATUS_MAP

ORIGIN = "来源之间不一致"


@dataclass(frozen=True)
class SourceConflict:
    work: WorkRow
    version: VersionRow
    field: str  # 公布日期, 施行日期, 时效性
    values: str  # 国家法律法规数据库（快照）：2022-05-01（官方数据库，采用）；LawRefBook：2022-03-29（推定）


def source_conflicts(session: Session, works: dict[str, WorkRow]) -> list[SourceConflict]:
    """The disagreements between sources on the versions of `works`."""
    versions = {v.id: (w, v) for w in works.values() for v in w.versions}
    out = []
    for d in disagreements(session, SOURCE_STATUS_MAP, set(versions)):
        work, version = versions[d.version_id]
        parts = []
        for i, (source, value, basis) in enumerate(d.values):
            note = BASIS_LABELS.get(basis, basis) + ("，采用" if i == 0 else "")
            parts.append(f"{source}：{value}（{note}）")
        out.append(SourceConflict(work, version, FIELD_LABELS.get(d.field, d.field), "；".join(parts)))
    return out
