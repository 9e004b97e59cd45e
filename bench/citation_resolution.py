"""How many 根据《...》 basis references resolve to a work, over the corpus (or the store when the corpus is absent).

    .venv/bin/python bench/citation_resolution.py [CORPUS.jsonl.gz]

Prints: basis references found, the share resolved to a stored work, the share resolved among those whose work
is in the corpus (target > 90%), the same for other citations, and the most frequent unresolved titles.
"Whose work is in the corpus" is judged independently of the resolver: a corpus title equal to the cited
title once punctuation, spaces, edition notes and the 中华人民共和国 prefix are dropped (abbreviations
expanded), or a title the resolver found."""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fagui.abbreviations import expand  # noqa: E402
from fagui.vocabulary import canonical_region  # noqa: E402
from indexer.store.citations import Resolver, clean_title, find_citations  # noqa: E402
from indexer.store.upsert import work_id_for, work_identity  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "lawrefbook.jsonl.gz"


def loose(title: str) -> str:
    t = clean_title(title)
    t = re.sub(r"[^\u4e00-\u9fff0-9A-Za-z]", "", t)
    return t.removeprefix("中华人民共和国")


def documents_from_corpus(path: Path):
    from crawlers.sources.lawrefbook import read_corpus

    records = read_corpus(path).records
    works: dict[str, list] = {}
    for r in records:
        wid = work_id_for(work_identity(r))
        entry = works.setdefault(wid, [wid, r.title, canonical_region(r.region), r.doc_type, []])
        entry[4].append((r.title, r.effective or r.published))
    for entry in works.values():
        entry[4].sort(key=lambda v: v[1] or __import__("datetime").date.min)
    docs = [(work_id_for(work_identity(r)), r.title, canonical_region(r.region), r.published or r.effective, r.text)
            for r in records]
    return Resolver.from_works(tuple(e) for e in works.values()), [e[1] for e in works.values()], docs


def documents_from_store():
    from sqlalchemy import select

    from indexer.store.app_store import open_store
    from indexer.store.models import Version, Work

    store = open_store()
    with store.sessions() as session:
        resolver = Resolver.load(session)
        titles = list(session.scalars(select(Work.title)))
        docs = [(wid, title, region, pub or eff, text) for wid, title, region, pub, eff, text in session.execute(
            select(Work.id, Work.title, Work.region, Version.published, Version.effective_from, Version.text)
            .join(Version, Version.id == Work.current_version_id))]
    return resolver, titles, docs


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    started = time.perf_counter()
    if path.exists():
        resolver, titles, docs = documents_from_corpus(path)
        print(f"corpus: {path} ({len(docs)} records, {len(titles)} works)")
    else:
        resolver, titles, docs = documents_from_store()
        print(f"store (no corpus at {path}): {len(docs)} works")
    known = {loose(t) for t in titles}
    stats = {kind: Counter() for kind in ("based_on", "cites")}
    unresolved: dict[str, Counter] = {"in_corpus": Counter(), "elsewhere": Counter()}
    for wid, _title, region, on, text in docs:
        for cit in find_citations(text):
            if cit.kind == "self":
                continue
            resolved = resolver.resolve(cit.title, region, on)
            if resolved is not None and resolved.work_id == wid:
                continue
            full = expand(clean_title(cit.title))
            in_corpus = resolved is not None or loose(cit.title) in known or (full and loose(full) in known)
            c = stats[cit.kind]
            c["all"] += 1
            c["resolved"] += resolved is not None
            c["in_corpus"] += bool(in_corpus)
            if resolved is None:
                unresolved["in_corpus" if in_corpus else "elsewhere"][clean_title(cit.title)] += 1
    for kind, label in (("based_on", "根据《...》 basis references"), ("cites", "other 《...》 citations")):
        c = stats[kind]
        share = c["resolved"] / c["all"] if c["all"] else 0
        share_in = c["resolved"] / c["in_corpus"] if c["in_corpus"] else 0
        print(f"{label}: {c['all']}; resolved {c['resolved']} ({share:.1%}); whose work is in the corpus "
              f"{c['in_corpus']}, resolved {share_in:.1%}")
    # A looser, independent check for misses: an unresolved title that is the tail of a corpus title (or the
    # other way round), e.g. a region or issuer prefix written differently. An upper bound, not all real misses.
    tails = sorted(known, key=len)
    near = Counter()
    for title, n in unresolved["elsewhere"].items():
        key = loose(title)
        if len(key) >= 5 and any(k != key and len(k) >= 5 and (k.endswith(key) or key.endswith(k)) for k in tails):
            near[title] += n
    print(f"unresolved titles that only loosely match a corpus title (possible misses): {sum(near.values())} "
          f"references, {len(near)} titles; e.g. " + "、".join(t for t, _ in near.most_common(5)))
    print("most frequent unresolved titles whose work IS in the corpus (resolver misses):")
    for title, n in unresolved["in_corpus"].most_common(10):
        print(f"  {n:4d}  {title}")
    print("most frequent unresolved titles (work not in the corpus):")
    for title, n in unresolved["elsewhere"].most_common(15):
        print(f"  {n:4d}  {title}")
    print(f"seconds: {time.perf_counter() - started:.1f}")


if __name__ == "__main__":
    main()
