"""Where the shared material lives: ../shared beside the repository (as in CI)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"
PAGES = SHARED / "samples" / "pages"
CORPUS = SHARED / "corpus" / "lawrefbook.jsonl.gz"

MIRROR = "chengdu-fazhi-zhengfu-fangan-mirror.txt"
CLEAN_PAGES = (
    "chengdu-2024-fazhi-zhengfu-baogao.txt",
    "city-fazhi-gongzuo-fangan.txt",
    "fazhi-zhengfu-gangyao-2021-2025-part.txt",
)
ALL_PAGES = (MIRROR, *CLEAN_PAGES)
