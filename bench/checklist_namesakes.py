"""Near-namesakes and realistic lists for the batch check's title matching (issue 17), on a store's real titles.

    .venv/bin/python bench/checklist_namesakes.py --store DATA_DIR [--seed 17] [--show 5]

The store is only read. Two kinds of lists are generated from every stored work title:

- near-namesakes, each naming a document that is NOT the one it was made from: a province's title with its
  province swapped for every other province (also with that province's 人大常委会 as 制定机关 and the original's
  date), a city's title with its city swapped for the other cities the store names, every ordinal （一）/（二）
  swapped for the others from 一 to 十 (and added to a title without one), every 修正案（N） swapped, every number
  in a title (第X号, years) moved by one, the kind swapped (条例 / 办法, 规定 / 决定, 暂行办法 for 办法, 实施条例 for 条例), 最高人民法院 and
  最高人民检察院 swapped. A row whose new title is itself
  stored (its exact key) must match that work; any other row must not be matched. Printed: rows, wrong matches
  (must be 0), and how many offered the original for review or named it as ruled out;
- realistic rows, each naming the work it was made from: the title as stored, without 中华人民共和国, in 《》,
  and with small punctuation and bracket typos (half-width or other brackets, a space, a dropped 、 or 《》).
  Printed per variant: rows matched to the right work (≥ 98% is the target), wrong matches (must be 0), and
  rows whose title several stored works share (多个候选 with the right one among them is their right answer)."""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clearance.matching import AMBIGUOUS, MATCHED, Matcher, match_key  # noqa: E402
from clearance.namesakes import PROVINCES, leading_places  # noqa: E402
from fagui.settings import load_settings  # noqa: E402
from indexer.store.app_store import open_store  # noqa: E402

ORDINALS = "一二三四五六七八九十"
_ORDINAL = re.compile(r"[（(]([一二三四五六七八九十]{1,3})[）)]")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Row:
    kind: str
    title: str
    origin: str  # the work the row was made from
    body: str | None = None
    when: str | None = None


def namesake_rows(matcher: Matcher) -> Iterator[Row]:
    works = sorted(matcher.works.values(), key=lambda w: w.work_id)
    cities = sorted({p for w in works if w.region != "全国" for p in leading_places(w.title, matcher.places)
                     if p not in PROVINCES and p.endswith("市")})
    for w in works:
        t = w.title
        province = next((p for p in PROVINCES if t.startswith(p)), None)
        if province:
            for other in PROVINCES:
                if other != province:
                    yield Row("province swapped", other + t[len(province):], w.work_id)
            first = min(w.dates).isoformat() if w.dates else None
            other = PROVINCES[(PROVINCES.index(province) + 1) % len(PROVINCES)]
            yield Row("province swapped + body + date", other + t[len(province):], w.work_id,
                      f"{other}人民代表大会常务委员会", first)
        city = next((c for c in cities if t.startswith(c) or (province and t[len(province):].startswith(c))), None)
        if city:
            for other in cities:
                if other != city:
                    yield Row("city swapped", t.replace(city, other, 1), w.work_id)
        for m in _ORDINAL.finditer(t):
            for n in ORDINALS:
                if n != m.group(1):
                    kind = "修正案 ordinal swapped" if "修正案" in t else "ordinal swapped"
                    yield Row(kind, t[:m.start(1)] + n + t[m.end(1):], w.work_id)
        if not _ORDINAL.search(t) and t.endswith(("解释", "规定", "修正案")):
            for n in "一二三":
                yield Row("ordinal added", f"{t}（{n}）", w.work_id)
        for m in _DIGITS.finditer(t):
            for step in (-1, 1):
                yield Row("number moved", t[:m.start()] + str(int(m.group()) + step) + t[m.end():], w.work_id)
        for a, b in (("条例", "办法"), ("办法", "条例"), ("规定", "决定"), ("办法", "暂行办法"), ("条例", "实施条例")):
            if t.endswith(a) and not t.endswith(b):
                yield Row("kind swapped", t[: -len(a)] + b, w.work_id)
        for a, b in (("最高人民法院", "最高人民检察院"), ("最高人民检察院", "最高人民法院")):
            if t.startswith(a) and not t.startswith(b):
                yield Row("court swapped", b + t[len(a):], w.work_id)


def realistic_rows(matcher: Matcher, rng: random.Random) -> Iterator[Row]:
    for w in sorted(matcher.works.values(), key=lambda w: w.work_id):
        t = w.title
        yield Row("as stored", t, w.work_id)
        if t.startswith("中华人民共和国"):
            yield Row("中华人民共和国 dropped", t.removeprefix("中华人民共和国"), w.work_id)
        yield Row("in 《》", f"《{t}》", w.work_id)
        yield Row("punctuation typo", punctuation_typo(rng, t), w.work_id)


def punctuation_typo(rng: random.Random, title: str) -> str:
    options = []
    if "（" in title:
        left, right = rng.choice([("(", ")"), ("[", "]"), ("【", "】"), ("〔", "〕")])
        options.append(title.replace("（", left).replace("）", right))
    if "、" in title:
        options.append(title.replace("、", "", 1))
        options.append(title.replace("、", "，", 1))
    if "《" in title:
        options.append(title.replace("《", "").replace("》", ""))
        options.append(title.replace("《", "〈").replace("》", "〉"))
    i = rng.randrange(1, len(title))
    options.append(title[:i] + " " + title[i:])
    options.append(title + "。")
    return rng.choice(options)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, required=True, help="FAGUI_DATA_DIR of an imported store (read only)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--show", type=int, default=5, help="examples of each failure to print")
    args = parser.parse_args()
    store = open_store(load_settings({"FAGUI_DATA_DIR": str(args.store)}))
    with store.sessions() as session:
        matcher = Matcher.load(session)
    store.engine.dispose()
    print(f"store: {args.store} ({len(matcher)} works)")

    started = time.perf_counter()
    totals: Counter = Counter()
    per_kind: dict[str, Counter] = defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)
    for row in namesake_rows(matcher):
        result = matcher.match(row.title, None, row.body, row.when)
        named = matcher.works_with_key(match_key(row.title))
        c = per_kind[row.kind]
        c["rows"] += 1
        if named:
            c["stored"] += 1
            ok = result.match == MATCHED and result.work_id in named
            c["stored right"] += ok
            wrong = result.match == MATCHED and result.work_id not in named
        else:
            wrong = result.match == MATCHED
            c[result.match] += 1
            if row.origin in {x.work_id for x in result.candidates}:
                c["original offered"] += 1
                if len(examples["offered"]) < args.show:
                    examples["offered"].append(f"{row.title} -> {result.match} {[x.title for x in result.candidates]}")
            elif f"《{matcher.works[row.origin].title}》" in result.note:
                c["original ruled out"] += 1
        if wrong:
            c["wrong"] += 1
            if len(examples["wrong"]) < args.show:
                examples["wrong"].append(f"{row.kind}: {row.title} -> {result.title}")
        totals["rows"] += 1
        totals["wrong"] += wrong
    elapsed = time.perf_counter() - started
    print(f"\nnear-namesakes: {totals['rows']} rows in {elapsed:.1f} s; wrong matches: {totals['wrong']}")
    for kind, c in per_kind.items():
        print(f"  {kind}: {c['rows']} rows, wrong {c['wrong']}; naming a stored work {c['stored']} "
              f"(matched to it {c['stored right']}); the others: unmatched {c['unmatched']}, review {c['review']}, "
              f"ambiguous {c['ambiguous']}; original ruled out and named {c['original ruled out']}, "
              f"original offered as a candidate {c['original offered']}")

    rng = random.Random(args.seed)
    started = time.perf_counter()
    realistic: dict[str, Counter] = defaultdict(Counter)
    for row in realistic_rows(matcher, rng):
        result = matcher.match(row.title)
        c = realistic[row.kind]
        c["rows"] += 1
        shared = len(matcher.works_with_key(match_key(matcher.works[row.origin].title))) > 1
        right = result.match == MATCHED and result.work_id == row.origin
        if shared:
            c["shared title"] += 1
            right = right or (result.match == AMBIGUOUS and row.origin in {x.work_id for x in result.candidates})
        c["right"] += right
        if result.match == MATCHED and result.work_id != row.origin:
            c["wrong"] += 1
            if len(examples["realistic wrong"]) < args.show:
                examples["realistic wrong"].append(f"{row.title} -> {result.title}")
        if not right and len(examples["realistic missed"]) < args.show:
            examples["realistic missed"].append(f"{row.kind}: {row.title} -> {result.match} {result.note[:80]}")
    elapsed = time.perf_counter() - started
    rows = sum(c["rows"] for c in realistic.values())
    right = sum(c["right"] for c in realistic.values())
    wrong = sum(c["wrong"] for c in realistic.values())
    print(f"\nrealistic: {rows} rows in {elapsed:.1f} s; right {right} ({right / rows:.2%}); wrong matches {wrong}")
    for kind, c in realistic.items():
        print(f"  {kind}: {c['right']}/{c['rows']} right ({c['right'] / c['rows']:.2%}), wrong {c['wrong']}, "
              f"title shared by several works {c['shared title']}")
    for what, lines in examples.items():
        print(f"\nexamples, {what}:")
        for line in lines:
            print(f"  {line}")


if __name__ == "__main__":
    main()
