"""Draw the bundled sample (fagui/data/lawrefbook-sample.jsonl.gz) from the full corpus, deterministically.

The sample keeps every multi-version work, the part files of 民法典, records the collection marks expired,
and a fixed random draw across regions and levels, so a machine without ../shared still gets a corpus
that shows versions, local regulations and statuses.

    python scripts/make_sample.py ../shared/corpus/lawrefbook.jsonl.gz
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "fagui" / "data" / "lawrefbook-sample.jsonl.gz"
PER_REGION_LEVEL = 14
# Laws the docs, tests and officers name first (道路交通安全法第九十一条 ...) are always in the sample.
ALWAYS = {"道路交通安全法", "道路交通安全法实施条例", "行政处罚法", "行政许可法", "治安管理处罚法",
          "个人信息保护法", "网络安全法", "数据安全法", "安全生产法", "消费者权益保护法"}


def main(corpus: Path) -> None:
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


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/lawrefbook.jsonl.gz"))
