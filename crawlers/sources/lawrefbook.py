"""The LawRefBook/Laws corpus (a JSON-lines dump, optionally gzipped) as DocumentRecords.

Each line is one file of the collection: `path`, `region`, `file_date`, the collection's own metadata
(`level`, `name`, `publish`, `valid_from`, `expired`, ...) where it had any, and `markdown`: `# title`,
history lines up to `<!-- INFO END -->`, then headings and articles. The metadata is incomplete, so dates
and issuing bodies are read from the history lines and the collection's values are kept as evidence."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from crawlers.normalise.dates import parse_date
from crawlers.normalise.history import bodies_in, history_block, parse_history
from crawlers.records import DocumentRecord, HistoryEvent, RecordError

SOURCE = "lawrefbook"
SOURCE_TITLE = "LawRefBook/Laws 法律法规汇编 (2025-04)"
INFO_END = "<!-- INFO END -->"

LEVEL_TO_DOC_TYPE = {
    "宪法": "宪法",
    "法律": "法律",
    "行政法规": "行政法规",
    "监察法规": "监察法规",
    "司法解释": "司法解释",
    "部门规章": "部门规章",
    "地方性法规": "地方性法规",
    "地方政府规章": "地方政府规章",
    "自治条例和单行条例": "自治条例和单行条例",
    "其他": "其他规范性文件",
}
# The body that makes each kind of act when the history lines name none.
_DEFAULT_BODY = {
    "宪法": "全国人民代表大会",
    "法律": "全国人民代表大会常务委员会",
    "行政法规": "国务院",
    "司法解释": "最高人民法院",
}
_DOC_NUMBER = re.compile(
    r"((?:[\u4e00-\u9fff]{1,12}令)?第\s*\d+\s*号(?:令)?|[\u4e00-\u9fff]{1,10}[〔\[［【（(]\s*\d{4}\s*[〕\]］】）)]\s*\d+\s*号)"
)


@dataclass
class CorpusReport:
    """What reading the corpus found: records, and every line that could not become one, with why."""

    records: list[DocumentRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    merged_parts: int = 0
    lines: int = 0


def open_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Lines of a .jsonl or .jsonl.gz file, numbered from 1. Bytes that are not UTF-8 become U+FFFD so one
    bad line cannot stop the file; that line is then reported by its parser."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        yield from enumerate(fh, start=1)


def read_corpus(path: Path) -> CorpusReport:
    """Parse the whole dump. Multi-file works (民法典 split into one file per 编) are joined into one text."""
    report = CorpusReport()
    parts: dict[tuple[str, str], list[dict]] = {}
    for lineno, line in open_lines(path):
        if not line.strip():
            continue
        report.lines += 1
        ref = f"{path.name}:{lineno}"
        try:
            raw = _load(line, ref)
            if _is_part(raw):
                parts.setdefault((raw["region"], str(PurePosixPath(raw["path"]).parent)), []).append(raw)
                continue
            report.records.append(parse_record(raw, ref))
        except RecordError as exc:
            report.errors.append(exc)
    for (_, folder), raws in parts.items():
        try:
            report.records.append(parse_record(_join_parts(raws), f"{path.name}:{folder}/"))
            report.merged_parts += len(raws)
        except RecordError as exc:
            report.errors.append(exc)
    return report


def _load(line: str, ref: str) -> dict:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(ref, f"不是有效的 JSON 行 (malformed JSON: {exc.msg} at column {exc.colno})") from exc
    if not isinstance(raw, dict):
        raise RecordError(ref, "记录不是 JSON 对象 (record is not a JSON object)")
    if "\ufffd" in (raw.get("markdown") or ""):
        raise RecordError(f"{ref} {raw.get('path', '')}", "正文含无法解码的字节 (text is not valid UTF-8)")
    return raw


def _title_lines(markdown: str) -> list[str]:
    head = markdown.split(INFO_END, 1)[0]
    return [ln[2:].strip() for ln in head.splitlines() if ln.startswith("# ")]


def _is_part(raw: dict) -> bool:
    """A part file (one 编 of a code) has no date of its own and a second `#` heading naming the part."""
    md = raw.get("markdown") or ""
    return not raw.get("file_date") and not raw.get("level") and len(_title_lines(md)) >= 2


def _first_article_number(markdown: str) -> int:
    from crawlers.normalise.articles import split_articles

    arts = split_articles(markdown)
    return arts[0].number if arts else 10**9


def _join_parts(raws: list[dict]) -> dict:
    """One record from the part files, in article order; the history lines are those of the first part."""
    raws = sorted(raws, key=lambda r: _first_article_number(r["markdown"]))
    first = raws[0]
    title = _title_lines(first["markdown"])[0]
    head = first["markdown"].split(INFO_END, 1)[0]
    history = [ln for ln in head.splitlines() if ln.strip() and not ln.startswith("#")]
    bodies = []
    for r in raws:
        part_name = _title_lines(r["markdown"])[1]
        body = r["markdown"].split(INFO_END, 1)[1] if INFO_END in r["markdown"] else r["markdown"]
        bodies.append(f"# {part_name}\n{body}")
    markdown = f"# {title}\n\n" + "\n\n".join(history) + f"\n\n{INFO_END}\n\n" + "\n\n".join(bodies)
    return {**first, "markdown": markdown, "path": str(PurePosixPath(first["path"]).parent) + "/",
            "parts": [r["path"] for r in raws]}


def parse_record(raw: dict, ref: str) -> DocumentRecord:
    """One corpus line as a DocumentRecord; RecordError names the line when it cannot be one."""
    path = raw.get("path") or ""
    ref = f"{ref} {path}".strip()
    markdown = raw.get("markdown")
    if not isinstance(markdown, str) or not markdown.strip():
        raise RecordError(ref, "缺少正文 (record has no markdown text)")
    titles = _title_lines(markdown)
    title = titles[0] if titles else ""
    if not title:
        raise RecordError(ref, "缺少标题：正文没有“# 标题”行 (record has no title line)")
    region = raw.get("region") or "全国"
    history_lines = history_block(markdown)
    events = parse_history(history_lines)
    doc_type = _doc_type(raw.get("level"), title, region, events)
    published = _published(events, raw)
    effective = _effective(events, raw, published)
    body_text = markdown.split(INFO_END, 1)[1] if INFO_END in markdown else markdown
    doc_number = _doc_number(history_lines, body_text)
    expired = raw.get("expired")
    extra: dict = {"collection": {k: raw.get(k) for k in ("level", "name", "subtitle", "publish", "valid_from",
                                                          "expired", "ver", "category", "file_date")}}
    if raw.get("parts"):
        extra["parts"] = raw["parts"]
    if expired:
        # The collection only says "expired"; a repeal named in the history lines makes it 废止.
        extra["end_status"] = "repealed" if any(e.kind == "repealed" for e in events) else "expired"
    return DocumentRecord(
        source=SOURCE,
        source_ref=path or ref,
        title=title,
        text=_plain_text(title, history_lines, body_text),
        doc_type=doc_type,
        issuing_bodies=_issuing_bodies(title, doc_type, region, events),
        doc_number=doc_number,
        region=region,
        published=published,
        effective=effective,
        source_status=None if expired is None else ("失效" if expired else "有效"),
        history=events,
        extra=extra,
    )


def _plain_text(title: str, history: list[str], body: str) -> str:
    """Title, history lines and body, with markdown heading marks removed (headings stay as lines)."""
    lines = [title, ""] + history + [""]
    for ln in body.splitlines():
        stripped = ln.strip()
        if stripped.startswith("#"):
            stripped = stripped.lstrip("#").strip()
            if not stripped:
                continue
        lines.append(stripped.replace("\u2002", " "))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _doc_type(level: str | None, title: str, region: str, events: list[HistoryEvent]) -> str:
    if level in LEVEL_TO_DOC_TYPE:
        doc_type = LEVEL_TO_DOC_TYPE[level]
        # The collection files local government rules (人民政府令) under 地方性法规.
        if doc_type == "地方性法规" and any(e.body and e.body.endswith("人民政府") for e in events):
            return "地方政府规章"
        return doc_type
    if region not in ("全国", None):
        return "地方性法规"
    if title.startswith(("最高人民法院", "最高人民检察院")):
        return "司法解释"
    if title.endswith("法") or title.endswith("法典"):
        return "法律"
    return "行政法规" if title.endswith("条例") else "其他规范性文件"


def _published(events: list[HistoryEvent], raw: dict) -> date | None:
    """The date of this text: the newest act in the history lines, unless the collection dates the file
    later (some files carry the history lines of the text before their own amendment)."""
    acts = [e.date for e in events if e.date and e.kind in ("adopted", "amended", "revised", "published")]
    listed = parse_date(raw.get("publish")) or parse_date(raw.get("file_date"))
    candidates = [d for d in (max(acts) if acts else None, listed) if d]
    return max(candidates) if candidates else None


def _effective(events: list[HistoryEvent], raw: dict, published: date | None) -> date | None:
    """施行 date of this version: a 施行 line or the collection's valid_from, when not older than the
    version itself (an old 施行 line belongs to the first text); else the version's own date."""
    for candidate in [e.date for e in events if e.kind == "effective" and e.date] + [
        parse_date(raw.get("valid_from"))
    ]:
        if candidate and (published is None or candidate >= published):
            return candidate
    return published


def _doc_number(history: list[str], body: str) -> str | None:
    for text in (*history, *body.strip().splitlines()[:8]):
        m = _DOC_NUMBER.search(text)
        if m:
            number = m.group(1).replace(" ", "")
            return number.removeprefix("中华人民共和国")
    return None


def _issuing_bodies(title: str, doc_type: str, region: str, events: list[HistoryEvent]) -> list[str]:
    """The body that made the act: named before 关于 in the title (joint acts name several), else the
    adopting or publishing body of the history lines (not the body that only approved it)."""
    if "关于" in title:
        prefix = title.split("关于", 1)[0]
        named = bodies_in(prefix)
        if named and "".join(named).replace("、", "") and all(n in prefix or n.endswith(prefix) for n in named):
            return named
    for kinds in (("adopted", "published"), ("revised", "amended")):
        for e in events:
            if e.kind in kinds and e.body:
                names = e.body.split("、")
                if len(names) > 1 and e.kind in ("revised", "amended"):
                    names = names[-1:]  # "省人大常委会批准的《市人大常委会关于修改...的决定》": the city made it
                return names
    if doc_type in _DEFAULT_BODY:
        return [_DEFAULT_BODY[doc_type]]
    if doc_type == "地方性法规" and region not in ("全国", None):
        from indexer.vocabulary import canonical_region

        return [f"{canonical_region(region)}人民代表大会常务委员会"]
    return []
