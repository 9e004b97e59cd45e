"""Penalty links (issue 18): how many penalty clauses of the store's current texts the parser reads, and how
precise the links are on a hand-checked sample.

- coverage: among the articles of current versions of 现行有效 works whose text sets a sanction (处……罚款, 给予
  警告, 处……拘留, 吊销……: indexer.store.penalties.has_penalty_wording), the share whose sanction kinds were
  read, and the share linked to the article(s) they enforce (only clauses that name the article, 违反本法第X条
  or 依照本法第X条的规定处罚, can be linked; 饮酒后驾驶机动车的，处…… states its act itself);
- precision: bench/penalty_sample.json holds 100 links drawn with a fixed seed, each judged by hand (drawn as the links whose keys hash lowest; correct:
  the penalty article sets a sanction for breaking the enforced article or paragraph, and the listed kinds are
  among the sanctions the clause sets). The script draws the sample again and reports precision over the
  judged links it still produces, and lists any drawn link not judged yet (judge it, then run again).

    .venv/bin/python bench/penalty_links.py [--data-dir DIR] [--draw FILE]   # --draw writes a new sample to judge

DIR (default $FAGUI_DATA_DIR, else /work/benchdata/store) is only read."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.store.penalties import PenaltyLink, has_penalty_wording, sanctions_of, version_links  # noqa: E402

DEFAULT_DATA_DIR = "/work/benchdata/store"
SAMPLE = Path(__file__).with_name("penalty_sample.json")
SEED = 18
SAMPLE_SIZE = 100


def key(title: str, link: PenaltyLink) -> str:
    return f"{title} {link.penalty.label} <- {link.enforced.label}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path(os.environ.get("FAGUI_DATA_DIR") or DEFAULT_DATA_DIR))
    ap.add_argument("--draw", type=Path, help="write the drawn sample with the clauses here, to judge by hand")
    args = ap.parse_args()
    started = time.perf_counter()
    db = sqlite3.connect(f"file:{args.data_dir / 'fagui.db'}?mode=ro&immutable=1", uri=True)
    rows = db.execute("""select w.title, a.number, a.sub, a.text from works w
                         join articles a on a.version_id = w.current_version_id
                         where w.status = 'effective' order by w.id, a.position""").fetchall()
    by_work: dict[str, list[tuple[int, int, str]]] = {}
    for title, number, sub, text in rows:
        by_work.setdefault(title, []).append((number, sub, text))
    wording = read = linked = 0
    links: list[tuple[str, PenaltyLink]] = []
    for title, articles in by_work.items():
        found = version_links(articles)
        links.extend((title, link) for link in found)
        punishing = {(link.penalty.number, link.penalty.sub) for link in found}
        for number, sub, text in articles:
            if has_penalty_wording(text):
                wording += 1
                read += bool(sanctions_of(" ".join(text.split()))[0])
                linked += (number, sub) in punishing
    took = time.perf_counter() - started
    print(f"{len(by_work)} current works, {len(rows)} articles; {len(links)} penalty links; {took:.1f} s")
    print(f"coverage: sanctions read {read}/{wording} = {100 * read / max(wording, 1):.1f}% of articles with "
          f"penalty wording; linked to the enforced article {linked}/{wording} = {100 * linked / max(wording, 1):.1f}%")
    # The links whose keys hash lowest: a change of the parser that adds or drops other links keeps the sample.
    sample = sorted(links, key=lambda tl: hashlib.sha1(f"{SEED} {key(*tl)}".encode()).hexdigest())[:SAMPLE_SIZE]
    if args.draw:
        args.draw.write_text(json.dumps([{"link": key(t, link), "summary": link.summary, "clause": link.clause,
                                          "correct": None, "note": ""} for t, link in sample],
                                         ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"sample of {len(sample)} written to {args.draw}")
        return
    judged = {j["link"]: j for j in json.loads(SAMPLE.read_text(encoding="utf-8"))} if SAMPLE.exists() else {}
    verdicts = [judged[key(t, link)]["correct"] for t, link in sample if key(t, link) in judged]
    unjudged = [key(t, link) for t, link in sample if key(t, link) not in judged]
    right = sum(1 for v in verdicts if v)
    print(f"precision on the hand-checked sample: {right}/{len(verdicts)} = {100 * right / max(len(verdicts), 1):.1f}%"
          " (target 95%)" + (f"; {len(unjudged)} drawn links not judged yet" if unjudged else ""))
    for k in unjudged[:10]:
        print("  not judged:", k)


if __name__ == "__main__":
    main()
