"""Tokenisation speed: Python jieba (search mode, with and without HMM) against rjieba, the path
indexer.search.analysis takes, over a fixed slice of the corpus.

    .venv/bin/python bench/analysis_speed.py [--mb 2]"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jieba  # noqa: E402
import rjieba  # noqa: E402

from fagui.settings import SHARED_CORPUS  # noqa: E402
from indexer.search.analysis import analyse  # noqa: E402


def corpus_slice(mb: float) -> str:
    parts, size = [], 0
    with gzip.open(SHARED_CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["markdown"]
            parts.append(text)
            size += len(text.encode("utf-8"))
            if size >= mb * 1_000_000:
                break
    return "\n".join(parts)


def rate(label: str, fn, text: str) -> dict:
    started = time.perf_counter()
    tokens = len(fn(text))
    seconds = time.perf_counter() - started
    mb = len(text.encode("utf-8")) / 1e6
    return {"tokenizer": label, "tokens": tokens, "seconds": round(seconds, 2),
            "mb_per_s": round(mb / seconds, 2), "tokens_per_s": int(tokens / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=2.0)
    args = parser.parse_args()
    text = corpus_slice(args.mb)
    jieba.setLogLevel(60)
    jieba.initialize()
    analyse("预热")
    rows = [
        rate("jieba cut_for_search (HMM)", lambda t: list(jieba.cut_for_search(t)), text),
        rate("jieba cut_for_search (no HMM)", lambda t: list(jieba.cut_for_search(t, HMM=False)), text),
        rate("rjieba cut_for_search", rjieba.cut_for_search, text),
        rate("fagui analyse (rjieba + folding + legal terms)", analyse, text),
    ]
    print(json.dumps({"mb": round(len(text.encode("utf-8")) / 1e6, 2), "results": rows}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
