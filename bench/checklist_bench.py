"""Rows per second of the batch validity check on a generated 5,000-row list drawn from the corpus.

    .venv/bin/python bench/checklist_bench.py [CORPUS.jsonl.gz] [--rows 5000] [--store DATA_DIR]

Without --store, the corpus (the shared one beside the checkout, else the bundled sample) is imported into a
fresh SQLite store in a temporary directory first (its time is printed apart). The list mixes the variations
clearance lists have (exact titles, 中华人民共和国 dropped, one-character typos, edition notes, short names,
document numbers in other brackets, rows naming nothing stored), generated with a fixed seed.

Prints: the matcher's load time, matching alone (rows/s), the whole job as `fagui check-list` runs it
(reading the CSV, storing the job, matching, status and changes of every matched work, writing results;
rows/s), the XLSX export time, the share of rows matched, for review, ambiguous and unmatched, how many rows were
matched to the work they were generated from or offered it first for review (a typo is never a match), and how
many were matched to another work (bench/checklist_namesakes.py measures near-namesakes)."""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clearance.checklist import create_job, file_hash, job_report, read_table, run_job  # noqa: E402
from clearance.exports import export  # noqa: E402
from clearance.matching import Matcher, match_key  # noqa: E402
from fagui.abbreviations import ABBREVIATIONS  # noqa: E402
from fagui.settings import BUNDLED_SAMPLE, SHARED_CORPUS, load_settings  # noqa: E402
from indexer.store.app_store import Store, open_store  # noqa: E402

SEED = 5000
TYPO_CHARS = "的之某和与及法规则例令"


def import_store(corpus: Path, data_dir: Path) -> Store:
    from crawlers.sources import lawrefbook
    from indexer.ingest.pipeline import ingest
    from indexer.store.citations import rebuild_links

    store = open_store(load_settings({"FAGUI_DATA_DIR": str(data_dir)}), migrate=True)
    report = lawrefbook.read_corpus(corpus)
    ingest(store.sessions, lawrefbook.SOURCE, report.records, report.errors)
    with store.sessions() as session:
        rebuild_links(session)
        session.commit()
    return store


def typo(rng: random.Random, title: str) -> str:
    start = len("中华人民共和国") if title.startswith("中华人民共和国") else 0
    positions = [i for i in range(start, len(title)) if "\u4e00" <= title[i] <= "\u9fff"] or [0]
    i = rng.choice(positions)
    return title[:i] + rng.choice(TYPO_CHARS) + title[i + 1:]


def generate(matcher: Matcher, n: int) -> list[tuple[str, str, str | None]]:
    """(title, number, the intended work id or None for rows naming nothing stored)."""
    rng = random.Random(SEED)
    works = sorted(matcher.works.values(), key=lambda w: w.work_id)
    by_number = matcher.numbers()
    numbers = sorted(k for k, ids in by_number.items() if len(ids) == 1)
    shorts = [s for s, full in ABBREVIATIONS.items() if matcher.works_with_key(match_key(full))]
    rows = []
    for i in range(n):
        w = rng.choice(works)
        kind = i % 10
        if kind in (0, 1):
            rows.append((w.title, "", w.work_id))
        elif kind == 2:
            rows.append((w.title.removeprefix("中华人民共和国"), "", w.work_id))
        elif kind in (3, 4):
            rows.append((typo(rng, w.title), "", w.work_id))
        elif kind == 5:
            year = min(w.dates).year if w.dates else 2020
            rows.append((f"{w.title}（{year}年修正）", "", w.work_id))
        elif kind == 6 and numbers:
            number = rng.choice(numbers)
            rows.append(("", number.replace("〔", "[").replace("〕", "]"), next(iter(by_number[number]))))
        elif kind == 7 and shorts:
            short = rng.choice(shorts)
            ids = matcher.works_with_key(match_key(ABBREVIATIONS[short]))
            rows.append((short, "", sorted(ids)[0] if len(ids) == 1 else None))
        elif kind == 8:
            rows.append((f"青川县第{i}号{rng.choice(['管理办法', '实施细则', '暂行规定'])}", "", None))
        else:
            rows.append((f"关于印发《{w.title}》的通知", "", w.work_id))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--store", type=Path, help="use the store in this FAGUI_DATA_DIR instead of importing")
    args = parser.parse_args()
    tmp = None
    if args.store:
        store = open_store(load_settings({"FAGUI_DATA_DIR": str(args.store)}))
        print(f"store: {args.store}")
    else:
        corpus = args.corpus or (SHARED_CORPUS if SHARED_CORPUS.exists() else BUNDLED_SAMPLE)
        tmp = tempfile.TemporaryDirectory()
        started = time.perf_counter()
        store = import_store(corpus, Path(tmp.name))
        print(f"corpus: {corpus} imported in {time.perf_counter() - started:.1f} s (not counted below)")

    with store.sessions() as session:
        started = time.perf_counter()
        matcher = Matcher.load(session)
        load_s = time.perf_counter() - started
    print(f"matcher: {len(matcher)} works indexed in {load_s:.2f} s")
    rows = generate(matcher, args.rows)

    started = time.perf_counter()
    results = [matcher.match(title, number) for title, number, _ in rows]
    match_s = time.perf_counter() - started
    print(f"matching only: {len(rows)} rows in {match_s:.2f} s = {len(rows) / match_s:,.0f} rows/s")

    buf = io.StringIO()
    buf.write("文件名称,发文字号\r\n")
    for title, number, _ in rows:
        buf.write(f"\"{title}\",{number}\r\n")
    data = buf.getvalue().encode("utf-8-sig")
    started = time.perf_counter()
    table = read_table(data, "bench.csv")
    with store.sessions() as session:
        job_id = create_job(session, table, "bench.csv", file_hash(data)).id
        session.commit()
    run_job(store.sessions, job_id)
    job_s = time.perf_counter() - started
    print(f"whole job (read, store, match, describe, write): {len(rows)} rows in {job_s:.2f} s = "
          f"{len(rows) / job_s:,.0f} rows/s")
    started = time.perf_counter()
    with store.sessions() as session:
        xlsx = export(job_report(session, job_id), "xlsx")
    print(f"XLSX export: {len(xlsx) / 1e6:.1f} MB in {time.perf_counter() - started:.2f} s")
    counts = Counter(r.match for r in results)
    intended = [(r, want) for r, (_, _, want) in zip(results, rows, strict=True)]
    hits = sum(1 for r, want in intended if want and r.work_id == want)
    offered = sum(1 for r, want in intended if want and r.match == "review" and r.candidates[0].work_id == want)
    wrong = sum(1 for r, want in intended if r.match == "matched" and r.work_id != want)
    wanted = sum(1 for _, want in intended if want)
    nothing = sum(1 for r, want in intended if want is None and r.match == "unmatched")
    print(f"intended work matched: {hits}/{wanted} ({hits / wanted:.1%}), offered first for review (需人工确认, "
          f"typos): {offered} ({offered / wanted:.1%}); matched to another work: {wrong}; rows naming nothing "
          f"stored left unmatched: {nothing}/{len(intended) - wanted}")
    print("results: " + ", ".join(f"{k} {v} ({v / len(rows):.1%})" for k, v in sorted(counts.items())))
    store.engine.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
