"""Draw the bundled sample (fagui/data/lawrefbook-sample.jsonl.gz) from the full corpus, deterministically.

The sample keeps every multi-version work, the part files of 民法典, records the collection marks expired,
and a fixed random draw across regions and levels, so a machine without ../shared still gets a corpus
that shows versions, local regulations and statuses.

It also draws the matching slice of the 国家法律法规数据库 snapshot (fagui/data/flk-snapshot-sample.jsonl.gz): every
flk version of a national work the sample holds, and the texts flk lists as not yet in force, so
`fagui import flk-snapshot` on a machine without ../shared reconciles the sample's dates and adds its versions.

    python scripts/make_sample.py ../shared/corpus/lawrefbook.jsonl.gz [../shared/corpus/flk-snapshot.jsonl.gz]
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "fagui" / "data" / "lawrefbook-sample.jsonl.gz"
FLK_OUT = OUT.parent / "flk-snapshot-sample.jsonl.gz"
PER_REGION_LEVEL = 14
# Laws the docs, tests and officers name first (道路交通安全法第九十一条 ...) are always in the sample.
ALWAYS = {"道路交通安全法", "道路交通安全法实施条例", "行政处罚法", "行政许可法", "治安管理处罚法",
          "个人信息保护法", "网络安全法", "数据安全法", "安全生产法", "消费者权益保护法"}


def main(corpus: Path, flk_snapshot: Path | None = None) -> None:
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        lines = [ln for ln in fh if ln.strip()]
    records = [json.loads(ln) for ln in lines]
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        groups[(r["region"], r.get("name"))].append(i)
    keep: set[int] = set()
    for idx in groups.values():
        if len(idx) > 1:  # multi-version works, and the 民法典 part files (no name)
            keep.update(idx)
    keep.update(i for i, r in enumerate(records) if r.get("expired"))
    keep.update(i for i, r in enumerate(records) if r["region"] == "全国" and r.get("name") in ALWAYS)
    rng = random.Random(20250401)
    strata: dict[tuple, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        strata[(r["region"], r.get("level"))].append(i)
    for key in sorted(strata, key=str):
        pool = [i for i in strata[key] if i not in keep]
        keep.update(rng.sample(pool, min(PER_REGION_LEVEL, len(pool))))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as fh:
        for i in sorted(keep):
            fh.write(lines[i].encode("utf-8") if lines[i].endswith("\n") else (lines[i] + "\n").encode("utf-8"))
    print(f"{len(keep)} records -> {OUT} ({OUT.stat().st_size // 1024} KiB)")
    if flk_snapshot is not None:
        flk_slice(flk_snapshot, [records[i] for i in sorted(keep)])


def flk_slice(snapshot: Path, sample: list[dict]) -> None:
    """The snapshot's versions of the sample's national works (by the store's title key), and those not yet in
    force, in the snapshot's order."""
    sys.path.insert(0, str(OUT.parent.parent.parent))
    from indexer.store.upsert import title_key

    keys = set()
    for r in sample:
        first = next((ln for ln in r.get("markdown", "").splitlines() if ln.startswith("# ")), "")
        if r["region"] == "全国" and first:
            keys.add(title_key(first[2:].strip()))
    with gzip.open(snapshot, "rt", encoding="utf-8") as fh:
        lines = [ln for ln in fh if ln.strip()]
    kept = [ln for ln in lines
            if (raw := json.loads(ln)) and (title_key(raw["title"]) in keys or raw["status"] == "not_yet_in_force")]
    with gzip.GzipFile(FLK_OUT, "wb", mtime=0) as fh:
        for ln in kept:
            fh.write(ln.encode("utf-8") if ln.endswith("\n") else (ln + "\n").encode("utf-8"))
    print(f"{len(kept)} flk versions -> {FLK_OUT} ({FLK_OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/lawrefbook.jsonl.gz"),
         Path(sys.argv[2]) if len(sys.argv) > 2 else None)
