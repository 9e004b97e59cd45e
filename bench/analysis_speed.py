"""Tokenisation speed: jieba against the rjieba fast path, over a fixed slice of the shared corpus (the first
N MB of markdown, default 5) or the whole of it, paragraph by paragraph as indexing feeds them.

Rows: the two segmenters alone (precise mode with offsets, both with the legal user dictionary), then the
whole index-time analysis (`indexer.analysis.analyse`: folding, article references, pieces) on the fast
path and on jieba alone. Also checks, over the same paragraphs, that the fast path gives exactly jieba's
tokens, and how much text the fast path still hands to jieba.

    .venv/bin/python bench/analysis_speed.py [--mb 5 | --all]"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fagui.settings import SHARED_CORPUS  # noqa: E402
from indexer import analysis  # noqa: E402


def corpus_paragraphs(mb: float | None) -> list[str]:
    """Non-empty lines of the corpus's markdown, whole documents, until `mb` megabytes (None: all)."""
    paragraphs: list[str] = []
    size = 0
    with gzip.open(SHARED_CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["markdown"]
            paragraphs.extend(p for p in text.split("\n") if p.strip())
            size += len(text.encode("utf-8"))
            if mb is not None and size >= mb * 1_000_000:
                break
    return paragraphs


def rate(label: str, fn: Callable[[str], list], paragraphs: list[str], mb: float) -> dict:
    started = time.perf_counter()
    tokens = sum(len(fn(p)) for p in paragraphs)
    seconds = time.perf_counter() - started
    return {"path": label, "tokens": tokens, "seconds": round(seconds, 2), "mb_per_s": round(mb / seconds, 2),
            "tokens_per_s": int(tokens / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=5.0, help="size of the corpus slice in MB (default 5)")
    parser.add_argument("--all", action="store_true", help="the whole corpus (about 58 MB; jieba takes minutes)")
    args = parser.parse_args()
    if not SHARED_CORPUS.exists():
        sys.exit(f"shared corpus not found at {SHARED_CORPUS}")
    paragraphs = corpus_paragraphs(None if args.all else args.mb)
    mb = sum(len(p.encode("utf-8")) for p in paragraphs) / 1e6
    chars = sum(len(p) for p in paragraphs)

    analysis.analyse("预热")  # build both tokenisers before timing
    engines = analysis._get()
    jieba_chars = sum(analysis._cut(p)[1] for p in paragraphs)
    differing = sum(analysis._index_spans(p) != analysis._index_spans(p, jieba_only=True) for p in paragraphs)
    rows = [
        rate("jieba precise (user dict)",
             lambda p: list(engines.jieba.tokenize(p, mode="default", HMM=True)), paragraphs, mb),
        rate("rjieba precise (user dict)", lambda p: engines.rjieba.tokenize(p, mode="default", hmm=True),
             paragraphs, mb),
        rate("analyse, jieba only", lambda p: analysis._index_spans(p, jieba_only=True), paragraphs, mb),
        rate("analyse, fast path", analysis.analyse, paragraphs, mb),
    ]
    print(json.dumps({
        "mb": round(mb, 2), "paragraphs": len(paragraphs),
        "fast_path_chars_cut_by_jieba": round(jieba_chars / chars, 4),
        "paragraphs_where_fast_path_differs_from_jieba": differing,
        "results": rows,
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
