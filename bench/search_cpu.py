"""CPU time per search, and where it goes: on a machine other work keeps busy, wall-clock latency measures the
neighbours; the process CPU time a search costs (all its threads) stays comparable between two runs, so an A/B
of two checkouts is read from it.

    .venv/bin/python bench/search_cpu.py --data-dir DIR [--index INDEX_DIR] [--repeat 2] [--slowest 15]

DIR holds an imported store; INDEX_DIR (default DIR/tantivy) a Tantivy index built from it by this checkout, for
instance a 10x index (bench/search_bench.py's replicated_batches). Every query of bench/queries.json runs once to
warm up, then --repeat times. Prints the median and p95 of CPU and wall time, and the slowest searches with each
engine call they made (kind, F when it counted facets, limit, milliseconds)."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_bench import QUERIES, params_for, percentile  # noqa: E402

from fagui.settings import load_settings  # noqa: E402
from indexer.search.backends.base import BackendResult, SearchRequest  # noqa: E402
from indexer.search.backends.tantivy_backend import TantivyBackend  # noqa: E402
from indexer.search.service import search  # noqa: E402
from indexer.store.db import make_engine, session_factory  # noqa: E402


class CountingBackend(TantivyBackend):
    """The Tantivy engine, noting each call's kind and time."""

    calls: list[tuple[str, float]]

    def search(self, request: SearchRequest) -> BackendResult:
        started = time.perf_counter()
        result = super().search(request)
        label = f"{request.filters.kind[0]}{'F' if request.facets else ''}{request.limit}"
        self.calls.append((label, round((time.perf_counter() - started) * 1000, 1)))
        return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--slowest", type=int, default=15)
    args = parser.parse_args()
    settings = load_settings({"FAGUI_DATA_DIR": str(args.data_dir)})
    factory = session_factory(make_engine(settings=settings))
    backend = CountingBackend(args.index or args.data_dir / "tantivy")
    backend.calls = []
    rows: list[tuple[float, float, str, list[tuple[str, float]]]] = []
    with factory() as session:
        for entry in QUERIES:
            search(session, backend, params_for(entry))
        for _ in range(args.repeat):
            for entry in QUERIES:
                backend.calls = []
                cpu, wall = time.process_time(), time.perf_counter()
                search(session, backend, params_for(entry))
                rows.append(((time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000, entry["q"],
                             backend.calls))
    cpus, walls = [r[0] for r in rows], [r[1] for r in rows]
    print(f"searches {len(rows)}  cpu median {statistics.median(cpus):.1f} ms  p95 {percentile(cpus, 95):.1f} ms  "
          f"total {sum(cpus):.0f} ms  |  wall median {statistics.median(walls):.1f} ms  "
          f"p95 {percentile(walls, 95):.1f} ms")
    for cpu, wall, q, calls in sorted(rows, reverse=True)[: args.slowest]:
        print(f"{cpu:7.1f} cpu {wall:7.1f} wall  {q}  {calls}")


if __name__ == "__main__":
    main()
