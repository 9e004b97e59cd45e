"""Penalty links (罚则关联) read from the articles of one version: which article sets the penalty for breaking
which other article, with the kinds of sanction, the fine and detention ranges and the authority that imposes it.

Two forms of Chinese penalty clauses name the article they enforce:
- 违反本法第十二条（第二款）规定，……的，由……处……罚款: the penalty article names the prohibition it enforces;
- 依照本法第九十条的规定处罚: an article stating an act points at the article that sets its penalty.
A penalty clause naming no article (饮酒后驾驶机动车的，处……; 有下列行为之一的，……) sets a penalty for the act it
states itself and links to nothing; bench/penalty_links.py counts both kinds (coverage)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from fagui.normalise.articles import article_label, chinese_number
from indexer.store.models import Article, Version
from indexer.store.models import PenaltyLink as PenaltyLinkRow

_NUM = "零〇一二三四五六七八九十百千两\\d"
_SCOPE = "本(?:法|条例|办法|规定|细则|规则|决定|实施细则|条例实施细则)"
# One article reference inside a 违反 clause: 第十二条, 第十二条之一, 第十二条第二款, 第十二条第一款第（三）项.
_ONE = rf"第[{_NUM}]+条(?:之[{_NUM}]+)?(?:第[{_NUM}]+款)?(?:第[（(][{_NUM}]+[）)]项)?"
_VIOLATES = re.compile(rf"违反{_SCOPE}((?:{_ONE}(?:[、，,和及或者至到]|以及)*)+)")
_BY_REFERENCE = re.compile(rf"依照{_SCOPE}({_ONE})的规定(?:给予)?(?:处罚|处理)")
_PART = re.compile(rf"第([{_NUM}]+)条(?:之([{_NUM}]+))?(?:第([{_NUM}]+)款)?")
# The wording of a sanction: what makes a sentence a penalty clause.
SANCTIONS = ("警告", "通报批评", "罚款", "没收", "暂扣", "吊销", "降低资质等级", "责令停产停业", "责令关闭",
             "限制开展生产经营活动", "限制从业", "拘留", "罚金", "拘役", "管制", "有期徒刑", "无期徒刑")
_SANCTION = re.compile(rf"(?:处|并处|予以|给予|可以处|单处|由[^。；]{{0,40}}?)[^。；]{{0,60}}?({'|'.join(SANCTIONS)})")
_FINE = re.compile(r"处(?:以)?([^，。；、处]{1,40}?)(?:的)?罚款")
# 管制 is a criminal sanction, but also 管制器具 and 交通管制; 警告 also 警告标志.
_NOT_SANCTION = re.compile(r"管制(?:器具|刀具|区|措施)|交通管制|警告标志|警告信号|警告牌|罚款决定")
_DETENTION = re.compile(rf"([{_NUM}]+日(?:以上[{_NUM}]+日)?以下)(?:的)?(?:行政)?拘留")
_AUTHORITY = re.compile(r"由((?:县级以上|设区的市级|省级)?[^，。；由]{2,40}?)(?:按照职责分工|按照职责|依法|依照|按照|根据|分别)?"
                        r"(?:责令|处|给予|予以|没收|吊销|暂扣|对|给|撤销)")


@dataclass(frozen=True)
class ArticleRef:
    number: int
    sub: int = 0
    paragraph: int | None = None  # 款, when the reference names one

    @property
    def label(self) -> str:
        base = article_label(self.number, self.sub)
        return base + (f"第{_numeral(self.paragraph)}款" if self.paragraph else "")

    @property
    def anchor(self) -> str:
        base = f"art-{self.number}" + (f"-{self.sub}" if self.sub else "")
        return base + (f"-p{self.paragraph}" if self.paragraph else "")

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "sub": self.sub, "paragraph": self.paragraph, "label": self.label,
                "anchor": self.anchor}


@dataclass(frozen=True)
class PenaltyLink:
    """The penalty article sets a sanction for breaking the enforced article."""

    penalty: ArticleRef
    enforced: ArticleRef
    form: str  # "violates" (违反本法第X条) or "by_reference" (依照本法第X条的规定处罚)
    clause: str  # the sentence of the penalty article (or of the referring article) that makes the link
    kinds: tuple[str, ...] = ()
    fines: tuple[str, ...] = ()  # 一千元以上二千元以下, 货值金额五倍以上十倍以下
    detention: tuple[str, ...] = ()  # 五日以上十日以下
    authority: str | None = None  # 公安机关交通管理部门

    @property
    def summary(self) -> str:
        """处一千元以上二千元以下罚款；拘留（十日以下）: the sanctions in one line."""
        parts = []
        for kind in self.kinds:
            if kind == "罚款" and self.fines:
                parts.append("罚款（" + "；".join(self.fines) + "）")
            elif kind == "拘留" and self.detention:
                parts.append("拘留（" + "；".join(self.detention) + "）")
            else:
                parts.append(kind)
        return "、".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"penalty": self.penalty.to_json(), "enforced": self.enforced.to_json(), "form": self.form,
                "kinds": list(self.kinds), "fines": list(self.fines), "detention": list(self.detention),
                "authority": self.authority, "summary": self.summary, "clause": self.clause}


@dataclass
class ArticlePenalties:
    """An article's links both ways: the penalties for breaking it, and the acts it punishes."""

    penalised_by: list[PenaltyLink] = field(default_factory=list)  # 违反本条的处罚
    punishes: list[PenaltyLink] = field(default_factory=list)  # 本条处罚的行为


def _numeral(n: int) -> str:
    return article_label(n)[1:-1]


def _number(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(text) if text.isdigit() else chinese_number(text)
    except ValueError:
        return None


def _refs(span: str) -> list[ArticleRef]:
    """第十二条、第十四条至第十六条第二款 -> each article named, ranges (至) filled in."""
    refs: list[ArticleRef] = []
    parts = list(_PART.finditer(span))
    for i, m in enumerate(parts):
        number = _number(m.group(1))
        if number is None:
            continue
        sub = _number(m.group(2)) or 0
        paragraph = _number(m.group(3))
        between = span[parts[i - 1].end():m.start()] if i else ""
        if refs and ("至" in between or "到" in between) and not refs[-1].sub and not sub:
            refs.extend(ArticleRef(n) for n in range(refs[-1].number + 1, min(number, refs[-1].number + 50)))
        refs.append(ArticleRef(number, sub, paragraph))
    return refs


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。；：:])", text.replace("\n", "")) if s.strip()]


def sanctions_of(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str | None]:
    """(kinds, fines, detention, authority) a clause sets; empty kinds when it sets none."""
    if not _SANCTION.search(text):
        return (), (), (), None
    plain = _NOT_SANCTION.sub("", text)
    kinds = tuple(k for _, k in sorted((plain.find(k), k) for k in SANCTIONS if k in plain))
    fines = tuple(dict.fromkeys(f for f in (m.group(1).strip() for m in _FINE.finditer(text))
                                if ("元" in f or "倍" in f or "百分之" in f) and len(f) <= 40))
    detention = tuple(dict.fromkeys(m.group(1) for m in _DETENTION.finditer(text)))
    authority = _AUTHORITY.search(text)
    return kinds, fines, detention, authority.group(1) if authority else None


def has_penalty_wording(text: str) -> bool:
    """The article sets a sanction (处……罚款, 给予警告, 处……拘留, 吊销……): the articles coverage counts."""
    return bool(_SANCTION.search(text.replace("\n", "")))


def links_of(number: int, sub: int, text: str, known: set[tuple[int, int]]) -> list[PenaltyLink]:
    """The links one article makes; references to articles the version does not have are dropped."""
    here = ArticleRef(number, sub)
    links: list[PenaltyLink] = []
    sentences = _sentences(text)
    lead = ""  # 有下列行为之一的，由……处……罚款： the sanction the items after it share
    for i, sentence in enumerate(sentences):
        for m in _VIOLATES.finditer(sentence):
            # The sanction stands in the same sentence, or, after 违反…规定，有下列行为之一的：, in the ones after,
            # or, for an item (（一）违反本法第八条规定的；), in the sentence that opened the list.
            scope = sentence[m.start():] + ("".join(sentences[i + 1:]) if "下列" in sentence[m.end():] else "")
            kinds, fines, detention, authority = sanctions_of(scope)
            item = re.match(r"\s*[（(][一二三四五六七八九十\d]+[）)]", sentence)
            if not kinds and lead and item and not re.search(r"处理|处罚|处分", sentence):
                kinds, fines, detention, authority = sanctions_of(lead)  # an item of the list the lead opened
            elif not kinds and i + 1 < len(sentences) and re.match(r"\s*(?:逾期|拒不|拒绝|情节严重)", sentences[i + 1]):
                # 责令限期补办备案手续；逾期不补办的，处五千元罚款。
                kinds, fines, detention, authority = sanctions_of(sentence[m.start():] + sentences[i + 1])
            if not kinds:
                continue
            for ref in _refs(m.group(1)):
                if (ref.number, ref.sub) in known and (ref.number, ref.sub) != (number, sub):
                    links.append(PenaltyLink(here, ref, "violates", sentence.strip(), kinds, fines, detention,
                                             authority))
        if "下列" in sentence and not _VIOLATES.search(sentence) and sanctions_of(sentence)[0]:
            lead = sentence
        for m in _BY_REFERENCE.finditer(sentence):
            for ref in _refs(m.group(1)):
                if (ref.number, ref.sub) in known and (ref.number, ref.sub) != (number, sub):
                    links.append(PenaltyLink(ArticleRef(ref.number, ref.sub), ArticleRef(number, sub),
                                             "by_reference", sentence.strip()))
    return links


def version_links(articles: Iterable[tuple[int, int, str]]) -> list[PenaltyLink]:
    """Every penalty link among the articles (number, sub, text) of one version. A by-reference link takes its
    sanctions from the penalty article it points at."""
    rows = list(articles)
    known = {(n, s) for n, s, _ in rows}
    texts = {(n, s): t for n, s, t in rows}
    links: list[PenaltyLink] = []
    seen: set[tuple[int, int, int, int, int | None]] = set()
    for number, sub, text in rows:
        for link in links_of(number, sub, text, known):
            if link.form == "by_reference":
                kinds, fines, detention, authority = sanctions_of(
                    texts[(link.penalty.number, link.penalty.sub)].replace("\n", ""))
                if not kinds:
                    continue
                link = PenaltyLink(link.penalty, link.enforced, link.form, link.clause, kinds, fines, detention,
                                   authority)
            key = (link.penalty.number, link.penalty.sub, link.enforced.number, link.enforced.sub,
                   link.enforced.paragraph)
            if key not in seen:
                seen.add(key)
                links.append(link)
    return links


def by_article(links: Iterable[PenaltyLink]) -> dict[tuple[int, int], ArticlePenalties]:
    """The links filed under both their articles: (number, sub) -> its penalties and the acts it punishes."""
    out: dict[tuple[int, int], ArticlePenalties] = {}
    for link in links:
        out.setdefault((link.enforced.number, link.enforced.sub), ArticlePenalties()).penalised_by.append(link)
        out.setdefault((link.penalty.number, link.penalty.sub), ArticlePenalties()).punishes.append(link)
    return out


# --- stored links (table penalty_links): written by `fagui links rebuild` and on upsert, read by the portal ---

def _row(version_id: int, link: PenaltyLink) -> dict[str, Any]:
    return {"version_id": version_id, "penalty_number": link.penalty.number, "penalty_sub": link.penalty.sub,
            "enforced_number": link.enforced.number, "enforced_sub": link.enforced.sub,
            "enforced_paragraph": link.enforced.paragraph, "form": link.form, "clause": link.clause,
            "details": {"kinds": list(link.kinds), "fines": list(link.fines), "detention": list(link.detention),
                        "authority": link.authority}}


def write_version_links(session: Session, version_id: int, articles: Iterable[tuple[int, int, str]]) -> int:
    """Replace the stored links of one version with those of its articles (number, sub, text); the count."""
    session.execute(delete(PenaltyLinkRow).where(PenaltyLinkRow.version_id == version_id))
    rows = [_row(version_id, link) for link in version_links(articles)]
    if rows:
        session.execute(insert(PenaltyLinkRow), rows)
    return len(rows)


def rebuild_penalty_links(session: Session, version_ids: Iterable[int] | None = None) -> tuple[int, int]:
    """(Re)compute and store the links of the given versions (all when None): (versions, links). Idempotent;
    the caller commits."""
    ids = list(version_ids) if version_ids is not None else list(
        session.scalars(select(Version.id).order_by(Version.id)))
    total = 0
    for version_id in ids:
        articles = session.execute(select(Article.number, Article.sub, Article.text)
                                   .where(Article.version_id == version_id).order_by(Article.position)).all()
        total += write_version_links(session, version_id, [(a.number, a.sub, a.text) for a in articles])
    session.flush()
    return len(ids), total


def stored_links(session: Session, version_id: int) -> list[PenaltyLink] | None:
    """The stored links of a version, or None when none are stored (links never rebuilt for it)."""
    rows = session.scalars(select(PenaltyLinkRow).where(PenaltyLinkRow.version_id == version_id)
                           .order_by(PenaltyLinkRow.id)).all()
    if not rows:
        return None
    out = []
    for r in rows:
        d = r.details or {}
        out.append(PenaltyLink(ArticleRef(r.penalty_number, r.penalty_sub),
                               ArticleRef(r.enforced_number, r.enforced_sub, r.enforced_paragraph), r.form,
                               r.clause, tuple(d.get("kinds") or ()), tuple(d.get("fines") or ()),
                               tuple(d.get("detention") or ()), d.get("authority")))
    return out


def links_for(session: Session, work_id: str, seq: int, articles: Iterable[tuple[int, int, str]]) -> list[PenaltyLink]:
    """The links of version `seq` of a work: the stored ones, or, when none are stored, computed from its
    articles (number, sub, text) as an old store that never ran `fagui links rebuild` needs."""
    version_id = session.scalar(select(Version.id).where(Version.work_id == work_id, Version.seq == seq))
    found = stored_links(session, version_id) if version_id is not None else None
    return found if found is not None else version_links(articles)
