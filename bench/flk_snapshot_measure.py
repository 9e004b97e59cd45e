"""How a store agrees with the 国家法律法规数据库 snapshot (issue 21, Measure): versions present, 施行日期 agreeing
for matched versions (each remaining difference: is it a recorded conflict?), and status agreeing where the
snapshot is the newest source, as of the snapshot's date and as of today. The store is only read.

    .venv/bin/python bench/flk_snapshot_measure.py --data-dir DIR [--snapshot PATH] [--as-of 2026-04-30] [--list]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

STATUS_OF = {"in_force": "effective", "amended": "amended", "not_yet_in_force": "not_yet_effective"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--snapshot", default=str(Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
                                                  / "flk-snapshot.jsonl.gz"))
    parser.add_argument("--as-of", default="2026-04-30", help="the snapshot's date (status is compared for it)")
    parser.add_argument("--list", action="store_true", help="list every difference")
    args = parser.parse_args()
    os.environ["FAGUI_DATA_DIR"] = args.data_dir

    import gzip
    import json

    from indexer.store.db import make_engine, session_factory
    from indexer.store.facts import disagreements
    from indexer.store.models import Source, Version, VersionFact, Work
    from indexer.store.status import VersionDates, version_status
    from indexer.store.upsert import SOURCE_STATUS_MAP, title_key

    with gzip.open(args.snapshot, "rt", encoding="utf-8") as fh:
        raws = [json.loads(line) for line in fh]
    session = session_factory(make_engine())()
    works = {w.identity_key: w for w in session.scalars(select(Work))}
    by_bbbs = {f.source_ref: f.version_id for f in session.scalars(
        select(VersionFact).join(Source).where(Source.name.in_(("flk-snapshot", "flk"))))}
    conflicts = {(d.version_id, d.field) for d in disagreements(session, SOURCE_STATUS_MAP)}
    snap_day = date.fromisoformat(args.as_of)
    present = 0
    eff_total = eff_same = 0
    shared_total = shared_same = 0  # versions another source describes too (the corpus's texts)
    described = {f.version_id for f in session.scalars(
        select(VersionFact).join(Source).where(Source.name.not_in(("flk-snapshot", "flk")),
                                               VersionFact.field == "effective"))}
    eff_diff: list[str] = []
    eff_diff_recorded = 0
    status_counts: dict[str, Counter] = {"snapshot": Counter(), "today": Counter()}
    status_diff: list[str] = []
    newest_flk: dict[str, str] = {}
    later: dict[str, list[dict]] = {}
    for raw in raws:
        key = f"全国|{title_key(raw['title'])}"
        newest_flk[key] = max(newest_flk.get(key, ""), raw["issued_date"] or "")
        later.setdefault(key, []).append(raw)
    for raw in raws:
        key = f"全国|{title_key(raw['title'])}"
        work = works.get(key)
        version = None
        if raw["bbbs"] in by_bbbs:
            version = session.get(Version, by_bbbs[raw["bbbs"]])
        elif work is not None:
            version = next((v for v in work.versions if v.published and v.published.isoformat() == raw["issued_date"]),
                           None)
        if version is None:
            continue
        present += 1
        work = version.work
        if raw["in_force_date"]:
            eff_total += 1
            same = bool(version.effective_from and version.effective_from.isoformat() == raw["in_force_date"])
            eff_same += same
            if version.id in described:
                shared_total += 1
                shared_same += same
            if not same:
                recorded = (version.id, "effective") in conflicts
                eff_diff_recorded += recorded
                eff_diff.append(f"{raw['title']} {raw['issued_date']}: 快照 {raw['in_force_date']}，本库 "
                                f"{version.effective_from}{'（已记录为来源之间不一致）' if recorded else ''}")
        # the snapshot is the newest source where the store holds no text published after the snapshot's newest
        newest_store = max((v.published for v in work.versions if v.published), default=None)
        if newest_store and newest_store.isoformat() > newest_flk[key]:
            continue
        versions = list(work.versions)
        dates = [VersionDates(v.effective_from, v.published, v.expires, v.ended_on, v.end_status, v.source_status)
                 for v in versions]
        index = versions.index(version)
        for label, day in (("snapshot", snap_day), ("today", date.today())):
            computed = version_status(dates, index, day).status
            expected = STATUS_OF[raw["status"]]
            if expected == "not_yet_effective" and raw["in_force_date"] and raw["in_force_date"] <= day.isoformat():
                expected = "effective"  # its day has come since the snapshot
            elif expected == "effective" and any(
                    r["status"] == "not_yet_in_force" and (r["in_force_date"] or "9") <= day.isoformat()
                    for r in later.get(key, ())):
                expected = "amended"  # a newer text the snapshot lists as not yet in force has come into force
            agree = computed == expected
            status_counts[label]["agree" if agree else "differ"] += 1
            if not agree and label == "snapshot":
                status_diff.append(f"{raw['title']} {raw['issued_date']}: 快照 {raw['status']}，本库 {computed}")
    n = len(raws)
    print(f"snapshot versions present in the store: {present}/{n} ({present / n:.1%})")
    print(f"施行日期 agreeing for matched versions with a snapshot 施行日期: {eff_same}/{eff_total} "
          f"({eff_same / max(eff_total, 1):.1%}); differences {len(eff_diff)}, recorded as conflicts {eff_diff_recorded}")
    print(f"  of them texts another source describes too: {shared_same}/{shared_total} "
          f"({shared_same / max(shared_total, 1):.1%})")
    for label, counts in status_counts.items():
        total = counts["agree"] + counts["differ"]
        print(f"status agreeing where the snapshot is the newest source, as of "
              f"{snap_day if label == 'snapshot' else date.today()}: {counts['agree']}/{total} "
              f"({counts['agree'] / max(total, 1):.1%})")
    print(f"recorded disagreements between sources: {Counter(f for _, f in conflicts)}")
    if args.list:
        for line in eff_diff + status_diff:
            print("  " + line)


if __name__ == "__main__":
    main()
