"""Fixtures giving the shared sample pages and corpus to the normalisation tests; a test that needs them
is skipped, with the reason, where ../shared is absent."""

from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import pytest

from tests.fagui.normalise.shared_paths import CORPUS, PAGES


@pytest.fixture(scope="session")
def pages_dir() -> Path:
    if not PAGES.is_dir():
        pytest.skip(f"shared sample pages not present at {PAGES}")
    return PAGES


@pytest.fixture(scope="session")
def corpus_markdown() -> list[str]:
    """The markdown of every 25th corpus record (about 140 laws): enough variety, quick to read."""
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not present at {CORPUS}")
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["markdown"] for line in islice(fh, 0, None, 25)]
