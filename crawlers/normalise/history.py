"""History lines above a legal text (通过, 修正, 修订, 公布, 施行, 废止, 批准) as dated events with the body
that acted, e.g. "2004年4月30日 中华人民共和国国务院令第406号公布" -> published 2004-04-30 by 国务院."""

from __future__ import annotations

import re
from datetime import date

from crawlers.normalise.articles import CN_NUMBER
from crawlers.normalise.dates import _CHINESE, _NUMERIC, parse_date
from crawlers.records import HistoryEvent

# The verb that ends a segment decides its kind; 修正案/决定 adopted by a legislature amend the work.
_VERBS = (
    ("废止", "repealed"),
    ("修正", "amended"),
    ("修改", "amended"),
    ("修订", "revised"),
    ("批准", "approved"),
    ("公布", "published"),
    ("发布", "published"),
    ("施行", "effective"),
    ("生效", "effective"),
    ("实施", "effective"),
    ("通过", "adopted"),
)

_ORDINAL = rf"第[{CN_NUMBER}\d]+"
_SESSION = re.compile(rf"{_ORDINAL}届")
_NOISE = re.compile(rf"{_ORDINAL}次(?:全体|常务)?会议|{_ORDINAL}号|审判委员会|检察委员会|公告|令")
_PLACE = r"(?:[\u4e00-\u9fff]{1,12}?(?:省|自治区|市|自治州|州|盟|地区|县|自治县|区|旗))"
_BODY_PATTERNS = (
    re.compile(rf"({_PLACE}?)(人民代表大会常务委员会|人民代表大会)"),
    re.compile(r"(最高人民法院|最高人民检察院|国务院办公厅|国务院|中央军事委员会|国家监察委员会)"),
    re.compile(rf"({_PLACE})(人民政府办公厅|人民政府)"),
    re.compile(r"(国家[\u4e00-\u9fff]{2,16}?(?:总局|委员会|局|署)|[\u4e00-\u9fff]{2,10}?部)(?=令|第|$|、|公告|\s)"),
)
_QUOTED = re.compile(r"《[^》]*》|<[^>]*>|〈[^〉]*〉")
BODY_ALIASES = {
    "全国人大常委会": "全国人民代表大会常务委员会",
    "全国人大": "全国人民代表大会",
    "最高法": "最高人民法院",
    "最高检": "最高人民检察院",
}


def split_dated_segments(line: str) -> list[tuple[date | None, str]]:
    """A history line can hold several events ("...通过 2006年9月29日...公布"); cut it at each date."""
    line = line.strip().strip("（）()　 ")
    starts = sorted(
        {m.start() for pattern in (_NUMERIC, _CHINESE) for m in pattern.finditer(line)}
    )
    if not starts:
        return [(None, line)] if line else []
    segments = []
    if starts[0] > 0 and line[: starts[0]].strip():
        segments.append((None, line[: starts[0]].strip()))
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(line)
        piece = line[start:end]
        segments.append((parse_date(piece), piece))
    return segments


def event_kind(segment: str) -> str | None:
    """The kind of an event by the verb that ends it (a quoted title's own words do not count)."""
    tail = _QUOTED.sub("《》", segment).rstrip("）)　 .。,，;；")
    if tail.endswith("》"):
        # "...会议通过的《...修正案》" or "...《关于修改...的决定》": an amendment by a separate act.
        quoted = _QUOTED.findall(segment)
        last = quoted[-1] if quoted else ""
        if "废止" in last and "修改" not in last:
            return "repealed"
        return "amended" if ("修正案" in last or "修改" in last or "决定" in last) else None
    best: tuple[int, str] | None = None
    for verb, kind in _VERBS:
        pos = tail.rfind(verb)
        if pos >= 0 and (best is None or pos > best[0]):
            best = (pos, kind)
    return best[1] if best else None


def bodies_in(segment: str) -> list[str]:
    """The bodies named in one event, canonical full names, in order (several for a joint act)."""
    text = _QUOTED.sub(lambda m: _decision_issuer(m.group(0)), segment)
    text = text.replace("中华人民共和国", "")
    text = _NUMERIC.sub(" ", _CHINESE.sub(" ", text))
    text = _NOISE.sub(" ", _SESSION.sub("", text))
    text = re.sub(r"(^|\s)经", r"\1", text)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _BODY_PATTERNS:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
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


def _decision_issuer(quoted: str) -> str:
    """《国务院关于修改...的决定》 names its issuer before 关于; keep that, drop the rest of the title."""
    inner = quoted[1:-1]
    return " " + inner.split("关于", 1)[0] + " " if "关于" in inner else " "


def parse_history(lines: list[str] | str) -> list[HistoryEvent]:
    """Events from history lines, in the order written. Lines with no date and no verb are skipped."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    events: list[HistoryEvent] = []
    for line in lines:
        for when, segment in split_dated_segments(line):
            kind = event_kind(segment)
            if kind is None:
                continue
            bodies = bodies_in(segment)
            events.append(
                HistoryEvent(kind=kind, date=when, body="、".join(bodies) or None, text=segment.strip())
            )
    return events


def history_block(markdown: str) -> list[str]:
    """The history lines of a corpus text: after the # title, before <!-- INFO END -->."""
    if "<!-- INFO END -->" not in markdown:
        return []
    head = markdown.split("<!-- INFO END -->", 1)[0]
    return [ln.strip() for ln in head.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
