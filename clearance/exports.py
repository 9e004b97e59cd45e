"""Reports as files: CSV (UTF-8 with a BOM so Excel reads the Chinese), XLSX (openpyxl) and JSON.

CSV and XLSX carry exactly the same cells. Text that a spreadsheet would run as a formula (starting with
= + - @, a tab or a carriage return) gets a leading apostrophe in both, so an exported title such as
"=HYPERLINK(...)" is shown, never evaluated. Links in the XLSX are real cell hyperlinks (a title opens its work at
the site's public address, a 链接 cell its address), never formulas. Given a `heading` (the data source line), the
XLSX starts with the report's title, its description (scope and date) and that line above the table, so a file
handed over says what it is; the CSV stays a plain table."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from typing import Any

from clearance.models import Column, Report
from fagui.errors import FaguiError

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json; charset=utf-8", "json"),
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML (and so XLSX) cannot hold; dropped from both formats so they stay identical.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_WORK_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
SITE_NAME = "法规统一公开查询平台"


def source_line(base_url: str, now: datetime | None = None) -> str:
    """The heading's data source line: where the data comes from and when the file was made."""
    made = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
    return f"数据来源：{SITE_NAME}（{base_url.rstrip('/')}），导出于 {made}"


class ExportError(FaguiError, ValueError):
    pass


def safe_text(value: str) -> str:
    value = _ILLEGAL.sub("", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def cell(value: object) -> str | int | float:
    """One cell as both formats write it: numbers stay numbers, dates become YYYY-MM-DD, text is made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value))


def table(report: Report) -> list[list[str | int | float]]:
    """Header row of Chinese labels, then one row per report row, in column order; a report's notice, when it
    has one, comes first on a line of its own, so no file of an empty table is mistaken for "nothing found"."""
    rows: list[list[str | int | float]] = [[cell(f"注意：{report.notice}")]] if report.notice else []
    rows.append([c.label for c in report.columns])
    rows.extend([cell(r.get(c.key)) for c in report.columns] for r in report.rows)
    return rows


def to_csv(report: Report) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in table(report):
        writer.writerow(row)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _link(report: Report, col: Column, row: dict[str, Any], base_url: str | None) -> str | None:
    """The address a cell opens: a work column its work at base_url, a url column its own http(s) address."""
    if col.kind == "url":
        value = row.get(col.key)
        return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None
    if col.kind == "work" and base_url:
        work_id = row.get("cited_work_id" if col.key == "cited_title" else "work_id")
        if isinstance(work_id, str) and _WORK_ID.fullmatch(work_id):
            return f"{base_url.rstrip('/')}/works/{work_id}"
    return None


def to_xlsx(report: Report, base_url: str | None = None, heading: str | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = report.title[:31]  # Excel's limit on sheet names
    top = 0
    if heading is not None:
        for text, font in ((report.title, Font(bold=True, size=14)), (report.description, Font()),
                           (heading, Font(color="555555"))):
            ws.append([cell(text)])
            top += 1
            ws.cell(row=top, column=1).font = font
            ws.cell(row=top, column=1).alignment = Alignment(wrap_text=False)
        ws.append([])
        top += 1
    for row in table(report):
        ws.append(row)
    header = top + (2 if report.notice else 1)
    for cell_ in ws[header]:
        cell_.font = Font(bold=True)
    if report.notice:
        ws.cell(row=top + 1, column=1).font = Font(bold=True, color="9C0006")
    for i, col in enumerate(report.columns, start=1):
        if col.kind not in ("work", "url"):
            continue
        for n, values in enumerate(report.rows):
            target = _link(report, col, values, base_url)
            if target:
                linked = ws.cell(row=header + 1 + n, column=i)
                linked.hyperlink = target
                linked.font = Font(color="0563C1", underline="single")
    for i, col in enumerate(report.columns, start=1):
        colours = report.fills.get(col.key)
        if not colours:
            continue
        for (cell_,) in ws.iter_rows(min_row=header + 1, min_col=i, max_col=i):
            if isinstance(cell_.value, str) and cell_.value in colours:
                cell_.fill = PatternFill(fill_type="solid", fgColor=colours[cell_.value])
                cell_.font = Font(bold=True)
    ws.freeze_panes = f"A{header + 1}"
    for i, col in enumerate(report.columns, start=1):
        width = {"work": 40, "text": 16, "date": 12, "int": 10, "number": 10}.get(col.kind, 16)
        if col.key in ("evidence", "reason", "changes"):
            width = 60
        ws.column_dimensions[get_column_letter(i)].width = width
    wb.properties.title = report.title
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_json(report: Report) -> bytes:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=1).encode("utf-8")


def export(report: Report, fmt: str, base_url: str | None = None, heading: str | None = None) -> bytes:
    """The report as a file. base_url: the site's public address for links in the XLSX; heading: the data source
    line that, with the title and description, heads the XLSX (see the module's note)."""
    if fmt == "csv":
        return to_csv(report)
    if fmt == "xlsx":
        return to_xlsx(report, base_url, heading)
    if fmt == "json":
        return to_json(report)
    raise ExportError(f"不支持的导出格式：{fmt}（可用：csv、xlsx、json）")


def filename(report: Report, fmt: str) -> str:
    as_of = report.params.get("as_of") or report.params.get("period_to")
    suffix = f"-{as_of.isoformat()}" if isinstance(as_of, date) else ""
    return f"{report.name}{suffix}.{FORMATS[fmt][1]}"
