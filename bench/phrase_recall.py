"""Phrase recall (issue 14): phrases cut at random from the article texts of a store are searched as a reader
pastes them, plain and in double quotes, with every status, through the project's own search function; a
trigram SQLite FTS5 peer built in the same run answers the same phrases. Per phrase length it prints:

- among all: the phrase's source work is among all works the search matches (target 100%);
- top 10: the source work is among the first 10 works listed (target: at least the peer's figure);
- precision: the share of listed works that contain the phrase (target 100% in exact mode);
- no result: queries that list nothing, no hit and no direct answer (target 0); a query the search rejects
  (SearchError) counts as one and is also counted under "errors" in the JSON.

    .venv/bin/python bench/phrase_recall.py [--data-dir DIR] [--per-length 300] [--seed 14]
        [--lengths 1,2,3,4,6,8,12] [--depth 10] [--json FILE] [--openings]

With --openings the phrases are an article's opening as an officer copies it: the article's label, the
whitespace after it and LENGTH characters of its text (第十六条　企业应当 at length 4). A plain search then holds
two terms, which match anywhere; the texts holding them together, as pasted, should come first.

DIR (default $FAGUI_DATA_DIR, else /work/benchdata/store) holds an imported store with its Tantivy index; it is
only read (the SQLite file is opened read-only and immutable). The numbers measure whatever search code is
checked out, so the same command measures main and a branch (with an index that branch built).

Definitions, shared by all three columns:

- Phrases: for each length a random generator seeded with (seed, length) picks an article of a current version
  uniformly, then a start position uniformly; the run of that many characters is kept when it stays within one
  line (a reader copies from one paragraph), neither starts nor ends with whitespace and holds at least one
  letter, digit or CJK character (phrases of only punctuation or spaces are skipped). The phrase is searched
  exactly as stored; duplicates are kept (they are as frequent as in the texts).
- Folding (for containment checks and for the peer's text): as search folds (indexer.search.analysis.fold):
  full-width ASCII forms half-width (（三） is (三)), fagui.normalise's fold_width and to_simplified, lower case.
- A work "contains" a phrase when the folded phrase, whitespace removed, is a substring of the folded title or
  text of one of its versions (any status) or of a line of one of its articles, whitespace removed: exact
  matching folds whitespace inside a text away, so a phrase broken by a line break or a space is still found.
- Precision is pooled per length: over every query, the works listed among its first DEPTH results (fagui: the
  first page of `search` at per_page=DEPTH, a direct answer's work first; the peer: its first DEPTH distinct
  works by rank), the share that contain the phrase.
- "Among all matches" for fagui: the source work is listed on the first page, or it is listed by the same search
  narrowed with filters the source work satisfies with all its versions (its region, effect level, first
  issuing body and the range of its versions' publication dates), paged to the end. Filters only intersect the set of matching works, so this decides membership in the full
  match set without paging through thousands of works for one-character phrases.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, create_engine, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from fagui.errors import FaguiError  # noqa: E402
from fagui.normalise import fold_width, to_simplified  # noqa: E402
from fagui.settings import load_settings  # noqa: E402
from fagui.vocabulary import DOC_TYPES, STATUSES  # noqa: E402
from indexer.search.backends import open_backend  # noqa: E402
from indexer.search.backends.base import SearchBackend  # noqa: E402
from indexer.search.results import SearchResult  # noqa: E402
from indexer.search.service import MAX_PAGE, MAX_PER_PAGE, SearchParams, search  # noqa: E402
from indexer.store.db import session_factory  # noqa: E402
from indexer.store.models import Work  # noqa: E402

DEFAULT_DATA_DIR = "/work/benchdata/store"
DEFAULT_LENGTHS = (1, 2, 3, 4, 6, 8, 12)
TOP = 10
WORD = re.compile(r"\w")
SYSTEMS = ("fagui", "fagui_quoted", "fts5")
LABELS = {"fagui": "fagui", "fagui_quoted": 'fagui "…"', "fts5": "FTS5 trigram"}


_UNCHANGED: set[str] = {"\n"}  # characters fold_width and to_simplified were seen to leave as they are


_FULL_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold(text: str) -> str:
    """The form phrases and texts are compared in, as search folds them (indexer.search.analysis.fold): every
    full-width ASCII form half-width (（三） is (三), ，is ,), simplified script, lower case
    (to_simplified(fold_width(text)).lower() after the width table, computed faster)."""
    text = text.translate(_FULL_WIDTH)
    # Both functions change a text only where it holds a character they change (fold_width also turns a
    # full-width ．or ／ between ASCII letters or digits into ASCII): a text made of characters a probe string
    # showed to be left alone only needs lower case. Examining every character in Python would take 30 s.
    new = set(text) - _UNCHANGED
    probe = "".join(new)
    if "．" in new or "／" in new or fold_width(probe) != probe or to_simplified(probe) != probe:
        return to_simplified(fold_width(text)).lower()
    _UNCHANGED.update(new)
    return text.lower()


# -- the store, read only -------------------------------------------------------------------------------
def read_only_engine(db_path: Path) -> Engine:
    uri = f"file:{db_path}?mode=ro&immutable=1"
    return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))


@dataclass(frozen=True)
class WorkFilters:
    """Search filters a work satisfies with every one of its versions."""

    region: str
    doc_type: str | None
    body: str | None  # its first issuing body's id
    published: tuple[date, date] | None  # the first and last publication dates of its versions, when all have one


@dataclass
class Corpus:
    articles: list[tuple[str, str]]  # (work id, article text) of current versions
    versions: list[tuple[str, str, str]]  # (work id, folded title, folded text) of every version, by work
    haystacks: dict[str, str]  # work id -> folded work title and every version's title and text, no whitespace
    work_filters: dict[str, WorkFilters]


def load_corpus(db_path: Path) -> Corpus:
    # immutable: nothing is written beside the store (no -shm or -wal files); it must not change during the run.
    db = sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True)
    current = {v for (v,) in db.execute("SELECT current_version_id FROM works")}
    texts = {v: (w, t, x) for v, w, t, x in
             db.execute("SELECT id, work_id, title, text FROM versions ORDER BY work_id, seq")}
    articles: list[tuple[str, str]] = []
    extra: dict[int, list[str]] = {}
    for version_id, text in db.execute("SELECT version_id, text FROM articles ORDER BY id"):
        if version_id in current:
            articles.append((texts[version_id][0], text))
        # Articles are cut from their version's text, so its text holds their lines; the few lines it lacks
        # (a text stored cut short) are searched too, appended to it.
        extra.setdefault(version_id, []).extend(line for line in text.split("\n") if line not in texts[version_id][2])
    versions = [(w, fold(t), fold("\n".join((x, *extra.get(v, []))))) for v, (w, t, x) in texts.items()]
    parts: dict[str, list[str]] = {}
    for work_id, title in db.execute("SELECT id, title FROM works"):
        parts[work_id] = [fold(title)]
    for work_id, title, text in versions:
        parts.setdefault(work_id, []).extend((title, text))
    bodies: dict[str, str] = {}
    for work_id, body_id in db.execute("SELECT work_id, body_id FROM work_issuing_bodies ORDER BY position DESC"):
        bodies[work_id] = str(body_id)  # the first by position wins
    published: dict[str, tuple[date, date] | None] = {}
    for work_id, first, last, undated in db.execute(
            "SELECT work_id, min(published), max(published), sum(published IS NULL) FROM versions GROUP BY work_id"):
        published[work_id] = None if undated else (date.fromisoformat(first), date.fromisoformat(last))
    filters = {w: WorkFilters(region, doc_type, bodies.get(w), published.get(w))
               for w, region, doc_type in db.execute("SELECT id, region, doc_type FROM works")}
    db.close()
    haystacks = {w: "".join("\n".join(p).split()) for w, p in parts.items()}
    return Corpus(articles, versions, haystacks, filters)


# -- phrases ---------------------------------------------------------------------------------------------
@dataclass
class Phrase:
    text: str
    length: int
    work_id: str


Cut = Callable[[random.Random, str, int], "str | None"]  # (stream, article text, length) -> phrase or None


def _draw(articles: list[tuple[str, str]], lengths: tuple[int, ...], per_length: int, stream: Callable[[int], str],
          cut: Cut, what: str) -> list[Phrase]:
    """per_length phrases of each length, each cut from an article drawn uniformly (cut may refuse it)."""
    out: list[Phrase] = []
    for length in lengths:
        rng = random.Random(stream(length))  # one stream per length: adding a length changes no other
        drawn, attempts = 0, 0
        while drawn < per_length:
            attempts += 1
            if attempts > per_length * 1000:
                raise SystemExit(f"cannot draw {per_length} {what} of {length} characters")
            work_id, text = articles[rng.randrange(len(articles))]
            phrase = cut(rng, text, length)
            if phrase is not None:
                out.append(Phrase(phrase, length, work_id))
                drawn += 1
    return out


def _kept(run: str) -> bool:
    """Within one line, no whitespace at either end, at least one letter, digit or CJK character."""
    return "\n" not in run and run == run.strip() and WORD.search(run) is not None


def _random_run(rng: random.Random, text: str, length: int) -> str | None:
    if len(text) < length:
        return None
    start = rng.randrange(len(text) - length + 1)
    phrase = text[start:start + length]
    return phrase if _kept(phrase) else None


def draw_phrases(articles: list[tuple[str, str]], lengths: tuple[int, ...], per_length: int,
                 seed: int) -> list[Phrase]:
    return _draw(articles, lengths, per_length, lambda length: f"{seed}-{length}", _random_run, "phrases")


OPENING = re.compile(r"(第[一二三四五六七八九十百千零〇0-9]+条(?:之[一二三四五六七八九十]+)?)(\s+)")


def _opening(rng: random.Random, text: str, length: int) -> str | None:
    label = OPENING.match(text)
    if label is None:
        return None
    rest = text[label.end():label.end() + length]
    return text[:label.end()] + rest if len(rest) == length and _kept(rest) else None


def draw_openings(articles: list[tuple[str, str]], lengths: tuple[int, ...], per_length: int,
                  seed: int) -> list[Phrase]:
    """Article openings (--openings): label, its whitespace and `length` characters of one line."""
    return _draw(articles, lengths, per_length, lambda length: f"{seed}-openings-{length}", _opening,
                 "article openings")


# -- outcomes --------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    among_all: bool
    rank: int | None  # 1-based rank of the source work among the listed works, None when not listed
    listed: int  # works checked for precision (the first DEPTH)
    correct: int  # of those, works containing the phrase
    total: int  # works matched, as the system reports it
    error: str | None = None

    @property
    def in_top(self) -> bool:
        return self.rank is not None and self.rank <= TOP

    @property
    def no_result(self) -> bool:
        return self.total == 0 and self.listed == 0


def contains(corpus: Corpus, work_ids: list[str], folded: str) -> int:
    compact = "".join(folded.split())  # whitespace inside a text is folded away, as exact matching does
    return sum(compact in corpus.haystacks.get(w, "") for w in work_ids)


def rank_of(work_ids: list[str], work_id: str) -> int | None:
    return work_ids.index(work_id) + 1 if work_id in work_ids else None


# -- fagui -------------------------------------------------------------------------------------------------
def listed_works(result: SearchResult) -> list[str]:
    """The works a result page lists, in order: a direct answer (a document or an article the query named)
    is shown above the hits, so its work comes first."""
    ids = [result.direct.work_id] if result.direct else []
    return list(dict.fromkeys(ids + [h.work_id for h in result.hits]))


def fagui_outcome(session: Session, backend: SearchBackend, corpus: Corpus, phrase: Phrase, q: str,
                  depth: int) -> Outcome:
    folded = fold(phrase.text)
    try:
        result = search(session, backend, SearchParams(q=q, statuses=STATUSES, per_page=depth, facets=False))
    except FaguiError as exc:
        return Outcome(False, None, 0, 0, 0, error=str(exc))
    works = listed_works(result)
    rank = rank_of(works, phrase.work_id)
    # When the page holds every match, it answers; else the narrowed search does.
    among = rank is not None or (result.total > len(result.hits)
                                 and _matches_narrowed(session, backend, corpus, phrase, q))
    return Outcome(among, rank, len(works), contains(corpus, works, folded), max(result.total, len(works)))


def _matches_narrowed(session: Session, backend: SearchBackend, corpus: Corpus, phrase: Phrase, q: str) -> bool:
    narrow = corpus.work_filters[phrase.work_id]
    first, last = narrow.published or (None, None)
    params = SearchParams(q=q, statuses=STATUSES, per_page=MAX_PER_PAGE, facets=False, regions=(narrow.region,),
                          doc_types=(narrow.doc_type,) if narrow.doc_type in DOC_TYPES else (), body=narrow.body,
                          published_from=first, published_to=last)
    for page in range(1, MAX_PAGE + 1):
        result = search(session, backend, SearchParams(**{**asdict(params), "page": page}))
        if phrase.work_id in listed_works(result):
            return True
        if page * MAX_PER_PAGE >= result.total or not result.hits:
            return False
    return False


# -- the FTS5 trigram peer ---------------------------------------------------------------------------------
class FtsPeer:
    """The naive peer: one row per version (every status, as fagui searches here) holding its folded title and
    text, in an SQLite FTS5 table with the trigram tokenizer (in memory, contentless: rowid i is corpus row i).

    Three characters and more: an FTS5 phrase query (with the trigram tokenizer, a substring match), ranked by
    bm25 with the title weighted 3. One or two characters, which trigrams cannot match: a full scan of the same
    rows, as `instr(title, p) OR instr(body, p)` (or LIKE '%p%') would do, ranked by occurrences (the title's
    counting 3 times). The scan runs in Python over the rows kept in memory because SQLite's instr and LIKE
    take about 0.4 s a query over 20 million characters; the works found and their order are the same."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        started = time.perf_counter()
        self.rows = rows
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='trigram', content='')")
        self.db.executemany("INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)",
                            [(i, title, body) for i, (_, title, body) in enumerate(rows)])
        self.db.commit()
        self.build_seconds = time.perf_counter() - started

    def works(self, folded: str) -> list[str]:
        """Every matching work, best first."""
        if len(folded) >= 3:
            found = self.db.execute("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 3.0, 1.0)",
                                    ['"' + folded.replace('"', '""') + '"']).fetchall()
            ranked = [self.rows[i][0] for (i,) in found]
        else:
            scored = [(3 * title.count(folded) + body.count(folded), -i, work_id)
                      for i, (work_id, title, body) in enumerate(self.rows) if folded in title or folded in body]
            ranked = [work_id for _, _, work_id in sorted(scored, reverse=True)]
        return list(dict.fromkeys(ranked))

    def close(self) -> None:
        self.db.close()


def fts_outcome(peer: FtsPeer, corpus: Corpus, phrase: Phrase, depth: int) -> Outcome:
    folded = fold(phrase.text)
    works = peer.works(folded)
    listed = works[:depth]
    rank = rank_of(works, phrase.work_id)
    return Outcome(rank is not None, rank, len(listed), contains(corpus, listed, folded), len(works))


# -- report ------------------------------------------------------------------------------------------------
@dataclass
class Row:
    length: int
    phrases: int
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)


def summarise(length: int, outcomes: dict[str, list[Outcome]]) -> Row:
    row = Row(length, len(outcomes["fts5"]))
    for system, found in outcomes.items():
        listed = sum(o.listed for o in found)
        row.metrics[system] = {
            "among_all": sum(o.among_all for o in found) / len(found),
            "top10": sum(o.in_top for o in found) / len(found),
            "precision": sum(o.correct for o in found) / listed if listed else 1.0,
            "no_result": sum(o.no_result for o in found),
            "errors": sum(o.error is not None for o in found),
        }
    return row


def print_table(rows: list[Row]) -> None:
    metrics = (("among_all", "source among all"), ("top10", "source in top 10"), ("precision", "precision"),
               ("no_result", "no result"))
    head = f"{'len':>3} {'metric':<17}" + "".join(f"{LABELS[s]:>14}" for s in SYSTEMS)
    print(head)
    print("-" * len(head))
    for row in rows:
        for key, label in metrics:
            cells = []
            for system in SYSTEMS:
                value = row.metrics[system][key]
                cells.append(f"{int(value):>14d}" if key == "no_result" else f"{value:>14.1%}")
            print(f"{row.length:>3} {label:<17}" + "".join(cells))
        print()


def progress(label: str, items: list[Phrase]) -> Iterator[tuple[int, Phrase]]:
    started = time.perf_counter()
    for i, item in enumerate(items):
        if i and i % 250 == 0:
            print(f"  {label}: {i}/{len(items)} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
        yield i, item


def run_system(label: str, phrases: list[Phrase], ask: Callable[[Phrase], Outcome]) -> tuple[list[Outcome], float]:
    started = time.perf_counter()
    outcomes = [ask(p) for _, p in progress(label, phrases)]
    return outcomes, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path(os.environ.get("FAGUI_DATA_DIR") or DEFAULT_DATA_DIR))
    ap.add_argument("--per-length", type=int, default=300, help="phrases per length")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--lengths", default=",".join(map(str, DEFAULT_LENGTHS)), help="comma-separated")
    ap.add_argument("--depth", type=int, default=TOP,
                    help=f"works listed per query for precision (fagui's per_page, at most {MAX_PER_PAGE})")
    ap.add_argument("--json", type=Path, help="write the figures and every phrase's outcome here")
    ap.add_argument("--openings", action="store_true",
                    help="article openings (label, its whitespace, LENGTH characters) instead of random runs")
    args = ap.parse_args()
    if not TOP <= args.depth <= MAX_PER_PAGE:
        ap.error(f"--depth must be between {TOP} and {MAX_PER_PAGE}")
    lengths = tuple(int(x) for x in args.lengths.split(","))
    started = time.perf_counter()
    db_path = args.data_dir / "fagui.db"
    settings = load_settings({"FAGUI_DATA_DIR": str(args.data_dir)})
    engine = read_only_engine(db_path)
    factory = session_factory(engine)
    backend = open_backend(settings)
    with factory() as session:
        works = len(session.scalars(select(Work.id)).all())

    corpus = load_corpus(db_path)
    phrases = (draw_openings if args.openings else draw_phrases)(corpus.articles, lengths, args.per_length, args.seed)
    loaded = time.perf_counter() - started
    print(f"store {args.data_dir}: {works} works, {len(corpus.versions)} versions, {len(corpus.articles)} articles "
          f"of current versions; {len(phrases)} phrases (seed {args.seed}); loaded in {loaded:.1f} s",
          file=sys.stderr)

    timings: dict[str, float] = {}
    outcomes: dict[str, list[Outcome]] = {}
    with factory() as session:
        outcomes["fagui"], timings["fagui"] = run_system(
            "fagui", phrases, lambda p: fagui_outcome(session, backend, corpus, p, p.text, args.depth))
        outcomes["fagui_quoted"], timings["fagui_quoted"] = run_system(
            "fagui quoted", phrases, lambda p: fagui_outcome(session, backend, corpus, p, f'"{p.text}"', args.depth))
    peer = FtsPeer(corpus.versions)
    timings["fts5_build"] = peer.build_seconds
    outcomes["fts5"], timings["fts5"] = run_system("fts5", phrases, lambda p: fts_outcome(peer, corpus, p, args.depth))
    peer.close()

    rows = [summarise(length, {s: [o for p, o in zip(phrases, outcomes[s], strict=True) if p.length == length]
                               for s in SYSTEMS}) for length in lengths]
    total = time.perf_counter() - started
    kind = "article openings (label, its whitespace, LENGTH characters)" if args.openings else "phrases"
    print(f"Phrase recall: {works} works, {len(phrases)} {kind} ({args.per_length} per length, seed {args.seed}), "
          f"status all; precision over the first {args.depth} works listed")
    print_table(rows)
    # A space separates terms in 精确检索 (each matches on its own; together as typed they rank first), so a
    # phrase cut across one is two terms: its plain precision is shown apart.
    print("plain precision of phrases without whitespace (phrases with whitespace are several terms):")
    for length in lengths:
        kept = [o for p, o in zip(phrases, outcomes["fagui"], strict=True)
                if p.length == length and not any(c.isspace() for c in p.text)]
        listed = sum(o.listed for o in kept)
        print(f"  {length:>2}: {100 * sum(o.correct for o in kept) / max(listed, 1):.1f}% "
              f"({len(kept)} phrases; {sum(1 for p in phrases if p.length == length) - len(kept)} with whitespace)")
    print(f"time: load and draw {loaded:.1f} s, fagui {timings['fagui']:.1f} s, fagui quoted "
          f"{timings['fagui_quoted']:.1f} s, FTS5 build {timings['fts5_build']:.1f} s, FTS5 queries "
          f"{timings['fts5']:.1f} s; whole run {total:.1f} s")
    if args.json:
        args.json.write_text(json.dumps({
            "data_dir": str(args.data_dir), "works": works, "seed": args.seed, "per_length": args.per_length,
            "depth": args.depth, "seconds": {k: round(v, 1) for k, v in {**timings, "total": total}.items()},
            "rows": [asdict(r) for r in rows],
            "phrases": [{"phrase": p.text, "length": p.length, "work_id": p.work_id,
                         **{s: {**asdict(outcomes[s][i]), "in_top10": outcomes[s][i].in_top} for s in SYSTEMS}}
                        for i, p in enumerate(phrases)],
        }, ensure_ascii=False, indent=1), encoding="utf-8")
    engine.dispose()


if __name__ == "__main__":
    main()
