"""The batch validity check: reading lists (CSV in UTF-8 with or without BOM and GB18030, XLSX), refusing bad
files with a clear message before anything is stored, added columns with status and changes, exports in which no
user cell is a live formula, and jobs that continue where an interrupted run stopped (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import io
import tracemalloc
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from clearance.checklist import (
    ChecklistError,
    CheckResult,
    ReadLimits,
    WorkFacts,
    create_job,
    file_hash,
    get_job,
    job_report,
    read_table,
    result_cells,
    run_job,
)
from clearance.exports import export
from clearance.matching import AMBIGUOUS, MATCHED, Candidate, MatchResult
from crawlers.sources import lawrefbook
from fagui.cli.commands import cli
from fagui.records import DocumentRecord, RelationRef
from fagui.settings import BUNDLED_SAMPLE, load_settings
from indexer.ingest.pipeline import ingest
from indexer.store.app_store import Store
from indexer.store.citations import rebuild_links
from indexer.store.db import make_engine, session_factory
from indexer.store.migrate import upgrade
from indexer.store.models import ChecklistRow
from indexer.store.upsert import upsert_record

INJECTION = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Store:
    root = tmp_path_factory.mktemp("checklist")
    settings = load_settings({"FAGUI_DATA_DIR": str(root)})
    engine = make_engine(settings=settings)
    upgrade(engine)
    factory = session_factory(engine)
    report = lawrefbook.read_corpus(BUNDLED_SAMPLE)
    ingest(factory, lawrefbook.SOURCE, report.records, report.errors)
    with factory() as s:
        rebuild_links(s)  # the citations that tie a regulation to its basis
        s.commit()
    yield Store(settings, engine, factory)
    engine.dispose()


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ----------------------------------------------------------------------------------------------------------
# Reading


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_with_header_found_by_name(encoding):
    data = csv_bytes(["某局规范性文件清理清单", "", "序号,文件名称,发文字号,发文机关,成文日期",
                      "1,中华人民共和国刑法,,全国人民代表大会,2020-12-26", "", "2,道交法,,,"], encoding)
    table = read_table(data, "清单.csv")
    assert table.headers == ["序号", "文件名称", "发文字号", "发文机关", "成文日期"]
    assert table.mapping == {"title": 1, "doc_number": 2, "body": 3, "date": 4}
    assert [r[1] for r in table.rows] == ["中华人民共和国刑法", "道交法"]
    assert table.header_row == 3 and table.skipped == 1


def test_english_headers_tabs_and_xlsx():
    table = read_table(csv_bytes(["Title\tDoc number", "刑法\t"]), "list.txt")
    assert table.mapping == {"title": 0, "doc_number": 1}
    table = read_table(xlsx_bytes([["标题", "日期"], ["刑法", date(2020, 12, 26)], [None, None]]), "list.xlsx")
    assert table.rows == [["刑法", "2020-12-26"]] and table.mapping == {"title": 0, "date": 1}


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"%PDF-1.7\n...", "list.pdf", "不支持的文件格式“.pdf”"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "list.xls", "不支持旧版 Excel"),
    (bytes(range(256)) * 40, "list.csv", "无法识别的文件格式"),
    (b"PK\x03\x04 not really a zip", "list.xlsx", "无法读取 XLSX 文件"),
    (b"", "list.csv", "文件为空"),
    (b"\r\n \r\n,,\r\n", "list.csv", "文件为空"),
    ("标题,文号\r\n".encode(), "list.csv", "文件只有表头，没有数据行"),
    ("序号,备注\r\n1,无\r\n".encode(), "list.csv", "文件中没有可用的列"),
])
def test_bad_files_get_a_clear_message(data, name, message):
    with pytest.raises(ChecklistError, match=message):
        read_table(data, name)


class CountingReader(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk

    def read1(self, size=-1):
        chunk = super().read1(size)
        self.consumed += len(chunk)
        return chunk

    def readinto(self, buffer):
        n = super().readinto(buffer)
        self.consumed += n
        return n


def test_a_100000_row_csv_is_refused_without_reading_it_all():
    data = ("标题,文号\r\n" + "".join(f"第{i}号文件管理办法,\r\n" for i in range(100_000))).encode("utf-8")
    stream = CountingReader(data)
    with pytest.raises(ChecklistError, match="文件行数超过上限 20000 行"):
        read_table(stream, "big.csv")
    assert stream.consumed < len(data) / 2  # stopped soon after the limit
    with pytest.raises(ChecklistError, match="超过上限 50 行"):
        read_table(data, "big.csv", limit=50)


def test_a_100000_row_xlsx_is_refused_by_its_declared_size(tmp_path):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["标题"])
    for i in range(100_000):
        ws.append([f"第{i}号文件"])
    path = tmp_path / "big.xlsx"
    wb.save(path)
    with pytest.raises(ChecklistError, match="文件行数超过上限"):
        read_table(path, "big.xlsx")


# ----------------------------------------------------------------------------------------------------------
# Results and exports


def run_list(store: Store, data: bytes, name: str, **kw) -> int:
    table = read_table(data, name)
    with store.sessions() as s:
        job = create_job(s, table, name, file_hash(data), base_url="https://fagui.example.gov.cn", **kw)
        s.commit()
        job_id = job.id
    run_job(store.sessions, job_id)
    return job_id


def test_rows_get_status_version_changes_and_links(sample_store):
    data = xlsx_bytes([
        ["标题", "发文字号", "发文机关"],
        ["北京市安全生产条例", None, None],
        ["劳动仲裁和劳动诉讼的攻略之外的文件", None, None],
        [None, "法释（2023）3号", None],
        ["某路货物运输合同实施细则", None, None],
        ["北京历史文化名城保护条例", None, None],
        ["北京市安全生产条列", None, None],
        ["温州市物业管理条例", None, None],
    ])
    job_id = run_list(sample_store, data, "清单.xlsx", as_of=date(2025, 6, 1))
    with sample_store.sessions() as s:
        rows = job_report(s, job_id).rows
        assert get_job(s, job_id).state == "finished"
    beijing, nothing, number, two, repealed, typo, namesake = rows
    assert beijing["r_match"] == "已匹配" and beijing["r_status"] == "现行有效" and beijing["r_official"] == "推定"
    assert beijing["r_link"].startswith("https://fagui.example.gov.cn/works/")
    assert "中华人民共和国安全生产法" in beijing["r_basis"] and "修改" in beijing["r_basis"]
    assert beijing["r_version"].startswith("第1版") and beijing["r_version_date"] == "2016-11-25"
    assert nothing["r_match"] == "未找到" and "库中没有" in nothing["r_note"] and nothing["r_link"] == ""
    assert number["r_match"] == "已匹配" and number["r_via"] == "文号"
    assert two["r_match"] == "多个候选" and "铁路货物运输合同实施细则" in two["r_candidates"]
    # the source says 失效 without a date: on a past day it may or may not have ended yet (never a guess)
    assert repealed["r_status"] == "不详" and repealed["r_change"]
    # a typo is for review: the near title is named, no status, version or link of it is reported
    assert typo["r_match"] == "需人工确认" and typo["r_via"] == "标题近似" and "北京市安全生产条例" in typo["r_candidates"]
    assert typo["r_title"] == typo["r_link"] == typo["r_status"] == typo["r_version"] == typo["r_basis"] == ""
    assert "请人工确认" in typo["r_note"]
    # a near-namesake of another city is not found, and the note says which near title was ruled out
    assert namesake["r_match"] == "未找到" and namesake["r_status"] == "" and namesake["r_candidates"] == ""
    assert "《郑州市物业管理条例》" in namesake["r_note"] and "地区不符" in namesake["r_note"]
    with sample_store.sessions() as s:
        ws = load_workbook(io.BytesIO(export(job_report(s, job_id), "xlsx"))).active
    column = [c.value for c in ws[1]].index("匹配结果") + 1
    colour = {ws.cell(row=r, column=column).value: ws.cell(row=r, column=column).fill.fgColor.rgb for r in range(2, 9)}
    assert colour["需人工确认"] != colour["已匹配"] and len(set(colour.values())) == 4  # a colour per result


def test_exports_never_carry_a_live_formula(sample_store, tmp_path):
    data = xlsx_bytes([["标题", "=HYPERLINK(\"http://evil\",\"x\")", "备注"],
                       [INJECTION, "+1+1", "@SUM(A1)"], ["中华人民共和国刑法", "-2+3", "\t=1"]])
    job_id = run_list(sample_store, data, "evil.xlsx")
    with sample_store.sessions() as s:
        report = job_report(s, job_id)
    path = tmp_path / "out.xlsx"
    path.write_bytes(export(report, "xlsx"))
    ws = load_workbook(path).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in cells if isinstance(c.value, str)]
    assert "'" + INJECTION in values and "'+1+1" in values and "'@SUM(A1)" in values
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in values  # the header row too
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    text = export(report, "csv").decode("utf-8-sig")
    assert "'" + INJECTION in text and "\n=" not in text and ",=" not in text


# ----------------------------------------------------------------------------------------------------------
# Resuming


def rec(title: str, n: int, **kw) -> DocumentRecord:
    return DocumentRecord(source="test", source_ref=f"{title}-{n}", title=title, text=f"第一条 {title}。\n第二条 施行。",
                          doc_type="行政规范性文件", region="浙江省", published=date(2020, 1, n % 28 + 1),
                          issuing_bodies=["浙江省人民政府"], **kw)


def test_an_interrupted_job_continues_where_it_stopped(store):
    with store.sessions() as s:
        for n in range(30):
            upsert_record(s, rec(f"浙江省第{n}号管理办法", n, doc_number=f"浙政规〔2020〕{n + 1}号"))
        upsert_record(s, rec("浙江省关于废止部分文件的决定", 99, relations=[
            RelationRef("repeals", title="浙江省第3号管理办法", effective=date(2024, 1, 1))]))
        s.commit()
    lines = ["标题,发文字号"] + [f"浙江省第{n}号管理办法,浙政规[2020]{n + 1}号" for n in range(30)]
    data = csv_bytes(lines)
    table = read_table(data, "zj.csv")
    with store.sessions() as s:
        job_id = create_job(s, table, "zj.csv", file_hash(data), as_of=date(2025, 1, 1)).id
        s.commit()

    class Stop(Exception):
        pass

    def stop_after_first_batch(done: int, total: int) -> None:
        raise Stop(f"{done}/{total}")

    with pytest.raises(Stop):
        run_job(store.sessions, job_id, stop_after_first_batch, batch=10)
    with store.sessions() as s:
        job = get_job(s, job_id)
        assert (job.state, job.done, job.total) == ("interrupted", 10, 30) and "中断" in job.error
        assert s.scalar(select(func.count()).select_from(ChecklistRow)
                        .where(ChecklistRow.job_id == job_id, ChecklistRow.match.is_not(None))) == 10
    seen = []
    assert run_job(store.sessions, job_id, lambda done, total: seen.append(done), batch=10) == 20
    assert seen == [20, 30]
    with store.sessions() as s:
        job = get_job(s, job_id)
        assert (job.state, job.done) == ("finished", 30) and job.finished_at is not None
        rows = job_report(s, job_id).rows
    assert [r["r_match"] for r in rows] == ["已匹配"] * 30
    assert [r["r_via"] for r in rows] == ["文号与标题"] * 30
    assert rows[3]["r_status"] == "已废止" and "浙江省关于废止部分文件的决定" in rows[3]["r_change"]
    assert run_job(store.sessions, job_id) == 0  # a finished job has nothing left to do


def test_check_list_command_writes_xlsx_and_resumes(sample_store, tmp_path):
    source = tmp_path / "list.csv"
    source.write_bytes(csv_bytes(["文件名称", "中华人民共和国刑法", "道交法", INJECTION]))
    env = {"FAGUI_DATA_DIR": str(sample_store.settings.data_dir), "FAGUI_PUBLIC_URL": "https://law.example.cn/"}
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(cli, ["check-list", str(source), "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert "已匹配 2 行" in result.output and "需人工确认 0 行" in result.output and "未找到 1 行" in result.output
    ws = load_workbook(out).active
    # title, description, data source (FAGUI_PUBLIC_URL) and a blank line head the table
    assert "https://law.example.cn" in ws.cell(row=3, column=1).value and ws.cell(row=4, column=1).value is None
    header = [c.value for c in ws[5]]
    assert header[:2] == ["行号", "文件名称"] and "时效性" in header and "链接" in header
    link = ws.cell(row=6, column=header.index("链接") + 1)
    assert link.value.startswith("https://law.example.cn/works/") and link.hyperlink.target == link.value
    assert ws.cell(row=8, column=2).value == "'" + INJECTION
    job_id = int(result.output.split("核查任务 ")[1].split("：")[0])
    again = CliRunner().invoke(cli, ["check-list", "--resume", str(job_id), "-o", str(tmp_path / "again.csv")],
                               env=env)
    assert again.exit_code == 0 and "已完成 3 / 3 行" in again.output
    # the same file again after an interruption: its unfinished job continues, unless --new is asked for
    second = tmp_path / "second.csv"
    second.write_bytes(csv_bytes(["文件名称", "道交法", "中华人民共和国刑法"]))
    with sample_store.sessions() as s:
        table = read_table(second, "second.csv")
        waiting = create_job(s, table, "second.csv", file_hash(second.read_bytes()))
        waiting.state = "interrupted"
        s.commit()
    resumed = CliRunner().invoke(cli, ["check-list", str(second), "-o", str(tmp_path / "s.csv")], env=env)
    assert resumed.exit_code == 0 and f"继续核查任务 {waiting.id}：已完成 0 / 2 行" in resumed.output
    fresh = CliRunner().invoke(cli, ["check-list", str(second), "--new", "-o", str(tmp_path / "s2.csv")], env=env)
    assert fresh.exit_code == 0 and f"核查任务 {waiting.id + 1}：2 行" in fresh.output
    wrong = CliRunner().invoke(cli, ["check-list", str(second), "-o", str(tmp_path / "s.pdf")], env=env)
    assert wrong.exit_code == 2 and "结果文件应为 .xlsx 或 .csv" in wrong.output
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04whatever")
    refused = CliRunner().invoke(cli, ["check-list", str(bad)], env=env)
    assert refused.exit_code == 1 and "无法读取 XLSX 文件" in refused.output
    assert CliRunner().invoke(cli, ["check-list"], env=env).exit_code == 2


@pytest.mark.parametrize("content, limit", [
    ("a,b\n" + "1,2\n" * 12, 100),  # no title or number column: reading stops at the header scan
    ("文件名称\n" + "刑法\n" * 5, 2),  # too many rows
])
def test_an_unfinished_reader_is_closed_before_its_file(tmp_path, content, limit):
    """A file read only partly used to leave its CSV reader to the garbage collector, which cleaned up at exit on
    the closed file: `fagui check-list` printed "Exception ignored ... I/O operation on closed file"."""
    import subprocess
    import sys

    path = tmp_path / "list.csv"
    path.write_text(content, encoding="utf-8")
    script = ("import sys; from pathlib import Path; from clearance.checklist import ChecklistError, read_table\n"
              f"try:\n    read_table(Path(sys.argv[1]), 'list.csv', limit={limit})\n"
              "except ChecklistError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and ("没有可用的列" in done.stdout or "超过上限" in done.stdout)
    assert done.stderr == ""


def test_a_stored_result_reads_back_as_it_was_written():
    facts = WorkFacts(status="repealed", status_label="已废止", status_official=True, status_reason="被废止",
                      version="第1版（共1版）", version_date="2016-11-25", latest_change="2020-01-01 被《某决定》废止",
                      expires=None, basis_changed="", bodies="浙江省人民政府")
    matched = CheckResult(MatchResult(MATCHED, "w1", "浙江省甲办法", 0.95, "fuzzy_title",
                                      [Candidate("w1", "浙江省甲办法", 0.95, "fuzzy_title"),
                                       Candidate("w2", "浙江省乙办法", 0.875, "fuzzy_title")]),
                          facts, "http://x/works/w1")
    ambiguous = CheckResult(MatchResult(AMBIGUOUS, confidence=1.0, note="请补充文号"))
    for result in (matched, ambiguous):
        stored = result.to_json()
        assert CheckResult.from_json(stored) == result and CheckResult.from_json(stored).to_json() == stored
    assert list(matched.to_json())[-3:] == ["bodies", "links_built", "link"] and "status" not in ambiguous.to_json()
    older = {k: v for k, v in matched.to_json().items() if k != "links_built"}  # stored before links_built
    assert CheckResult.from_json(older) == matched
    cells = result_cells(matched)
    assert cells["r_status"] == "已废止" and cells["r_official"] == "官方标注" and cells["r_basis"] == "否"
    assert cells["r_candidates"] == "浙江省乙办法（0.88）" and cells["r_expires"] == ""
    assert result_cells(ambiguous)["r_basis"] == "" and result_cells(None) == {"r_match": "未处理"}
    unlinked = CheckResult(matched.match, dataclasses.replace(facts, links_built=False), "http://x/works/w1")
    assert result_cells(unlinked)["r_basis"] == "未建立引用关系"


# ----------------------------------------------------------------------------------------------------------
# Hostile uploads: every one refused with a Chinese message, before it is read into memory

SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHEET_HEAD = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def crafted_xlsx(sheet_rows: str, shared: Iterable[bytes] = (), prolog: str = "", dimension: bool = True) -> bytes:
    """An XLSX (openpyxl's own, then rewritten) whose first sheet holds `sheet_rows` (<row> elements) and whose
    shared strings part is written from the `shared` pieces (streamed, so it may be huge)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["标题"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in base.infolist():
            data = base.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                dim = '<dimension ref="A1:A2"/>' if dimension else ""
                data = f'{prolog}{SHEET_HEAD}{dim}<sheetData>{sheet_rows}</sheetData></worksheet>'.encode()
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                                                 f'ContentType="{SST_TYPE}"/></Types>'.encode())
            archive.writestr(info.filename, data)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(f'{prolog}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'.encode())
            for piece in shared:
                part.write(piece)
            part.write(b"</sst>")
    return out.getvalue()


def shared_cell(row: int, index: int = 0) -> str:
    return f'<row r="{row}"><c r="A{row}" t="s"><v>{index}</v></c></row>'


def test_an_xlsx_holding_a_300_mb_shared_string_is_refused_unread():
    def huge() -> Iterator[bytes]:
        yield b"<si><t>"
        mib = b"a" * (1 << 20)
        for _ in range(300):
            yield mib
        yield b"</t></si>"

    data = crafted_xlsx('<row r="1"><c r="A1" t="inlineStr"><is><t>标题</t></is></c></row>' + shared_cell(2),
                        huge())
    assert len(data) < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ChecklistError, match="压缩比异常|解压后超过上限"):
            read_table(data, "bomb.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024
    with pytest.raises(ChecklistError, match="解压后超过上限 1 MB"):
        read_table(data, "bomb.xlsx", limits=ReadLimits(unpacked_bytes=1024 * 1024))


@pytest.mark.parametrize("prolog", [
    '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "中华人民共和国">]>',
    '<?xml version="1.0"?><!-- padding --><!doctype sst SYSTEM "file:///etc/passwd">',
])
def test_an_xlsx_with_xml_entities_gets_a_chinese_message(prolog):
    data = crafted_xlsx('<row r="1"><c r="A1" t="inlineStr"><is><t>标题</t></is></c></row>' + shared_cell(2),
                        [b"<si><t>&a;&a;</t></si>"], prolog=prolog)
    with pytest.raises(ChecklistError, match="XML 文档类型声明或实体"):
        read_table(data, "entities.xlsx")


def test_an_xlsx_with_two_million_rows_and_no_dimension_is_refused():
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>标题</t></is></c></row>'
    data = crafted_xlsx(header + shared_cell(2_000_000), ["<si><t>刑法</t></si>".encode()], dimension=False)
    with pytest.raises(ChecklistError, match="文件行数超过上限 20000 行"):
        read_table(data, "tall.xlsx")
    # A few blank rows between data rows are fine.
    table = read_table(crafted_xlsx(header + shared_cell(5) + shared_cell(9), ["<si><t>刑法</t></si>".encode()],
                                    dimension=False), "gaps.xlsx")
    assert table.rows == [["刑法"], ["刑法"]] and table.skipped == 6


def test_a_wide_row_is_refused_and_no_row_is_padded_to_it():
    wide = "标题,文号\r\n刑法,\r\n" + ",".join(["x"] * 2000) + "\r\n民法典,\r\n"
    with pytest.raises(ChecklistError, match="第 3 行有 2000 列，超过上限 100 列"):
        read_table(wide.encode(), "wide.csv")
    with pytest.raises(ChecklistError, match="第 1 行有 20000 列"):
        read_table((",".join(["标题"] + ["x"] * 19999) + "\r\n刑法\r\n").encode(), "wider.csv")
    trailing = "标题,文号\r\n刑法," + "," * 5000 + "\r\n民法典,\r\n"  # empty cells are not columns
    table = read_table(trailing.encode(), "trailing.csv")
    assert table.headers == ["标题", "文号"] and table.rows == [["刑法", None], ["民法典", None]]


def test_a_cell_longer_than_the_limit_is_refused():
    data = ("标题,文号\r\n" + "规" * 2001 + ",\r\n").encode()
    with pytest.raises(ChecklistError, match="第 2 行第 1 列的内容有 2001 个字符"):
        read_table(data, "long.csv")
    assert read_table(data, "long.csv", limits=ReadLimits(cell_chars=3000)).rows[0][0] == "规" * 2001


def _law_and_rule(s) -> None:
    """A law amended in 2022 and a provincial rule of 2020 made under it."""
    for n, (effective, text) in enumerate(((date(2015, 1, 1), "第一条 为了甲。\n第二条 施行。"),
                                           (date(2022, 1, 1), "第一条 为了甲乙。\n第二条 施行。")), start=1):
        upsert_record(s, DocumentRecord(source="test", source_ref=f"law-{n}", title="中华人民共和国甲事务法", text=text,
                                        doc_type="法律", region="全国", published=effective, effective=effective,
                                        issuing_bodies=["全国人民代表大会常务委员会"]))
    upsert_record(s, DocumentRecord(source="test", source_ref="rule", title="浙江省甲事务管理办法",
                                    text="第一条 根据《中华人民共和国甲事务法》，制定本办法。\n第二条 施行。",
                                    doc_type="地方政府规章", region="浙江省", published=date(2020, 6, 1),
                                    effective=date(2020, 6, 1), issuing_bodies=["浙江省人民政府"]))


def test_where_links_were_never_built_the_basis_column_says_so_not_no(sqlite_store):
    with sqlite_store.sessions() as s:
        _law_and_rule(s)
        s.commit()
    data = csv_bytes(["标题", "浙江省甲事务管理办法"])
    table = read_table(data, "zj.csv")

    def basis_cell() -> str:
        with sqlite_store.sessions() as s:
            job_id = create_job(s, table, "zj.csv", file_hash(data), as_of=date(2025, 1, 1)).id
            s.commit()
        run_job(sqlite_store.sessions, job_id)
        with sqlite_store.sessions() as s:
            (row,) = job_report(s, job_id).rows
        assert row["r_match"] == "已匹配"
        return row["r_basis"]

    assert basis_cell() == "未建立引用关系"  # not 否: nothing was read, so nothing can be said to be unchanged
    with sqlite_store.sessions() as s:
        rebuild_links(s)
        s.commit()
    assert "《中华人民共和国甲事务法》2022-01-01修改" in basis_cell()


def test_a_running_job_holds_the_write_lock_only_while_it_writes_a_batch(sqlite_store):
    """While a batch is matched, another writer gets the SQLite write lock at once (before: the batch's
    transaction began IMMEDIATE and held it through the matching and describe_works)."""
    import sqlite3

    from clearance.matching import Matcher

    store = sqlite_store
    with store.sessions() as s:
        for n in range(5):
            upsert_record(s, rec(f"浙江省第{n}号办法", n, doc_number=f"浙政规〔2020〕{n + 1}号"))
        s.commit()
    lines = ["标题"] + [f"浙江省第{n % 7}号办法" for n in range(25)]
    data = csv_bytes(lines)
    with store.sessions() as s:
        job_id = create_job(s, read_table(data, "w.csv"), "w.csv", file_hash(data), as_of=date(2025, 1, 1)).id
        s.commit()
    path = store.engine.url.database
    tries: list[str] = []

    class Probing(Matcher):
        def match(self, *args, **kwargs):
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")  # a login, a decision: raises "database is locked" if held
                other.execute("ROLLBACK")
                tries.append("ok")
            except sqlite3.OperationalError as exc:
                tries.append(str(exc))
            finally:
                other.close()
            return super().match(*args, **kwargs)

    with store.sessions() as s:
        matcher = Probing.load(s)
    assert run_job(store.sessions, job_id, batch=10, matcher=matcher) == 25
    assert tries == ["ok"] * 25
    with store.sessions() as s:
        assert get_job(s, job_id).state == "finished"


def test_only_a_stopped_job_may_be_resumed():
    from datetime import datetime, timedelta

    from clearance.checklist import is_active, may_resume
    from indexer.store.models import ChecklistJob

    now = datetime(2026, 1, 1, 12)
    fresh, stale = now - timedelta(seconds=5), now - timedelta(minutes=5)
    cases = [("pending", fresh, False), ("running", fresh, False), ("running", stale, True),
             ("pending", stale, True), ("interrupted", fresh, True), ("failed", fresh, True),
             ("finished", stale, False)]
    for state, updated, expected in cases:
        job = ChecklistJob(state=state, updated_at=updated)
        assert may_resume(job, now) is expected, state
        assert is_active(job, now) is (state in ("pending", "running") and updated == fresh)


def test_check_list_resume_of_a_job_another_process_runs_is_refused(sample_store, tmp_path):
    from sqlalchemy import update

    from indexer.store.models import ChecklistJob, utcnow

    data = csv_bytes(["标题", "道交法"])
    with sample_store.sessions() as s:
        job_id = create_job(s, read_table(data, "r.csv"), "r.csv", file_hash(data)).id
        s.execute(update(ChecklistJob).where(ChecklistJob.id == job_id).values(state="running", updated_at=utcnow()))
        s.commit()
    env = {"FAGUI_DATA_DIR": str(sample_store.settings.data_dir)}
    result = CliRunner().invoke(cli, ["check-list", "--resume", str(job_id), "-o", str(tmp_path / "o.xlsx")], env=env)
    assert result.exit_code == 1 and "正在另一个进程中核查" in result.output  # before: a second runner
    with sample_store.sessions() as s:
        assert get_job(s, job_id).done == 0
