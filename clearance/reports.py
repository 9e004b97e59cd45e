"""Validity-status reports for the clearance team (清理), computed from the store for today or any date.

Each report is a clearance.models.Report: rows of plain values plus column definitions with Chinese headers,
so the portal, the command line and the exporters (clearance.exports) all show the same thing. Statuses are
recomputed for `as_of` from clearance.snapshot, never read from the stored "today" column, so a past date gives
past answers."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.models import Column, Report, Section
from clearance.rounds import DecisionConflict, decision_conflicts
from clearance.snapshot import (
    LINKS_NOT_BUILT_NOTICE,
    VersionRow,
    WorkRow,
    chunks,
    fill,
    links_built,
    snapshot,
    works_from,
)
from clearance.source_conflicts import ORIGIN as SOURCE_ORIGIN
from clearance.source_conflicts import SourceConflict, source_conflicts
from fagui.errors import FaguiError
from fagui.settings import load_settings
from fagui.vocabulary import DOC_TYPES, RELATION_LABELS, STATUS_LABELS
from indexer.store.models import Relation, Work
from indexer.store.status import version_status
from indexer.store.upsert import SOURCE_STATUS_MAP

NORMATIVE_TYPES = ("行政规范性文件", "其他规范性文件")
DEFAULT_EXPIRING_DAYS = 90
DEFAULT_MAX_VALIDITY_YEARS = 5
CHANGE_LABELS = {"new": "新制定", "amended": "修改", "repealed": "废止", "expired": "失效"}


class ReportError(FaguiError, ValueError):
    """A report asked for with a bad name or option; the message is Chinese and shown as it is."""


@dataclass(frozen=True)
class ReportOptions:
    as_of: date
    days: int = DEFAULT_EXPIRING_DAYS
    max_years: float = DEFAULT_MAX_VALIDITY_YEARS
    period_from: date | None = None
    period_to: date | None = None
    region: str | None = None
    doc_type: str | None = None


def max_validity_years(env: dict[str, str] | None = None) -> float:
    """FAGUI_MAX_VALIDITY_YEARS: the longest validity period a normative document may have (default 5)."""
    return load_settings(env).max_validity_years


def _snapshot(session: Session, opts: ReportOptions, work_ids: set[str] | None = None) -> dict[str, WorkRow]:
    return snapshot(session, region=opts.region, doc_type=opts.doc_type, work_ids=work_ids)


def _base_row(w: WorkRow, v: VersionRow | None) -> dict[str, Any]:
    return {
        "work_id": w.id,
        "title": v.title if v else w.title,
        "doc_type": w.doc_type or "",
        "region": w.region,
        "bodies": "、".join(w.bodies),
        "doc_number": (v.doc_number if v else None) or "",
        "published": v.published if v else None,
        "effective": v.effective_from if v else None,
    }


_BASE_COLUMNS = [
    Column("title", "标题", "work"),
    Column("doc_type", "效力级别"),
    Column("region", "行政区划"),
    Column("bodies", "制定机关"),
    Column("doc_number", "发文字号"),
    Column("published", "公布日期", "date"),
]


def _by_doc_type_order(w: WorkRow) -> int:
    return DOC_TYPES.index(w.doc_type) if w.doc_type in DOC_TYPES else len(DOC_TYPES)


# ----------------------------------------------------------------------------------------------------------
# 1. expiring


def _shifted(day: date, days: int) -> date:
    """day moved by days, held within the calendar (0001-01-01 .. 9999-12-31) instead of overflowing."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def expiring(session: Session, opts: ReportOptions) -> Report:
    """Documents in force on as_of whose 有效期至 falls within the next `days` days."""
    if opts.days < 0:
        raise ReportError("天数不能为负数")
    until = _shifted(opts.as_of, opts.days)
    rows = []
    for w in _snapshot(session, opts).values():
        v = w.version_on(opts.as_of)
        if v is None or v.expires is None or not opts.as_of <= v.expires <= until:
            continue
        if w.status_on(opts.as_of).status != "effective":
            continue
        rows.append({**_base_row(w, v), "expires": v.expires, "days_left": (v.expires - opts.as_of).days})
    rows.sort(key=lambda r: (r["expires"], r["title"]))
    by_month = Counter(r["expires"].strftime("%Y-%m") for r in rows)
    return Report(
        "expiring", "即将到期的文件",
        f"截至 {opts.as_of.isoformat()} 现行有效、有效期将在 {opts.days} 天内（{until.isoformat()} 前）届满的文件。",
        [*_BASE_COLUMNS, Column("expires", "有效期至", "date"), Column("days_left", "剩余天数", "int")],
        rows, {"as_of": opts.as_of, "days": opts.days},
        chart=sorted(by_month.items()), chart_title="按到期月份统计（件）",
        summary={"total": len(rows)},
    )


# ----------------------------------------------------------------------------------------------------------
# 2. status conflicts

# Statuses that say the same thing about force: a 部分失效 label on a text we compute as in force is no conflict.
_FORCE_GROUP = {"effective": "in_force", "partially_invalid": "in_force", "not_yet_effective": "not_yet",
                "amended": "superseded", "repealed": "ended", "expired": "ended"}


def conflicts(session: Session, opts: ReportOptions) -> Report:
    """Versions whose source label (Version.source_status) disagrees with the status computed for as_of."""
    rows = []
    works = _snapshot(session, opts)
    for w in works.values():
        dates = w.dates()
        for i, v in enumerate(w.versions):
            mapped = SOURCE_STATUS_MAP.get((v.source_status or "").strip())
            if mapped is None:
                continue
            computed = version_status(dates, i, opts.as_of, w.repeals)
            if _FORCE_GROUP[mapped] == _FORCE_GROUP[computed.status]:
                continue
            rows.append({
                **_base_row(w, v),
                "version": v.seq,
                "expires": v.expires,
                "source_status": v.source_status,
                "source_meaning": STATUS_LABELS[mapped],
                "computed": STATUS_LABELS[computed.status],
                "reason": computed.reason or "",
                "origin": "来源标注",
            })
    # A clearance decision that disagrees with the computed status is a conflict too (clearance.rounds).
    rows.extend(_decision_row(c) for c in decision_conflicts(session, works, opts.as_of))
    # So is a version whose sources say different things of a date or its status (clearance.source_conflicts).
    rows.extend(_source_row(c, opts.as_of) for c in source_conflicts(session, works))
    for r in rows:
        r.setdefault("field", "")
        r.setdefault("source_values", "")
    rows.sort(key=lambda r: (r["computed"], r["title"], r["version"]))
    pairs = Counter(f"标注{r['source_status']}·计算{r['computed']}" if r["origin"] != SOURCE_ORIGIN
                    else f"{SOURCE_ORIGIN}·{r['field']}" for r in rows)
    return Report(
        "conflicts", "时效性标注冲突",
        f"来源自身的时效性标注与本平台按 {opts.as_of.isoformat()} 计算的时效性不一致的文本"
        "（例如有效期已过但仍标注“有效”），与计算结果不一致的清理决定（冲突来源为“清理决定”），以及同一版本的"
        "几个来源对公布日期、施行日期或时效性说法不一（冲突来源为“来源之间不一致”，列出各来源的值，采用优先级最高者）。",
        [*_BASE_COLUMNS, Column("version", "版本", "int"), Column("expires", "有效期至", "date"),
         Column("source_status", "来源标注"), Column("source_meaning", "标注含义"),
         Column("computed", "计算时效性"), Column("reason", "计算依据"), Column("origin", "冲突来源"),
         Column("field", "不一致字段"), Column("source_values", "各来源的值")],
        rows, {"as_of": opts.as_of},
        chart=pairs.most_common(12), chart_title="冲突类型（件）", summary={"total": len(rows)},
    )


def _source_row(c: SourceConflict, as_of: date) -> dict[str, Any]:
    w, v = c.work, c.version
    computed = version_status(w.dates(), w.versions.index(v), as_of, w.repeals)
    return {
        **_base_row(w, v),
        "version": v.seq,
        "expires": v.expires,
        "source_status": v.source_status or "",
        "source_meaning": "",
        "computed": STATUS_LABELS[computed.status],
        "reason": computed.reason or "",
        "origin": SOURCE_ORIGIN,
        "field": c.field,
        "source_values": c.values,
    }


def _decision_row(c: DecisionConflict) -> dict[str, Any]:
    row = _base_row(c.work, c.version)
    del row["effective"]  # decision rows never carried it (the JSON export shows every key of a row)
    v = c.version
    return {
        **row,
        "version": v.seq if v else 0,
        "expires": v.expires if v else None,
        "source_status": c.label,
        "source_meaning": c.why,
        "computed": STATUS_LABELS[c.status.status],
        "reason": c.status.reason or "",
        "origin": "清理决定",
    }


# ----------------------------------------------------------------------------------------------------------
# 3. basis changed


@dataclass(frozen=True)
class BasisChange:
    """A document in force whose basis (based_on) or a cited work (cites) changed after it was published."""

    work: WorkRow
    version: VersionRow | None  # the document's version in force
    relation: str  # based_on, or cites where the document names no basis among its links to the cited work
    cited: WorkRow
    articles: tuple[str, ...]  # cited article keys ("5", "5-1"), in article order
    changes: tuple[tuple[date | None, str], ...]  # (date or None, new | amended | repealed | expired), oldest first
    cited_status: str  # the cited work's status on as_of
    evidence: str  # the citing sentence

    @property
    def work_id(self) -> str:
        return self.work.id

    @property
    def change(self) -> str:
        """The first change after publication: amended, repealed or expired."""
        return self.changes[0][1]

    @property
    def change_date(self) -> date | None:
        return self.changes[0][0]


def basis_changes(session: Session, opts: ReportOptions, work_ids: set[str] | None = None) -> list[BasisChange]:
    """Documents in force on as_of whose basis (based_on) or a cited work (cites) was amended, repealed or
    expired after the document was published, each with the citation that ties them; basis first, then by cited
    title and title. work_ids limits the search to those documents (the batch check asks for the works it
    matched)."""
    subjects = _snapshot(session, opts, work_ids)
    links: dict[tuple[str, str], list[tuple[str, str | None, str | None]]] = defaultdict(list)
    for chunk in chunks(list(subjects)):
        for ref in session.execute(
            select(Relation.subject_work_id, Relation.object_work_id, Relation.relation_type,
                   Relation.object_article, Relation.evidence)
            .where(Relation.subject_work_id.in_(chunk), Relation.object_work_id.is_not(None),
                   Relation.relation_type.in_(("based_on", "cites")))
            .order_by(Relation.id)
        ):
            if ref.object_work_id is not None and ref.object_work_id != ref.subject_work_id:
                links[(ref.subject_work_id, ref.object_work_id)].append(
                    (ref.relation_type, ref.object_article, ref.evidence))
    objects = fill(session, works_from(session.execute(
        select(Work.id, Work.title, Work.doc_type, Work.region)
        .where(Work.id.in_({oid for _, oid in links} or {""}))
    ))) if links else {}
    found = []
    for (sid, oid), refs in links.items():
        s, o = subjects[sid], objects.get(oid)
        if o is None or s.status_on(opts.as_of).status != "effective":
            continue
        sv = s.version_on(opts.as_of)
        since = sv.published or sv.effective_from if sv else None
        if since is None:
            continue  # without a publication date nothing can be said to have changed "after" it
        changes = _changes_after(o, since, opts.as_of)
        if not changes:
            continue
        based = [r for r in refs if r[0] == "based_on"]
        chosen = based or refs
        found.append(BasisChange(
            work=s, version=sv, relation="based_on" if based else "cites", cited=o,
            articles=tuple(sorted({r[1] for r in refs if r[1]}, key=_article_sort)), changes=tuple(changes),
            cited_status=o.status_on(opts.as_of).status, evidence=chosen[0][2] or "",
        ))
    found.sort(key=lambda c: (c.relation != "based_on", c.cited.title,
                              c.version.title if c.version else c.work.title))
    return found


def basis_changed(session: Session, opts: ReportOptions, work_ids: set[str] | None = None) -> Report:
    """The basis_changes as a report: candidates for review, each with the citation that ties them."""
    rows = [{
        **_base_row(c.work, c.version),
        "relation": RELATION_LABELS[c.relation],
        "cited_work_id": c.cited.id,
        "cited_title": c.cited.title,
        "cited_articles": "、".join(_article_label(a) for a in c.articles),
        "change": CHANGE_LABELS[c.change],
        "change_date": c.change_date,
        "changes": "；".join(f"{d.isoformat() if d else '日期不详'} {CHANGE_LABELS[k]}" for d, k in c.changes),
        "cited_status": STATUS_LABELS[c.cited_status],
        "evidence": c.evidence,
    } for c in basis_changes(session, opts, work_ids)]
    per_law = Counter(r["cited_title"] for r in rows)
    return Report(
        "basis-changed", "依据或引用的法规已变化",
        f"截至 {opts.as_of.isoformat()} 现行有效，但其制定依据或引用的法规在其公布之后被修改、废止或失效的文件"
        "（建议清理审查），每行附引用原文。",
        [*_BASE_COLUMNS, Column("relation", "关系"), Column("cited_title", "被依据/引用的法规"),
         Column("cited_articles", "条款"), Column("change", "变化"), Column("change_date", "变化日期", "date"),
         Column("changes", "公布后的全部变化"), Column("cited_status", "被引法规时效性"),
         Column("evidence", "引用原文")],
        rows, {"as_of": opts.as_of},
        chart=per_law.most_common(15), chart_title="涉及文件最多的被引法规（件）",
        summary={"total": len(rows), "documents": len({r["work_id"] for r in rows})},
        notice="" if links_built(session) else LINKS_NOT_BUILT_NOTICE,
    )


def _changes_after(o: WorkRow, since: date, as_of: date) -> list[tuple[date | None, str]]:
    """What happened to a cited work after `since` and on or before as_of, oldest first."""
    found: dict[date | None, str] = {}
    for v in o.versions:
        if v.start and since < v.start <= as_of and v is not o.versions[0]:
            found.setdefault(v.start, "amended")
        for event in v.history or ():
            if event.get("kind") in ("amended", "revised") and event.get("date"):
                d = date.fromisoformat(event["date"])
                if since < d <= as_of:
                    found.setdefault(d, "amended")
    first = o.versions[0] if o.versions else None
    if first is not None and first.start and since < first.start <= as_of and not found:
        # A text first stored with a start after the citing date is a newer text than the one cited.
        found[first.start] = "amended"
    status = o.status_on(as_of).status
    if status in ("repealed", "expired"):
        end, _ = o.known_end(as_of)
        if end is None or end > since:
            found[end] = status
    return sorted(found.items(), key=lambda kv: kv[0] or date.max)


def _article_sort(key: str) -> tuple[int, int]:
    number, _, sub = key.partition("-")
    return int(number), int(sub or 0)


def _article_label(key: str) -> str:
    number, _, sub = key.partition("-")
    return f"第{number}条" + (f"之{sub}" if sub else "")


# ----------------------------------------------------------------------------------------------------------
# 4. validity periods of normative documents


def validity_period(session: Session, opts: ReportOptions) -> Report:
    """Normative documents in force with no 有效期至, or with one longer than max_years after they started."""
    rows = []
    for w in _snapshot(session, opts).values():
        if w.doc_type not in NORMATIVE_TYPES:
            continue
        v = w.version_on(opts.as_of)
        if v is None or w.status_on(opts.as_of).status != "effective":
            continue
        if v.expires is None:
            problem, years = "未规定有效期", None
        elif v.start is None:
            problem, years = "缺少施行日期，无法计算有效期", None
        else:
            years = round((v.expires - v.start).days / 365.25, 1)
            if years <= opts.max_years:
                continue
            problem = f"有效期超过 {opts.max_years:g} 年"
        rows.append({**_base_row(w, v), "expires": v.expires, "years": years, "problem": problem})
    rows.sort(key=lambda r: (r["problem"], r["published"] or date.min, r["title"]))
    return Report(
        "validity-period", "规范性文件有效期检查",
        f"截至 {opts.as_of.isoformat()} 现行有效的行政规范性文件和其他规范性文件中，未规定有效期或有效期超过 "
        f"{opts.max_years:g} 年的文件。",
        [*_BASE_COLUMNS, Column("effective", "施行日期", "date"), Column("expires", "有效期至", "date"),
         Column("years", "有效期（年）", "number"), Column("problem", "问题")],
        rows, {"as_of": opts.as_of, "max_years": opts.max_years},
        chart=Counter(r["problem"] for r in rows).most_common(), chart_title="问题类型（件）",
        summary={"total": len(rows)},
    )


# ----------------------------------------------------------------------------------------------------------
# 5. counts, changes in a period, current catalogue

_COUNT_STATUSES = ("effective", "not_yet_effective", "partially_invalid", "repealed", "expired")


def counts(session: Session, opts: ReportOptions) -> Report:
    """Works by doc_type, issuing body and region, split by status on as_of (for 清理结果 publication)."""
    table: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for w in _snapshot(session, opts).values():
        status = w.status_on(opts.as_of).status
        table[("效力级别", w.doc_type or "未标注")][status] += 1
        table[("行政区划", w.region)][status] += 1
        for body in w.bodies or ["未标注"]:
            table[("制定机关", body)][status] += 1
        table[("合计", "全部")][status] += 1
    order = {"合计": 0, "效力级别": 1, "行政区划": 2, "制定机关": 3}
    rows: list[dict[str, Any]] = []
    for (dim, name), c in table.items():
        rows.append({"dimension": dim, "name": name, **{s: c.get(s, 0) for s in _COUNT_STATUSES},
                     "total": sum(c.values())})
    rows.sort(key=lambda r: (order[r["dimension"]],
                             DOC_TYPES.index(r["name"]) if r["name"] in DOC_TYPES else len(DOC_TYPES),
                             -r["total"], r["name"]))
    chart = [(r["name"], r["effective"]) for r in rows if r["dimension"] == "效力级别" and r["effective"]]
    return Report(
        "counts", "法规文件数量统计",
        f"按效力级别、行政区划和制定机关统计的文件数量，时效性按 {opts.as_of.isoformat()} 计算"
        "（联合发文计入每个制定机关）。",
        [Column("dimension", "统计维度"), Column("name", "名称"),
         *[Column(s, STATUS_LABELS[s], "int") for s in _COUNT_STATUSES], Column("total", "合计", "int")],
        rows, {"as_of": opts.as_of},
        chart=chart, chart_title="现行有效文件按效力级别（件）",
        summary={s: table[("合计", "全部")].get(s, 0) for s in _COUNT_STATUSES},
    )


UNDATED_END_TITLE = "废止或失效日期不详"


def changes(session: Session, opts: ReportOptions) -> Report:
    """New, amended, repealed and expired documents in a period (default: the year up to as_of).

    A repeal or expiry is placed at the date a source gives it: the repeal link's own date, the repealing
    decision's 施行/公布 date where the link names none, the reported end date or the 有效期至. Where no source
    gives one (LawRefBook marks works 已废止/失效 without a date), the end belongs in no period: such works are
    listed after the dated changes, as a section of their own with the date left empty, and counted apart
    (summary "undated"), never in the period's figures."""
    end = opts.period_to or opts.as_of
    start = opts.period_from or _shifted(end, -365)
    if start > end:
        raise ReportError("起始日期不能晚于截止日期")
    rows, undated = [], []
    for w in _snapshot(session, opts).values():
        events: list[tuple[date, str, VersionRow]] = []
        for i, v in enumerate(w.versions):
            if v.start and start <= v.start <= end:
                events.append((v.start, "new" if i == 0 else "amended", v))
        status = w.status_on(end)
        note = ""
        if status.status in ("repealed", "expired"):
            when, note = w.known_end(end)
            last = w.version_on(end) or w.versions[-1]
            if when is None:
                reason = "；".join(filter(None, (status.reason, "无法归入任何期间，未计入本期间的统计")))
                undated.append({**_base_row(w, last), "date": None,
                                "change": f"{CHANGE_LABELS[status.status]}（日期不详）", "reason": reason})
            elif start <= when <= end:
                events.append((when, status.status, last))
        for when, kind, v in events:
            reason = "；".join(filter(None, (status.reason, note))) if kind in ("repealed", "expired") else ""
            rows.append({**_base_row(w, v), "date": when, "change": CHANGE_LABELS[kind], "reason": reason})
    rows.sort(key=lambda r: (r["date"], r["title"]))
    undated.sort(key=lambda r: (r["change"], r["title"]))
    per_kind = Counter(r["change"] for r in rows)
    sections = [
        Section("dated", "期间内的变化", 0, len(rows)),
        Section("undated", UNDATED_END_TITLE, len(rows), len(undated),
                f"以下 {len(undated)} 件文件截至 {end.isoformat()} 已废止或失效，但来源未注明废止或失效日期，"
                "也没有可据以确定日期的废止决定，无法判断是否发生在本期间，因此单独列出（日期一栏为空），"
                "不计入本期间的统计。"),
    ]
    return Report(
        "changes", "期间变化（清理结果）",
        f"{start.isoformat()} 至 {end.isoformat()} 期间新制定、修改、废止和失效的文件"
        + (f"；另列废止或失效日期不详的文件 {len(undated)} 件（不计入本期间）。" if undated else "。"),
        [Column("date", "日期", "date"), Column("change", "变化"), *_BASE_COLUMNS, Column("reason", "说明")],
        rows + undated, {"period_from": start, "period_to": end},
        chart=[(label, per_kind.get(label, 0)) for label in CHANGE_LABELS.values()], chart_title="本期间变化类型（件）",
        summary={**{k: per_kind.get(v, 0) for k, v in CHANGE_LABELS.items()}, "total": len(rows),
                 "undated": len(undated)},
        sections=sections,
    )


def catalogue(session: Session, opts: ReportOptions) -> Report:
    """现行有效目录: every document in force on as_of, by doc_type, newest first."""
    rows = []
    for w in sorted(_snapshot(session, opts).values(), key=_by_doc_type_order):
        if w.status_on(opts.as_of).status != "effective":
            continue
        v = w.version_on(opts.as_of)
        rows.append({**_base_row(w, v), "expires": v.expires if v else None})
    rows.sort(key=lambda r: (DOC_TYPES.index(r["doc_type"]) if r["doc_type"] in DOC_TYPES else 99,
                             -(r["published"] or date.min).toordinal(), r["title"]))
    return Report(
        "catalogue", "现行有效目录",
        f"截至 {opts.as_of.isoformat()} 现行有效的文件目录，按效力级别排列。",
        [*_BASE_COLUMNS, Column("effective", "施行日期", "date"), Column("expires", "有效期至", "date")],
        rows, {"as_of": opts.as_of},
        chart=Counter(r["doc_type"] or "未标注" for r in rows).most_common(), chart_title="按效力级别（件）",
        summary={"total": len(rows)},
    )


def unresolved(session: Session, opts: ReportOptions) -> Report:
    """Citations in documents in force on as_of whose cited work is not in the store: a law since replaced
    (合同法, 物权法 ...) or one never collected. Kept and counted so nobody mistakes silence for no citation."""
    subjects = _snapshot(session, opts)
    rows = []
    for chunk in chunks(list(subjects)):
        for sid, rtype, title, article, evidence in session.execute(
            select(Relation.subject_work_id, Relation.relation_type, Relation.object_title, Relation.object_article,
                   Relation.evidence)
            .where(Relation.subject_work_id.in_(chunk), Relation.object_work_id.is_(None),
                   Relation.relation_type.in_(("based_on", "cites")))
        ):
            s = subjects[sid]
            if s.status_on(opts.as_of).status != "effective":
                continue
            rows.append({**_base_row(s, s.version_on(opts.as_of)), "relation": RELATION_LABELS[rtype],
                         "cited_title": title or "", "cited_articles": _article_label(article) if article else "",
                         "evidence": evidence or ""})
    per_title = Counter(r["cited_title"] for r in rows)
    rows.sort(key=lambda r: (-per_title[r["cited_title"]], r["cited_title"], r["title"]))
    return Report(
        "unresolved", "未能对应的引用",
        f"截至 {opts.as_of.isoformat()} 现行有效的文件中，所依据或引用的法规在本库中找不到对应文件的引用"
        "（可能已被取代，如《中华人民共和国合同法》，或尚未收录）。",
        [*_BASE_COLUMNS, Column("relation", "关系"), Column("cited_title", "引用的标题"),
         Column("cited_articles", "条款"), Column("evidence", "引用原文")],
        rows, {"as_of": opts.as_of},
        chart=per_title.most_common(15), chart_title="引用最多的未对应标题（次）",
        summary={"total": len(rows), "documents": len({r["work_id"] for r in rows})},
        notice="" if links_built(session) else LINKS_NOT_BUILT_NOTICE,
    )


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    public: bool  # public reports need no login; the others are for the clearance team
    build: Callable[[Session, ReportOptions], Report]
    options: tuple[str, ...] = ()  # which options beyond as_of/region/doc_type the report uses


REPORTS: dict[str, ReportSpec] = {
    spec.name: spec for spec in (
        ReportSpec("counts", "法规文件数量统计", True, counts),
        ReportSpec("catalogue", "现行有效目录", True, catalogue),
        ReportSpec("changes", "期间变化（清理结果）", True, changes, ("period_from", "period_to")),
        ReportSpec("expiring", "即将到期的文件", False, expiring, ("days",)),
        ReportSpec("conflicts", "时效性标注冲突", False, conflicts),
        ReportSpec("basis-changed", "依据或引用的法规已变化", False, basis_changed),
        ReportSpec("validity-period", "规范性文件有效期检查", False, validity_period, ("max_years",)),
        ReportSpec("unresolved", "未能对应的引用", False, unresolved),
    )
}


def run_report(session: Session, name: str, opts: ReportOptions) -> Report:
    spec = REPORTS.get(name)
    if spec is None:
        raise ReportError(f"没有名为“{name}”的报表；可用：{'、'.join(REPORTS)}")
    return spec.build(session, opts)
