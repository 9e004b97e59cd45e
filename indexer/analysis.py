"""Chinese analysis shared by both engines (interim: jieba search mode with the legal user dictionary)."""

from __future__ import annotations

import re
import tempfile
import threading
from pathlib import Path

import jieba

from crawlers.normalise.text import fold_width, to_simplified

DICT = Path(__file__).resolve().parent.parent / "es_mappings" / "dict" / "legal.dict"
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_WORD = re.compile(r"\w", re.UNICODE)


def _tok() -> jieba.Tokenizer:
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            t = jieba.Tokenizer()
            t.tmp_dir = tempfile.gettempdir()
            t.cache_file = "fagui-jieba.cache"
            t.initialize()
            t.load_userdict(str(DICT))
            _tokenizer = t
    return _tokenizer


def _fold(text: str) -> str:
    return to_simplified(fold_width(text)).lower()


def analyse(text: str) -> list[str]:
    return [w for w in _tok().cut_for_search(_fold(text)) if _WORD.search(w)]


def analyse_query(text: str) -> list[str]:
    return [w for w in _tok().cut(_fold(text)) if _WORD.search(w)]


def pretokenised(text: str) -> str:
    return " ".join(w.replace(" ", "") for w in analyse(text))
