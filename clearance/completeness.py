"""Completeness of publication (发布完整性), for the office that runs the platform: per issuing body and region,
the documents published per year and the latest one, the bodies with none in the last 12 months, the documents
whose source page is gone, and the documents citing a 规范性文件 the store does not hold (likely missing from
publication). Three clearance.models.Report tables, so the report pages, charts and exports serve them as they
serve the others.

The scope is the deployment's (FAGUI_REGION: that region and below) unless the report's region option names a
province; national works are left out, since a region's office publishes only its own."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearance.models import Column, Report
from fagui.regions import NATIONAL, lineage
from fagui.vocabulary import RELATION_LABELS, STATUS_LABELS, region_code
from indexer.store.browse import scope_condition
from indexer.store.models import CrawlPage, IssuingBody, Relation, Source, Version, Work, work_issuing_bodies

YEARS = 5  # the per-year columns: this many years up to the report's date
SILENT_DAYS = 365
# A cited title naming a normative document rather than a law or regulation (法 / 条例 are cited by title alone).
_NORMATIVE_KIND = re.compile(r"(办法|规定|细则|意见|通知|决定|方案|规则|规划|指引|目录|清单|批复|函)$")
# Decisions of a people's congress (关于修改部分地方性法规的决定) are legislation, not 规范性文件.
_LEGISLATIVE = re.compile(r"人民代表大会|人大常委会|^关于(修改|废止)")
_DOC_NUMBER = re.compile(r"〔\d{4}〕|\[\d{4}\]|（\d{4}）|\d+号")


def looks_normative(title: str | None, doc_number: str | None) -> bool:
    """Whether a cited document is a 规范性文件: cited by a 文号, or its title ends as one does (办法, 通知 …)
    and not as a law (…法) or regulation (…条例) does."""
    if doc_number and _DOC_NUMBER.search(doc_number):
        return True
    name = (title or "").strip("《》 ")
    law = name.endswith(("法", "条例")) and not name.endswith("办法")
    return (bool(name) and not law and not _LEGISLATIVE.search(name)
            and bool(_NORMATIVE_KIND.search(name)))


def _scope(region: str | None, deployed: str | None) -> tuple[str, ...]:
    """A named province (the report's region option), else the deployment's region; () for the whole store."""
    if region:
        code = region_code(region)
        return (code,) if code and code != NATIONAL else ()
    return (deployed,) if deployed else ()


def _region_name(code: str | None) -> str:
    chain = lineage(code)
    return "".join(r.name for r in chain) if chain else "全国"


def _local_works(session: Session, scope: tuple[str, ...]) -> Any:
    stmt = select(Work.id, Work.title, Work.region_code, Work.status, Work.doc_type).where(
        Work.region_code != NATIONAL)
    condition = scope_condition(scope)
    return stmt.where(condition) if condition is not None else stmt


def by_body(session: Session, as_of: date, region: str | None = None, deployed: str | None = None) -> Report:
    scope = _scope(region, deployed)
    works = {row.id: row for row in session.execute(_local_works(session, scope))}
    dates: dict[str, tuple[date | None, date | None]] = {
        wid: (first, last) for wid, first, last in session.execute(
            select(Version.work_id, func.min(Version.published), func.max(Version.published))
            .group_by(Version.work_id)) if wid in works}
    primary: dict[str, int] = {}
    for wid, body_id in session.execute(
            select(work_issuing_bodies.c.work_id, work_issuing_bodies.c.body_id)
            .order_by(work_issuing_bodies.c.position)):
        if wid in works and wid not in primary:
            primary[wid] = body_id
    names = {b.id: b.name for b in session.scalars(select(IssuingBody))}
    per_body: dict[int | None, list[str]] = defaultdict(list)
    for wid in works:
        per_body[primary.get(wid)].append(wid)
    years = list(range(as_of.year - YEARS + 1, as_of.year + 1))
    cutoff = as_of - timedelta(days=SILENT_DAYS)
    rows: list[dict[str, Any]] = []
    chart: Counter[str] = Counter()
    for body_id, ids in per_body.items():
        per_year = Counter(d[0].year for w in ids if (d := dates.get(w)) and d[0])
        latest = max(((d[1], w) for w in ids if (d := dates.get(w)) and d[1]), default=None)
        region_codes = Counter(works[w].region_code for w in ids)
        row: dict[str, Any] = {
            "body": names.get(body_id, "（未标注制定机关）") if body_id is not None else "（未标注制定机关）",
            "region": _region_name(region_codes.most_common(1)[0][0]),
            "total": len(ids),
            "effective": sum(1 for w in ids if works[w].status == "effective"),
            **{f"y{y}": per_year.get(y, 0) for y in years},
            "undated": sum(1 for w in ids if not (dates.get(w) or (None,))[0]),
            "latest_title": works[latest[1]].title if latest else "",
            "work_id": latest[1] if latest else "",
            "latest": latest[0] if latest else None,
            "silent": "不详" if latest is None else ("是" if latest[0] <= cutoff else "否"),
        }
        rows.append(row)
        for y in years:
            chart[str(y)] += per_year.get(y, 0)
    rows.sort(key=lambda r: (r["silent"] != "是", r["region"], -r["total"], r["body"]))
    silent = sum(1 for r in rows if r["silent"] == "是")
    where = _region_name(scope[0]) if scope else "全部地区"
    return Report(
        "completeness", "发布完整性：各制定机关",
        f"{where}各制定机关收录的文件：近 {YEARS} 年每年首次公布的件数、最近公布的文件，以及截至 "
        f"{as_of.isoformat()} 已满 12 个月没有新文件的机关（“近12个月无新文件”为“是”，排在前面）。"
        "国家层面的法律法规不计入。",
        [Column("body", "制定机关"), Column("region", "行政区划"), Column("total", "文件数", "int"),
         Column("effective", "现行有效", "int"),
         *[Column(f"y{y}", f"{y}年", "int") for y in years], Column("undated", "公布日期不详", "int"),
         Column("latest_title", "最近公布的文件", "work"), Column("latest", "最近公布日期", "date"),
         Column("silent", "近12个月无新文件")],
        rows, {"as_of": as_of, "region": region},
        chart=[(y, chart[y]) for y in map(str, years)], chart_title=f"{where}每年首次公布的文件（件）",
        summary={"bodies": len(rows), "silent": silent, "documents": len(works)},
    )


def gone_pages(session: Session, as_of: date, region: str | None = None, deployed: str | None = None) -> Report:
    """Documents whose source page a full crawl no longer listed (the source took it down or moved it)."""
    scope = _scope(region, deployed)
    works = {row.id: row for row in session.execute(_local_works(session, scope))}
    titles = dict(session.execute(select(Source.name, Source.title)).all())
    rows = []
    for page in session.scalars(select(CrawlPage).where(CrawlPage.gone_at.is_not(None))
                                .order_by(CrawlPage.gone_at.desc())):
        work = works.get(page.work_id or "")
        if work is None:
            continue
        rows.append({"title": work.title, "work_id": work.id, "region": _region_name(work.region_code),
                     "status": STATUS_LABELS.get(work.status, work.status),
                     "source": titles.get(page.source) or page.source, "url": page.url,
                     "first_seen": page.first_seen.date() if page.first_seen else None,
                     "gone_at": page.gone_at.date() if page.gone_at else None})
    return Report(
        "gone-sources", "发布完整性：来源页面已撤下",
        "来源网站在完整抓取中已不再列出的文件（页面被撤下或迁移）；本平台保留已收录的文本。",
        [Column("title", "标题", "work"), Column("region", "行政区划"), Column("status", "时效性"),
         Column("source", "来源"), Column("url", "原文地址"), Column("first_seen", "首次收录", "date"),
         Column("gone_at", "不再列出", "date")],
        rows, {"as_of": as_of, "region": region},
        chart=Counter(r["source"] for r in rows).most_common(15), chart_title="按来源（件）",
        summary={"total": len(rows)},
    )


def missing_normative(session: Session, as_of: date, region: str | None = None, deployed: str | None = None) -> Report:
    """Documents citing a 规范性文件 that is not in the store: likely not published on the platform."""
    scope = _scope(region, deployed)
    works = {row.id: row for row in session.execute(_local_works(session, scope))}
    rows = []
    for sid, rtype, title, number, evidence in session.execute(
            select(Relation.subject_work_id, Relation.relation_type, Relation.object_title,
                   Relation.object_doc_number, Relation.evidence)
            .where(Relation.object_work_id.is_(None), Relation.relation_type.in_(("based_on", "cites")))):
        work = works.get(sid)
        if work is None or not looks_normative(title, number):
            continue
        rows.append({"title": work.title, "work_id": work.id, "region": _region_name(work.region_code),
                     "relation": RELATION_LABELS.get(rtype, rtype), "cited_title": title or "",
                     "cited_number": number or "", "evidence": evidence or ""})
    per_cited = Counter(r["cited_title"] or r["cited_number"] for r in rows)
    rows.sort(key=lambda r: (-per_cited[r["cited_title"] or r["cited_number"]], r["cited_title"], r["title"]))
    return Report(
        "missing-normative", "发布完整性：引用而未收录的规范性文件",
        "本地区文件所依据或引用、而本库中找不到的规范性文件（以文号引用，或标题为办法、规定、通知等），"
        "可能尚未公开发布或未被收录。",
        [Column("title", "引用文件", "work"), Column("region", "行政区划"), Column("relation", "关系"),
         Column("cited_title", "被引用的文件"), Column("cited_number", "被引用文件的文号"),
         Column("evidence", "引用原文")],
        rows, {"as_of": as_of, "region": region},
        chart=per_cited.most_common(15), chart_title="被引用最多的未收录文件（次）",
        summary={"total": len(rows), "documents": len({r["work_id"] for r in rows})},
    )
