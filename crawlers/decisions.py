"""Links from decisions: 《关于废止和修改部分规范性文件的决定》, clean-up lists (清理结果) and single repeals
(关于废止《…》的决定) name the documents they repeal or amend, by title and usually by document number, in
numbered lines or in tables. `decision_links` turns them into RelationRef(repeals / amends); the store then
matches each to a work by document number or title and keeps the ones it cannot match, for the report.

Sections set what happens to the entries below them ("一、决定废止的规范性文件", "二、修改的…", "三、继续有效
的…" which makes no link); an entry's own words win over its section (a table column 处理意见 = 废止, a line
"废止《…》"). Titles quoted as the ground of the decision (根据《立法法》…) are never targets."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import date

from crawlers.parsing import parse_fragment, text_and_tables
from fagui.normalise.dates import find_dates
from fagui.normalise.docnumbers import find_doc_numbers
from fagui.records import DocumentRecord, RelationRef

log = logging.getLogger(__name__)

REPEALS = "repeals"
AMENDS = "amends"

_DECISION_TITLE = re.compile(r"(废止|失效|修改|修订|清理)")
_DECISION_KIND = re.compile(r"(决定|通知|公告|目录|清理结果|清单|意见|令)")
_QUOTED = re.compile(r"《([^《》]{2,120})》")
_PAREN_AFTER = re.compile(r"^\s*[（(]([^（()）]{2,80})[）)]")
_GROUND = re.compile(r"(根据|依据|依照|按照|遵照|贯彻|落实|为了|为|经|参照|执行)")
_CLAUSE_END = "，。；：:;,\n"
_SECTION = re.compile(r"(?<![\u4e00-\u9fff〔\d])([一二三四五六七八九十]{1,3}、)")
_ITEM = re.compile(r"(?<![\d〔\[（(.．])(\d{1,3}[.．、](?!\d))")
_ITEM_PREFIX = re.compile(r"^\s*(?:\d{1,3}[.．、]|[（(]\d{1,3}[）)]|[一二三四五六七八九十]{1,3}、)\s*")
_EFFECTIVE = re.compile(r"自(.{0,20}?)起(?:施行|生效|执行|废止|失效)")


def action_of(text: str) -> str | None:
    """What words say is done to the documents they introduce: repeals, amends, None for none (继续有效,
    保留) or no such words. 废止 and 失效 (宣布失效) both end a document."""
    if re.search(r"继续有效|保留|不再列入|仍然有效|暂不处理", text):
        return None
    if re.search(r"废止|失效|撤销", text):
        return REPEALS
    if re.search(r"修改|修订|修正", text):
        return AMENDS
    return None


def is_decision(title: str) -> bool:
    return bool(_DECISION_TITLE.search(title) and _DECISION_KIND.search(title))


def _outside_quotes(text: str) -> str:
    return _QUOTED.sub("", text)


def _is_ground(line: str, start: int) -> bool:
    """《…》 at `start` is quoted as the ground of the decision (根据《立法法》), not as its target."""
    clause_start = max(line.rfind(ch, 0, start) for ch in _CLAUSE_END) + 1
    return bool(_GROUND.search(line[clause_start:start]))


def _split_lines(text: str) -> list[str]:
    """Lines, with a new line before every section marker (二、) and numbered item (3.) so a list pasted as
    one paragraph still gives one entry per line."""
    out: list[str] = []
    for raw in text.splitlines():
        marked = _SECTION.sub(lambda m: "\n" + m.group(1), raw)
        marked = _ITEM.sub(lambda m: "\n" + m.group(1), marked)
        out += [ln.strip() for ln in marked.splitlines() if ln.strip()]
    return out


def _doc_number_after(line: str, end: int) -> str | None:
    m = _PAREN_AFTER.match(line[end:])
    if m:
        found = find_doc_numbers(m.group(1))
        if found:
            return found[0]
    found = find_doc_numbers(line[end:end + 40].split("《", 1)[0])
    return found[0] if found else None


# An instruction of an amendment (将第三条中的《…》修改为《…》) quotes words of the text, not documents.
_INSTRUCTION = re.compile(r"修改为|改为|删去|删除|增加|增写|替换|调整为|表述|中的《")
_MIN_TITLE = 4  # 《解释》, 《办法》: a short name inside an amendment refers back, it names no document


def _entries_in_line(line: str, action: str | None) -> list[tuple[str, str | None, str | None]]:
    """(title, doc number, action) for each document named in one line."""
    if _INSTRUCTION.search(_outside_quotes(line)) or _INSTRUCTION.search(line.split("》", 1)[0] + "》"):
        return []
    own = action_of(_outside_quotes(line))
    entries = []
    for m in _QUOTED.finditer(line):
        if _is_ground(line, m.start()) or len(m.group(1).strip()) < _MIN_TITLE:
            continue
        entries.append((m.group(1).strip(), _doc_number_after(line, m.end()), own or action))
    if not entries and _ITEM_PREFIX.match(line):
        # "3. 某某管理办法（某政发〔2015〕3号）": a numbered entry without book-title marks.
        body = _ITEM_PREFIX.sub("", line, count=1)
        numbers = find_doc_numbers(body)
        title = re.split(r"[（(]", body, maxsplit=1)[0].strip(" 　：:；;。")
        if numbers and 4 <= len(title) <= 120 and not action_of(title):
            entries.append((title, numbers[0], own or action))
    return entries


_TITLE_COLS = ("文件名称", "规章名称", "名称", "标题", "文件标题", "规范性文件名称", "文件")
_NUMBER_COLS = ("文号", "发文字号", "文件编号", "编号", "字号")
_ACTION_COLS = ("处理意见", "清理意见", "清理结果", "处理结果", "审查意见", "处理方式", "类别", "结论", "备注")


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        for i, cell in enumerate(header):
            if cell == name:
                return i
    for name in names:
        for i, cell in enumerate(header):
            if name in cell:
                return i
    return None


def _table_entries(rows: list[list[str]], action: str | None) -> list[tuple[str, str | None, str | None]]:
    if not rows:
        return []
    header = rows[0]
    title_col = _column(header, _TITLE_COLS)
    if title_col is None:
        # No header: every row is read as a line ("1 《…》 某政发〔2015〕3号 废止").
        return [e for row in rows for e in _entries_in_line(" ".join(row), action)]
    number_col = _column(header, _NUMBER_COLS)
    action_col = _column(header, _ACTION_COLS)
    entries = []
    for row in rows[1:]:
        if title_col >= len(row) or not row[title_col]:
            continue
        title = row[title_col].strip("《》")
        number = None
        if number_col is not None and number_col < len(row):
            found = find_doc_numbers(row[number_col])
            number = found[0] if found else (row[number_col] or None)
        if number is None:
            found = find_doc_numbers(row[title_col])
            number = found[0] if found else None
            title = re.split(r"[（(]", title, maxsplit=1)[0].strip("《》") if found else title
        row_action = action
        if action_col is not None and action_col < len(row) and row[action_col]:
            said = row[action_col]
            row_action = action_of(said)
        entries.append((title, number, row_action))
    return entries


def _effective_date(text: str, published: date | None, effective: date | None) -> date | None:
    """When the decision takes effect: its own effective date, a 自…起施行 in its text, else its publication."""
    if effective:
        return effective
    for m in _EFFECTIVE.finditer(text):
        if "公布之日" in m.group(1) or "发布之日" in m.group(1) or "印发之日" in m.group(1):
            return published
        found = find_dates(m.group(1))
        if found:
            return found[0]
    return published


def decision_links(title: str, text: str, html: str | None = None, published: date | None = None,
                   effective: date | None = None) -> list[RelationRef]:
    """The repeals / amends links a decision makes, each once (by document number, else title)."""
    entries: list[tuple[str, str | None, str | None]] = []
    # The title itself: 关于废止《某某办法》的决定 names its one target.
    title_action = action_of(_outside_quotes(title))
    for m in _QUOTED.finditer(title):
        entries.append((m.group(1).strip(), None, title_action))
    section: str | None = None
    has_table = bool(html) and "<table" in (html or "").lower()
    blocks = text_and_tables(parse_fragment(html or "")) if has_table else [text]
    for value in blocks:
        if isinstance(value, list):
            entries += _table_entries(value, section)
            continue
        quoted = False
        for line in _split_lines(value):
            # New wording quoted in an amendment (“为了正确审理……根据《民事诉讼法》……”) names no target.
            if quoted or line.startswith(("“", "「", "‘")):
                opened = line.count("“") + line.count("「") - line.count("”") - line.count("」")
                quoted = (quoted and not ("”" in line or "」" in line)) or opened > 0
                continue
            found = _entries_in_line(line, section)
            if found:
                entries += found
            elif _SECTION.match(line) or len(line) <= 60 or line.endswith(("：", ":")):
                said = action_of(line)
                if said or re.search(r"继续有效|保留", line):
                    section = said
    when = _effective_date(text, published, effective)
    # One entry per target: the title line of a single repeal and the same name in its text are one target,
    # keeping the document number wherever it was given.
    merged: dict[tuple[str, str], str | None] = {}
    for entry_title, number, action in entries:
        if action is None or not entry_title or entry_title == title:
            continue
        key = (action, entry_title)
        merged[key] = merged.get(key) or number
    # The title of a single amendment names its target without the issuer (关于修改《关于…的解释》的决定)
    # that the text then names in full: one target, the full name kept.
    for action, short in list(merged):
        longer = [t for a, t in merged if a == action and t != short and t.endswith(short)]
        if longer:
            number = merged.pop((action, short))
            merged[(action, longer[0])] = merged[(action, longer[0])] or number
    links: list[RelationRef] = []
    numbers_seen: set[tuple[str, str]] = set()
    for (action, entry_title), number in merged.items():
        if number:
            if (action, number) in numbers_seen:
                continue
            numbers_seen.add((action, number))
        evidence = f"《{title}》：{'废止' if action == REPEALS else '修改'}《{entry_title}》" + (
            f"（{number}）" if number else "")
        links.append(RelationRef(relation_type=action, title=entry_title, doc_number=number, effective=when,
                                 evidence=evidence))
    return links


def with_decision_links(record: DocumentRecord) -> DocumentRecord:
    """The record with the links its text makes as a decision added (those the source gave stay first); a
    record that is no decision comes back as it was."""
    if not is_decision(record.title):
        return record
    links = decision_links(record.title, record.text, record.html, record.published, record.effective)
    have = {(r.relation_type, r.doc_number or r.title) for r in record.relations}
    new = [r for r in links if (r.relation_type, r.doc_number or r.title) not in have]
    for link in new:
        log.info("decision 《%s》 %s 《%s》%s", record.title, link.relation_type, link.title, link.doc_number or "")
    if not new:
        return record
    return replace(record, relations=[*record.relations, *new])
