"""The store of record: DocumentRecords in, works / versions / articles / links out.

A record whose text is already stored for its work adds nothing (re-imports and re-crawls are idempotent);
a changed text adds a version and closes the old one; status is recomputed from dates and links."""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from fagui.normalise.articles import split_articles
from fagui.normalise.text import strip_invisible
from fagui.records import DocumentRecord
from fagui.vocabulary import canonical_region, region_code
from indexer.store import outbox
from indexer.store.bodies import resolve_body
from indexer.store.browse import work_region_code
from indexer.store.facts import reconcile, record_facts
from indexer.store.models import Article, RecordFailure, Relation, Source, Version, VersionFact, Work
from indexer.store.penalties import write_version_links
from indexer.store.published import published_links
from indexer.store.status import (
    RepealLink,
    VersionDates,
    in_force_index,
    version_start,
    version_status,
    work_status,
)

# How sources' own status labels map onto our statuses (DESIGN.md); unknown labels stay evidence only.
SOURCE_STATUS_MAP: dict[str, str] = {
    "现行有效": "effective", "有效": "effective", "全文有效": "effective", "3": "effective",
    "尚未生效": "not_yet_effective", "尚未施行": "not_yet_effective", "4": "not_yet_effective",
    "已被修改": "amended", "已修改": "amended", "已修订": "amended", "已修正": "amended", "2": "amended",
    "已废止": "repealed", "废止": "repealed", "1": "repealed",
    "失效": "expired", "已失效": "expired", "全文失效": "expired",
    "部分失效": "partially_invalid", "部分修改": "partially_invalid",
}

# Separators and quotation marks two spellings of one title differ in: "最高人民法院、最高人民检察院关于..." and
# "最高人民法院 最高人民检察院关于..." are one work; so are "放管服" and “放管服”.
_TITLE_NOISE = re.compile(r"[\s\u3000\u2002\u2003·•・‧、，,；;：:\"'“”‘’「」『』]")
# One style for each kind of bracket and dash (after NFKC has folded full-width forms to ASCII).
_TITLE_FOLD = str.maketrans({"(": "（", ")": "）", "<": "〈", ">": "〉", "《": "〈", "》": "〉", "[": "〔", "]": "〕",
                             "【": "〔", "】": "〕", "—": "-", "–": "-", "―": "-", "~": "-", "〜": "-"})
_TITLE_YEAR_SUFFIX = re.compile(r"[（(]\s*(?:\d{4}年?)?(?:修订|修正|修改|第[一二三四五六七八九十]+次修正)?\s*(?:\d{4}年?)?[）)]$")


def title_key(title: str) -> str:
    """What makes two titles name the same work: full-width and half-width forms folded (NFKC), no spaces,
    separators (、，：；) or quotation marks, one style per bracket (（）〈〉〔〕, 《》 as 〈〉) and dash, no
    中华人民共和国 prefix, no trailing (2019年修订) edition note.

    Works are found by their stored identity_key (region|title_key), which migration 0005 recomputed when this
    normalisation grew: a store made before keeps its work ids and finds its works by the new keys."""
    t = _TITLE_NOISE.sub("", unicodedata.normalize("NFKC", title)).translate(_TITLE_FOLD)
    t = t.removeprefix("中华人民共和国")
    return _TITLE_YEAR_SUFFIX.sub("", t)


def work_identity(record: DocumentRecord) -> str:
    if record.work_key:
        return f"{record.source}:{record.work_key}"
    return f"{canonical_region(record.region)}|{title_key(record.title)}"


def work_id_for(identity: str) -> str:
    """A short id that stays the same whenever the same work is imported into any store."""
    digest = hashlib.sha1(identity.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii")[:12].lower()


def content_hash(text: str) -> str:
    """Texts that differ only in spacing, bracket width or markup are one text."""
    articles = split_articles(text)
    basis = "\n".join(a.text for a in articles) if articles else text
    basis = basis.replace("(", "（").replace(")", "）")
    basis = re.sub(r"[\s\u3000\u2002\u2003*#]+", "", strip_invisible(basis))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class UpsertResult:
    work_id: str
    version_id: int
    new_work: bool
    new_version: bool
    # The text was already stored but what the source says of it changed (its status label, an end, the
    # 有效期至, new links): the stored version was updated in place and the status recomputed.
    updated: bool = False


def get_source(session: Session, name: str, **fields: object) -> Source:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        source = Source(name=name, **fields)
        session.add(source)
        session.flush()
    return source


def upsert_record(session: Session, record: DocumentRecord) -> UpsertResult:
    """Store one record: find or make its work, add its text as a version unless already stored."""
    source = get_source(session, record.source)
    identity = work_identity(record)
    region = canonical_region(record.region)
    # By identity, not by the id derived from it: a work stored before title_key grew keeps its id.
    work = session.scalar(select(Work).where(Work.identity_key == identity))
    work_id = work.id if work is not None else work_id_for(identity)
    new_work = work is None
    if work is None:
        work = Work(
            id=work_id,
            identity_key=identity,
            title=record.title,
            doc_type=record.doc_type,
            region=region,
            region_code=region_code(region),
        )
        session.add(work)
    digest = content_hash(record.text)
    existing = session.scalar(select(Version).where(Version.work_id == work_id, Version.content_hash == digest))
    if existing is None and not new_work:
        existing = same_version(session, work_id, record, source)
    if existing is not None:
        return UpsertResult(work_id, existing.id, False, False, _seen_again(session, existing, source, record))

    next_seq = (session.scalar(select(func.max(Version.seq)).where(Version.work_id == work_id)) or 0) + 1
    version = Version(
        work=work,
        seq=next_seq,
        title=record.title,
        doc_number=record.doc_number,
        doc_number_key=_doc_number_key(record.doc_number),
        published=record.published,
        effective_from=record.effective,
        expires=record.expires,
        source_status=record.source_status,
        content_hash=digest,
        text=record.text,
        html=record.html,
        history=[_event_json(e) for e in record.history],
        attachments=[{"url": a.url, "title": a.title, "media_type": a.media_type} for a in record.attachments],
        meta=record.extra or None,
        source=source,
        source_url=record.source_url,
        source_ref=record.source_ref,
    )
    end_status = record.extra.get("end_status") if record.extra else None
    if end_status in ("repealed", "expired"):
        version.end_status = end_status
        ended = record.extra.get("ended_on")
        version.ended_on = date.fromisoformat(ended) if ended else None
    session.add(version)
    session.flush()
    _insert_articles(session, version)
    record_facts(session, version, source, record)
    reconcile(session, version)
    if new_work:
        _resolve_pending_relations(session, work, version)
    if record.issuing_bodies and _is_newest(session, version):
        bodies = []
        for name in record.issuing_bodies:
            body = resolve_body(session, name, region)
            if body not in bodies:
                bodies.append(body)
        work.issuing_bodies = bodies
    if new_work:
        work.region_code = work_region_code(work.region_code, record.issuing_bodies, record.title)
    _store_relations(session, work, record)
    recompute_work(session, work)
    return UpsertResult(work_id, version.id, new_work, True)


def _insert_articles(session: Session, version: Version) -> None:
    # Core bulk insert: one statement per version instead of one ORM object per article (the corpus has
    # ~150,000 articles); the version's own outbox row already covers these rows. Its penalty links are
    # stored with them (indexer.store.penalties).
    parsed = split_articles(version.text)
    rows = [
        {
            "version_id": version.id,
            "position": i,
            "number": a.number,
            "sub": a.sub,
            "label": a.label,
            "path": a.path or None,
            "text": a.text,
        }
        for i, a in enumerate(parsed)
    ]
    if rows:
        session.execute(insert(Article), rows)
        write_version_links(session, version.id, [(a.number, a.sub, a.text) for a in parsed])


def _doc_number_key(value: str | None) -> str | None:
    if not value:
        return None
    from fagui.normalise.docnumbers import normalise_doc_number

    return normalise_doc_number(value)


def _event_json(event) -> dict:
    return {
        "kind": event.kind,
        "date": event.date.isoformat() if event.date else None,
        "body": event.body,
        "text": event.text,
    }


# Links whose target's status depends on them (indexer.store.status reads repeals and replaces; an amendment is
# recomputed too so the target's page and index entry show the new link).
_STATUS_LINKS = ("repeals", "replaces", "amends")


def _store_relations(session: Session, work: Work, record: DocumentRecord) -> bool:
    """Add the record's links that are not stored yet; recompute every matched target whose status they
    decide. True when a link was added."""
    added = False
    targets: list[str] = []
    for ref in record.relations:
        key = _doc_number_key(ref.doc_number) or title_key(ref.title or "")
        if not key:
            continue
        exists = session.scalar(
            select(Relation.id).where(
                Relation.subject_work_id == work.id,
                Relation.relation_type == ref.relation_type,
                Relation.object_key == key,
            )
        )
        if exists is not None:
            continue
        target = find_work_id(session, ref.title, ref.doc_number, work.region)
        if target == work.id:
            target = None  # a decision names itself only by a slip of matching; never link a work to itself
        session.add(
            Relation(
                subject_work_id=work.id,
                relation_type=ref.relation_type,
                object_title=ref.title,
                object_doc_number=ref.doc_number,
                object_article=ref.article,
                object_key=key,
                object_work_id=target,
                effective=ref.effective,
                evidence=ref.evidence,
            )
        )
        added = True
        if target and ref.relation_type in _STATUS_LINKS:
            targets.append(target)
    if targets:
        session.flush()
        for target in dict.fromkeys(targets):
            target_work = session.get(Work, target)
            if target_work is not None:
                recompute_work(session, target_work)
    return added


def _resolve_pending_relations(session: Session, work: Work, version: Version) -> None:
    """A decision stored before the work it names left its link unresolved: a new work picks up the links
    whose target key is its document number or its title (in its region or nationally)."""
    keys = {k for k in (version.doc_number_key, title_key(work.title)) if k}
    pending = session.scalars(
        select(Relation).where(Relation.object_work_id.is_(None), Relation.object_key.in_(keys))
    ).all()
    found = False
    for rel in pending:
        subject_region = session.scalar(select(Work.region).where(Work.id == rel.subject_work_id))
        by_number = version.doc_number_key and rel.object_key == version.doc_number_key
        if by_number or work.region in (subject_region, "全国"):
            rel.object_work_id = work.id
            found = found or rel.relation_type in _STATUS_LINKS
    if found:
        session.flush()


def _is_newest(session: Session, version: Version) -> bool:
    """No other version of the work is dated later: the work's bodies follow its newest text, not an older text
    a second source adds late."""
    if version.published is None:
        return True
    later = session.scalar(select(Version.id).where(Version.work_id == version.work_id, Version.id != version.id,
                                                    Version.published > version.published).limit(1))
    return later is None


_SAME_TEXT_MIN_ARTICLES = 10
_SAME_TEXT_MIN_SHARE = 0.2


def _article_basis(text: str) -> str:
    return re.sub(r"[\s\u3000\u2002\u2003*#]+", "", text.replace("(", "（").replace(")", "）"))


def same_version(session: Session, work_id: str, record: DocumentRecord, source: Source) -> Version | None:
    """The stored version another source's record is a copy of, though its text is not identical (another
    edition of the same words, a line or a bracket apart): the one this document was matched to before, else
    one of the same 公布日期 that this source has not brought, unless plainly another text (of two texts with
    many articles, fewer than a fifth in common)."""
    matched = session.scalar(select(Version).join(VersionFact, VersionFact.version_id == Version.id).where(
        Version.work_id == work_id, VersionFact.source_id == source.id,
        VersionFact.source_ref == record.source_ref[:500]).limit(1))
    if matched is not None and (matched.source_id, matched.source_ref) != (source.id, record.source_ref):
        return matched  # this document was matched to another source's text before
    if record.published is None:
        return None
    candidates = session.scalars(select(Version).where(Version.work_id == work_id,
                                                       Version.published == record.published)
                                 .order_by(Version.seq)).all()
    ours = set(session.scalars(select(VersionFact.version_id).where(
        VersionFact.source_id == source.id, VersionFact.version_id.in_([v.id for v in candidates]))))
    new_articles = {_article_basis(a.text) for a in split_articles(record.text)}
    for v in candidates:
        if v.source_id == source.id or v.id in ours:
            continue  # this source's own other text of that day
        stored = {_article_basis(t)
                  for t in session.scalars(select(Article.text).where(Article.version_id == v.id))}
        many = min(len(stored), len(new_articles)) >= _SAME_TEXT_MIN_ARTICLES
        if many and len(stored & new_articles) < _SAME_TEXT_MIN_SHARE * max(len(stored), len(new_articles)):
            continue
        return v
    return None


def _seen_again(session: Session, version: Version, source: Source, record: DocumentRecord) -> bool:
    """A stored text seen again, from its own source document or another: keep what this document says of it
    (its dates and status label as facts; from the document that brought it also the reported end, 有效期至,
    where it lives and new links), reconcile the facts and recompute the status when anything changed."""
    before = _state(version)
    relations_added = False
    # Only the same source document seen again may update the version's own fields: two corpus files with one
    # text must not overwrite each other's.
    if version.source_id == source.id and version.source_ref == record.source_ref:
        end_status = record.extra.get("end_status") if record.extra else None
        end_status = end_status if end_status in ("repealed", "expired") else None
        ended = record.extra.get("ended_on") if (record.extra and end_status) else None
        for name, value in {"end_status": end_status, "ended_on": date.fromisoformat(ended) if ended else None,
                            "expires": record.expires}.items():
            if getattr(version, name) != value:
                setattr(version, name, value)
        if record.source_url and version.source_url != record.source_url:
            version.source_url = record.source_url  # where to find it, not a change of the document
        relations_added = _store_relations(session, version.work, record)
    facts_changed = record_facts(session, version, source, record)
    reconcile(session, version)
    changed = facts_changed or relations_added or _state(version) != before
    if changed:
        session.flush()
        recompute_work(session, version.work)
    return changed


def _state(v: Version) -> tuple:
    return (v.published, v.effective_from, v.source_status, v.end_status, v.ended_on, v.expires)


def find_work_id(session: Session, title: str | None, doc_number: str | None, region: str | None) -> str | None:
    """Resolve a named work: by document number first, then by title in the region, then nationally."""
    key = _doc_number_key(doc_number)
    if key:
        found = session.scalar(select(Version.work_id).where(Version.doc_number_key == key).limit(1))
        if found:
            return found
    if title:
        scopes = list(dict.fromkeys([canonical_region(region), "全国"]))
        for scope in scopes:
            wid = session.scalar(select(Work.id).where(Work.identity_key == f"{scope}|{title_key(title)}"))
            if wid is not None:
                return wid
        # Works a source identifies by its own key (work_key) are not found by identity: match the title.
        base = title.strip().removeprefix("中华人民共和国")
        names = list(dict.fromkeys([title.strip(), base, "中华人民共和国" + base]))
        found = session.scalar(
            select(Work.id).where(Work.title.in_(names), Work.region.in_(scopes)).order_by(Work.id).limit(1))
        if found:
            return found
    return None


def recompute_work(session: Session, work: Work, as_of: date | None = None, *, with_published: bool = True) -> None:
    """Re-order versions by date, set each version's effective_to and status, and the work's status (with the ends
    published clearance rounds put on it, unless with_published is False: a migration older than their columns)."""
    as_of = as_of or date.today()
    versions = sorted(
        work.versions,
        key=lambda v: (version_start(v.effective_from, v.published) or date.min, v.published or date.min, v.id or 0),
    )
    if [v.seq for v in versions] != list(range(1, len(versions) + 1)):
        # Two passes so the (work_id, seq) unique constraint never sees a duplicate mid-update.
        for i, v in enumerate(versions):
            v.seq = -(i + 1)
        session.flush()
        for i, v in enumerate(versions):
            v.seq = i + 1
    dates = [_dates_of(v) for v in versions]
    repeals = _repeal_links(session, work.id)
    if with_published:
        repeals += published_links(session, [work.id]).get(work.id, [])
    for i, v in enumerate(versions):
        nxt = versions[i + 1] if i + 1 < len(versions) else None
        # the previous version ends when the next takes effect, never before the next was published
        v.effective_to = version_start(nxt.effective_from, nxt.published) if nxt is not None else None
        st = version_status(dates, i, as_of, repeals)
        v.status = st.status
        v.status_official = st.official or SOURCE_STATUS_MAP.get(v.source_status or "") == st.status
    current = work_status(dates, as_of, repeals)
    idx = in_force_index(dates, as_of)
    shown = versions[idx] if idx is not None else (versions[-1] if versions else None)
    work.status = current.status
    work.status_reason = current.reason
    work.status_official = bool(shown and shown.status_official) or current.official
    if shown is not None:
        work.title = shown.title
        work.current_version = shown


def _dates_of(v: Version) -> VersionDates:
    return VersionDates(
        effective_from=v.effective_from,
        published=v.published,
        expires=v.expires,
        ended_on=v.ended_on,
        end_status=v.end_status,
        source_label=v.source_status,
    )


def _repeal_links(session: Session, work_id: str) -> list[RepealLink]:
    rows = session.execute(
        select(Relation.relation_type, Relation.effective, Work.title)
        .join(Work, Work.id == Relation.subject_work_id)
        .where(Relation.object_work_id == work_id, Relation.relation_type.in_(("repeals", "replaces")))
    ).all()
    return [RepealLink(effective=eff, by=title) for _, eff, title in rows]


def record_failure(session: Session, source_name: str, ref: str, reason: str) -> None:
    source = get_source(session, source_name)
    session.add(RecordFailure(source_id=source.id, record_ref=ref[:500], reason=reason))


def delete_work(session: Session, work_id: str) -> bool:
    work = session.get(Work, work_id)
    if work is None:
        return False
    outbox.record_change(session, work_id, "delete")
    session.execute(delete(Relation).where(Relation.subject_work_id == work_id))
    session.delete(work)
    return True
