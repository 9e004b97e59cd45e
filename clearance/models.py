"""The shape every clearance table takes: a Report is rows of plain values plus column definitions with Chinese
headers, so the portal, the command line and the exporters (clearance.exports) all show the same thing.

The validity-status reports (clearance.reports), a round's published lists (clearance.rounds) and a batch
check's results (clearance.checklist) all build one; it lives apart from each so that none of them has to
import another to produce a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # Chinese header
    kind: str = "text"  # text | date | int | number | work (a title linking to the work)


@dataclass(frozen=True)
class Section:
    """A titled run of a report's rows, rows[start:start + count], listed apart from the rows before it (the
    changes report's works whose end has no date). Exports keep every row in the one table, in this order."""

    key: str
    title: str
    start: int
    count: int
    note: str = ""


@dataclass
class Report:
    name: str
    title: str
    description: str
    columns: list[Column]
    # One dict per row keyed by Column.key: a table whose columns differ per report, read generically by the
    # exporters and the report templates.
    rows: list[dict[str, Any]]
    params: dict[str, Any]
    chart: list[tuple[str, int]] | None = None  # (label, value) bars, where a picture reads faster
    chart_title: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)  # empty: the rows are one list
    # Cell colours in the XLSX export: column key -> cell text -> RGB (the batch check's 已匹配 / 需人工确认 ...).
    fills: dict[str, dict[str, str]] = field(default_factory=dict)
    # What a reader must know before trusting the rows (the store lacks what the report reads); exports write it
    # above the table, the page shows it first.
    notice: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "params": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.params.items()},
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()} for r in self.rows],
            "summary": self.summary,
            "notice": self.notice,
            "sections": [{"key": x.key, "title": x.title, "start": x.start, "count": x.count, "note": x.note}
                         for x in self.sections],
        }


def report_title(title: str) -> str:
    """A report title fit to be an XLSX sheet name too (clearance.exports uses it): no \\ / ? * [ ] :."""
    return "".join("_" if ch in "\\/?*[]:" else ch for ch in title).strip() or "清理"
