"""国家法律法规数据库 (flk.npc.gov.cn) records as DocumentRecords: the mapping the live crawler (`flk`) and the
saved snapshot (`flk_snapshot`) share, so both store the same thing for the same record.

What is mapped here: status codes (`sxx` 3 有效 / 4 尚未生效 / 2 已修改 / 1 已废止, and the snapshot's words for
them), dates (公布 `gbrq`, 施行 `sxrq`), document types (`flxz` labels, `flfgCodeId` groups, the snapshot's
categories), issuing bodies (`zdjgName`, 、-separated for joint rules), the region of local regulations, and the
text: a title line, then the articles (from the Word file, the contents tree or the snapshot's provisions)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from crawlers.sources._common import (
    check_not_garbled,
    checked_doc_type,
    clean_text,
    history_of,
    region_of,
    status_extra,
)
from fagui.normalise import parse_date
from fagui.normalise.articles import chinese_numeral
from fagui.records import Attachment, DocumentRecord, RecordError

# sxx code -> (label shown by the site, our status)
SXX: dict[int, tuple[str, str]] = {
    3: ("有效", "effective"),
    4: ("尚未生效", "not_yet_effective"),
    2: ("已修改", "amended"),
    1: ("已废止", "repealed"),
}
# The words public collections of flk (the snapshot) write for the sxx codes.
STATUS_WORD_SXX: dict[str, int] = {"in_force": 3, "not_yet_in_force": 4, "amended": 2, "repealed": 1}

# flxz labels (法律性质) -> our doc_type. The NPC's decisions on legal questions (有关法律问题和重大问题的决定),
# its interpretations and its amending/repealing decisions have the force of law.
FLXZ_DOC_TYPE: dict[str, str] = {
    "宪法": "宪法",
    "宪法相关法": "法律",
    "法律": "法律",
    "法律解释": "法律",
    "有关法律问题和重大问题的决定": "法律",
    "修改、废止的决定": "法律",  # a local people's congress's decision of this kind is 地方性法规 (doc_type_of)
    "行政法规": "行政法规",
    "监察法规": "监察法规",
    "司法解释": "司法解释",
    "地方性法规": "地方性法规",
    "地方法规": "地方性法规",
    "经济特区法规": "地方性法规",
    "浦东新区法规": "地方性法规",
    "海南自由贸易港法规": "地方性法规",
    "自治条例": "自治条例和单行条例",
    "单行条例": "自治条例和单行条例",
    "自治条例和单行条例": "自治条例和单行条例",
}
# flk's 法律部门 (the 分类 of a law: 民法商法, 行政法 ...): every one of them holds laws.
LAW_BRANCHES = ("宪法相关法", "民法商法", "行政法", "经济法", "社会法", "刑法", "诉讼与非诉讼程序法")
# flfgCodeId groups as public clients of the 2025 API use them, for rows that carry no flxz label.
CODE_GROUPS: tuple[tuple[range, str], ...] = (
    (range(100, 110), "宪法"),
    (range(110, 200), "法律"),
    (range(210, 211), "行政法规"),
    (range(220, 221), "监察法规"),
    (range(260, 261), "自治条例和单行条例"),
    (range(230, 310), "地方性法规"),
    (range(310, 311), "法律"),  # 修改、废止的决定: local when a local body made it (doc_type_of)
    (range(320, 341), "司法解释"),
)
# Bodies whose decisions are national: a 修改、废止的决定 of any other (named) place is a local regulation.
_NATIONAL_BODIES = ("全国人民代表大会", "中华人民共和国", "国务院", "最高人民法院", "最高人民检察院",
                    "国家监察委员会")
# Bodies that make laws and administrative regulations: a rule of any other body is a 部门规章.
_LAW_MAKERS = ("全国人民代表大会", "全国人民代表大会常务委员会", "国务院")


def plain(value: Any) -> str | None:
    """Titles come with search highlighting (<em>...</em>) in list rows."""
    if value is None:
        return None
    return re.sub(r"<[^>]+>", "", str(value)).strip() or None


def doc_type_of(detail: Mapping[str, Any], hints: Mapping[str, Any]) -> str | None:
    """The flxz label's type, else the flfgCodeId group's; a decision (修改、废止的决定) made by a local
    people's congress is a local regulation, not a national law (issue 22)."""
    label = (detail.get("flxz") or hints.get("flxz") or "").strip()
    doc_type = FLXZ_DOC_TYPE.get(label)
    if doc_type is None:
        code = detail.get("flfgCodeId") or hints.get("flfgCodeId")
        try:
            number = int(code) if code is not None else None
        except (TypeError, ValueError):
            number = None
        doc_type = next((t for codes, t in CODE_GROUPS if number in codes), None)
    if doc_type == "法律":
        body = str(detail.get("zdjgName") or hints.get("zdjgName") or "").strip()
        if body and not body.startswith(_NATIONAL_BODIES) and (region_of(body) or place_of(body)):
            return "地方性法规"
    return doc_type


def category_doc_type(category: str | None, bodies: list[str]) -> str | None:
    """The snapshot's `category` ("行政法规 (Administrative Regulations)", "经济法 (Economic)") as a doc_type;
    a record without one made by a ministry is a 部门规章."""
    label = (category or "").split("(")[0].strip()
    if label in FLXZ_DOC_TYPE:
        return FLXZ_DOC_TYPE[label]
    if label in LAW_BRANCHES:
        return "法律"
    if not label and bodies and not any(b in _LAW_MAKERS for b in bodies):
        return "部门规章"
    return None


def place_of(name: str) -> str | None:
    """The city or prefecture a body or title starts with (广州市人民代表大会常务委员会 -> 广州市), for local
    regulations whose province the name does not say."""
    for suffix in ("市", "自治州", "盟", "地区"):  # 市 first: 广州市 is a city, not a 州
        m = re.match(rf"^([\u4e00-\u9fff]{{1,8}}?{suffix})", name)
        if m:
            return m.group(1)
    return None


def split_bodies(value: str | None) -> list[str]:
    """zdjgName as a list: joint rules name several bodies separated by 、 , ; """
    return [b.strip() for b in re.split(r"[、,，;；]", value or "") if b.strip()]


def sxx_code(value: Any) -> int | None:
    """The sxx code of an API field (3, "3") or of a collection's word for it ("in_force")."""
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.strip() in STATUS_WORD_SXX:
        return STATUS_WORD_SXX[value.strip()]
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def provisions_text(provisions: Iterable[Mapping[str, Any]], ref: str) -> str:
    """The articles of the snapshot's `provisions` as the store's plain text: a heading line for each 编/章/节
    the `chapter` path ("第二编 分则 > 第二章 …") enters, then 第X条 (之一 where the content starts so) and its
    paragraphs, verbatim."""
    lines: list[str] = []
    path: list[str] = []
    for p in provisions:
        number = str(p.get("provision_ref") or p.get("section") or "").strip()
        content = str(p.get("content") or "").strip()
        if not number.isdigit() or not content:
            raise RecordError(ref, f"条文编号或内容缺失（provision_ref={number or '空'}）")
        chapter = [c.strip() for c in str(p.get("chapter") or "").split(">") if c.strip()]
        if chapter != path:
            shared = 0
            while shared < min(len(chapter), len(path)) and chapter[shared] == path[shared]:
                shared += 1
            lines.extend(chapter[shared:])
            path = chapter
        label = f"第{chinese_numeral(int(number))}条"
        sub = re.match(r"^(之[一二三四五六七八九十]+)[\s\u3000]+", content)
        if sub:
            label += sub.group(1)
            content = content[sub.end():]
        title = str(p.get("title") or "").strip()
        lines.append(f"{label}　{title + '　' if title else ''}{content}")
    return "\n".join(lines)


def flk_record(source: str, ref: str, fields: Mapping[str, Any], raw_text: str, *, doc_type: str | None,
               source_url: str, attachments: list[Attachment] | None = None,
               extra: dict[str, Any] | None = None) -> DocumentRecord:
    """One flk version as a DocumentRecord. `fields` carries the API's names: title, gbrq (公布), sxrq (施行),
    sxx (code or word), zdjgName; `extra` what the caller adds (flxz, where the text came from ...)."""
    check_not_garbled(raw_text, ref, "正文")
    text = clean_text(raw_text)
    title = plain(fields.get("title"))
    if not title:
        raise RecordError(ref, "缺少标题")
    title = clean_text(title).strip()
    lines = text.splitlines()
    if lines and lines[0].strip() != title:
        text = f"{title}\n{text}"  # the contents tree and the provisions start with a heading, not the title
    sxx_raw = fields.get("sxx")
    sxx = sxx_code(sxx_raw)
    label, status = SXX.get(sxx, (None, None)) if sxx is not None else (None, None)
    bodies = split_bodies(fields.get("zdjgName"))
    doc_type = checked_doc_type(doc_type, ref)
    region = "全国"
    if doc_type in ("地方性法规", "自治条例和单行条例"):
        region = region_of(*bodies, title) or place_of(bodies[0] if bodies else title) or "全国"
    record_extra: dict[str, Any] = {**(extra or {}), "sxx": sxx,
                                    **status_extra(label or (str(sxx_raw) if sxx_raw else None), status)}
    return DocumentRecord(
        source=source,
        source_ref=ref,
        title=title,
        text=text,
        doc_type=doc_type,
        issuing_bodies=bodies,
        doc_number=None,
        region=region,
        published=parse_date(fields.get("gbrq")),
        effective=parse_date(fields.get("sxrq")),
        source_status=label,
        source_url=source_url,
        attachments=attachments or [],
        history=history_of(text),
        extra=record_extra,
    )
