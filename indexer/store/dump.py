"""Moving the whole store between databases (SQLite <-> PostgreSQL) with nothing lost.

A dump is gzip'd JSON lines: a header (format, schema revision), one line per row of every table in foreign-key
order, and a footer with each table's row count and content digest. The import writes into a migrated, empty
store and then recomputes the digests from what the target database returns, so a move is proven, not assumed.
Digests hash each row's canonical JSON in primary-key order, so they are the same whatever database holds it."""

from __future__ import annotations

import base64
import errno
import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, func, inspect, select, text, update

from fagui.errors import FaguiError
from indexer.store.migrate import head_revision
from indexer.store.models import Base

FORMAT = "fagui-dump"
FORMAT_VERSION = 1
BATCH = 1000


class DumpError(FaguiError, ValueError):
    """A dump that cannot be read or imported; the message is in Chinese and says why."""


@dataclass
class TableSummary:
    count: int = 0
    digest: str = ""


@dataclass
class DumpSummary:
    tables: dict[str, TableSummary] = field(default_factory=dict)

    def as_dict(self) -> dict[str, dict]:
        return {name: {"count": t.count, "digest": t.digest} for name, t in self.tables.items()}


def tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    return value


def _decode(value: object) -> object:
    if isinstance(value, dict) and len(value) == 1:
        ((key, raw),) = value.items()
        if key == "$datetime":
            return datetime.fromisoformat(raw)
        if key == "$date":
            return date.fromisoformat(raw)
        if key == "$bytes":
            return base64.b64decode(raw)
    return value


def _canonical(row: dict) -> bytes:
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _rows(conn: Connection, table: Table) -> Iterator[dict]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for row in result.mappings():
        yield {k: _encode(v) for k, v in row.items()}


def table_digests(conn: Connection) -> DumpSummary:
    summary = DumpSummary()
    for table in tables():
        digest, count = hashlib.sha256(), 0
        for row in _rows(conn, table):
            digest.update(_canonical(row))
            count += 1
        summary.tables[table.name] = TableSummary(count, digest.hexdigest())
    return summary


def _revision(engine: Engine) -> str | None:
    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        return conn.scalar(text("select version_num from alembic_version"))


_OS_ERRORS = {
    errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "只读文件系统",
    errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "超出磁盘配额", errno.ENOTDIR: "路径中有一段不是目录",
    errno.EISDIR: "目标是一个目录", errno.EEXIST: "同名文件已存在", errno.ENAMETOOLONG: "文件名过长",
}


def os_error_text(exc: OSError, path: Path | None = None) -> str:
    """Why a file could not be written, in Chinese (the system's own text is English).

    ENOENT is checked against the disk rather than taken at its word: creating a file in /proc (and other
    virtual file systems) fails with "no such file" although the directory is there."""
    target = Path(exc.filename) if isinstance(exc.filename, str | Path) else path
    if exc.errno == errno.ENOENT:
        if target is not None and target.parent.is_dir():
            return f"目录 {target.parent} 存在，但不允许在其中新建文件或目录（/proc 等虚拟文件系统即如此）"
        return "目录不存在"
    if exc.errno == errno.EEXIST and target is not None and target.exists() and not target.is_dir():
        return f"已有同名文件 {target}，不是目录"
    known = _OS_ERRORS.get(exc.errno) if exc.errno is not None else None
    if known:
        return known
    name = errno.errorcode.get(exc.errno, str(exc.errno)) if exc.errno is not None else ""
    detail = f"{name}：{exc.strerror}" if name and exc.strerror else (exc.strerror or str(exc))
    return f"操作系统报告错误（{detail}）"


def export_store(engine: Engine, path: Path) -> DumpSummary:
    """Write the whole store to `path` (written beside and renamed, so a crash leaves no half dump)."""
    revision = _revision(engine)
    if revision is None:
        raise DumpError("数据库尚未初始化，没有可导出的内容：请先运行 `fagui db upgrade`")
    if revision != head_revision():
        raise DumpError(f"数据库结构版本 {revision} 不是最新（{head_revision()}）：请先运行 `fagui db upgrade` 再导出")
    summary = DumpSummary()
    tmp = path.with_name(path.name + ".part")
    try:
        with engine.connect() as conn, gzip.open(tmp, "wt", encoding="utf-8") as out:
            out.write(json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "revision": revision,
                                  "created": datetime.now().isoformat(timespec="seconds")}) + "\n")
            for table in tables():
                digest, count = hashlib.sha256(), 0
                for row in _rows(conn, table):
                    digest.update(_canonical(row))
                    count += 1
                    out.write(json.dumps({"t": table.name, "r": row}, ensure_ascii=False) + "\n")
                summary.tables[table.name] = TableSummary(count, digest.hexdigest())
            out.write(json.dumps({"summary": summary.as_dict()}) + "\n")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)  # no half-written .part left behind (disk full, unwritable target)
        raise DumpError(f"无法写入导出文件 {path}：{os_error_text(exc, tmp)}") from None
    return summary


def _read(path: Path) -> Iterator[dict]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as src:
            for number, line in enumerate(src, 1):
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DumpError(f"导出文件第 {number} 行已损坏：{exc.msg}") from None
    except (OSError, EOFError) as exc:
        raise DumpError(f"无法读取导出文件 {path}：{exc}（文件不完整或不是 fagui export 生成的 .jsonl.gz）") from None


def _deferred_columns(order: list[Table]) -> dict[str, list[str]]:
    """Foreign keys pointing at the same or a later table (works.current_version_id, a body's parent):
    inserted empty first and filled in once every row exists."""
    position = {t.name: i for i, t in enumerate(order)}
    out: dict[str, list[str]] = {}
    for table in order:
        for fk in table.foreign_keys:
            if position.get(fk.column.table.name, -1) >= position[table.name]:
                out.setdefault(table.name, []).append(fk.parent.name)
    return out


def import_store(engine: Engine, path: Path) -> DumpSummary:
    """Load a dump into a migrated, empty store, then verify counts and digests against the dump's footer."""
    revision = _revision(engine)
    if revision is None or revision != head_revision():
        raise DumpError("目标数据库尚未初始化或结构不是最新：请先运行 `fagui db upgrade`")
    order = tables()
    by_name = {t.name: t for t in order}
    with engine.connect() as conn:
        filled = [t.name for t in order if conn.scalar(select(func.count()).select_from(t))]
    if filled:
        raise DumpError(f"目标数据库不是空的（{'、'.join(filled[:5])} 已有数据）：请导入到新建的数据库")
    lines = _read(path)
    header = next(lines, None)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DumpError("不是 fagui 导出文件（缺少文件头）")
    if header.get("revision") != revision:
        raise DumpError(f"导出文件的数据库结构版本为 {header.get('revision')}，目标为 {revision}："
                        "请先把两边升级到同一版本（fagui db upgrade）")
    deferred = _deferred_columns(order)
    pending: dict[str, list[dict]] = {}
    fixups: list[tuple[str, dict]] = []
    expected = None
    with engine.begin() as conn:
        def flush(name: str) -> None:
            rows = pending.pop(name, [])
            if rows:
                conn.execute(by_name[name].insert(), rows)

        for item in lines:
            if "summary" in item:
                expected = item["summary"]
                break
            name, row = item.get("t"), item.get("r")
            if name not in by_name or not isinstance(row, dict):
                raise DumpError(f"导出文件含有未知的表或行：{str(name)[:40]}")
            row = {k: _decode(v) for k, v in row.items()}
            later = {c: row[c] for c in deferred.get(name, ()) if row.get(c) is not None}
            if later:
                # Columns with an onupdate default (updated_at) would be stamped anew by the fix-up: keep them.
                kept = {c.name: row[c.name] for c in by_name[name].columns if c.onupdate is not None}
                fixups.append((name, {**{c: row[c] for c in _pk(by_name[name])}, **kept, **later}))
                row.update(dict.fromkeys(later))
            pending.setdefault(name, []).append(row)
            if len(pending[name]) >= BATCH:
                flush(name)
            for other in [n for n in pending if n != name]:
                flush(other)  # tables arrive in order: a new table means the previous one is complete
        if expected is None:
            raise DumpError("导出文件不完整：缺少结尾的校验信息（导出时可能被中断），未导入任何内容")
        for name in list(pending):
            flush(name)
        for name, values in fixups:
            table = by_name[name]
            keys = _pk(table)
            conn.execute(update(table).where(*[table.c[k] == values[k] for k in keys])
                         .values({k: v for k, v in values.items() if k not in keys}))
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn, order)
        # Verified inside the transaction: a mismatch rolls the whole import back.
        actual = table_digests(conn)
        wrong = [name for name, want in expected.items()
                 if name in actual.tables and (actual.tables[name].count, actual.tables[name].digest)
                 != (want["count"], want["digest"])]
        if wrong:
            raise DumpError(f"导入后校验不一致：{'、'.join(wrong)}（行数或内容摘要与导出文件不同），已撤销本次导入")
    return actual


def _pk(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _reset_sequences(conn, order: list[Table]) -> None:
    # Rows came with their ids; the sequences must move past them or the next insert collides.
    for table in order:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and pk[0].type.python_type is int:
            conn.execute(text(
                f"select setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                f"coalesce((select max({pk[0].name}) from {table.name}), 0) + 1, false)"))
