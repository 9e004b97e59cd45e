"""Near-namesakes: what makes a stored title that differs from a list's title by a character or two another
document, not a typo of the same one (河北省物业管理条例 is not 河南省物业管理条例, a （二） is not its （一）).

`conflicts(query, candidate)` compares two titles' keys (clearance.matching.match_key) and returns the reasons
they name different documents, in Chinese: a different region or city, a different ordinal, year or other
number, a different kind of document (条例 / 办法, 暂行, 实施...), a different issuing body before 关于.
`body_conflicts(body, ...)` compares a row's 制定机关 with a stored work: its province or city, its kind
(人大 / 政府 / 法院) against the work's level. A title within an edit or two of the list's is only offered
for review when none of these says otherwise; the matcher rules the others out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from fagui.vocabulary import REGION_CODES

PROVINCES = tuple(name for name in REGION_CODES if name != "全国")
# Runs of digits or Chinese numerals: years, ordinals （一）, 修正案（九）, 第X号, 十四五.
_NUMERALS = re.compile(r"[0-9０-９一二三四五六七八九十百千零〇两]+")
# The kind of document a title ends with, longest first; a title's kind and level go with it.
_FORMS = ("实施细则", "实施办法", "实施条例", "实施意见", "暂行条例", "暂行办法", "暂行规定", "若干规定", "补充规定",
          "单行条例", "自治条例", "条例", "办法", "规定", "细则", "规则", "决定", "决议", "解释", "批复", "答复",
          "意见", "通知", "通告", "公告", "纪要", "规划", "方案", "计划", "章程", "标准", "准则", "修正案", "法")
# Words whose presence alone makes another document: 暂行 / 试行 versions, 实施 rules, 修改 / 废止 decisions.
_MARKERS = ("暂行", "试行", "实施", "补充", "修改", "废止", "批准", "修正案", "若干")
_TRAILING_NUMERALS = re.compile(r"[0-9一二三四五六七八九十百千零〇两]+$")
# Shaped like a place at a title's start (not 市场, 区域, 县级, 市民, 市容, 市政).
_FIRST_PLACE = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:自治区|自治州|自治县|省|市|县|盟)(?![场域级民容政])")
_NEXT_PLACE = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:自治州|自治县|市|县|区|旗)(?![场域级民容政])")
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_BODY_SUFFIX = re.compile(r"(?:人民代表大会常务委员会|人民代表大会|人大常委会|人大|人民政府|政府)$")
_NATIONAL_BODIES = ("全国人", "国务院", "最高人民法院", "最高人民检察院", "中共中央", "中央")
_KNOWN_BODIES = ("最高人民法院", "最高人民检察院", "国务院办公厅", "国务院", "全国人民代表大会常务委员会", "全国人民代表大会",
                 "全国人大常委会")
_LEGISLATURE_TYPES = {"宪法", "法律", "地方性法规", "自治条例和单行条例"}
_GOVERNMENT_TYPES = {"行政法规", "部门规章", "地方政府规章", "行政规范性文件"}
_JUDICIAL_TYPES = {"司法解释"}


@dataclass(frozen=True)
class Places:
    """Known place names: the provinces (with their short names: 河北 for 河北省) and the cities and counties the
    store's titles and issuing bodies name."""

    names: dict[str, str]  # as written -> canonical (河北 -> 河北省)
    bodies: tuple[str, ...] = _KNOWN_BODIES  # issuing bodies a title may begin with, longest first

    @classmethod
    def build(cls, titles: Iterable[str] = (), bodies: Iterable[str] = ()) -> Places:
        bodies = list(bodies)
        known = sorted({b for b in (*_KNOWN_BODIES, *bodies) if len(b) >= 3}, key=lambda b: (-len(b), b))
        names: dict[str, str] = {}
        for province in PROVINCES:
            names[province] = province
            short = province[:3] if province.startswith(("黑龙江", "内蒙古")) else province[:2]
            names.setdefault(short, province)
        for body in bodies:
            place = _BODY_SUFFIX.sub("", body)
            if place != body and 2 < len(place) <= 10 and place.endswith(("市", "县", "州", "区", "旗", "盟")):
                names.setdefault(place, place)
        _add_short_names(names)
        for title in titles:  # a local title starts with its city or county: 郑州市…, 山东省济南市…
            first = leading_places(title, names)[:2]
            if first and first[0] in PROVINCES:
                first = first[1:] if first[0] not in _MUNICIPALITIES else []
            if (first and first[0].endswith(("市", "县", "自治州")) and first[0] in title[:12]
                    and not any(word in first[0] for word in ("实施", "城市", "促进", "推进", "关于"))):
                names.setdefault(first[0], first[0])
        _add_short_names(names)
        return cls(names, tuple(known))

    def leading_body(self, key: str) -> str | None:
        return next((b for b in self.bodies if key.startswith(b)), None)

    def longest_at(self, key: str, i: int) -> str | None:
        for size in range(min(10, len(key) - i), 1, -1):
            if key[i:i + size] in self.names:
                return key[i:i + size]
        return None


def _add_short_names(names: dict[str, str]) -> None:
    for name in [n for n in names if n.endswith("市") and len(n) >= 3 and n not in PROVINCES]:
        names.setdefault(name[:-1], name)  # 郑州 for 郑州市


def leading_places(key: str, known: dict[str, str] | Places | None = None) -> list[str]:
    """The places a title starts with (山东省济南市..., 郑州市..., 景宁畲族自治县...), canonical where known: a known
    name first, else anything shaped like a place (an unknown 某州市 still names a place)."""
    return _leading(key, known.names if isinstance(known, Places) else (known or {}))[0]


def _leading(key: str, names: dict[str, str]) -> tuple[list[str], int]:
    places: list[str] = []
    i = 0
    while i < len(key) and len(places) < 3:
        found = next((key[i:i + n] for n in range(min(10, len(key) - i), 1, -1) if key[i:i + n] in names), None)
        if found is None:
            m = (_NEXT_PLACE if places else _FIRST_PLACE).match(key, i)
            if m is None:
                break
            found = m.group(0)
        places.append(names.get(found, found))
        i += len(found)
    return places, i


def title_places(key: str, places: Places) -> list[str]:
    """The leading places, then every other known place the title names (关于批准《郑州市…》的决定)."""
    found, i = _leading(key, places.names)
    while i < len(key):
        name = places.longest_at(key, i)
        if name is None:
            i += 1
            continue
        found.append(places.names[name])
        i += len(name)
    return found


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (titles here are a few dozen characters)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _form(key: str) -> str | None:
    stem = _TRAILING_NUMERALS.sub("", key)
    return next((f for f in _FORMS if stem.endswith(f)), None)


def _before_guanyu(key: str) -> str | None:
    i = key.find("关于")
    return key[:i] if 0 < i <= 40 else None


def conflicts(query: str, candidate: str, places: Places) -> list[str]:
    """Why the title keys `query` and `candidate` name different documents ([] when nothing says so)."""
    reasons = []
    q_places, c_places = title_places(query, places), title_places(candidate, places)
    if q_places != c_places:
        reasons.append(f"地区不符（清单：{'、'.join(q_places) or '未写地区'}；库中：{'、'.join(c_places) or '未写地区'}）")
    q_numbers, c_numbers = _NUMERALS.findall(query), _NUMERALS.findall(candidate)
    if q_numbers != c_numbers:
        reasons.append(f"序号、年份或编号不符（清单：{'、'.join(q_numbers) or '无'}；库中：{'、'.join(c_numbers) or '无'}）")
    # A kind word or marker that is there in one title and gone from the other makes another document; one
    # garbled by a typo (实及办法, 规干规定, 条法) leaves the titles closer than the word is long: for review.
    distance = edit_distance(query, candidate)
    q_form, c_form = _form(query), _form(candidate)
    q_marks = [m for m in _MARKERS if m in query]
    c_marks = [m for m in _MARKERS if m in candidate]
    form_differs = bool(q_form and c_form and not q_form.endswith(c_form) and not c_form.endswith(q_form)
                        and (distance >= 2 or min(len(q_form), len(c_form)) >= 2))  # 暂行办法 / 办法: a marker
    only_q = {m for m in _MARKERS if query.count(m) > candidate.count(m)}  # counted: 暂行管理暂行办法
    only_c = {m for m in _MARKERS if candidate.count(m) > query.count(m)}
    marks_differ = bool(only_q and only_c) or any(distance >= len(m) for m in only_q | only_c)  # 暂行 / 试行
    if form_differs or marks_differ:
        reasons.append(f"文件种类不符（清单：{q_form or '—'}{'、'.join(q_marks)}；库中：{c_form or '—'}"
                       f"{'、'.join(c_marks)}）")
    q_body, c_body = _before_guanyu(query), _before_guanyu(candidate)
    if q_body is None or c_body is None:  # no 关于 (最高人民法院于…): the known body a title begins with
        q_body, c_body = places.leading_body(query), places.leading_body(candidate)
    if q_body != c_body and (q_body or c_body):
        # 最高人民检察院 for 最高人民法院 is another body; 最高例民法院 or 国务某 a typo of one (for review)
        q_text = q_body if q_body is not None else query[:len(c_body or "")]
        c_text = c_body if c_body is not None else candidate[:len(q_body or "")]
        known = q_body in places.bodies and c_body in places.bodies
        if not (known or edit_distance(q_text, c_text) >= 2):
            q_body = c_body
    if (q_body or c_body) and q_body != c_body:
        reasons.append(f"发文机关不符（清单：{q_body or '未写'}；库中：{c_body or '未写'}）")
    return reasons


def body_conflicts(body: str, work_places: list[str], region: str, doc_type: str | None,
                   work_bodies: list[str], places: Places) -> list[str]:
    """Why a row's 制定机关 (a body_key) cannot have made a work of this region, title places, level and bodies."""
    if not body or any(body in b or b in body for b in work_bodies if b):
        return []
    reasons = []
    named = leading_places(body, places)
    province = next((p for p in named if p in REGION_CODES), None)
    cities = [p for p in named if p not in REGION_CODES]
    if body.startswith(_NATIONAL_BODIES) and region != "全国":
        reasons.append(f"制定机关为中央机关，库中文件属{region}")
    if province and province != region:
        reasons.append(f"制定机关属{province}，库中文件属{region}")
    elif cities and not set(cities) <= set(work_places):
        where = "、".join(work_places) or region
        reasons.append(f"制定机关属{'、'.join(cities)}，库中文件属{where}")
    kind = _body_kind(body)
    if doc_type and kind and doc_type not in kind[1]:
        reasons.append(f"制定机关为{kind[0]}，库中文件为{doc_type}")
    return reasons


def _body_kind(body: str) -> tuple[str, set[str]] | None:
    if body.startswith(("最高人民法院", "最高人民检察院")):
        return "审判或检察机关", _JUDICIAL_TYPES | {"其他规范性文件"}
    if "人民代表大会" in body or "人大" in body:
        return "人大或其常委会", _LEGISLATURE_TYPES | {"其他规范性文件"}
    if body.endswith(("人民政府", "政府", "国务院")):
        return "人民政府", _GOVERNMENT_TYPES | {"其他规范性文件"}
    return None
