"""History lines above a legal text (通过, 修正, 修订, 公布, 施行, 废止, 批准) as dated events with the body
that acted, e.g. "2004年4月30日 中华人民共和国国务院令第406号公布" -> published 2004-04-30 by 国务院.

The lines are written by hand and it shows: one event can be broken over two lines (a title cut inside
《...》, "2014年9月26" / "日山东省..."), one line can hold several events ("...通过 2006年9月29日...公布"),
two bodies can share one verb ("2023年1月3日 最高人民法院审判委员会第1878次会议、2023年3月2日最高人民检察院
...会议通过"), and names come shortened (人大常委会, 中央军委, 市十四届人大常委会)."""

from __future__ import annotations

import re
from datetime import date

from fagui.normalise.articles import CN_NUMBER
from fagui.normalise.dates import CHINESE_DATE, NUMERIC_DATE, parse_date
from fagui.records import HistoryEvent

# The verb that ends a segment decides its kind; 修正案/决定 adopted by a legislature amend the work.
# 宣布失效 (declared no longer in force) ends a work as 废止 does; the kind stays "repealed" and the text says which.
_VERBS = (
    ("废止", "repealed"),
    ("失效", "repealed"),
    ("修正", "amended"),
    ("修改", "amended"),
    ("修订", "revised"),
    ("批准", "approved"),
    ("公布", "published"),
    ("发布", "published"),
    ("印发", "published"),
    ("施行", "effective"),
    ("生效", "effective"),
    ("实施", "effective"),
    ("执行", "effective"),
    ("通过", "adopted"),
)
_VERB = re.compile("|".join(verb for verb, _ in _VERBS))
_KIND_OF = dict(_VERBS)
# What may follow the verb that closes an event: "通过，自", "通过并经", "第一次修正", "公布）", "印发，根据".
_AFTER_VERB = re.compile(r"^(?:《》)?的?[\s）)，,、；;。.]*(?:并经|并|和|，?自|根据|起)?[\s）)，,；;。.]*$")
# A meeting named with no verb of its own shares the verb of the event it is listed with (joint adoption).
_MEETING = re.compile(rf"(?:会议|审判委员会|检察委员会|第[{CN_NUMBER}\d]+次)[\s、，,）)]*$")

_ORDER_ONLY = re.compile(r"令第[\d０-９]+号$|第[\d０-９]+号令$")
_ORDINAL = rf"第[{CN_NUMBER}\d]+"
_SESSION = re.compile(rf"第?[{CN_NUMBER}\d]+届")
_NOISE = re.compile(
    rf"第?[{CN_NUMBER}\d]+次(?:全体|常务|室务|部务|局务|署务|委务|主任)?会议|{_ORDINAL}号|审判委员会|检察委员会"
    r"|公告|令|常务会议|部长办公会议|主席团|\d{4}年"
)
_PLACE = r"(?:[\u4e00-\u9fff]{0,12}?(?:省|自治区|市|自治州|州|盟|地区|县|自治县|区|旗))"
_BODY_PATTERNS = (
    re.compile(rf"({_PLACE}?)(人民代表大会常务委员会|人民代表大会)"),
    re.compile(r"(最高人民法院|最高人民检察院|国务院办公厅|国务院|中央军事委员会|国家监察委员会|政务院|中国人民银行"
               r"|海关总署)"),
    re.compile(rf"({_PLACE})(人民政府办公厅|人民政府)"),
    # A ministry or agency, where its name starts: after a space, 、 or the segment start.
    re.compile(r"(?<![^\s、，,])(?:国家|中国|中华)?[\u4e00-\u9fff]{1,14}?(?:总局|总署|委员会|办公室|管理局|局|署|部)"
               r"(?=令|第|$|、|，|\s|公告|公布|发布|印发|批准|通过|修订|修正|联合|部长|审议|常务)"),
)
BODY_ALIASES = {
    "全国人大常委会": "全国人民代表大会常务委员会",
    "全国人大": "全国人民代表大会",
    "最高法": "最高人民法院",
    "最高检": "最高人民检察院",
    "中央军委": "中央军事委员会",
    "食品药品监管局": "国家食品药品监督管理局",
}
_SHORT_LEGISLATURE = ((re.compile(r"人大常委会"), "人民代表大会常务委员会"),
                      (re.compile(r"人大(?=第|[一二三四五六七八九十\d]+次|会议|主席团|\s|$)"), "人民代表大会"))
_OPEN, _CLOSE = "《〈<", "》〉>"
# Full-width digits (２０１２年１２月３日) fold one to one, so positions found in the folded line hold in the original.
_FOLD_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def split_dated_segments(line: str) -> list[tuple[date | None, str]]:
    """A history line can hold several events ("...通过 2006年9月29日...公布"); cut it at each date."""
    line = line.strip().strip("（）()　 ")
    folded = line.translate(_FOLD_DIGITS)
    starts = sorted(
        {m.start() for pattern in (NUMERIC_DATE, CHINESE_DATE) for m in pattern.finditer(folded)}
    )
    if not starts:
        return [(None, line)] if line else []
    segments: list[tuple[date | None, str]] = []
    if starts[0] > 0 and line[: starts[0]].strip():
        segments.append((None, line[: starts[0]].strip()))
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(line)
        segments.append((parse_date(folded[start:end]), line[start:end]))
    return segments


def _strip_quoted(text: str, keep_issuer: bool = False) -> str:
    """Text outside 《...》 〈...〉 <...> (nested to any depth). Each quoted title becomes 《》, or with keep_issuer
    the issuer it names before 关于 (《国务院关于修改...的决定》 -> 国务院), so its own words never count."""
    out: list[str] = []
    depth = 0
    inner: list[str] = []
    for ch in text:
        if ch in _OPEN:
            depth += 1
            if depth > 1:
                inner.append(ch)
            continue
        if ch in _CLOSE and depth:
            depth -= 1
            if depth:
                inner.append(ch)
                continue
            title = "".join(inner)
            inner = []
            if keep_issuer:
                out.append(" " + title.split("关于", 1)[0] + " " if "关于" in title else " ")
            else:
                out.append("《》")
            continue
        (inner if depth else out).append(ch)
    if depth:  # a title still open at the end: cut off in the source, its words are no verb either
        out.append(" " if keep_issuer else "《》")
    return "".join(out)


def _quoted_titles(text: str) -> list[str]:
    """The outermost quoted titles of a segment, in order."""
    titles: list[str] = []
    depth = 0
    inner: list[str] = []
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
            if not depth:
                titles.append("".join(inner))
                inner = []
                continue
        if depth:
            inner.append(ch)
    if depth:
        titles.append("".join(inner))
    return titles


def event_kind(segment: str) -> str | None:
    """The kind of an event by the verb that ends it (a quoted title's own words do not count)."""
    tail = _strip_quoted(segment).rstrip("）)　 .。,，;；、")
    if tail.endswith("》"):
        # "...会议通过的《...修正案》" or "...《关于修改...的决定》": an amendment by a separate act.
        last = (_quoted_titles(segment) or [""])[-1]
        if ("废止" in last or "失效" in last) and "修改" not in last:
            return "repealed"
        if "修正案" in last or "修改" in last or "决定" in last:
            return "amended"
        # "...会议通过《浙江省实行九年制义务教育条例》": the work under its former title; the verb decides
    verbs = list(_VERB.finditer(tail))
    if not verbs:
        # "2017年11月22日 中华人民共和国国务院令第692号": an order number alone promulgates the text
        return "published" if _ORDER_ONLY.search(tail) else None
    verb = verbs[-1]
    if not _AFTER_VERB.match(tail[verb.end():]):
        return None  # the verb sits inside a sentence ("...保障劳动者通过劳动获得报酬..."): no event
    kind = _KIND_OF[verb.group(0)]
    if kind == "adopted" and len(verbs) > 1 and verbs[-2].end() == verb.start():
        kind = _KIND_OF[verbs[-2].group(0)]  # 修订通过 is a revision, 审议通过 stays adopted
    return kind


def _depths(text: str) -> list[int]:
    """The quoting depth at each character (inside 《...》 〈...〉 <...>)."""
    depths, depth = [], 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        depths.append(depth)
        if ch in _CLOSE and depth:
            depth -= 1
    return depths


def _split_events(segment: str) -> list[str]:
    """One dated segment can name two acts: "国务院批准、文化部、海关总署发布", "...令第1号发布  自发布之日施行",
    "...公告公布施行". Verbs inside a quoted title do not split."""
    depths = _depths(segment)
    for m in _VERB.finditer(segment):
        if depths[m.start()]:
            continue
        rest = segment[m.end():]
        if m.group(0) in ("公布", "发布") and rest.strip("）)　 ") == "施行":
            return [segment[: m.end()], rest]
        sep = re.match(r"[\s、，,；;]+", rest)
        if not sep or not rest[sep.end():].strip() or rest[sep.end():].startswith(("该", "此", "本")):
            continue
        after = m.end() + sep.end()
        if any(not depths[v.start() + after] for v in _VERB.finditer(segment[after:])):
            return [segment[: m.end()], *_split_events(segment[after:])]
    return [segment]


def _expand_short_names(text: str) -> str:
    for pattern, long in _SHORT_LEGISLATURE:
        text = pattern.sub(long, text)
    return text


def bodies_in(segment: str) -> list[str]:
    """The bodies named in one event, canonical full names, in order (several for a joint act).

    A legislature written without its place ("市十四届人大常委会") comes back as 市人民代表大会常务委员会: the
    line does not say which city, the caller may know from the title."""
    text = _strip_quoted(segment, keep_issuer=True)
    text = text.replace("中华人民共和国", "").translate(_FOLD_DIGITS)
    text = NUMERIC_DATE.sub(" ", CHINESE_DATE.sub(" ", text))
    text = _expand_short_names(_SESSION.sub("", text))
    text = _NOISE.sub(" ", text)
    text = re.sub(r"(^|\s)经", r"\1", text)
    for short, long in BODY_ALIASES.items():
        if len(short) > 3:
            text = text.replace(short, long)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _BODY_PATTERNS:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e or s < m.end() <= e for s, e in taken):
                continue
            name = m.group(0).strip()
            if pattern is _BODY_PATTERNS[0] and not m.group(1):
                name = "全国" + name
            name = BODY_ALIASES.get(name, name)
            taken.append((m.start(), m.end()))
            found.append((m.start(), name))
    names: list[str] = []
    for _, name in sorted(found):
        if name not in names:
            names.append(name)
    return names


def _unbalanced(text: str) -> bool:
    return sum(text.count(c) for c in _OPEN) > sum(text.count(c) for c in _CLOSE)


_SAME_DAY = re.compile(r"^自?(?:发布|公布|印发)之日")
_BODY_END = re.compile(r"(?:院|部|局|署|委|委员会|政府|厅)$")
_CONTINUES = re.compile(rf"^(?:日|第|的|会议|次|届|[〈<《》〉>]|改|修|[{CN_NUMBER}]+次)")


def _logical_lines(lines: list[str]) -> list[tuple[date | None, str]]:
    """History lines with broken ones joined again, each with the date an undated line inherits.

    A line that does not open with a date continues the line before it when that one is unfinished: a title
    still open in 《, a date cut after its day number, a line starting inside a name or meeting
    ("第九次会议通过", "日山东省..."), or a body still waiting for its verb ("1984年4月4日 国务院" / "中央军委发布",
    joined with 、). Otherwise an undated line naming bodies (国务院批准 / 文化部 / 海关总署发布) is a further
    act of the same date."""
    out: list[list] = []  # [inherited date, text]
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        folded = line.translate(_FOLD_DIGITS)
        dated = bool(NUMERIC_DATE.match(folded) or CHINESE_DATE.match(folded))
        if out and not dated:
            prev = out[-1][1]
            prev_dates = split_dated_segments(prev)
            prev_has_date = any(d for d, _ in prev_dates) or out[-1][0] is not None
            last_seg = prev_dates[-1][1] if prev_dates else prev
            if prev_has_date:
                if _unbalanced(prev) or re.search(r"\d$", prev) or _CONTINUES.match(line):
                    out[-1][1] = prev + line
                    continue
                if event_kind(last_seg) is None:
                    joiner = "、" if _BODY_END.search(prev) and not _MEETING.search(prev) else ""
                    out[-1][1] = prev + joiner + line
                    continue
                if (bodies_in(line) or _SAME_DAY.match(line)) and "。" not in line:
                    inherited = [d for d, _ in prev_dates if d] or [out[-1][0]]
                    out.append([inherited[-1], line])
                    continue
        out.append([None, line])
    return [(d, text) for d, text in out]


def parse_history(lines: list[str] | str) -> list[HistoryEvent]:
    """Events from history lines, in the order written. Lines with no date and no verb are skipped, and so
    are undated sentences (a notice's covering letter above the text)."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    pending: list[tuple[date | None, str, str | None]] = []
    for inherited, line in _logical_lines(lines):
        for when, segment in split_dated_segments(line):
            if when is None:
                when = inherited
                if "。" in segment or len(segment) > 80:
                    continue
            for part in _split_events(segment):
                pending.append((when, part, event_kind(part)))
    events: list[HistoryEvent] = []
    for i, (when, segment, kind) in enumerate(pending):
        if kind is None:
            if when is None or not _MEETING.search(segment):
                continue
            # "2023年1月3日 最高人民法院审判委员会第1878次会议、2023年3月2日最高人民检察院...会议通过": the
            # meeting shares the verb of the next meeting; a meeting alone adopted the text.
            nxt = next((k for _, s, k in pending[i + 1:i + 2] if k in ("adopted", "amended", "revised")), None)
            kind = nxt or "adopted"
        bodies = bodies_in(segment)
        text = segment.strip().rstrip("、，,；;")
        events.append(HistoryEvent(kind=kind, date=when, body="、".join(bodies) or None, text=text))
    return _amendments_by_approval(events)


def _amendments_by_approval(events: list[HistoryEvent]) -> list[HistoryEvent]:
    """A city's amending decision is adopted by the city and then approved by the province: "2021年10月29日
    郑州市...会议通过" / "2021年11月27日 河南省...批准的《郑州市...关于修改...的决定》修正". The first line is the
    adoption of that decision, not of the work: it takes the kind of the amendment it belongs to."""
    out = list(events)
    for i in range(1, len(out) - 1):
        e, nxt = out[i], out[i + 1]
        if (e.kind == "adopted" and nxt.kind in ("amended", "revised") and "批准的" in nxt.text
                and any(p.kind == "adopted" for p in out[:i])):
            out[i] = HistoryEvent(kind=nxt.kind, date=e.date, body=e.body, text=e.text)
    return out


def split_history(markdown: str) -> tuple[list[str], str]:
    """(history lines, body) of a corpus text. The history lines sit after the # title, before
    <!-- INFO END -->; a few files put the end of their last history line just after the marker
    ("会议通过）"), which is taken back into the history."""
    if "<!-- INFO END -->" not in markdown:
        return [], markdown
    head, body = markdown.split("<!-- INFO END -->", 1)
    lines = [ln.strip() for ln in head.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    body_lines = body.split("\n")
    for i, ln in enumerate(body_lines):
        stripped = ln.strip()
        if not stripped:
            continue
        if (lines and stripped.endswith(("）", ")")) and "（" not in stripped and "(" not in stripped
                and len(stripped) <= 60 and _VERB.search(stripped)):
            lines.append(stripped)
            body = "\n".join(body_lines[i + 1:])
        break
    return lines, body


def history_block(markdown: str) -> list[str]:
    """The history lines of a corpus text: after the # title, before <!-- INFO END -->."""
    return split_history(markdown)[0]
