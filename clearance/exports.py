"""Reports as files: CSV (UTF-8 with a BOM so Excel reads the Chinese), XLSX (openpyxl) and JSON.

CSV and XLSX carry exactly the same cells. Text that a spreadsheet would run as a formula (starting with
= + - @, a tab or a carriage return) gets a leading apostrophe in both, so an exported title such as
"=HYPERLINK(...)" is shown, never evaluated."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

from clearance.models import Report
from fagui.errors import FaguiError

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json; charset=utf-8", "json"),
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML (and so XLSX) cannot hold; dropped from both formats so they stay identical.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = report.title[:31]  # Excel's limit on sheet names
    for row in table(report):
        ws.append(row)
    header = 2 if report.notice else 1
    for cell_ in ws[header]:
        cell_.font = Font(bold=True)
    if report.notice:
        ws["A1"].font = Font(bold=True, color="9C0006")
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


def export(report: Report, fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(report)
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "json":
        return to_json(report)
    raise ExportError(f"不支持的导出格式：{fmt}（可用：csv、xlsx、json）")


def filename(report: Report, fmt: str) -> str:
    as_of = report.params.get("as_of") or report.params.get("period_to")
    suffix = f"-{as_of.isoformat()}" if isinstance(as_of, date) else ""
    return f"{report.name}{suffix}.{FORMATS[fmt][1]}"
