"""Report export: CSV with a BOM, XLSX with the same rows as the CSV, JSON, formulas neutralised, and the
`fagui report` command writing each format."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from clearance.charts import bar_chart
from clearance.exports import ExportError, cell, export, filename, safe_text
from clearance.models import Column, Report

HOSTILE = ["=HYPERLINK(\"http://evil\",\"点我\")", "+1+2", "-3+4", "@SUM(A1)", "\tcmd", "\rx", "正常标题"]


def sample_report() -> Report:
    rows = [
        {"title": t, "published": date(2024, 1, i + 1), "days": i - 2, "years": 1.5, "note": None}
        for i, t in enumerate(HOSTILE)
    ]
    return Report(
        "expiring", "即将到期的文件", "说明", [
            Column("title", "标题", "work"), Column("published", "公布日期", "date"), Column("days", "剩余天数", "int"),
            Column("years", "有效期（年）", "number"), Column("note", "备注"),
        ], rows, {"as_of": date(2025, 1, 1)},
    )


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(data: bytes) -> list[list[str]]:
    ws = load_workbook(io.BytesIO(data)).active
    return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]


def test_xlsx_has_the_same_rows_as_the_csv():
    rep = sample_report()
    from_csv, from_xlsx = csv_rows(export(rep, "csv")), xlsx_rows(export(rep, "xlsx"))
    assert from_csv == from_xlsx
    assert from_csv[0] == ["标题", "公布日期", "剩余天数", "有效期（年）", "备注"]
    assert from_csv[1][1:4] == ["2024-01-01", "-2", "1.5"]  # negative numbers are numbers, not formulas
    assert len(from_csv) == len(HOSTILE) + 1


def test_formula_injection_neutralised_in_both_formats():
    rep = sample_report()
    data = export(rep, "xlsx")
    ws = load_workbook(io.BytesIO(data)).active
    for row in ws.iter_rows(min_row=2):
        assert row[0].data_type == "s"  # text, never a formula
        assert not str(row[0].value).startswith(("=", "+", "-", "@", "\t", "\r"))
    titles = [r[0] for r in csv_rows(export(rep, "csv"))[1:]]
    assert titles[0] == "'=HYPERLINK(\"http://evil\",\"点我\")"
    assert titles[-1] == "正常标题"
    assert safe_text("-3+4") == "'-3+4" and cell(-3) == -3 and cell(None) == "" and cell("a\x01b") == "ab"


def test_json_and_filenames_and_bad_format():
    rep = sample_report()
    data = json.loads(export(rep, "json"))
    assert data["name"] == "expiring" and data["params"] == {"as_of": "2025-01-01"}
    assert data["rows"][0]["title"] == HOSTILE[0]  # JSON keeps the text as it is; no spreadsheet reads it
    assert data["columns"][0] == {"key": "title", "label": "标题", "kind": "work"}
    assert filename(rep, "xlsx") == "expiring-2025-01-01.xlsx"
    with pytest.raises(ExportError, match="不支持的导出格式"):
        export(rep, "pdf")


def test_svg_chart_escapes_labels_and_has_no_script_or_style():
    svg = bar_chart([("<script>alert(1)</script>", 3), ("A&B 局", 0), ("浙江省人民政府办公厅", 10)], "标题<b>")
    assert "<script" not in svg and "&lt;script&gt;" in svg and "A&amp;B 局" in svg
    assert "style=" not in svg and "标题&lt;b&gt;" in svg
    assert svg.count("<rect") == 3
    assert "暂无数据" in bar_chart([], "空")


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    from fagui.cli.commands import cli
    from indexer.store.app_store import open_store
    from indexer.store.upsert import upsert_record
    from tests.clearance.test_reports import rec

    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    store = open_store(migrate=True)
    with store.sessions() as s:
        upsert_record(s, rec("=cmd|' /C calc'!A0", published=date(2021, 1, 1), expires=date(2099, 1, 1)))
        s.commit()
    store.engine.dispose()
    return CliRunner(), cli, tmp_path


def test_cli_report_formats_and_errors(cli_env):
    runner, cli, tmp = cli_env
    out = runner.invoke(cli, ["report", "catalogue", "--format", "csv"])
    assert out.exit_code == 0 and "'=cmd|' /C calc'!A0" in out.output
    xlsx, csv_file = tmp / "c.xlsx", tmp / "c.csv"
    assert runner.invoke(cli, ["report", "catalogue", "--format", "xlsx", "-o", str(xlsx)]).exit_code == 0
    assert runner.invoke(cli, ["report", "catalogue", "-o", str(csv_file)]).exit_code == 0
    sheet = xlsx_rows(xlsx.read_bytes())
    assert sheet[0][0] == "现行有效目录" and sheet[2][0].startswith("数据来源：法规统一公开查询平台（http")
    assert sheet[4:] == csv_rows(csv_file.read_bytes())  # below the heading, the CSV's cells
    js = runner.invoke(cli, ["report", "validity-period", "--format", "json", "--as-of", "2025-01-01"])
    assert json.loads(js.output)["rows"][0]["problem"] == "有效期超过 5 年"
    bad = runner.invoke(cli, ["report", "nope"])
    assert bad.exit_code != 0 and "没有名为“nope”的报表" in bad.output
    assert "XLSX 是二进制文件" in runner.invoke(cli, ["report", "counts", "--format", "xlsx"]).output
    assert "无法识别的日期" in runner.invoke(cli, ["report", "counts", "--as-of", "昨天"]).output


def test_xlsx_colours_the_cells_a_report_asks_for_and_csv_keeps_the_words():
    report = Report("checklist", "核查", "说明", [Column("r_match", "匹配结果"), Column("title", "标题")],
                    [{"r_match": "已匹配", "title": "已匹配"}, {"r_match": "需人工确认", "title": "x"},
                     {"r_match": "其他", "title": "y"}], {}, fills={"r_match": {"已匹配": "C6EFCE", "需人工确认": "FFD966"}})
    ws = load_workbook(io.BytesIO(export(report, "xlsx"))).active
    colours = [ws.cell(row=r, column=1).fill.fgColor.rgb for r in (2, 3)]
    assert colours == ["00C6EFCE", "00FFD966"]
    assert ws.cell(row=4, column=1).fill.fill_type is None and ws.cell(row=2, column=2).fill.fill_type is None
    assert ws.cell(row=1, column=1).fill.fill_type is None  # the header keeps its own look
    assert xlsx_rows(export(report, "xlsx")) == csv_rows(export(report, "csv"))


def test_xlsx_links_are_cell_hyperlinks_under_a_heading_and_never_formulas():
    rep = Report("catalogue", "现行有效目录", "截至 2025-01-01 现行有效的文件目录，行政区划：浙江省。",
                 [Column("title", "标题", "work"), Column("link", "链接", "url")],
                 [{"work_id": "abc123", "title": "=浙江省甲办法", "link": "https://law.example.cn/works/abc123"},
                  {"work_id": "bad id/..", "title": "乙", "link": "javascript:alert(1)"}], {"as_of": date(2025, 1, 1)})
    ws = load_workbook(io.BytesIO(export(rep, "xlsx", "https://law.example.cn/", "数据来源：测试"))).active
    assert [ws.cell(row=r, column=1).value for r in range(1, 6)] == [
        "现行有效目录", "截至 2025-01-01 现行有效的文件目录，行政区划：浙江省。", "数据来源：测试", None, "标题"]
    title, link = ws.cell(row=6, column=1), ws.cell(row=6, column=2)
    assert (title.value, title.data_type, title.hyperlink.target) == (
        "'=浙江省甲办法", "s", "https://law.example.cn/works/abc123")
    assert link.hyperlink.target == "https://law.example.cn/works/abc123"
    assert ws.cell(row=7, column=1).hyperlink is None and ws.cell(row=7, column=2).hyperlink is None
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert ws.freeze_panes == "A6"
    # without a heading the sheet is the CSV's table, as before
    assert xlsx_rows(export(rep, "xlsx"))[0] == ["标题", "链接"]


def test_source_line_names_the_site_and_time():
    from datetime import datetime

    from clearance.exports import source_line

    assert source_line("http://a.example:8080/", datetime(2026, 1, 2, 3, 4)) == \
        "数据来源：法规统一公开查询平台（http://a.example:8080），导出于 2026-01-02 03:04"
