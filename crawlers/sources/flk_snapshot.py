"""A saved snapshot of 国家法律法规数据库 (../shared/corpus/flk-snapshot.jsonl.gz): one JSON object per version with
flk's id (`bbbs`), `url`, `title`, `status` (in_force / amended / not_yet_in_force), `issued_date` (公布),
`in_force_date` (施行), `issuing_body`, `category` and the articles verbatim (`provisions`).

It is a source of its own (`flk-snapshot`), mapped by the same code as the live crawler
(crawlers.sources.flk_mapping), so a version stores the same facts whichever of the two brought it; flk's id and
address stay on each version as its provenance."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawlers.sources.flk_mapping import category_doc_type, flk_record, provisions_text, split_bodies
from fagui.records import DocumentRecord, RecordError

NAME = "flk-snapshot"
TITLE = "国家法律法规数据库（快照）"


@dataclass
class SnapshotReport:
    lines: int = 0
    records: list[DocumentRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)


def _lines(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            yield from fh
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise RecordError(str(path), f"快照文件无法读取（{type(exc).__name__}），请确认是完整的 .jsonl 或 .jsonl.gz 文件") from exc


def read_snapshot(path: Path) -> SnapshotReport:
    """Every line of the snapshot as a record; a line that cannot be one is an error naming the line."""
    report = SnapshotReport()
    for lineno, line in enumerate(_lines(path), start=1):
        report.lines += 1
        ref = f"{path.name}:{lineno}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError:
            report.errors.append(RecordError(ref, "不是有效的 JSON 行"))
            continue
        try:
            report.records.append(parse_record(raw, ref))
        except RecordError as exc:
            report.errors.append(exc)
    return report


def parse_record(raw: Any, ref: str) -> DocumentRecord:
    """One snapshot line as a DocumentRecord (source `flk-snapshot`, source_ref = flk's bbbs)."""
    if not isinstance(raw, dict):
        raise RecordError(ref, "不是 JSON 对象")
    bbbs = str(raw.get("bbbs") or "").strip()
    if not bbbs:
        raise RecordError(ref, "缺少 flk 编号（bbbs）")
    ref = f"{ref} {bbbs}"
    provisions = raw.get("provisions")
    if not isinstance(provisions, list) or not provisions:
        raise RecordError(ref, "快照中该版本没有条文")
    bodies = split_bodies(raw.get("issuing_body"))
    fields = {"title": raw.get("title"), "gbrq": raw.get("issued_date"), "sxrq": raw.get("in_force_date"),
              "sxx": raw.get("status"), "zdjgName": raw.get("issuing_body")}
    if raw.get("status") and fields["sxx"] not in ("in_force", "amended", "not_yet_in_force", "repealed"):
        raise RecordError(ref, f"未知的时效性：{raw.get('status')}")
    try:
        record = flk_record(NAME, bbbs, fields, provisions_text(provisions, ref),
                            doc_type=category_doc_type(raw.get("category"), bodies),
                            source_url=str(raw.get("url") or f"https://flk.npc.gov.cn/detail?bbbs={bbbs}"),
                            extra={"category": raw.get("category"), "collected_by": raw.get("source")})
    except RecordError as exc:
        raise RecordError(ref, exc.reason) from None  # named by its line, as every other error of the file
    if record.published is None:
        raise RecordError(ref, "缺少公布日期（issued_date）")
    return record
