"""The batch validity check (清单核查): a CSV or XLSX list of documents in, the same rows out with each row's
matched work, status, current version, latest change, validity period end and whether its basis changed.

Reading refuses bad files with a Chinese message before anything is stored: a format that is neither CSV nor
XLSX, an empty file, a file without a title or document-number column, more rows than the limit (counted while
streaming, so a 100,000-row file is refused without being read into memory; blank rows count towards a looser
limit, so two million empty rows are refused as quickly), a row wider than the column limit, a cell longer
than the cell limit, and an XLSX whose archive is unsafe to open (clearance.xlsx_guard: unpacked size,
compression ratio, XML with a DOCTYPE or entities). A job stores its input rows in the
store (ChecklistJob, ChecklistRow) and writes each row's result as it goes, committing every batch, so an
interrupted run continues where it stopped (`fagui check-list --resume JOB`). Export goes through
clearance.exports: no cell of the input ever comes out as a live formula."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from clearance.exports import safe_text
from clearance.matching import MATCH_LABELS, MATCHED, REVIEW, VIA_LABELS, Matcher, MatchResult
from clearance.models import Column, Report
from clearance.reports import CHANGE_LABELS, ReportOptions, basis_changes
from clearance.snapshot import LINKS_NOT_BUILT, POINT_LABELS, WorkRow, links_built, snapshot
from clearance.xlsx_guard import UnsafeXlsx, check_xlsx
from fagui.errors import FaguiError
from fagui.normalise.text import NormaliseError, decode_bytes
from fagui.settings import Settings, load_settings
from indexer.store.models import ChecklistJob, ChecklistRow, Relation, Work, utcnow
from indexer.store.upsert import SOURCE_STATUS_MAP

DEFAULT_MAX_ROWS = 20_000
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
BATCH = 200
_HEADER_SCAN = 10  # a list may have a caption line or two above its header row
_PREFIX_BYTES = 65536

# Header names by role, most specific first; compared without spaces, case-insensitively.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("标题", "名称", "文件名称", "文件标题", "法规名称", "文件名", "规章名称", "title", "name"),
    "doc_number": ("文号", "发文字号", "发文文号", "文件编号", "字号", "docnumber", "doc_number", "number"),
    "body": ("制定机关", "发文机关", "发布机关", "发文单位", "制定单位", "发布单位", "issuingbody", "body", "issuer"),
    "date": ("日期", "发布日期", "成文日期", "公布日期", "印发日期", "施行日期", "date", "published"),
}
ROLE_LABELS = {"title": "标题", "doc_number": "文号", "body": "制定机关", "date": "日期"}


class ChecklistError(FaguiError, ValueError):
    """A list that cannot be checked; the message is Chinese and says what to change."""


def max_rows(env: dict[str, str] | None = None) -> int:
    """FAGUI_CHECKLIST_MAX_ROWS: the longest list one batch check takes."""
    return load_settings(env).checklist_max_rows


def public_url(env: dict[str, str] | None = None) -> str:
    """FAGUI_PUBLIC_URL: where readers of an exported list open a work (links are absolute)."""
    return load_settings(env).public_url


@dataclass(frozen=True)
class ReadLimits:
    """How large a list may be: rows with data, columns of a row, characters of a cell, bytes an XLSX unpacks to."""

    rows: int = DEFAULT_MAX_ROWS
    columns: int = 100
    cell_chars: int = 2000
    unpacked_bytes: int = 50 * 1024 * 1024

    @classmethod
    def of(cls, settings: Settings, rows: int | None = None) -> ReadLimits:
        return cls(rows=rows or settings.checklist_max_rows, columns=settings.checklist_max_columns,
                   cell_chars=settings.checklist_max_cell_chars, unpacked_bytes=settings.checklist_max_unpacked_bytes)

    @property
    def lines(self) -> int:
        """Rows read at most, blank ones included (a caption, a header, blank separators)."""
        return 2 * self.rows + _HEADER_SCAN + 1


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    mapping: dict[str, int]  # role -> column index
    header_row: int = 1  # the line of the header in the file (1-based)
    skipped: int = 0  # blank rows left out

    def value(self, row: list, role: str) -> object:
        i = self.mapping.get(role)
        return row[i] if i is not None and i < len(row) else None


# ----------------------------------------------------------------------------------------------------------
# Reading


def read_table(source: bytes | BinaryIO | Path, filename: str, limit: int | None = None,
               limits: ReadLimits | None = None) -> Table:
    """The list in `source` (bytes, a binary file or a path) as headers, rows and the columns found. `limits`
    default to the settings' (FAGUI_CHECKLIST_MAX_*), `limit` overriding their rows."""
    limits = limits or ReadLimits.of(load_settings(), limit)
    limit = limits.rows
    if isinstance(source, Path):
        with source.open("rb") as opened:
            return read_table(opened, filename or source.name, limits=limits)
    fh: BinaryIO = io.BytesIO(source) if isinstance(source, bytes) else source
    head = fh.read(8)
    fh.seek(0)
    suffix = Path(filename or "").suffix.lower()
    if not head:
        raise ChecklistError("文件为空：请上传包含表头和数据行的 CSV 或 XLSX 文件")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ChecklistError("不支持旧版 Excel（.xls）文件：请在 Excel 中另存为 .xlsx 或 CSV 后再上传")
    if head.startswith(b"PK\x03\x04") or suffix == ".xlsx":
        try:
            check_xlsx(fh, limits.unpacked_bytes)
        except UnsafeXlsx as exc:
            raise ChecklistError(str(exc)) from None
        rows = _xlsx_rows(fh, limits)
    elif suffix in ("", ".csv", ".txt", ".tsv"):
        rows = _csv_rows(fh, limit)
    else:
        raise ChecklistError(f"不支持的文件格式“{suffix}”：只接受 CSV（.csv）和 Excel（.xlsx）文件")
    try:
        return _table(rows, limits)
    finally:
        # A reader left unfinished (no header found, too many rows) is closed now, while the file is still open:
        # left to the garbage collector, its clean-up ran at exit on a closed file ("Exception ignored ...").
        rows.close()


def _too_many(limit: int) -> ChecklistError:
    return ChecklistError(f"文件行数超过上限 {limit} 行：请拆分为多个文件分批核查（或调整 FAGUI_CHECKLIST_MAX_ROWS）")


# Generators, not bare iterators: read_table closes one it leaves unfinished.
Rows = Generator[list, None, None]


def _csv_rows(fh: BinaryIO, limit: int) -> Rows:
    prefix = fh.read(_PREFIX_BYTES)
    # Cut the sample at a line end: no encoding in use here puts 0x0A inside a multi-byte character.
    sample = prefix if len(prefix) < _PREFIX_BYTES else prefix[: prefix.rfind(b"\n") + 1] or prefix
    try:
        text = decode_bytes(sample)
    except NormaliseError:
        raise ChecklistError("无法识别的文件格式：文件不是文本格式的 CSV，也不是 XLSX 表格") from None
    if not text.strip():
        raise ChecklistError("文件为空：请上传包含表头和数据行的 CSV 或 XLSX 文件")
    codec = _codec_of(sample, text)
    fh.seek(0)
    reader_text = io.TextIOWrapper(fh, encoding=codec, errors="replace", newline="")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(reader_text, dialect)
    except csv.Error as exc:
        raise ChecklistError(f"CSV 文件格式有误：{exc}") from None
    finally:
        reader_text.detach()


def _codec_of(sample: bytes, text: str) -> str:
    """The codec whose reading of the sample is the text decode_bytes chose (so the rest reads the same)."""
    for codec in ("utf-8-sig", "utf-8", "gb18030", "utf-16", "utf-32", "big5"):
        try:
            if codecs.decode(sample, codec) == text:
                return codec
        except (UnicodeDecodeError, LookupError):
            continue
    return "gb18030"


def _xlsx_rows(fh: BinaryIO, limits: ReadLimits) -> Rows:
    from openpyxl import load_workbook

    try:
        # Not data_only: a formula cell comes back as the formula text, so it is shown, never run.
        wb = load_workbook(fh, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - whatever a broken file makes the library raise
        raise _unreadable(exc) from None
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise ChecklistError("文件为空：XLSX 中没有工作表")
        declared = ws.max_row if isinstance(ws.max_row, int) else None
        # The sheet's declared size refuses a huge file without reading its rows.
        if declared is not None and declared > limits.rows + _HEADER_SCAN + 1:
            raise _too_many(limits.rows)
        if isinstance(ws.max_column, int) and ws.max_column > limits.columns:
            ws.reset_dimensions()  # rows as wide as their last cell, not all padded to a declared XFD
        rows = ws.iter_rows(values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - as above, while the sheet streams in
                raise _unreadable(exc) from None
            yield [_cell_value(v) for v in row]
    finally:
        wb.close()


def _unreadable(exc: Exception) -> ChecklistError:
    return ChecklistError(f"无法读取 XLSX 文件：文件已损坏或不是 Excel 表格（{type(exc).__name__}）")


def _cell_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ", "seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, int | float | bool | str):
        return value
    return str(value)


def _blank(row: list) -> bool:
    return all(v is None or str(v).strip() == "" for v in row)


def _empty(value: object) -> bool:
    return value is None or value == ""


def _bounded(row: list, line: int, limits: ReadLimits) -> list:
    """The row without its trailing empty cells ([] for a blank row), refused when wider than the column limit
    or holding a cell longer than the cell limit."""
    if _blank(row):
        return []
    end = len(row)
    while end and _empty(row[end - 1]):
        end -= 1
    if end > limits.columns:
        raise ChecklistError(f"第 {line} 行有 {end} 列，超过上限 {limits.columns} 列：请删去多余的列后再上传"
                             "（或调整 FAGUI_CHECKLIST_MAX_COLUMNS）")
    for column, value in enumerate(row[:end], start=1):
        if isinstance(value, str) and len(value) > limits.cell_chars:
            raise ChecklistError(f"第 {line} 行第 {column} 列的内容有 {len(value)} 个字符，超过上限 "
                                 f"{limits.cell_chars} 个字符（或调整 FAGUI_CHECKLIST_MAX_CELL_CHARS）")
    return list(row[:end])


def _header_key(value: object) -> str:
    return "".join(str(value or "").split()).strip("*：:").lower()


def _find_columns(row: list) -> dict[str, int]:
    keys = [_header_key(v) for v in row]
    mapping: dict[str, int] = {}
    for role, names in HEADER_NAMES.items():
        for name in names:  # exact names first, in order of preference
            if name in keys and keys.index(name) not in mapping.values():
                mapping[role] = keys.index(name)
                break
        else:
            for i, key in enumerate(keys):  # 文件名称（必填）, 发文字号/文号
                if i not in mapping.values() and any(len(n) >= 2 and n in key for n in names if not n.isascii()):
                    mapping[role] = i
                    break
    return mapping


def _table(rows: Rows, limits: ReadLimits) -> Table:
    header: list | None = None
    mapping: dict[str, int] = {}
    data: list[list] = []
    seen, skipped, header_line = 0, 0, 0
    first_rows: list[list] = []
    for line, raw in enumerate(rows, start=1):
        if line > limits.lines:
            raise _too_many(limits.rows)
        row = _bounded(raw, line, limits)
        if header is None:
            if not row:
                continue
            first_rows.append(row)
            found = _find_columns(row)
            if "title" in found or "doc_number" in found:
                header, mapping, header_line = row, found, line
            elif len(first_rows) >= _HEADER_SCAN:
                break
            continue
        if not row:
            skipped += 1
            continue
        seen += 1
        if seen > limits.rows:
            raise _too_many(limits.rows)
        data.append(row)
    if header is None:
        if not first_rows:
            raise ChecklistError("文件为空：请上传包含表头和数据行的 CSV 或 XLSX 文件")
        shown = "、".join(str(v) for v in first_rows[0] if v not in (None, ""))[:200] or "（空）"
        raise ChecklistError(
            "文件中没有可用的列：需要“标题”（或名称、文件名称）或“文号”（或发文字号）列，"
            f"可选“制定机关”“日期”列；文件第一行为：{shown}")
    if not data:
        raise ChecklistError("文件只有表头，没有数据行")
    width = max(len(header), *(len(r) for r in data))  # rows come trimmed: no column is empty throughout
    headers = [str(v).strip() if v not in (None, "") else f"列{i + 1}" for i, v in
               enumerate([*header, *[None] * (width - len(header))][:width])]
    data = [[*r, *[None] * (width - len(r))][:width] for r in data]
    return Table(headers, data, mapping, header_line, skipped)


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------------------------------------------
# Jobs


def create_job(session: Session, table: Table, filename: str, content_hash: str, *, as_of: date | None = None,
               base_url: str | None = None, created_by: str | None = None) -> ChecklistJob:
    """Store the list as a job with its rows (results still empty); the caller commits."""
    job = ChecklistJob(filename=filename[:300], content_hash=content_hash, state="pending", total=len(table.rows),
                       done=0, headers=table.headers, mapping=table.mapping, as_of=as_of or date.today(),
                       base_url=(base_url or public_url())[:300], created_by=created_by)
    session.add(job)
    session.flush()
    for start in range(0, len(table.rows), 1000):
        session.execute(insert(ChecklistRow), [
            {"job_id": job.id, "position": i, "cells": row, "match": None}
            for i, row in enumerate(table.rows[start:start + 1000], start=start + 1)
        ])
    return job


class JobNotFound(ChecklistError):
    pass


def get_job(session: Session, job_id: int) -> ChecklistJob:
    job = session.get(ChecklistJob, job_id)
    if job is None:
        raise JobNotFound(f"没有编号为 {job_id} 的核查任务")
    return job


def unfinished_job(session: Session, content_hash: str, as_of: date | None = None) -> int | None:
    """The newest unfinished job of the same file (and the same check date), to continue instead of restarting."""
    return session.scalar(
        select(ChecklistJob.id).where(ChecklistJob.content_hash == content_hash, ChecklistJob.state != "finished",
                                      ChecklistJob.as_of == (as_of or date.today()))
        .order_by(ChecklistJob.id.desc()).limit(1))


HEARTBEAT_SECONDS = 60  # a job whose runner wrote no progress for this long has stopped (its process is gone)


def is_active(job: ChecklistJob, now: datetime | None = None) -> bool:
    """Whether some process runs (or is about to run) the job: pending or running, with progress written within
    HEARTBEAT_SECONDS (a runner writes after every batch, well under a second apart)."""
    now = now or utcnow()
    return job.state in ("pending", "running") and (now - job.updated_at).total_seconds() < HEARTBEAT_SECONDS


def may_resume(job: ChecklistJob, now: datetime | None = None) -> bool:
    """Only a stopped job is offered resume: interrupted or failed, or left running by a process that is gone;
    never a finished one, nor one another process is running now."""
    return job.state != "finished" and not is_active(job, now)


def _reading(sessions: sessionmaker[Session]) -> Session:
    """A session whose transaction only reads: on SQLite it starts deferred and takes no write lock, so the
    matching of a batch (its slow part) never keeps the site's writes (logins, decisions) waiting."""
    session = sessions()
    session.connection(execution_options={"fagui_sqlite_begin": "DEFERRED"})
    return session


def run_job(sessions: sessionmaker[Session], job_id: int, on_progress: Callable[[int, int], None] | None = None,
            batch: int = BATCH, matcher: Matcher | None = None) -> int:
    """Match every row of the job that has no result yet, committing each batch; returns the rows done now.

    Each batch is read and matched in a reading transaction; its results are then written in one short
    transaction of their own, the only time the job holds the store's write lock.

    An exception (an interrupted command, a stopped worker) leaves the finished batches stored; running the job
    again continues with the first row without a result."""
    with sessions() as session:
        job = get_job(session, job_id)
        if job.state == "finished":
            return 0
        job.state, job.error = "running", None
        session.commit()
        as_of, base_url, mapping = job.as_of, job.base_url, dict(job.mapping)
    if matcher is None:
        with _reading(sessions) as session:
            matcher = Matcher.load(session)
    processed = 0
    try:
        while True:
            with _reading(sessions) as session:
                rows = session.execute(
                    select(ChecklistRow.id, ChecklistRow.cells).where(
                        ChecklistRow.job_id == job_id, ChecklistRow.match.is_(None))
                    .order_by(ChecklistRow.position).limit(batch)
                ).all()
                if not rows:
                    break
                matches = [_match_row(matcher, row.cells, mapping) for row in rows]
                facts = describe_works(session, {m.work_id for m in matches if m.work_id}, as_of)
            results = [(row.id, m, CheckResult(m, facts.get(m.work_id), f"{base_url}/works/{m.work_id}")
                        if m.work_id else CheckResult(m)) for row, m in zip(rows, matches, strict=True)]
            with sessions() as session:  # the write: a few hundred row updates, committed at once
                for row_id, m, result in results:
                    session.execute(update(ChecklistRow).where(ChecklistRow.id == row_id)
                                    .values(result=result.to_json(), match=m.match))
                done = session.scalar(select(func.count()).select_from(ChecklistRow).where(
                    ChecklistRow.job_id == job_id, ChecklistRow.match.is_not(None))) or 0
                session.execute(update(ChecklistJob).where(ChecklistJob.id == job_id)
                                .values(done=done, updated_at=utcnow()))
                total = session.scalar(select(ChecklistJob.total).where(ChecklistJob.id == job_id)) or 0
                session.commit()
            processed += len(rows)
            if on_progress is not None:
                on_progress(done, total)
    except BaseException as exc:
        with sessions() as session:
            session.execute(update(ChecklistJob).where(ChecklistJob.id == job_id).values(
                state="interrupted", error=f"中断：{type(exc).__name__}：{str(exc)[:300]}", updated_at=utcnow()))
            session.commit()
        raise
    with sessions() as session:
        session.execute(update(ChecklistJob).where(ChecklistJob.id == job_id).values(
            state="finished", finished_at=utcnow(), updated_at=utcnow()))
        session.commit()
    return processed


def _match_row(matcher: Matcher, cells: list, mapping: dict[str, int]) -> MatchResult:
    def value(role: str) -> object:
        i = mapping.get(role)
        return cells[i] if i is not None and i < len(cells) else None

    return matcher.match(value("title"), value("doc_number"), value("body"), value("date"))


# ----------------------------------------------------------------------------------------------------------
# What the clearance team needs to know of a matched work


@dataclass(frozen=True)
class WorkFacts:
    """What the clearance team needs to know of a matched work on the check date, as text ready to show."""

    status: str  # code (effective ...)
    status_label: str
    status_official: bool  # a source or a stored decision said so; False: inferred from dates
    status_reason: str
    version: str  # 第2版（共3版）, "" without a version
    version_date: str | None  # YYYY-MM-DD: the version's 施行 or else 公布 date
    latest_change: str
    expires: str | None  # YYYY-MM-DD
    basis_changed: str  # the basis changes, joined with ；; "" for none
    bodies: str  # joined with 、
    links_built: bool = True  # False: the store's citations were never read, so "" says nothing

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "status_label": self.status_label, "status_official": self.status_official,
                "status_reason": self.status_reason, "version": self.version, "version_date": self.version_date,
                "latest_change": self.latest_change, "expires": self.expires, "basis_changed": self.basis_changed,
                "bodies": self.bodies, "links_built": self.links_built}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkFacts:
        return cls(status=data["status"], status_label=data["status_label"],
                   status_official=data["status_official"], status_reason=data["status_reason"],
                   version=data["version"], version_date=data["version_date"],
                   latest_change=data["latest_change"], expires=data["expires"],
                   basis_changed=data["basis_changed"], bodies=data["bodies"],
                   links_built=data.get("links_built", True))


@dataclass(frozen=True)
class CheckResult:
    """One row's result: the match and, for a matched work, its facts and its link on the site. Stored with the
    row as to_json() (ChecklistRow.result) and read back with from_json."""

    match: MatchResult
    facts: WorkFacts | None = None  # None: nothing matched, or the matched work is gone from the store
    link: str | None = None  # set whenever a work matched

    @property
    def matched(self) -> bool:
        return self.match.match == MATCHED

    def to_json(self) -> dict[str, Any]:
        data = self.match.as_dict()
        if self.facts is not None:
            data.update(self.facts.as_dict())
        if self.link is not None:
            data["link"] = self.link
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        return cls(match=MatchResult.from_json(data),
                   facts=WorkFacts.from_json(data) if "status" in data else None, link=data.get("link"))


def describe_works(session: Session, work_ids: set[str], as_of: date) -> dict[str, WorkFacts]:
    """Status (official or inferred), current version and its date, latest change, validity period end and
    basis changed, for each work on as_of; computed as the reports compute them (clearance.reports)."""
    if not work_ids:
        return {}
    works = snapshot(session, work_ids=set(work_ids))
    amends: dict[str, list[tuple[date | None, str]]] = {}
    for link in session.execute(
        select(Relation.object_work_id, Relation.effective, Work.title)
        .join(Work, Work.id == Relation.subject_work_id)
        .where(Relation.object_work_id.in_(list(work_ids)), Relation.relation_type == "amends")
    ):
        amends.setdefault(link.object_work_id, []).append((link.effective, link.title))
    built = links_built(session)
    basis: dict[str, list[str]] = {}
    for change in basis_changes(session, ReportOptions(as_of=as_of), work_ids=set(work_ids)):
        when = change.change_date.isoformat() if change.change_date else "日期不详"
        basis.setdefault(change.work_id, []).append(f"《{change.cited.title}》{when}{CHANGE_LABELS[change.change]}")
    out = {}
    for wid, w in works.items():
        status = w.point_status(as_of)
        v = w.version_on(as_of) or (w.versions[-1] if w.versions else None)
        official = status.official or bool(v and SOURCE_STATUS_MAP.get((v.source_status or "").strip())
                                           == status.status)
        start = v.start if v else None
        out[wid] = WorkFacts(
            status=status.status,
            status_label=POINT_LABELS[status.status],
            status_official=official,
            status_reason=status.reason or "",
            version=f"第{v.seq}版（共{len(w.versions)}版）" if v else "",
            version_date=start.isoformat() if start else None,
            latest_change=_latest_change(w, as_of, amends.get(wid, [])),
            expires=v.expires.isoformat() if v and v.expires else None,
            basis_changed="；".join(dict.fromkeys(basis.get(wid, []))),
            bodies="、".join(w.bodies),
            links_built=built,
        )
    return out


def _latest_change(w: WorkRow, as_of: date, amends: list[tuple[date | None, str]]) -> str:
    events: list[tuple[date, str]] = []
    for v in w.versions[1:]:
        if v.start and v.start <= as_of:
            events.append((v.start, f"修改（第{v.seq}版施行）"))
    for eff, by in amends:
        if eff and eff <= as_of:
            events.append((eff, f"被《{by}》修改"))
    for link in w.repeals:
        if link.applies(as_of):
            what = link.reason or (f"被《{link.by}》废止" if link.by else "被废止")
            events.append((link.effective or date.min, what))
    current = w.version_on(as_of)
    if current is not None:
        if current.end_status and (current.ended_on is None or current.ended_on <= as_of):
            label = "废止" if current.end_status == "repealed" else "失效"
            events.append((current.ended_on or date.min, f"{label}（来源标注“{current.source_status or label}”）"))
        elif current.expires and current.expires < as_of:
            events.append((current.expires, "有效期届满失效"))
    if not events:
        return ""
    when, what = max(events, key=lambda e: e[0])
    return f"{when.isoformat()} {what}" if when != date.min else f"{what}（日期不详）"


# ----------------------------------------------------------------------------------------------------------
# Output

# The 匹配结果 cell's colour in the XLSX export, as on the site (portal/static/clearance.css): only an exact match is
# green; a near title for review, several candidates and nothing found each stand apart.
MATCH_FILLS = {"已匹配": "C6EFCE", "需人工确认": "FFD966", "多个候选": "F8CBAD", "未找到": "FFC7CE"}

RESULT_COLUMNS = [
    Column("r_match", "匹配结果"), Column("r_via", "匹配依据"), Column("r_confidence", "置信度", "number"),
    Column("r_title", "匹配文件"), Column("r_link", "链接", "url"), Column("r_status", "时效性"),
    Column("r_official", "时效性来源"), Column("r_version", "现行版本"), Column("r_version_date", "版本日期"),
    Column("r_change", "最近变化"), Column("r_expires", "有效期至"), Column("r_basis", "依据已变化"),
    Column("r_candidates", "候选文件"), Column("r_note", "说明"),
]


def result_cells(result: CheckResult | None) -> dict[str, Any]:
    """The added columns of one row, as plain text for the page and the exports (None: not checked yet)."""
    if result is None:
        return {"r_match": "未处理"}
    m, facts = result.match, result.facts
    candidates = "；".join(f"{c.title}（{c.score:.2f}）" for c in m.candidates
                          if not result.matched or c.work_id != m.work_id)
    return {
        "r_match": MATCH_LABELS.get(m.match, m.match),
        "r_via": VIA_LABELS.get(m.via or "", "") if m.match in (MATCHED, REVIEW) else "",
        "r_confidence": m.confidence if m.match != "unmatched" else None,
        "r_title": m.title or "",
        "r_link": result.link or "",
        "r_status": facts.status_label if facts else "",
        "r_official": ("官方标注" if facts.status_official else "推定") if facts and facts.status_label else "",
        "r_version": facts.version if facts else "",
        "r_version_date": (facts.version_date if facts else None) or "",
        "r_change": facts.latest_change if facts else "",
        "r_expires": (facts.expires if facts else None) or "",
        "r_basis": _basis_cell(facts) if result.matched else "",
        "r_candidates": candidates,
        "r_note": m.note or "",
    }


def _basis_cell(facts: WorkFacts | None) -> str:
    """The changes of the basis; 否 only where the citations were read and none changed."""
    if facts is None:
        return ""
    return facts.basis_changed or ("否" if facts.links_built else LINKS_NOT_BUILT)


@dataclass(frozen=True)
class JobRow:
    """One input row of a job: its position (1-based), its cells as read, its result once checked."""

    position: int
    cells: list
    result: CheckResult | None


def job_rows(session: Session, job_id: int, match: str | None = None, offset: int = 0,
             limit: int | None = None) -> list[JobRow]:
    query = (select(ChecklistRow.position, ChecklistRow.cells, ChecklistRow.result)
             .where(ChecklistRow.job_id == job_id).order_by(ChecklistRow.position))
    if match:
        query = query.where(ChecklistRow.match == match)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [JobRow(position=r.position, cells=r.cells,
                   result=CheckResult.from_json(r.result) if r.result is not None else None)
            for r in session.execute(query)]


def match_counts(session: Session, job_id: int) -> dict[str, int]:
    rows = session.execute(select(ChecklistRow.match, func.count()).where(ChecklistRow.job_id == job_id)
                           .group_by(ChecklistRow.match)).all()
    return {(m or "pending"): n for m, n in rows}


def job_report(session: Session, job_id: int, match: str | None = None) -> Report:
    """The job's rows, the input columns first as they were, then the added columns, for report_export."""
    job = get_job(session, job_id)
    # Header cells come from the user too: made safe here, since report_export writes labels as they are.
    inputs = [Column(f"in_{i}", safe_text(h) or f"列{i + 1}") for i, h in enumerate(job.headers)]
    rows = [{"row": r.position, **{f"in_{i}": v for i, v in enumerate(r.cells)}, **result_cells(r.result)}
            for r in job_rows(session, job_id, match)]
    counts = match_counts(session, job_id)
    return Report(
        "checklist", "".join("_" if ch in "\\/?*[]:" else ch for ch in f"清单核查结果 {job.filename}")[:60],
        f"{job.filename}：共 {job.total} 行，按 {job.as_of.isoformat()} 核查时效性。",
        [Column("row", "行号", "int"), *inputs, *RESULT_COLUMNS], rows,
        {"as_of": job.as_of}, summary=counts, fills={"r_match": MATCH_FILLS},
    )


def export_name(job: ChecklistJob, fmt: str) -> str:
    stem = Path(job.filename).stem or "checklist"
    safe = "".join(ch for ch in stem if ch.isalnum() or ch in "-_")[:60] or "checklist"
    return f"{safe}-核查结果-{job.as_of.isoformat()}.{fmt}"
