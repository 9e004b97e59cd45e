"""The JSON API under /api/v1: search with the page's parameters, facets, works, versions, articles and
version comparison. Errors are {"error": {"status", "message"}} in Chinese (portal.errors); the OpenAPI
document at /api/v1/openapi.json describes exactly these routes."""

from __future__ import annotations

import re
from typing import cast

from flask import Blueprint, Flask, Response, abort, jsonify, request
from werkzeug.datastructures import MultiDict

from indexer.store import documents
from indexer.store.penalties import links_for
from indexer.store.views import WorkView
from portal import ratelimit
from portal.errors import BadParameter
from portal.params import parse_article, parse_int_param, search_params
from portal.search_cache import cached_search
from portal.services import session

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.record_once(lambda state: ratelimit.init_app(cast(Flask, state.app)))

NOT_FOUND_WORK = "未找到该法规（编号：{}）"
NOT_FOUND_VERSION = "未找到该法规的第 {} 版"
# Control characters other than tab and line breaks: PostgreSQL refuses NUL in text, and none belongs in a query.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@bp.before_request
def _limit() -> Response | None:
    if request.endpoint == "api.openapi_document":
        return None  # the description of the API is not a query; tools fetch it freely
    return ratelimit.check()


bp.after_request(ratelimit.add_headers)


@bp.get("/openapi.json")
def openapi_document() -> Response:
    from portal.openapi import openapi_spec

    return jsonify(openapi_spec())


def checked_args(args: MultiDict) -> MultiDict:
    """The query arguments, refused (400) when one holds a control character."""
    for name, value in args.items(multi=True):
        if _CONTROL.search(value) or _CONTROL.search(name):
            raise BadParameter(f"参数 {_CONTROL.sub('', name)[:20]} 含有不可见的控制字符，请删除后重试")
    return args


@bp.get("/search")
def api_search() -> Response:
    params = search_params(checked_args(request.args))
    return jsonify(cached_search(params).to_json())


@bp.get("/facets")
def api_facets() -> Response:
    params = search_params(checked_args(request.args), default_per_page=1)
    return jsonify(cached_search(params).facets_json())


@bp.get("/works/<work_id>")
def api_work(work_id: str) -> Response:
    return jsonify(_work_or_404(work_id).to_json())


@bp.get("/works/<work_id>/versions")
def api_versions(work_id: str) -> Response:
    return jsonify(_work_or_404(work_id).versions_json())


@bp.get("/works/<work_id>/versions/<int:seq>")
def api_version(work_id: str, seq: int) -> Response:
    detail = documents.version_detail(session(), work_id, seq)
    if detail is None:
        _missing_version(work_id, seq)
        abort(404, NOT_FOUND_VERSION.format(seq))
    return jsonify(detail.to_json())


@bp.get("/works/<work_id>/versions/<int:seq>/articles/<ref>")
def api_article(work_id: str, seq: int, ref: str) -> Response:
    number, sub = parse_article(ref)
    found = documents.article(session(), work_id, number, sub, seq)
    if found is None:
        _missing_version(work_id, seq)
        label = f"第{number}条" + (f"之{sub}" if sub else "")
        abort(404, f"该版本中没有{label}")
    return jsonify(found.to_json())


@bp.get("/works/<work_id>/versions/<int:seq>/penalties")
def api_penalties(work_id: str, seq: int) -> Response:
    """罚则关联: every link in the version from a penalty article to the article it enforces, with the kinds of
    sanction, fine and detention ranges and the authority (indexer.store.penalties)."""
    detail = documents.version_detail(session(), work_id, seq)
    if detail is None:
        _missing_version(work_id, seq)
        abort(404, NOT_FOUND_VERSION.format(seq))
    links = links_for(session(), work_id, detail.version.seq, [(a.number, a.sub, a.text) for a in detail.articles])
    return jsonify({"work_id": work_id, "version": seq, "links": [link.to_json() for link in links]})


@bp.get("/works/<work_id>/compare")
def api_compare(work_id: str) -> Response:
    work = _work_or_404(work_id)
    newest = work.current_version or (work.versions[-1].seq if work.versions else 1)
    b = parse_int_param(request.args.get("b"), "对照版本 b", newest, 1, documents.MAX_SEQ)
    a = parse_int_param(request.args.get("a"), "对照版本 a", max(b - 1, 1), 1, documents.MAX_SEQ)
    known = {v.seq for v in work.versions}
    for name, seq in (("a", a), ("b", b)):
        if seq not in known:
            abort(404, f"对照版本 {name}：" + NOT_FOUND_VERSION.format(seq) + f"（共 {len(known)} 版）")
    comparison = documents.compare_versions(session(), work_id, a, b)
    if comparison is None:  # both versions were just found: only a concurrent delete gets here
        abort(404, NOT_FOUND_WORK.format(_CONTROL.sub("", work_id[:40])))
    return jsonify(comparison.to_json())


def _work_or_404(work_id: str) -> WorkView:
    work = documents.work_detail(session(), work_id)
    if work is None:
        abort(404, NOT_FOUND_WORK.format(_CONTROL.sub("", work_id[:40])))
    return work


def _missing_version(work_id: str, seq: int) -> None:
    if documents.work_detail(session(), work_id) is None:
        abort(404, NOT_FOUND_WORK.format(_CONTROL.sub("", work_id[:40])))
    if documents.version_detail(session(), work_id, seq) is None:
        abort(404, NOT_FOUND_VERSION.format(seq))
