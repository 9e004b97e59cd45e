"""Document pages: a work's current text, past versions, the comparison of two versions (新旧对照), the print
view and downloads (plain text, .docx)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from indexer.store import documents
from indexer.store.views import ArticleView
from portal import services
from portal.params import parse_article, parse_int_param
from portal.penalty_views import article_penalties, legal_basis

bp = Blueprint("document_pages", __name__)

MAX_SEQ = 10_000


def _page(work_id: str, seq: int | None, print_view: bool = False, missing_article: str | None = None) -> str:
    session = services.session()
    work = documents.work_detail(session, work_id)
    if work is None:
        abort(404, "未找到该法规或文件，编号可能有误或已被移除")
    detail = documents.version_detail(session, work_id, seq)
    if detail is None:
        abort(404, f"未找到该文件的第 {seq} 版")
    template = "print.html" if print_view else "work.html"
    q, landed = _search_context(session, work_id)
    penalties = article_penalties(session, work_id, detail.version.seq, detail.articles)
    from indexer.store.provenance import breadcrumbs, provenance

    return render_template(template, work=work, doc=detail, version=detail.version, q=q, top_q=q,
                           crumbs=breadcrumbs(session, work_id), provenance=provenance(session, work_id),
                           sections=_sections(detail.articles), cited=_cited_works(session, work_id),
                           missing_article=missing_article, penalties=penalties, landed=landed,
                           basis=legal_basis(detail.articles, penalties, landed) if landed else None)


MAX_CONTEXT_QUERY = 100


def _search_context(session: Session, work_id: str) -> tuple[str, str | None]:
    """The ?q= a direct answer brought the reader here with, for the "检索…直达本文件" banner; "" for any other q.

    The search page redirects a query that names a document number or a work and article straight to the
    document with ?q=; only such a query, one whose direct answer is this very work, is shown back. Any other
    text in a link (a crafted "官方通知：…" message) is not echoed on an official page. With it, the anchor of the
    article the search landed on (for the 执法依据 card), or None."""
    q = " ".join((request.args.get("q") or "").split())
    if not q or len(q) > MAX_CONTEXT_QUERY:
        return "", None
    from indexer.search.query import parse_query
    from indexer.search.service import direct_answer, everyday_answer, everyday_words

    parsed = parse_query(q)
    direct = direct_answer(session, parsed) or everyday_answer(session, parsed, everyday_words(parsed), None)
    if direct is None or direct.work_id != work_id:
        return "", None
    return q, direct.anchor


def _cited_works(session: Session, work_id: str) -> dict[str, tuple[str, int | None, bool]]:
    """Cited title as written (without 《》 and edition notes) -> (the stored work it resolved to, the version of
    it the citing text means or None for its current text, whether the cited article numbers may belong to an
    earlier text the store does not hold)."""
    from sqlalchemy import select

    from indexer.store.models import Relation

    rows = [(title, target) for title, target in session.execute(
        select(Relation.object_title, Relation.object_work_id).where(
            Relation.subject_work_id == work_id, Relation.relation_type.in_(("based_on", "cites")),
            Relation.object_work_id.is_not(None), Relation.object_title.is_not(None))
    ).all() if title is not None and target is not None]
    texts = documents.cited_texts(session, work_id, {target for _, target in rows})
    return {title: (target, *texts[target]) for title, target in rows}


_CITATION = re.compile(r"《([^《》]{2,80})》(?:第([零〇一二三四五六七八九十百千两\d]+)条(?:之([一二三四五六七八九十\d]+))?)?")


@bp.app_template_filter("cite_links")
def cite_links(paragraph: str, cited: dict[str, tuple[str, int | None, bool]]) -> Markup:
    """The paragraph escaped, with each 《title》 that resolved to a stored work linked to it, and to the
    article when one follows (《道路交通安全法》第九十一条 -> #art-91) in the text the citation means: a past
    version when the cited law was revised since, no article at all when that text is not stored (刑法
    第一百九十一条 cited in 1994 is not today's 第一百九十一条)."""
    if not cited or "《" not in paragraph:
        return Markup.escape(paragraph)
    from fagui.normalise.articles import chinese_number
    from indexer.store.citations import clean_title

    out, pos = [], 0
    for m in _CITATION.finditer(paragraph):
        found = cited.get(clean_title(m.group(1)))
        if found is None:
            continue
        target, seq, may_differ = found
        anchor = None
        if m.group(2) and not may_differ:
            try:
                anchor = f"art-{chinese_number(m.group(2))}" + (f"-{chinese_number(m.group(3))}" if m.group(3) else "")
            except ValueError:
                anchor = None
        out.append(Markup.escape(paragraph[pos:m.start()]))
        out.append(Markup('<a class="cite" href="{}">{}</a>').format(work_url(target, seq, anchor=anchor),
                                                                       m.group(0)))
        pos = m.end()
    out.append(Markup.escape(paragraph[pos:]))
    return Markup("").join(out)


def _sections(articles: tuple[ArticleView, ...]) -> list[dict[str, Any]]:
    """Articles grouped under the heading path where it changes, for headings between articles."""
    sections: list[dict[str, Any]] = []
    for a in articles:
        path = a.path or ""
        if not sections or sections[-1]["path"] != path:
            previous = sections[-1]["parts"] if sections else []
            parts = [p.strip() for p in path.split(" / ") if p.strip()]
            # Only the headings that begin here: 第二章 under an unchanged 第一编 shows 第二章 alone.
            common = 0
            while common < min(len(parts), len(previous)) and parts[common] == previous[common]:
                common += 1
            sections.append({"path": path, "parts": parts, "new_headings": parts[common:], "articles": []})
        sections[-1]["articles"].append(a)
    return sections


@bp.app_template_filter("article_ref")
def article_ref(number: int, sub: int = 0) -> str:
    """(133, 1) -> 第一百三十三条之一."""
    from fagui.normalise.articles import article_label

    return article_label(number, sub)


@bp.app_template_filter("article_key_label")
def article_key_label(key: str | None) -> str:
    """A relation's article key as stored ("91", "133-1") -> 第九十一条 / 第一百三十三条之一; other text as is."""
    m = re.fullmatch(r"(\d{1,6})(?:-(\d{1,6}))?", (key or "").strip())
    if m is None:
        return key or ""
    return article_ref(int(m.group(1)), int(m.group(2) or 0))


def _page_or_article(work_id: str, seq: int | None) -> BaseResponse | tuple[str, int] | str:
    """The page; with ?article= (the table of contents' jump form without scripts) a redirect to that article
    (?article=91 -> #art-91, ?article=133之一 -> #art-133-1), or the page with a notice (404) when the version
    has no such article, rather than a jump to an anchor that is not there."""
    raw = (request.args.get("article") or "").strip()
    if not raw:
        return _page(work_id, seq)
    number, sub = parse_article(raw)
    found = documents.article(services.session(), work_id, number, sub, seq)
    if found is not None:
        # 第九十一条第二款 opens that paragraph (#art-91-p2) when the article has it.
        from fagui.normalise.paragraphs import has_place, parse_place, suffix

        place = parse_place(raw)
        known = place != (None, None) and has_place(article_body(found.article), *place)
        return redirect(work_url(work_id, seq, seq is None, anchor=found.article.anchor + (suffix(*place) if known else "")))
    return _page(work_id, seq, missing_article=article_ref(number, sub)), 404


@bp.get("/works/<work_id>")
def work(work_id: str):
    return _page_or_article(work_id, None)


@bp.get("/works/<work_id>/versions/<int:seq>")
def version(work_id: str, seq: int):
    if not 1 <= seq <= MAX_SEQ:
        abort(404, f"未找到该文件的第 {seq} 版")
    return _page_or_article(work_id, seq)


@bp.get("/works/<work_id>/print")
@bp.get("/works/<work_id>/versions/<int:seq>/print")
def print_view(work_id: str, seq: int | None = None) -> str:
    return _page(work_id, seq, print_view=True)


@bp.get("/works/<work_id>/compare")
def compare(work_id: str) -> str:
    session = services.session()
    work = documents.work_detail(session, work_id)
    if work is None:
        abort(404, "未找到该法规或文件，编号可能有误或已被移除")
    seqs = [v.seq for v in work.versions]
    if len(seqs) < 2:
        return render_template("compare.html", work=work, cmp=None, a=None, b=None, seqs=seqs)
    a = parse_int_param(request.args.get("a"), "对照的旧版本", seqs[-2], 1, MAX_SEQ)
    b = parse_int_param(request.args.get("b"), "对照的新版本", seqs[-1], 1, MAX_SEQ)
    # Versions are numbered in date order: the earlier one is always the old side (旧版本), whichever way round
    # the form sent them.
    swapped = a > b
    a, b = min(a, b), max(a, b)
    cmp = documents.compare_versions(session, work_id, a, b)
    if cmp is None:
        abort(404, "未找到要对照的版本")
    only_changes = request.args.get("changes") == "1"
    return render_template("compare.html", work=work, cmp=cmp, a=a, b=b, seqs=seqs, only_changes=only_changes,
                           swapped=swapped)


@bp.get("/works/<work_id>/download.<fmt>")
@bp.get("/works/<work_id>/versions/<int:seq>/download.<fmt>")
def download(work_id: str, fmt: str, seq: int | None = None) -> Response:
    from indexer.store import downloads as exports

    if fmt not in ("txt", "docx"):
        abort(404, "仅支持下载 txt 和 docx 格式")
    session = services.session()
    detail = documents.version_detail(session, work_id, seq)
    if detail is None:
        abort(404, "未找到该法规或文件")
    if fmt == "txt":
        body = exports.text_of(detail).encode("utf-8")
        mimetype = "text/plain"  # Flask adds "; charset=utf-8" to text/* mimetypes itself
    else:
        body = exports.docx_of(detail)
        mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = Response(body, mimetype=mimetype)
    filename = exports.export_filename(detail.version.title, detail.version.seq, fmt)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{work_id}.{fmt}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


@bp.app_template_global("work_url")
def work_url(work_id: str, seq: int | None = None, is_current: bool = False, anchor: str | None = None,
             **args: Any) -> str:
    if seq is None or is_current:
        return url_for("document_pages.work", work_id=work_id, _anchor=anchor, **args)
    return url_for("document_pages.version", work_id=work_id, seq=seq, _anchor=anchor, **args)


@bp.app_template_filter("article_body")
def article_body(article: ArticleView) -> list[str]:
    """The article's text without its leading label, as paragraphs (款)."""
    text = article.text
    if text.startswith(article.label):
        text = text[len(article.label):]
    return [p.strip() for p in text.strip().split("\n") if p.strip()]


@bp.app_template_filter("article_lines")
def article_lines(article: ArticleView) -> list[tuple[str, str, str]]:
    """The article's paragraphs as (text, anchor, the 款 label shown before a paragraph after the first): each line
    has its own anchor (art-91-p2, art-91-p2-i3) so a 款 or 项 can be linked and shared."""
    from fagui.normalise.articles import chinese_numeral
    from fagui.normalise.paragraphs import line_places, suffix

    lines = article_body(article)
    places = line_places(lines)
    several = len({p for p, _ in places}) > 1
    return [(line, article.anchor + suffix(p, i), f"第{chinese_numeral(p)}款" if several and i is None and p > 1 else "")
            for line, (p, i) in zip(lines, places, strict=True)]
