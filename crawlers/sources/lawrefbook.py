"""The LawRefBook/Laws corpus (a JSON-lines dump, optionally gzipped) as DocumentRecords.

Each line is one file of the collection: `path`, `region`, `file_date`, the collection's own metadata
(`level`, `name`, `publish`, `valid_from`, `expired`, ...) where it had any, and `markdown`: `# title`,
history lines up to `<!-- INFO END -->`, then headings and articles. The metadata is incomplete, so dates
and issuing bodies are read from the history lines and the collection's values are kept as evidence."""

from __future__ import annotations

import gzip
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from crawlers.sources._common import json_kind
from crawlers.sources.base import Listing
from fagui.normalise.articles import split_articles
from fagui.normalise.dates import parse_date
from fagui.normalise.history import bodies_in, parse_history, split_history
from fagui.normalise.text import strip_invisible
from fagui.records import DocumentRecord, HistoryEvent, RecordError

log = logging.getLogger(__name__)

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
    r"((?:[\u4e00-\u9fff、]{1,28}?(?:令|公告)?)?第\s*\d+\s*号(?:令)?|[\u4e00-\u9fff]{1,10}[〔\[［【（(]\s*\d{4}\s*[〕\]］】）)]\s*\d+\s*号)"
)


class NotADocument(RecordError):
    """A corpus line that is readable but is no legal document (the collection's README, a private guide): it
    is skipped with its reason, not counted as a failure."""


@dataclass
class CorpusReport:
    """What reading the corpus found: records, and every line that could not become one, with why."""

    records: list[DocumentRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    skipped: list[NotADocument] = field(default_factory=list)  # lines that are no document: not a failure
    merged_parts: int = 0
    lines: int = 0


def open_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Lines of a .jsonl or .jsonl.gz file, numbered from 1, without their line ends. Bytes that are not UTF-8
    are kept as lone surrogates (errors="surrogateescape"), which no real text contains: one bad line cannot
    stop the file, and its parser can still say which record it was."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="surrogateescape", newline="") as fh:
        for lineno, line in enumerate(fh, start=1):
            yield lineno, line.rstrip("\r\n")


def read_corpus(path: Path) -> CorpusReport:
    """Parse the whole dump. Multi-file works (民法典 split into one file per 编) are joined into one text.

    Every line that cannot become a record (an empty line, bad JSON, not an object, bytes that are not
    UTF-8, no title) is a RecordError named "<file>:<line> <path>"; the lines around it are still read. A line
    that is no document at all (the collection's README.md, a private guide) is in `skipped`, with its reason."""
    return read_corpus_lines(open_lines(path), path.name)


def read_corpus_bytes(data: bytes, name: str) -> CorpusReport:
    """read_corpus of a dump already in memory (.jsonl or gzipped), as the crawl runner reads a file:// page."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    lines = data.decode("utf-8", errors="surrogateescape").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return read_corpus_lines(((i, ln.rstrip("\r")) for i, ln in enumerate(lines, start=1)), name)


def read_corpus_lines(lines: Iterator[tuple[int, str]], name: str) -> CorpusReport:
    """The parse of numbered lines; `name` names the dump in error references."""
    report = CorpusReport()
    parts: dict[tuple[str, str], list[dict]] = {}
    for lineno, line in lines:
        report.lines += 1
        ref = f"{name}:{lineno}"
        try:
            if not line.strip():
                raise RecordError(ref, "空行，不是记录")
            raw = _load(line, ref)
            if _is_part(raw):
                parts.setdefault((raw["region"], str(PurePosixPath(raw["path"]).parent)), []).append(raw)
                continue
            report.records.append(parse_record(raw, ref))
        except NotADocument as exc:
            report.skipped.append(exc)
        except RecordError as exc:
            report.errors.append(exc)
    for (_, folder), raws in parts.items():
        try:
            report.records.append(parse_record(_join_parts(raws), f"{name}:{folder}/"))
            report.merged_parts += len(raws)
        except NotADocument as exc:
            report.skipped.append(exc)
        except RecordError as exc:
            report.errors.append(exc)
    _mark_superseded(report.records)
    return report


def _mark_superseded(records: list[DocumentRecord]) -> None:
    """The collection flags the older texts of a work as expired when a newer text replaced them (立法法 2015
    beside 立法法 2023). That is a superseded version (已修改), not the end of the work: where a newer text of
    the same work (region and title) is in the corpus, the older one gets no end_status, only a note."""
    newest: dict[tuple[str, str], date] = {}
    for r in records:
        if r.published:
            key = (r.region, r.title)
            newest[key] = max(newest.get(key, r.published), r.published)
    for r in records:
        later = newest.get((r.region, r.title))
        if (r.extra.get("end_status") and "ended_on" not in r.extra and r.published and later
                and later > r.published):
            del r.extra["end_status"]
            r.extra["superseded"] = True


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _load(line: str, ref: str) -> dict:
    bad = _UNDECODABLE.search(line)
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        if bad:
            raise RecordError(ref, _not_utf8(line, bad)) from exc
        raise RecordError(ref, f"不是有效的 JSON 行：第 {exc.colno} 列无法解析") from exc
    if not isinstance(raw, dict):
        raise RecordError(ref, f"记录不是 JSON 对象，而是{json_kind(raw)}")
    if bad:
        path = raw["path"] if isinstance(raw.get("path"), str) else ""
        raise RecordError(f"{ref} {_UNDECODABLE.sub('?', path)}".strip(), _not_utf8(line, bad))
    return raw


def _not_utf8(line: str, bad: re.Match[str]) -> str:
    return f"含有不是 UTF-8 编码的字节，第 {bad.start() + 1} 个字符起"


def _title_lines(markdown: str) -> list[str]:
    head = markdown.split(INFO_END, 1)[0]
    return [ln[2:].strip() for ln in head.splitlines() if ln.startswith("# ")]


def _is_part(raw: dict) -> bool:
    """A part file (one 编 of a code) has no date of its own and a second `#` heading naming the part."""
    md = raw.get("markdown") or ""
    return not raw.get("file_date") and not raw.get("level") and len(_title_lines(md)) >= 2


def _first_article_number(markdown: str) -> int:
    arts = split_articles(markdown)
    return arts[0].number if arts else 10**9


_CN_ORDINALS = "一二三四五六七八九十"


def _part_heading(name: str, index: int) -> str:
    """A part file names its part "合同编" or "总则"; in the joined text it is the heading the code itself
    uses, "第三编 合同" (parts numbered in article order), so articles get the path 第三编 合同 / 第一分编 通则 /
    第一章 一般规定. A closing 附则 stays 附则, as in the code."""
    if name in ("附则", "附 则") or index >= len(_CN_ORDINALS):
        return name
    return f"第{_CN_ORDINALS[index]}编 {name.removesuffix('编')}"


def _join_parts(raws: list[dict]) -> dict:
    """One record from the part files, in article order; the history lines are those of the first part."""
    raws = sorted(raws, key=lambda r: _first_article_number(r["markdown"]))
    first = raws[0]
    title = _title_lines(first["markdown"])[0]
    head = first["markdown"].split(INFO_END, 1)[0]
    history = [ln for ln in head.splitlines() if ln.strip() and not ln.startswith("#")]
    bodies = []
    numbered = 0
    for r in raws:
        part_name = _title_lines(r["markdown"])[1]
        heading = _part_heading(part_name, numbered)
        numbered += heading != part_name
        body = r["markdown"].split(INFO_END, 1)[1] if INFO_END in r["markdown"] else r["markdown"]
        bodies.append(f"# {heading}\n{body}")
    markdown = f"# {title}\n\n" + "\n\n".join(history) + f"\n\n{INFO_END}\n\n" + "\n\n".join(bodies)
    return {**first, "markdown": markdown, "path": str(PurePosixPath(first["path"]).parent) + "/",
            "parts": [r["path"] for r in raws]}


def parse_record(raw: dict, ref: str) -> DocumentRecord:
    """One corpus line as a DocumentRecord; RecordError names the line when it cannot be one."""
    path = raw.get("path") or ""
    ref = f"{ref} {path}".strip()
    markdown = raw.get("markdown")
    if not isinstance(markdown, str) or not markdown.strip():
        raise RecordError(ref, "缺少正文")
    titles = _title_lines(markdown)
    title = titles[0] if titles else ""
    if PurePosixPath(path).stem.upper() == "README":
        raise NotADocument(ref, "语料的说明文件（README），不是法规文件")
    if not title:
        raise RecordError(ref, "缺少标题：正文没有“# 标题”行")
    unofficial = _unofficial(title, markdown)
    if unofficial:
        raise NotADocument(ref, unofficial)
    region = raw.get("region") or "全国"
    history_lines, body_text = split_history(markdown)
    events = parse_history(history_lines)
    known = tuple(b for e in events if e.body for b in e.body.split("、"))
    events = [_resolve_event_body(e, title, region, known) for e in events]
    doc_type = _doc_type(raw.get("level"), title, region, events)
    published, published_from = _published(events, raw)
    effective, effective_from = _effective(events, raw, published)
    doc_number, first_doc_number = _doc_number(history_lines, body_text, events, _later_text(events, published,
                                                                                             published_from))
    expired = raw.get("expired")
    extra: dict = {"collection": {k: raw.get(k) for k in ("level", "name", "subtitle", "publish", "valid_from",
                                                          "expired", "ver", "category", "file_date")},
                   "date_sources": {"published": published_from, "effective": effective_from}}
    if raw.get("parts"):
        extra["parts"] = raw["parts"]
    if first_doc_number:
        extra["first_doc_number"] = first_doc_number  # the number of the first text, not of this one
    repeal_days = [e.date for e in events if e.kind == "repealed" and e.date]
    if expired or repeal_days:
        extra["end_status"] = _end_status(doc_type, events)
        if repeal_days:
            extra["ended_on"] = repeal_days[-1].isoformat()
    return DocumentRecord(
        source=SOURCE,
        source_ref=path or ref,
        title=title,
        text=_plain_text(title, history_lines, body_text),
        doc_type=doc_type,
        issuing_bodies=_issuing_bodies(title, doc_type, region, events, path),
        doc_number=doc_number,
        region=region,
        published=published,
        effective=effective,
        source_status=None if expired is None else ("失效" if expired else "有效"),
        history=events,
        extra=extra,
    )


_LINK = re.compile(r"https?://[^\s)\]]+")


def _unofficial(title: str, markdown: str) -> str | None:
    """Why a titled file is no official text, or None. The collection also carries a private guide
    (劳动仲裁和劳动诉讼的攻略, "该攻略出自 https://github.com/..."): official texts never cite a code-hosting
    site as their origin in the lines above the text, nor call themselves 攻略."""
    head = markdown.split(INFO_END, 1)[0]
    link = next((u for u in _LINK.findall(head) if "github.com" in u), None)
    if "攻略" in title or link:
        origin = f"（出自 {link}）" if link else ""
        return f"不是官方文件：《{title}》是个人撰写的指南{origin}，不作为法规或规范性文件导入"
    return None


_BARE_LEGISLATURE = re.compile(r"^(省|市|县|自治县|自治州)(人民代表大会常务委员会|人民代表大会|人民政府)$")
_TITLE_PROVINCE = re.compile(r"^[\u4e00-\u9fff]{2,3}?省|^[\u4e00-\u9fff]{2,5}?自治区")
_TITLE_CITY = re.compile(r"^([\u4e00-\u9fff]{2,8}?(?:自治州|自治县|市|县))")


def _title_place(title: str) -> str | None:
    """The city or county a local regulation's title starts with (郑州市..., 山东省济南市..., 景宁畲族自治县...);
    None for a province's own regulation (浙江省安全生产条例, 山东省县乡两级...)."""
    m = _TITLE_CITY.match(_TITLE_PROVINCE.sub("", title, count=1))
    return m.group(1) if m else None




def _resolve_body(name: str, title: str, region: str, known: tuple[str, ...] = ()) -> str:
    """A body named without its place ("市十四届人大常委会" -> 市人民代表大会常务委员会) gets the place from the
    title (a city's regulation names the city) or the region (the province); a province misspelt in the
    lines ("河省" for 河南省) gets the region's name."""
    from fagui.vocabulary import canonical_region

    province = canonical_region(region) if region not in ("全国", None) else None
    m = _BARE_LEGISLATURE.match(name)
    if m:
        if m.group(1) == "省":
            return province + m.group(2) if province else name
        place = _title_place(title)
        if place and place.endswith(m.group(1)):
            return place + m.group(2)
        # "宁波杭州湾新区条例": the title names no city, but another line of the record names the body in full.
        full = {k for k in known if k.endswith(m.group(1) + m.group(2)) and len(k) > len(name)}
        return full.pop() if len(full) == 1 else name
    if province and province.endswith("省"):
        typo = re.match(r"^([\u4e00-\u9fff]{1,3}省)(人民代表大会常务委员会|人民代表大会|人民政府)$", name)
        if (typo and typo.group(1) != province and province.startswith(typo.group(1)[0])
                and len(typo.group(1)) < len(province)):
            return province + typo.group(2)
    return name


def _resolve_event_body(event: HistoryEvent, title: str, region: str, known: tuple[str, ...]) -> HistoryEvent:
    if not event.body:
        return event
    names: list[str] = []
    for name in event.body.split("、"):
        fixed = _resolve_body(name, title, region, known)
        if fixed not in names:
            names.append(fixed)
    body = "、".join(names)
    return event if body == event.body else replace(event, body=body)


# Legislation ends by repeal (废止) or replacement; only documents with a validity period lapse (失效).
_ENDS_BY_REPEAL = {"宪法", "法律", "行政法规", "监察法规", "司法解释", "部门规章", "地方性法规", "地方政府规章",
                   "自治条例和单行条例"}


def _end_status(doc_type: str, events: list[HistoryEvent]) -> str:
    """The collection only flags a file as expired; what that means depends on the kind of act."""
    ends = [e for e in events if e.kind == "repealed"]
    if ends and "失效" in ends[-1].text and "废止" not in ends[-1].text:
        return "expired"  # 宣布失效
    if doc_type in _ENDS_BY_REPEAL or ends:
        return "repealed"
    return "expired"


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
    text = strip_invisible("\n".join(lines))  # zero-width spaces and the like show nothing and break compare
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _doc_type(level: str | None, title: str, region: str, events: list[HistoryEvent]) -> str:
    makers = [e.body for e in events if e.body and e.kind in ("adopted", "published", "revised")]
    if level in LEVEL_TO_DOC_TYPE or (level is None and region not in ("全国", None)):
        doc_type = LEVEL_TO_DOC_TYPE.get(level or "", "地方性法规")
        if (doc_type == "行政法规" and makers and _cabinet(events) is None
                and not title.startswith(_CABINETS) and "中央军事委员会" not in "、".join(makers)):
            return "部门规章"  # filed as 行政法规, but a ministry alone made it (国家互联网信息办公室 ...)
        if doc_type == "地方性法规" and makers:
            # The collection files local government rules (人民政府令) under 地方性法规, and the acts of an
            # autonomous county's or prefecture's people's congress (自治条例、单行条例) too.
            if any(b.endswith("人民政府") for b in makers):
                return "地方政府规章"
            if any(re.search(r"(自治县|自治州)人民代表大会$", b) for b in makers):
                return "自治条例和单行条例"
        return doc_type
    if title.startswith(("最高人民法院", "最高人民检察院")):
        return "司法解释"
    if title.endswith("法") or title.endswith("法典"):
        return "法律"
    return "行政法规" if title.endswith("条例") else "其他规范性文件"


_ACTS = ("adopted", "amended", "revised", "published", "approved")
_CABINETS = ("国务院", "政务院")  # 政务院 made the administrative regulations before 1954


def _cabinet(events: list[HistoryEvent]) -> str | None:
    """国务院 (or 政务院) where it adopted, approved, published or amended the text."""
    for e in events:
        for b in (e.body or "").split("、"):
            if b in _CABINETS:
                return b
    return None


def _published(events: list[HistoryEvent], raw: dict) -> tuple[date | None, str | None]:
    """The date of this text and where it came from: the newest act in the history lines (a province's
    approval counts: a city's regulation is made when it is approved), unless the collection dates the file
    later (it gives the day of publication, often days after adoption; and some files carry the history
    lines of the text before their own amendment)."""
    acts = [e.date for e in events if e.date and e.kind in _ACTS]
    newest = max(acts) if acts else None
    listed = parse_date(raw.get("publish")) or parse_date(raw.get("file_date"))
    if newest and (listed is None or newest >= listed):
        return newest, "history"
    if listed:
        return listed, "collection"
    return None, None


def _effective(events: list[HistoryEvent], raw: dict, published: date | None) -> tuple[date | None, str | None]:
    """施行 date of this version and where it came from: a 施行 line or the collection's valid_from, when not
    older than the version itself (an old 施行 line belongs to the first text); else the version's own date,
    which is an inference ("published")."""
    for candidate in [e.date for e in events if e.kind == "effective" and e.date]:
        if published is None or candidate >= published:
            return candidate, "history"
    valid_from = parse_date(raw.get("valid_from"))
    if valid_from and (published is None or valid_from >= published):
        return valid_from, "collection"
    return published, "published" if published else None


def _doc_number(history: list[str], body: str, events: list[HistoryEvent],
                later_text: bool = False) -> tuple[str | None, str | None]:
    """The 发文字号 of this text, and the number of the first text where a later act made this one.

    The number belongs to the act that made this text: the newest act of the history lines (公布, 修订, 修正,
    批准), e.g. "2021年6月25日 中华人民共和国国务院令第742号第四次修订" for 生猪屠宰管理条例 2021, not the
    国务院令第238号 of 1997. When the newest act names no order ("《国务院关于修改部分行政法规的决定》第五次
    修订"), or the collection dates this text well after every act of its history lines (`later_text`, see
    _later_text: 印花税暂行条例 2011-01-08 lists only 1988年 国务院令第11号发布), this text's number is not in
    the record: None, and the older number is kept as the first text's.
    Without dated acts, an order named in the history lines (国务院令第406号) or a line of its own at the top of
    the body (法释〔2021〕11号). A number inside a sentence of the body names another act. A number on a
    history line of its own (法释〔2021〕11号 above the meeting line, a notice's 劳部发〔1994〕489号) is the
    text's own."""
    own = [ln.strip().strip("（）()") for ln in history if _DOC_NUMBER.fullmatch(ln.strip().strip("（）()"))]
    if own:
        return _number_in(own[0]), None
    acts = [e.date for e in events if e.date and e.kind in _ACTS]
    if acts and any(_number_in(line) for line in history):
        newest = max(acts)
        numbered = [n for e in events if e.date == newest and (n := _number_in(e.text))]
        if numbered and not later_text:
            return numbered[0], None
        first = next((n for e in events if (n := _number_in(e.text))), None)
        return None, first
    candidates = [*history]
    candidates += [ln.strip().strip("（）()") for ln in body.strip().splitlines()[:8]
                   if _DOC_NUMBER.fullmatch(ln.strip().strip("（）()"))]
    for text in candidates:
        number = _number_in(text)
        if number:
            return number, None
    return None, None


# The collection dates some files days or weeks after their last act (the day a gazette printed them); half a
# year later, the file is a later text whose own amendment the history lines leave out.
_LATER_TEXT_DAYS = 180


def _later_text(events: list[HistoryEvent], published: date | None, published_from: str | None) -> bool:
    acts = [e.date for e in events if e.date and e.kind in _ACTS]
    return bool(published_from == "collection" and published and acts
                and (published - max(acts)).days > _LATER_TEXT_DAYS)


def _number_in(text: str) -> str | None:
    m = _DOC_NUMBER.search(_DATES.sub(" ", text))
    if not m:
        return None
    number = m.group(1).replace(" ", "").replace("中华人民共和国", "")
    # "...会议通过国务院令第406号": the order's issuer starts after the last verb
    return re.split(r"通过|批准|公布|发布|修订|修正", number)[-1].lstrip("、")


_DATES = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?")


# Ministries as the collection names its folders (部门规章/<folder>/...), where a file has no history lines.
_FOLDER_BODIES = {"市场监督管理总局": "国家市场监督管理总局", "人力资源社会保障部": "人力资源和社会保障部"}


def _issuing_bodies(title: str, doc_type: str, region: str, events: list[HistoryEvent],
                    path: str = "") -> list[str]:
    """The body that made the act (制定机关): named before 关于 in the title (joint acts name several), else
    the adopting or publishing body of the history lines (not a body that only approved it). An
    administrative regulation is 国务院's (with 中央军事委员会 where they acted jointly) even where 国务院
    approved it and a ministry published it, as the older ones were."""
    by_title: list[str] = []
    if "关于" in title:
        prefix = title.split("关于", 1)[0]
        named = bodies_in(prefix)
        if named and all(n in prefix or n.endswith(prefix) for n in named):
            by_title = named
    if doc_type == "行政法规":
        cabinet = _cabinet(events) or next((b for b in by_title if b in _CABINETS), None)
        if cabinet:
            joint = "中央军事委员会" in by_title or any(
                cabinet in (e.body or "") and "中央军事委员会" in (e.body or "") for e in events)
            return [cabinet, "中央军事委员会"] if joint else [cabinet]
    if by_title:
        return by_title
    for kinds in (("adopted", "published"), ("revised", "amended")):
        for e in events:
            if e.kind in kinds and e.body:
                names = e.body.split("、")
                if len(names) > 1 and e.kind in ("revised", "amended"):
                    names = names[-1:]  # "省人大常委会批准的《市人大常委会关于修改...的决定》": the city made it
                return names
    if doc_type in _DEFAULT_BODY:
        return [_DEFAULT_BODY[doc_type]]
    parts = PurePosixPath(path).parts
    if doc_type == "部门规章" and len(parts) >= 3 and parts[0] == "部门规章":
        return [_FOLDER_BODIES.get(parts[1], parts[1])]
    if doc_type == "地方性法规" and region not in ("全国", None):
        from fagui.vocabulary import canonical_region

        place = _title_place(title)  # a city's regulation with no history lines: the city made it
        return [f"{place or canonical_region(region)}人民代表大会常务委员会"]
    return []


class CorpusSource:
    """The corpus dump as a crawl source (registry name "lawrefbook"): listings walk the dump, no HTTP.

    Each record and each line that could not become one is a listing whose URL is the dump's file:// URL with
    the record's path as fragment; the runner reads file:// URLs from disk (the same bytes for every listing),
    and record() parses the dump once per content and returns the record the listing names, or raises the
    line's RecordError. `fagui import lawrefbook` keeps using read_corpus directly."""

    title = SOURCE_TITLE
    hosts: tuple[str, ...] = ()
    base_url = None

    def __init__(self, path: Path | str | None = None) -> None:
        self.name = SOURCE
        self._path = Path(path) if path else None
        self._content: bytes | None = None
        self._records: dict[str, DocumentRecord] = {}
        self._errors: dict[str, RecordError] = {}

    @property
    def local_root(self) -> Path | None:
        """The only file the crawl runner reads file:// listings from (crawlers.sources.base)."""
        return self._path

    @property
    def path(self) -> Path:
        if self._path is None:  # whoever runs the source passes the corpus in (fagui.settings.default_corpus_path)
            raise RecordError(SOURCE, "没有指定语料文件：请设置 FAGUI_CORPUS_PATH")
        return self._path

    def _index(self, report: CorpusReport) -> None:
        self._records = {r.source_ref: r for r in report.records}
        self._errors = {e.ref: e for e in report.errors}

    def listings(self, fetch: Any, since: date | None = None) -> Iterator[Listing]:
        path = self.path
        if not path.exists():
            raise RecordError(str(path), f"找不到语料文件：{path}")
        report = read_corpus(path)
        log.info("%s: %d records and %d unusable lines in %s", self.name, len(report.records), len(report.errors),
                 path)
        self._index(report)
        self._content = None
        url = path.resolve().as_uri()
        for record in report.records:
            if since and record.published and record.published < since:
                continue
            hints = {"published": record.published.isoformat() if record.published else None}
            yield Listing(url=f"{url}#{quote(record.source_ref)}", ref=record.source_ref, title=record.title,
                          hints=hints)
        for error in report.errors:
            yield Listing(url=f"{url}#{quote(error.ref)}", ref=error.ref, hints={"error": error.reason})

    def record(self, listing: Listing, page: Any, fetch: Any) -> DocumentRecord:
        if "error" in listing.hints:
            raise RecordError(listing.ref, listing.hints["error"])
        if listing.ref not in self._records and listing.ref not in self._errors:
            # Not from this process's listing (a resumed run given the page only): parse the page's bytes.
            content = getattr(page, "content", None)
            if content and content is not self._content:
                self._index(read_corpus_bytes(content, self.path.name))
                self._content = content
        if listing.ref in self._errors:
            raise self._errors[listing.ref]
        if listing.ref not in self._records:
            raise RecordError(listing.ref, "语料中没有这条记录（语料文件已更换？）")
        return self._records[listing.ref]


def make_source(base_url: str | None = None, path: Path | str | None = None) -> CorpusSource:
    return CorpusSource(path)


# SOURCE stays the source's name (callers pass it to ingest()); the registry makes a CorpusSource with the
# corpus path it is given, CRAWL_SOURCE is one without.
CRAWL_SOURCE = CorpusSource()
