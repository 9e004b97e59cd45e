"""Every row of the everyday-words map (indexer/search/data/everyday_words.csv) checked against the whole corpus:
the legal wording stands in the target article, or somewhere in the target work (or anywhere) when the row
names no article. Rows whose target work is not in the corpus are reported by name, never passed silently."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from crawlers.sources import lawrefbook
from fagui.normalise.articles import split_articles
from fagui.records import DocumentRecord
from indexer.search.everyday import load
from indexer.store.upsert import title_key

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO.parent / "shared" / "corpus" / "lawrefbook.jsonl.gz"


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def national():
    if not CORPUS.exists():
        pytest.skip(f"shared corpus not present at {CORPUS} (expected beside the repository)")
    records = lawrefbook.read_corpus(CORPUS).records
    # The newest text of each national work: an older version does not say what the law says now.
    newest: dict[str, DocumentRecord] = {}
    for r in records:
        key = title_key(r.title)
        if r.region == "全国" and (key not in newest or (r.published or date.min) > (newest[key].published or date.min)):
            newest[key] = r
    return newest


def test_every_entry_is_in_the_corpus(national):
    entries = load()
    assert len(entries) >= 300 and len({e.domain for e in entries}) >= 11
    all_text = _squeeze("\n".join(r.text for r in national.values()))
    missing_work, wrong = [], []
    for entry in entries:
        legal = _squeeze(entry.legal)
        if not entry.work_title:
            if legal not in all_text:
                wrong.append(f"第 {entry.line} 行 {entry.term}：“{entry.legal}”不见于语料")
            continue
        record = national.get(title_key(entry.work_title))
        if record is None:
            missing_work.append(f"第 {entry.line} 行 {entry.term}：语料中没有《{entry.work_title}》")
            continue
        if entry.article is None:
            found = legal in _squeeze(record.text)
        else:
            found = any((a.number, a.sub) == entry.article and legal in _squeeze(a.text)
                        for a in split_articles(record.text))
        if not found:
            wrong.append(f"第 {entry.line} 行 {entry.term}：“{entry.legal}”不见于《{entry.work_title}》{entry.article_label}")
    assert not missing_work, "目标法规未收录：\n" + "\n".join(missing_work)
    assert not wrong, "\n".join(wrong)
