"""Clearance pages (/clearance), all behind the clearance login: the batch check of an uploaded list (upload,
a job page that refreshes itself while the job runs, results with filters and downloads) and clearance rounds
(list, create, a round's works with a decision form each, the audit trail, compare two rounds, publish the
result list and the catalogue of effective documents per issuing body as HTML, XLSX and CSV).

A batch check runs in a background thread of the web worker that received the upload. Its progress is in the
store after every batch, so if the worker restarts the job page offers to continue it (or run
`fagui check-list --resume JOB`, the robust path for big files)."""

from __future__ import annotations

import logging
import os
import threading
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup
from sqlalchemy import select

from clearance.charts import bar_chart
from clearance.checklist import (
    ROLE_LABELS,
    ChecklistError,
    CheckResult,
    JobNotFound,
    ReadLimits,
    create_job,
    export_name,
    file_hash,
    get_job,
    is_active,
    job_report,
    job_rows,
    match_counts,
    may_resume,
    read_table,
    result_cells,
    run_job,
)
from clearance.exports import export
from clearance.matching import MATCH_LABELS
from clearance.rounds import (
    DECISIONS,
    ClearanceError,
    audit_trail,
    catalogue_report,
    close_round,
    compare_rounds,
    create_round,
    decide,
    get_round,
    list_rounds,
    publish_round,
    result_report,
    round_bodies,
    round_works,
    scope_label,
    undecided_count,
)
from clearance.rounds import WorkFilter as RoundFilter
from clearance.snapshot import LINKS_NOT_BUILT_NOTICE, links_built
from fagui.settings import Settings
from fagui.vocabulary import DOC_TYPES, REGION_CODES, STATUS_LABELS
from indexer.store.models import ChecklistJob
from portal import services
from portal.accounts import current_user, login_required
from portal.body_limit import large_body
from portal.csrf import check_csrf
from portal.errors import BadParameter
from portal.params import parse_date_param, parse_int_param

bp = Blueprint("clearance", __name__, url_prefix="/clearance")
log = logging.getLogger(__name__)

_ROLES = ("clearance", "admin")
PER_PAGE = 100
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024
EXPORTS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}
_REFRESH_SECONDS = 2

# Jobs running in a thread of this worker: a job is never run twice at once by one worker.
_running: dict[int, threading.Thread] = {}
_running_lock = threading.Lock()


def max_upload_bytes() -> int:
    return _settings().checklist_max_bytes


def _settings() -> Settings:
    return current_app.config["FAGUI_SETTINGS"]


def _writer():
    """The session for this blueprint's writes (on SQLite it begins IMMEDIATE: a write after a read waits for a
    crawler's transaction instead of failing)."""
    return services.writer_session()


def _writer_factory():
    """The app's writer session factory, for the background job's own sessions."""
    from flask import current_app

    services.writer_session()  # makes the app's writer factory on first use
    return current_app.extensions["fagui.writer_sessions"]


def _user() -> str:
    user = current_user()
    return user["name"] if user else ""


@bp.before_request
@login_required(_ROLES)
def _guard():
    """Every clearance page needs the clearance login; every POST needs the form's CSRF token. An upload over
    the size cap is refused before its body is parsed."""
    if request.endpoint == "clearance.upload" and request.method == "POST":
        cap = max_upload_bytes() + 64 * 1024
        if request.content_length is not None and request.content_length > cap:
            limits = {"rows": _settings().checklist_max_rows, "megabytes": max_upload_bytes() // (1024 * 1024)}
            return _upload_error(f"文件过大：上限 {limits['megabytes']} MB，请拆分后分批核查", limits, 413)
        request.max_content_length = cap  # a body sent without a length stops at the cap too (413)
    check_csrf()
    return None


@bp.get("/")
def index():
    session = services.session()
    jobs = session.scalars(select(ChecklistJob).order_by(ChecklistJob.id.desc()).limit(20)).all()
    return render_template("clearance/index.html", jobs=jobs, rounds=list_rounds(session)[:10],
                           running=_alive_ids())


# ----------------------------------------------------------------------------------------------------------
# Batch check


@bp.route("/check", methods=["GET", "POST"])
@large_body
def upload():
    limits = {"rows": _settings().checklist_max_rows, "megabytes": max_upload_bytes() // (1024 * 1024)}
    if request.method == "GET":
        return render_template("clearance/upload.html", error=None, limits=limits, today=date.today())
    try:
        as_of = parse_date_param(request.form.get("as_of", ""), "核查日期") or date.today()
    except BadParameter as exc:
        return render_template("clearance/upload.html", error=str(exc), limits=limits, today=date.today()), 400
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return _upload_error("请选择要核查的 CSV 或 XLSX 文件", limits)
    data = upload_file.stream.read(max_upload_bytes() + 1)
    if len(data) > max_upload_bytes():
        return _upload_error(f"文件过大：上限 {limits['megabytes']} MB，请拆分后分批核查", limits, 413)
    name = os.path.basename(upload_file.filename.replace("\\", "/"))[:200] or "清单"
    try:
        table = read_table(data, name, limits=ReadLimits.of(_settings()))
    except ChecklistError as exc:
        return _upload_error(str(exc), limits)
    session = _writer()
    job = create_job(session, table, name, file_hash(data), as_of=as_of, base_url=services.public_base(),
                     created_by=_user())
    session.commit()
    _start(job.id)
    return redirect(url_for("clearance.job_page", job_id=job.id))


def _upload_error(message: str, limits: dict, status: int = 400):
    return render_template("clearance/upload.html", error=message, limits=limits, today=date.today()), status


def _alive_ids() -> set[int]:
    with _running_lock:
        return {jid for jid, t in _running.items() if t.is_alive()}


def _start(job_id: int) -> bool:
    """Run the job in a background thread of this worker unless one already runs it."""
    sessions = _writer_factory()
    with _running_lock:
        thread = _running.get(job_id)
        if thread is not None and thread.is_alive():
            return False
        thread = threading.Thread(target=_run_in_background, args=(sessions, job_id), name=f"checklist-{job_id}",
                                  daemon=True)
        _running[job_id] = thread
        thread.start()
    return True


def _run_in_background(sessions, job_id: int) -> None:
    try:
        run_job(sessions, job_id)
    except Exception:  # the job is marked interrupted in the store; the page offers to continue it
        log.exception("checklist job %s stopped", job_id)


def _is_running(job: ChecklistJob) -> bool:
    """Running here, or pending or running in another worker or a `fagui check-list` (clearance.checklist.is_active)."""
    return job.id in _alive_ids() or is_active(job)


def _job_or_404(job_id: int) -> ChecklistJob:
    try:
        return get_job(services.session(), job_id)
    except JobNotFound as exc:
        abort(404, str(exc))


@bp.get("/check/<int:job_id>")
def job_page(job_id: int):
    session = services.session()
    job = _job_or_404(job_id)
    match = request.args.get("match") or None
    if match and match not in MATCH_LABELS:
        raise BadParameter(f"未知的匹配结果筛选：{match[:20]}")
    counts = match_counts(session, job_id)
    shown_total = counts.get(match, 0) if match else job.total
    pages = max(1, -(-shown_total // PER_PAGE))
    page = parse_int_param(request.args.get("page"), "页码", 1, 1, pages)
    rows = [(r.position, r.cells, result_cells(r.result), _candidate_links(r.result))
            for r in job_rows(session, job_id, match, (page - 1) * PER_PAGE, PER_PAGE)] if job.done else []
    running = _is_running(job)
    finished = job.state == "finished"
    return render_template(
        "clearance/job.html", job=job, rows=rows, counts=counts, match=match, match_labels=MATCH_LABELS,
        page=page, pages=pages, running=running, finished=finished, refresh=_REFRESH_SECONDS,
        percent=int(job.done * 100 / job.total) if job.total else 100,
        roles={ROLE_LABELS[r]: job.headers[i] for r, i in job.mapping.items() if i < len(job.headers)},
        title_column=job.mapping.get("title", -1),
        links_notice="" if links_built(session) else LINKS_NOT_BUILT_NOTICE,
    )


def _candidate_links(result: CheckResult | None) -> list[tuple[str, float, str]]:
    """The candidates of a row not matched (for review, several), each linking to its work for the check."""
    if result is None or result.matched:
        return []
    return [(c.title, c.score, url_for("document_pages.work", work_id=c.work_id)) for c in result.match.candidates]


@bp.get("/check/<int:job_id>/status.json")
def job_status(job_id: int):
    job = _job_or_404(job_id)
    return jsonify({"id": job.id, "state": job.state, "done": job.done, "total": job.total,
                    "running": _is_running(job), "error": job.error})


@bp.post("/check/<int:job_id>/resume")
def job_resume(job_id: int):
    job = _job_or_404(job_id)
    if may_resume(job) and job.id not in _alive_ids():  # never a second runner beside a running one
        _start(job_id)
    return redirect(url_for("clearance.job_page", job_id=job_id))


@bp.get("/check/<int:job_id>/export.<fmt>")
def job_export(job_id: int, fmt: str):
    if fmt not in EXPORTS:
        abort(404, f"不支持的导出格式：{fmt[:10]}（可用：xlsx、csv）")
    job = _job_or_404(job_id)
    match = request.args.get("match") or None
    if match and match not in MATCH_LABELS:
        raise BadParameter(f"未知的匹配结果筛选：{match[:20]}")
    report = job_report(services.session(), job_id, match)
    return _download(export(report, fmt, services.public_base(), services.export_heading()), fmt,
                     export_name(job, fmt))


def _download(data: bytes, fmt: str, name: str) -> Response:
    from urllib.parse import quote

    response = Response(data, content_type=EXPORTS.get(fmt, "application/octet-stream"))  # charset given once
    ascii_name = name.encode("ascii", "ignore").decode() or f"export.{fmt}"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ----------------------------------------------------------------------------------------------------------
# Rounds


@bp.route("/rounds", methods=["GET", "POST"])
def rounds():
    error, status = None, 200
    if request.method == "POST":
        form = request.form
        session = _writer()
        try:
            opened = parse_date_param(form.get("opened", ""), "开始日期")
            rnd = create_round(session, form.get("name", ""), _user(), body=form.get("body"),
                               region=form.get("region"), doc_type=form.get("doc_type"), opened=opened)
            session.commit()
            return redirect(url_for("clearance.round_page", round_id=rnd.id))
        except (ClearanceError, BadParameter) as exc:
            session.rollback()
            error, status = str(exc), 400
    return render_template("clearance/rounds.html", rounds=list_rounds(services.session()), error=error, form=request.form,
                           doc_types=DOC_TYPES, regions=list(REGION_CODES), today=date.today()), status


def _round_or_404(round_id: int):
    try:
        return get_round(services.session(), round_id)
    except ClearanceError as exc:
        abort(404, str(exc))


def _as_of() -> date:
    return parse_date_param(request.args.get("as_of", ""), "时点") or date.today()


@bp.get("/rounds/<int:round_id>")
def round_page(round_id: int, error: str | None = None, status: int = 200):
    session = services.session()
    rnd = _round_or_404(round_id)
    args = request.args
    decision = (args.get("decision") or "").strip() or None
    if decision and decision != "none" and decision not in DECISIONS:
        raise BadParameter(f"未知的清理决定筛选：{decision[:20]}")
    work_status = (args.get("status") or "").strip() or None
    if work_status and work_status not in STATUS_LABELS:
        raise BadParameter(f"未知的时效性筛选：{work_status[:20]}")
    flt = RoundFilter(body=(args.get("body") or "").strip() or None, status=work_status, decision=decision,
                      text=(args.get("q") or "").strip()[:100] or None)
    as_of = _as_of()
    works = round_works(session, round_id, as_of, flt)
    undecided, scope_total = undecided_count(session, round_id) if rnd.closed is None else (0, 0)
    pages = max(1, -(-len(works) // PER_PAGE))
    page = parse_int_param(args.get("page"), "页码", 1, 1, pages)
    return render_template(
        "clearance/round.html", rnd=rnd, scope=scope_label(rnd), works=works[(page - 1) * PER_PAGE: page * PER_PAGE],
        total=len(works), page=page, pages=pages, flt=flt, bodies=round_bodies(session, round_id),
        decisions=DECISIONS, statuses=STATUS_LABELS, as_of=as_of, error=error,
        other_rounds=[r for r in list_rounds(session) if r.id != round_id],
        undecided=undecided, scope_total=scope_total,
        args={k: v for k, v in args.items() if v and k != "page"},
    ), status


@bp.post("/rounds/<int:round_id>/decide")
def round_decide(round_id: int):
    session = _writer()
    _round_or_404(round_id)
    work_id = request.form.get("work_id", "")
    try:
        decide(session, round_id, work_id, request.form.get("decision", ""), request.form.get("reason", ""),
               _user())
        session.commit()
    except ClearanceError as exc:
        session.rollback()
        return round_page(round_id, error=str(exc), status=400)
    back = request.form.get("back") or ""
    target = back if back.startswith("/clearance/rounds/") else url_for("clearance.round_page", round_id=round_id)
    return redirect(f"{target}#w-{work_id}")


@bp.post("/rounds/<int:round_id>/close")
def round_close(round_id: int):
    session = _writer()
    _round_or_404(round_id)
    try:
        close_round(session, round_id, _user(), parse_date_param(request.form.get("closed", ""), "结束日期"),
                    allow_undecided=request.form.get("confirm_undecided") == "1")
        session.commit()
    except (ClearanceError, BadParameter) as exc:
        session.rollback()
        return round_page(round_id, error=str(exc), status=400)
    return redirect(url_for("clearance.round_page", round_id=round_id))


@bp.post("/rounds/<int:round_id>/publish")
def round_publish_decision(round_id: int):
    session = _writer()
    _round_or_404(round_id)
    try:
        published_on = parse_date_param(request.form.get("published_on", ""), "公布日期")
        if published_on is None:
            raise ClearanceError("请填写公布日期")
        publish_round(session, round_id, _user(), published_on, request.form.get("number", ""))
        session.commit()
    except (ClearanceError, BadParameter) as exc:
        session.rollback()
        return round_page(round_id, error=str(exc), status=400)
    return redirect(url_for("clearance.round_page", round_id=round_id))


@bp.get("/rounds/<int:round_id>/audit")
def round_audit(round_id: int):
    rnd = _round_or_404(round_id)
    work_id = request.args.get("work") or None
    return render_template("clearance/audit.html", rnd=rnd, entries=audit_trail(services.session(), round_id, work_id),
                           work_id=work_id)


@bp.get("/rounds/compare")
def rounds_compare():
    a = parse_int_param(request.args.get("a"), "轮次 A", 0, 1, 2**31)
    b = parse_int_param(request.args.get("b"), "轮次 B", 0, 1, 2**31)
    if not a or not b:
        raise BadParameter("请选择要对比的两个清理轮次")
    try:
        report = compare_rounds(services.session(), a, b)
    except ClearanceError as exc:
        abort(404, str(exc))
    fmt = request.args.get("format")
    if fmt in EXPORTS:
        return _download(export(report, fmt, services.public_base(), services.export_heading()), fmt,
                         f"compare-{a}-{b}.{fmt}")
    downloads = [(f.upper(), url_for("clearance.rounds_compare", a=a, b=b, format=f)) for f in EXPORTS]
    return render_template("clearance/report.html", rep=report, downloads=downloads, chart=None,
                           back=url_for("clearance.round_page", round_id=a))


PUBLISH = {"result": result_report, "catalogue": catalogue_report}


@bp.get("/rounds/<int:round_id>/publish/<what>")
def round_publish(round_id: int, what: str):
    if what not in PUBLISH:
        abort(404, "可发布的内容：result（清理结果）、catalogue（现行有效目录）")
    _round_or_404(round_id)
    report = PUBLISH[what](services.session(), round_id, _as_of())
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k == "as_of" and v}
    downloads = [(f.upper(), url_for("clearance.round_publish_file", round_id=round_id, what=what, fmt=f, **args))
                 for f in EXPORTS]
    chart = Markup(bar_chart(report.chart, report.chart_title or report.title)) if report.chart else None
    return render_template("clearance/report.html", rep=report, downloads=downloads, chart=chart,
                           back=url_for("clearance.round_page", round_id=round_id))


@bp.get("/rounds/<int:round_id>/publish/<what>.<fmt>")
def round_publish_file(round_id: int, what: str, fmt: str):
    if what not in PUBLISH or fmt not in EXPORTS:
        abort(404, "可下载：result 或 catalogue，格式 xlsx 或 csv")
    _round_or_404(round_id)
    as_of = _as_of()
    report = PUBLISH[what](services.session(), round_id, as_of)
    return _download(export(report, fmt, services.public_base(), services.export_heading()), fmt,
                     f"round-{round_id}-{what}-{as_of.isoformat()}.{fmt}")

