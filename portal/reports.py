"""Report pages (/reports): an index, one page per report with its filters in the URL, a server-rendered chart,
and downloads as CSV, XLSX and JSON. The counts, catalogue and changes reports are public; the others are for
the clearance team and need a login (portal.accounts)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from clearance.charts import bar_chart
from clearance.exports import FORMATS, export, filename
from clearance.reports import (
    CHANGE_LABELS,
    REPORTS,
    ReportError,
    ReportOptions,
    max_validity_years,
    run_report,
)
from fagui.vocabulary import DOC_TYPES, REGION_CODES, STATUS_LABELS, canonical_region
from portal import services
from portal.accounts import current_user, login_required
from portal.errors import BadParameter
from portal.params import parse_date_param, parse_int_param

bp = Blueprint("reports", __name__, url_prefix="/reports")

PER_PAGE = 100
OPTION_LABELS = {"days": "天数", "max_years": "有效期上限（年）", "period_from": "起始日期", "period_to": "截止日期"}
_CLEARANCE = ("clearance", "admin")
DESCRIPTIONS = {
    "counts": "按效力级别、行政区划和制定机关统计文件数量及时效性，用于公布清理结果。",
    "catalogue": "某一日期现行有效的全部文件，按效力级别排列。",
    "changes": "一段期间内新制定、修改、废止和失效的文件；废止或失效日期不详的文件另列，不计入期间统计。",
    "expiring": "现行有效、有效期即将届满的文件。",
    "conflicts": "来源标注的时效性与本平台计算结果不一致的文本。",
    "basis-changed": "制定依据或引用的法规在其公布后被修改、废止或失效的文件，附引用原文。",
    "validity-period": "未规定有效期或有效期超过上限的规范性文件。",
    "unresolved": "所依据或引用的法规在本库中找不到对应文件的引用（可能已被取代或尚未收录）。",
    "completeness": "各制定机关每年公布的文件、最近一件，以及 12 个月没有新文件的机关（按部署地区）。",
    "gone-sources": "来源网站已不再列出的文件（页面被撤下或迁移）。",
    "missing-normative": "本地区文件引用、而本库中没有的规范性文件（可能未公开发布）。",
}
SUMMARY_LABELS = {**STATUS_LABELS, **CHANGE_LABELS, "documents": "涉及文件", "undated": "废止或失效日期不详",
                  "bodies": "制定机关", "silent": "12 个月无新文件的机关",
                  "unknown": "时效性不详", "superseded": "已被取代的历史版本"}


def report_options(args: MultiDict) -> ReportOptions:
    """Request arguments -> ReportOptions; a bad value is a 400 with a Chinese message naming the field."""
    as_of = parse_date_param(args.get("as_of", ""), "时点") or date.today()
    raw_years = (args.get("max_years") or "").strip()
    try:
        max_years = float(raw_years) if raw_years else max_validity_years()
    except ValueError:
        raise BadParameter(f"有效期上限应为数字：{raw_years[:20]}") from None
    except ReportError as exc:
        raise BadParameter(str(exc)) from None
    if not 0 < max_years <= 100:
        raise BadParameter("有效期上限应在 0 到 100 年之间")
    region = (args.get("region") or "").strip()
    doc_type = (args.get("doc_type") or "").strip()
    if doc_type and doc_type not in DOC_TYPES:
        raise BadParameter(f"未知的效力级别：{doc_type[:20]}")
    return ReportOptions(
        as_of=as_of,
        days=parse_int_param(args.get("days"), "天数", 90, 0, 3650),
        max_years=max_years,
        period_from=parse_date_param(args.get("period_from", ""), "起始日期"),
        period_to=parse_date_param(args.get("period_to", ""), "截止日期"),
        region=canonical_region(region) if region else None,
        doc_type=doc_type or None,
        region_code=current_app.config["FAGUI_SETTINGS"].region_code,
    )


def _run(name: str) -> tuple:
    spec = REPORTS.get(name)
    if spec is None:
        abort(404, f"没有名为“{name[:40]}”的报表")
    opts = report_options(request.args)
    try:
        rep = run_report(services.session(), name, opts)
    except ReportError as exc:
        raise BadParameter(str(exc)) from None
    return spec, opts, rep


def _guard(name: str):
    """The view for a report, wrapped in the login check when the report is not public."""
    spec = REPORTS.get(name)
    return spec is not None and not spec.public


@bp.get("/")
def index():
    user = current_user()
    specs = [(spec, spec.public or (user is not None and user["role"] in _CLEARANCE)) for spec in REPORTS.values()]
    return render_template("reports/index.html", specs=specs, user=user, descriptions=DESCRIPTIONS)


@bp.get("/<name>")
def report_page(name: str):
    if _guard(name):
        return _protected_page(name)
    return _page(name)


@login_required(_CLEARANCE)
def _protected_page(name: str):
    return _page(name)


def _page(name: str):
    spec, opts, rep = _run(name)
    pages = max(1, -(-len(rep.rows) // PER_PAGE))
    page = parse_int_param(request.args.get("page"), "页码", 1, 1, pages)
    lo, hi = (page - 1) * PER_PAGE, page * PER_PAGE
    rows = rep.rows[lo:hi]
    groups = _page_groups(rep, lo, hi)
    chart = Markup(bar_chart(rep.chart, rep.chart_title or rep.title)) if rep.chart else None
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page" and v}
    downloads = [(fmt.upper(), url_for("reports.download", name=name, fmt=fmt, **args)) for fmt in FORMATS]
    return render_template(
        "reports/report.html", spec=spec, rep=rep, opts=opts, rows=rows, groups=groups, page=page, pages=pages,
        chart=chart, other_sections=rep.sections[1:],
        downloads=downloads, args=args, doc_types=DOC_TYPES, regions=list(REGION_CODES),
        option_labels=OPTION_LABELS, per_page=PER_PAGE, summary_labels=SUMMARY_LABELS,
        has_document_pages="document_pages.work" in _view_functions(),
    )


def _page_groups(rep, lo: int, hi: int) -> list[tuple]:
    """The rows of one page, rows[lo:hi], split by the report's sections: (section or None, rows, continued).
    A section after the first gets its own heading on the page where it starts ("续" on the pages after)."""
    if not rep.sections:
        return [(None, rep.rows[lo:hi], False)]
    groups = []
    for i, section in enumerate(rep.sections):
        a, b = max(lo, section.start), min(hi, section.start + section.count)
        if a < b:
            groups.append((section if i else None, rep.rows[a:b], a > section.start))
    return groups


@bp.get("/<name>/export.<fmt>")
def download(name: str, fmt: str):
    if fmt not in FORMATS:
        abort(404, f"不支持的导出格式：{fmt[:10]}（可用：csv、xlsx、json）")
    if _guard(name):
        return _protected_download(name, fmt)
    return _download(name, fmt)


@login_required(_CLEARANCE)
def _protected_download(name: str, fmt: str):
    return _download(name, fmt)


def _download(name: str, fmt: str) -> Response:
    _, _, rep = _run(name)
    response = Response(export(rep, fmt, services.public_base(), services.export_heading()),
                        content_type=FORMATS[fmt][0])  # as given: one charset
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(rep, fmt)}"'
    response.headers["Cache-Control"] = "private, no-store" if not REPORTS[name].public else "public, max-age=300"
    return response


@bp.app_template_global("report_url")
def report_url(name: str, **changes: object) -> str:
    """The current report URL with some arguments changed (None removes one)."""
    args: dict[str, Any] = {k: v for k, v in request.args.items() if v}
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = str(value)
    return url_for("reports.report_page", name=name, **args)


def _view_functions() -> dict:
    from flask import current_app

    return current_app.view_functions
