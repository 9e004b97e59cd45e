"""Settings from environment variables prefixed FAGUI_, each with a working default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The shared corpus sits beside the project checkout; the bundled sample ships inside the package.
SHARED_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "lawrefbook.jsonl.gz"
BUNDLED_SAMPLE = Path(__file__).resolve().parent / "data" / "lawrefbook-sample.jsonl.gz"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    es_url: str | None
    corpus_path: Path | None

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("FAGUI_DATA_DIR") or "instance").resolve()
    database_url = env.get("FAGUI_DATABASE_URL") or f"sqlite:///{data_dir / 'fagui.db'}"
    corpus = env.get("FAGUI_CORPUS_PATH")
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        es_url=env.get("FAGUI_ES_URL") or None,
        corpus_path=Path(corpus) if corpus else None,
    )


def default_corpus_path(settings: Settings) -> Path:
    """The corpus to import when none is named: FAGUI_CORPUS_PATH, the shared corpus, else the bundled sample."""
    if settings.corpus_path is not None:
        return settings.corpus_path
    if SHARED_CORPUS.exists():
        return SHARED_CORPUS
    return BUNDLED_SAMPLE
