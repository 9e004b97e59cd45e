"""Write <name>.expected.json beside every <name>.jsonl here from what the parser makes of it now.

    .venv/bin/python tests/examples/lawrefbook/regenerate.py [NAME ...]

Run it only after a deliberate parser change, then read the diff (`git diff tests/examples`) line by line:
the expected files are the reviewed truth the tests hold the parser to, not a snapshot to refresh blindly.
tests/crawlers/sources/test_lawrefbook.py imports `expected_of` from here, so the test and this script
describe a parse result the same way.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from crawlers.sources.lawrefbook import CorpusReport, read_corpus  # noqa: E402
from fagui.normalise.articles import split_articles  # noqa: E402

# Texts up to this many characters are kept whole in the expected JSON; longer ones (laws of hundreds of
# articles, the 民法典) as a digest: sha256, length, head and tail, so the files stay readable.
FULL_TEXT_LIMIT = 3000


def _articles(text: str) -> dict:
    arts = split_articles(text)
    paths: list[str] = []
    for a in arts:
        if a.path not in paths:
            paths.append(a.path)
    return {
        "count": len(arts),
        "first": arts[0].label if arts else None,
        "last": arts[-1].label if arts else None,
        "with_sub": [a.label for a in arts if a.sub],
        "paths": paths,
    }


def _text(text: str) -> str | dict:
    if len(text) <= FULL_TEXT_LIMIT:
        return text
    return {
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "chars": len(text),
        "head": text[:200],
        "tail": text[-120:],
    }


def expected_of(report: CorpusReport) -> dict:
    """The parse result as plain JSON: every record's to_dict() (text digested when long) with a summary of
    its articles, and every error as reference and reason."""
    records = []
    for record in report.records:
        data = record.to_dict()
        data["articles"] = _articles(record.text)
        data["text"] = _text(record.text)
        records.append(data)
    return {
        "records": records,
        "errors": [{"ref": e.ref, "reason": e.reason} for e in report.errors],
        "merged_parts": report.merged_parts,
    }


def regenerate(names: list[str]) -> None:
    for source in sorted(HERE.glob("*.jsonl")):
        if names and source.stem not in names:
            continue
        target = source.with_name(source.stem + ".expected.json")
        data = expected_of(read_corpus(source))
        target.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"{target.relative_to(REPO)}: {len(data['records'])} records, {len(data['errors'])} errors")


if __name__ == "__main__":
    regenerate(sys.argv[1:])
