"""The read model of one work for the document pages, the API and the exports: the typed views of
indexer.store.views (each writes its own JSON).

Unknown ids give None so that callers answer 404; nothing here writes to the store."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, selectinload

from fagui.normalise.text import INVISIBLE_CHARS
from fagui.vocabulary import RELATION_TYPES
from indexer.store import facts
from indexer.store.models import Article, CrawlPage, Relation, Version, Work
from indexer.store.published import published_decisions
from indexer.store.views import (
    PAIR_OP_LABELS,
    ArticleDetail,
    ArticleView,
    BodyRef,
    ComparedArticle,
    ComparePair,
    Comparison,
    FactView,
    RelationGroup,
    RelationItem,
    Segment,
    SourceGone,
    TocEntry,
    VersionSummary,
    VersionView,
    WorkSummary,
    WorkView,
    iso,
)

# How a link reads from each end: the work that amends (修改) and the work amended by it (被修改).
RELATION_OUT_LABELS: dict[str, str] = {
    "amends": "修改", "repeals": "废止", "replaces": "代替", "based_on": "依据",
    "implements": "实施", "interprets": "解释", "cites": "引用",
}
RELATION_IN_LABELS: dict[str, str] = {
    "amends": "被修改", "repeals": "被废止", "replaces": "被代替", "based_on": "作为依据",
    "implements": "被实施", "interprets": "被解释", "cites": "被引用",
}
PAIR_OPS = tuple(PAIR_OP_LABELS)  # unchanged, changed, added, removed
# Articles that moved (renumbered) pair by text at this similarity, so unrelated articles are not forced
# together; an article that kept its number pairs at a lower one: a rewrite of the same provision
# (道路运输条例 2022 -> 2023 第六十三条 is a 0.39 match) is a change, not a removal and an addition.
MOVED_RATIO = 0.6
SAME_NUMBER_FALLBACK = 0.3
SAME_NUMBER_BONUS = 0.1
# Beyond this many candidate comparisons, a moved article is only looked for near its old position.
FULL_SCAN_LIMIT = 200_000
MOVE_WINDOW = 60


def _version_summary(v: Version, current_id: int | None) -> VersionSummary:
    return VersionSummary(
        seq=v.seq, title=v.title, doc_number=v.doc_number, published=v.published, effective_from=v.effective_from,
        effective_to=v.effective_to, expires=v.expires, status=v.status, status_official=bool(v.status_official),
        source_status=v.source_status, source_url=v.source_url, is_current=v.id == current_id,
        created_at=v.created_at,
    )


def _work_summary(work: Work) -> WorkSummary:
    return WorkSummary(id=work.id, title=work.title, doc_type=work.doc_type, region=work.region,
                       status=work.status, status_official=bool(work.status_official),
                       status_reason=work.status_reason)


_WORK_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
# Bounds that keep lookups inside a 32-bit integer column (PostgreSQL rejects larger values with an error).
MAX_SEQ = 100_000
MAX_ARTICLE = 100_000


def _load_work(session: Session, work_id: str) -> Work | None:
    if not isinstance(work_id, str) or not _WORK_ID.fullmatch(work_id):
        return None
    return session.scalar(
        select(Work).where(Work.id == work_id).options(
            selectinload(Work.issuing_bodies),
            selectinload(Work.versions).options(defer(Version.text), defer(Version.html)),
        )
    )


def work_detail(session: Session, work_id: str) -> WorkView | None:
    """Metadata, status with its reason and basis, the versions as a timeline and links in both directions."""
    work = _load_work(session, work_id)
    if work is None:
        return None
    versions = tuple(_version_summary(v, work.current_version_id) for v in work.versions)
    current = next((v for v in work.versions if v.id == work.current_version_id), None)
    current = current or (work.versions[-1] if work.versions else None)
    return WorkView(
        id=work.id, title=work.title, doc_type=work.doc_type, region=work.region, status=work.status,
        status_official=bool(work.status_official), status_reason=work.status_reason,
        region_code=work.region_code,
        issuing_bodies=tuple(BodyRef(b.id, b.name) for b in work.issuing_bodies),
        current_version=current.seq if current else None,
        doc_number=current.doc_number if current else None,
        published=current.published if current else None,
        effective_from=current.effective_from if current else None,
        expires=current.expires if current else None,
        source_url=current.source_url if current else None,
        history=tuple(current.history or []) if current else (),
        updated_at=work.updated_at,
        versions=versions,
        relations=tuple(relations_of(session, work.id)),
        clearance=tuple(published_decisions(session, [work.id]).get(work.id, [])),
        source_gone=tuple(gone_pages(session, work.id)),
    )


def gone_pages(session: Session, work_id: str | None = None) -> list[SourceGone]:
    """Source pages a complete crawl no longer found (of one work, or all of them, newest first)."""
    query = select(CrawlPage).where(CrawlPage.gone_at.is_not(None))
    if work_id is not None:
        query = query.where(CrawlPage.work_id == work_id)
    pages = session.scalars(query.order_by(CrawlPage.gone_at.desc(), CrawlPage.id))
    return [SourceGone(source=p.source, url=p.url, gone_on=p.gone_at.date()) for p in pages if p.gone_at]


def relations_of(session: Session, work_id: str) -> list[RelationGroup]:
    """Links grouped by type and direction (修改 / 被修改 ...), in vocabulary order, outgoing first.

    A link to an article says which text of the cited work holds that article number (see cited_version):
    article numbers change when a law is revised, so 第一百九十一条 cited in 1994 is not the current one."""
    outgoing = session.execute(
        select(Relation, Work).outerjoin(Work, Work.id == Relation.object_work_id)
        .where(Relation.subject_work_id == work_id).order_by(Relation.id)
    ).all()
    incoming = session.execute(
        select(Relation, Work).join(Work, Work.id == Relation.subject_work_id)
        .where(Relation.object_work_id == work_id).order_by(Relation.id)
    ).all()
    with_article = [rel for rel, _ in [*outgoing, *incoming] if rel.object_article and rel.object_work_id]
    timelines = _timelines(session, {w for rel in with_article for w in (rel.subject_work_id, rel.object_work_id) if w})
    groups: dict[tuple[str, str], list[RelationItem]] = {}
    for rel, other in outgoing:
        groups.setdefault((rel.relation_type, "outgoing"), []).append(
            _link(rel, other, rel.object_title, timelines))
    for rel, other in incoming:
        groups.setdefault((rel.relation_type, "incoming"), []).append(_link(rel, other, None, timelines))
    order = {t: i for i, t in enumerate(RELATION_TYPES)}
    out = []
    for (rtype, direction), items in sorted(
        groups.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0][1] != "outgoing")
    ):
        labels = RELATION_OUT_LABELS if direction == "outgoing" else RELATION_IN_LABELS
        out.append(RelationGroup(type=rtype, direction=direction, label=labels.get(rtype, rtype), items=tuple(items)))
    return out


@dataclass(frozen=True)
class _Dated:
    """One version as citation dating sees it: made (published, else effective) and start (effective, else
    published); both None for an undated version."""

    seq: int
    made: date | None
    start: date | None
    current: bool


_CHUNK = 500


def _timelines(session: Session, work_ids: set[str]) -> dict[str, list[_Dated]]:
    """The versions of these works, oldest first, without their texts."""
    if not work_ids:
        return {}
    ids = sorted(work_ids)
    current: dict[str, int | None] = {}
    rows: list[Any] = []
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        current.update(session.execute(select(Work.id, Work.current_version_id).where(Work.id.in_(chunk))).all())
        rows.extend(session.execute(
            select(Version.work_id, Version.id, Version.seq, Version.effective_from, Version.published)
            .where(Version.work_id.in_(chunk)).order_by(Version.work_id, Version.seq)
        ).all())
    by_work: dict[str, list[Any]] = {}
    for row in rows:
        by_work.setdefault(row.work_id, []).append(row)
    out: dict[str, list[_Dated]] = {}
    for wid, versions in by_work.items():
        # The current text is the one marked current, else the latest (as citations.link_work reads it).
        current_id = current.get(wid) or versions[-1].id
        out[wid] = [_Dated(v.seq, v.published or v.effective_from, v.effective_from or v.published,
                           v.id == current_id) for v in versions]
    return out


def cited_version(citing: list[_Dated], cited: list[_Dated]) -> tuple[_Dated | None, bool]:
    """Which stored version of the cited work the citing work's current text means when it names an article:
    the latest one that had been made (published) when the citing text was made and was in force when the
    citing text took effect. So a regulation made for a law already passed but not yet in force cites that
    law, and a decision amending a text cites the text before the amendment, not the one it produces.

    Returns (version, earlier): version None when that cannot be told (undated texts); earlier True when the
    citing text predates every stored version of the cited work, so the article number it cites belongs to an
    earlier text the store does not hold."""
    here = next((v for v in citing if v.current), None)
    if here is None or here.made is None or not cited:
        return None, False
    meant = [v for v in cited if v.made is not None and v.start is not None and here.start is not None
             and v.made <= here.made and v.start <= here.start]
    if meant:
        return max(meant, key=lambda v: (v.start or date.min, v.seq)), False
    if any(v.made is None for v in cited):
        return None, False  # an undated version may be the earlier text
    return None, True


def cited_texts(session: Session, citing_work_id: str, cited_work_ids: set[str]) -> dict[str, tuple[int | None, bool]]:
    """For each cited work, the text the citing work's articles mean (see cited_version): (the version's seq,
    None for the current text; True when the citing text is older than every stored version)."""
    timelines = _timelines(session, {citing_work_id, *cited_work_ids})
    citing = timelines.get(citing_work_id, [])
    out: dict[str, tuple[int | None, bool]] = {}
    for wid in cited_work_ids:
        version, earlier = cited_version(citing, timelines.get(wid, []))
        out[wid] = (version.seq if version is not None and not version.current else None, earlier)
    return out


def _link(rel: Relation, other: Work | None, fallback_title: str | None,
          timelines: dict[str, list[_Dated]] | None = None) -> RelationItem:
    version: int | None = None
    may_differ = False
    stored_from: date | None = None
    if timelines is not None and rel.object_article and rel.object_work_id and other is not None:
        cited = timelines.get(rel.object_work_id, [])
        meant, earlier = cited_version(timelines.get(rel.subject_work_id, []), cited)
        if earlier:
            may_differ = True
            stored_from = min(v.made for v in cited if v.made)
        elif meant is not None and not meant.current:
            version = meant.seq
    return RelationItem(
        work_id=other.id if other else None,
        title=other.title if other else (fallback_title or rel.object_doc_number or rel.object_key),
        resolved=other is not None,
        doc_number=rel.object_doc_number,
        article=rel.object_article,
        effective=rel.effective,
        status=other.status if other else None,
        version=version,
        article_may_differ=may_differ,
        stored_from=stored_from,
    )


def article_view(a: Article) -> ArticleView:
    return ArticleView(number=a.number, sub=a.sub, label=a.label, path=a.path, anchor=a.anchor, text=a.text)


def table_of_contents(articles: list[ArticleView] | tuple[ArticleView, ...]) -> list[TocEntry]:
    """Nested headings (编 / 章 / 节) from the articles' paths, each pointing at its first article."""
    toc: list[TocEntry] = []
    open_nodes: list[TocEntry] = []  # the node currently open at each depth
    for a in articles:
        parts = [p.strip() for p in (a.path or "").split(" / ") if p.strip()]
        for depth, title in enumerate(parts):
            if depth < len(open_nodes) and open_nodes[depth].title == title:
                node = open_nodes[depth]
                node.last_article = a.label
                continue
            node = TocEntry(title=title, level=depth + 1, anchor=a.anchor, first_article=a.label,
                            last_article=a.label)
            (open_nodes[depth - 1].children if depth else toc).append(node)
            del open_nodes[depth:]
            open_nodes.append(node)
        del open_nodes[len(parts):]
    return toc


def _version(session: Session, work_id: str, seq: int | None) -> tuple[Work, Version] | None:
    work = _load_work(session, work_id)
    if work is None:
        return None
    if seq is None:
        vid = work.current_version_id or (work.versions[-1].id if work.versions else None)
        version = session.get(Version, vid) if vid else None
    elif not 1 <= seq <= MAX_SEQ:
        return None
    else:
        version = session.scalar(select(Version).where(Version.work_id == work.id, Version.seq == seq))
    if version is None:
        return None
    return work, version


_ARTICLE_START = re.compile(r"^第[零〇一二三四五六七八九十百千万两\d]+条")


def _preamble(text: str, title: str, has_articles: bool) -> str:
    """The lines before the first article (history notes, 序言) without the title and headings."""
    body = text.split("<!-- INFO END -->", 1)[1] if "<!-- INFO END -->" in text else text
    lines = []
    for raw in body.splitlines():
        line = raw.strip()
        if has_articles and _ARTICLE_START.match(line):
            break
        lines.append(line)
    while lines and (not lines[0] or lines[0].lstrip("# ").strip() == title.strip()):
        lines.pop(0)
    if not has_articles:
        return "\n".join(ln.lstrip("# ") for ln in lines).strip()
    kept = [ln for ln in lines if not re.match(r"^#*\s*第[零〇一二三四五六七八九十百千\d]+[编章节]", ln)
            and not re.match(r"^#*\s*目\s*录$", ln)]
    return "\n".join(ln.lstrip("# ") for ln in kept).strip()


def version_detail(session: Session, work_id: str, seq: int | None = None) -> VersionView | None:
    """One version with its articles (anchors art-<n>, art-<n>-<sub>) and table of contents; seq None = current."""
    found = _version(session, work_id, seq)
    if found is None:
        return None
    work, version = found
    articles = tuple(article_view(a) for a in version.articles)
    return VersionView(
        work=_work_summary(work),
        issuing_bodies=tuple(b.name for b in work.issuing_bodies),
        version=_version_summary(version, work.current_version_id),
        versions=tuple(v.seq for v in work.versions),
        # Documents without 第X条 (many normative documents) are shown as their text (body), with no preamble.
        preamble=_preamble(version.text, version.title, True) if articles else "",
        body=None if articles else _preamble(version.text, version.title, False),
        articles=articles,
        toc=tuple(table_of_contents(articles)),
        attachments=tuple(version.attachments or []),
        facts=_facts(session, version),
    )


def _facts(session: Session, version: Version) -> tuple[FactView, ...]:
    """The facts of a version, best first per field; the first of each field whose value the version shows is
    the chosen one."""
    out: list[FactView] = []
    shown = {"published": iso(version.published), "effective": iso(version.effective_from),
             "status": version.source_status}
    chosen: set[str] = set()
    for f in facts.facts_of(session, version.id):
        is_chosen = f.field not in chosen and shown.get(f.field) == f.value
        if is_chosen:
            chosen.add(f.field)
        out.append(FactView(field=f.field, value=f.value, source=f.source.title or f.source.name, basis=f.basis,
                            basis_label=facts.BASIS_LABELS.get(f.basis, f.basis), source_ref=f.source_ref,
                            source_url=f.source_url, chosen=is_chosen))
    return tuple(out)


def article(session: Session, work_id: str, number: int, sub: int = 0,
            seq: int | None = None) -> ArticleDetail | None:
    if not (1 <= number <= MAX_ARTICLE and 0 <= sub <= MAX_ARTICLE):
        return None
    found = _version(session, work_id, seq)
    if found is None:
        return None
    work, version = found
    rows = session.scalars(
        select(Article).where(Article.version_id == version.id).order_by(Article.position)
    ).all()
    index = next((i for i, a in enumerate(rows) if a.number == number and a.sub == sub), None)
    if index is None:
        return None
    return ArticleDetail(
        work=_work_summary(work),
        version=_version_summary(version, work.current_version_id),
        article=article_view(rows[index]),
        previous=rows[index - 1].anchor if index > 0 else None,
        next=rows[index + 1].anchor if index + 1 < len(rows) else None,
    )


# ---------------------------------------------------------------- comparison (新旧对照)


def _body(a: ArticleView) -> str:
    """An article's text without its own label, so a renumbered article compares equal to its old self."""
    text = a.text
    if text.startswith(a.label):
        text = text[len(a.label):].lstrip()
    return text


def _fold(ch: str) -> str:
    """One character as compared: full-width and half-width forms alike (（ and (, ， and ",", ２ and 2: NFKC),
    whitespace of any kind (the ideographic space too) and characters that show nothing (U+200B …) as nothing."""
    return "" if ch.isspace() or ch in INVISIBLE_CHARS else unicodedata.normalize("NFKC", ch)


def comparable(text: str) -> str:
    """The text as the comparison sees it: two texts equal here differ only in character width or spacing,
    which sources change freely between versions; that is not an amendment."""
    return "".join(_fold(ch) for ch in text)


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def _ratio(a: str, b: str) -> float:
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < MOVED_RATIO / 2 or matcher.quick_ratio() < MOVED_RATIO / 2:
        return matcher.quick_ratio()
    return matcher.ratio()


def pair_articles(old: Sequence[ArticleView], new: Sequence[ArticleView]) -> list[tuple[int | None, int | None]]:
    """Index pairs (old, new) in reading order: same number where the text is similar, else by text."""
    old_body = [comparable(_body(a)) for a in old]
    new_body = [comparable(_body(a)) for a in new]
    matched_old: dict[int, int] = {}
    matched_new: dict[int, int] = {}

    def match(i: int, j: int) -> None:
        matched_old[i] = j
        matched_new[j] = i

    # 1. identical text anywhere (a renumbered but unchanged article), first occurrence first
    by_text: dict[str, list[int]] = {}
    for j, text in enumerate(new_body):
        by_text.setdefault(text, []).append(j)
    for i, text in enumerate(old_body):
        candidates = by_text.get(text)
        if candidates:
            same_number = [j for j in candidates if (new[j].number, new[j].sub) == (old[i].number, old[i].sub)]
            j = same_number[0] if same_number else candidates[0]
            candidates.remove(j)
            match(i, j)
    # 2. the rest by similarity, best pair first: an article that kept its number needs less in common
    # (a rewrite of the same provision) than one that moved; equal similarity prefers the same number.
    rest_old = [i for i in range(len(old)) if i not in matched_old]
    rest_new = [j for j in range(len(new)) if j not in matched_new]
    if rest_old and rest_new:
        grams_new = {j: _bigrams(new_body[j]) for j in rest_new}
        full = len(rest_old) * len(rest_new) <= FULL_SCAN_LIMIT
        scored = []
        for i in rest_old:
            g = _bigrams(old_body[i])
            key = (old[i].number, old[i].sub)
            for j in rest_new:
                same = key == (new[j].number, new[j].sub)
                if not same and not full and abs(i - j) > MOVE_WINDOW:
                    continue
                gj = grams_new[j]
                jaccard = len(g & gj) / len(g | gj)
                if same or jaccard >= SAME_NUMBER_FALLBACK:
                    scored.append((jaccard + (SAME_NUMBER_BONUS if same else 0.0), same, i, j))
        scored.sort(key=lambda t: (-t[0], t[2], t[3]))
        for _, same, i, j in scored:
            if i in matched_old or j in matched_new:
                continue
            if _ratio(old_body[i], new_body[j]) >= (SAME_NUMBER_FALLBACK if same else MOVED_RATIO):
                match(i, j)
    # Reading order follows the new version; a removed article comes right after the one that preceded it.
    pairs: list[tuple[int | None, int | None]] = []
    emitted: set[int] = set()
    next_old = 0

    def flush_removed(upto: int) -> None:
        nonlocal next_old
        while next_old < upto:
            if next_old not in matched_old and next_old not in emitted:
                pairs.append((next_old, None))
                emitted.add(next_old)
            next_old += 1

    for j in range(len(new)):
        old_index = matched_new.get(j)
        if old_index is not None:
            flush_removed(old_index)
            pairs.append((old_index, j))
        else:
            pairs.append((None, j))
    flush_removed(len(old))
    return pairs


def char_diff(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Character-level segments of each side: old as equal/delete, new as equal/insert (text left unescaped
    so that templates escape it). Characters match as `comparable` sees them, so a change of width or spacing
    is not marked; each side keeps its own characters."""
    old_keys, new_keys = _keyed(old), _keyed(new)
    matcher = difflib.SequenceMatcher(None, [k for _, k in old_keys], [k for _, k in new_keys], autojunk=False)
    old_ops = ["equal"] * len(old)
    new_ops = ["equal"] * len(new)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            for pos, _ in old_keys[i1:i2]:
                old_ops[pos] = "delete"
            for pos, _ in new_keys[j1:j2]:
                new_ops[pos] = "insert"
    return _segments(old, old_ops), _segments(new, new_ops)


def _keyed(text: str) -> list[tuple[int, str]]:
    """(position, folded character) of each character that is not whitespace."""
    return [(i, key) for i, key in ((i, _fold(ch)) for i, ch in enumerate(text)) if key]


def _segments(text: str, ops: list[str]) -> list[Segment]:
    # Whitespace counts as equal, unless it sits inside a marked run (between two marked characters).
    marked = [i for i, op in enumerate(ops) if op != "equal"]
    for a, b in zip(marked, marked[1:], strict=False):
        if b > a + 1 and not text[a + 1:b].strip():
            for i in range(a + 1, b):
                ops[i] = ops[a]
    out: list[Segment] = []
    for ch, op in zip(text, ops, strict=True):
        if out and out[-1][0] == op:
            out[-1][1] += ch
        else:
            out.append([op, ch])
    return out


def _whole_text(detail: VersionView) -> tuple[ArticleView, ...]:
    text = detail.body or "\n".join([detail.preamble, *(a.text for a in detail.articles)]).strip()
    return (ArticleView(number=0, sub=0, label="全文", path=None, anchor="fulltext", text=text),)


def compare_versions(session: Session, work_id: str, a: int, b: int) -> Comparison | None:
    """新旧对照 of versions a and b, article by article: the earlier version (versions are numbered in date
    order) is the old side whichever way round they were asked for. An article whose text differs only in
    character width or spacing is unchanged ("format_only"), each side shown as it reads."""
    if a > b:
        a, b = b, a
    old = version_detail(session, work_id, a)
    new = version_detail(session, work_id, b)
    if old is None or new is None:
        return None
    old_articles, new_articles = old.articles, new.articles
    if not old_articles or not new_articles:  # a document without 第X条 compares as one text
        old_articles, new_articles = _whole_text(old), _whole_text(new)
    pairs = []
    counts = dict.fromkeys(PAIR_OPS, 0)
    for i, j in pair_articles(old_articles, new_articles):
        left = old_articles[i] if i is not None else None
        right = new_articles[j] if j is not None else None
        segs_old: list[Segment]
        segs_new: list[Segment]
        if left is None:
            assert right is not None  # a pair has at least one side
            op, segs_old, segs_new = "added", [], [["insert", _body(right)]]
        elif right is None:
            op, segs_old, segs_new = "removed", [["delete", _body(left)]], []
        else:
            lb, rb = _body(left), _body(right)
            if comparable(lb) == comparable(rb):
                op, segs_old, segs_new = "unchanged", [["equal", lb]], [["equal", rb]]
            else:
                op = "changed"
                segs_old, segs_new = char_diff(lb, rb)
        counts[op] += 1
        pairs.append(ComparePair(
            op=op,
            renumbered=bool(left and right and left.label != right.label),
            format_only=bool(op == "unchanged" and left and right and _body(left) != _body(right)),
            old=_side(left), new=_side(right),
            old_segments=segs_old, new_segments=segs_new,
        ))
    return Comparison(work=old.work, old=old.version, new=new.version, counts=counts, pairs=tuple(pairs))


def _side(a: ArticleView | None) -> ComparedArticle | None:
    if a is None:
        return None
    return ComparedArticle(number=a.number, sub=a.sub, label=a.label, anchor=a.anchor, path=a.path)
