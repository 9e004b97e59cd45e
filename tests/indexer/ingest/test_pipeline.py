"""Importing the LawRefBook corpus into the store: acceptance facts, idempotence, bad records, crashes."""

from __future__ import annotations

import gzip
import json

import pytest
from sqlalchemy import func, select

from crawlers.sources import lawrefbook
from fagui.settings import BUNDLED_SAMPLE
from indexer.ingest.pipeline import ingest
from indexer.store.inspection import find_works, stats
from indexer.store.models import RecordFailure, Version, Work
from tests.conftest import CORPUS, needs_corpus


def import_file(store, path):
    report = lawrefbook.read_corpus(path)
    return report, ingest(store.sessions, lawrefbook.SOURCE, report.records, report.errors)


def counts(store) -> dict:
    with store.sessions() as s:
        data = stats(s)
    return {k: data[k] for k in ("works", "versions", "articles", "issuing_bodies")}


def versions_of(store, title: str, region: str = "全国") -> list[tuple]:
    with store.sessions() as s:
        found = [w for w in find_works(s, title) if w["region"] == region and w["title"].endswith(title)]
    assert len(found) == 1, [w["title"] for w in found]
    return [(v["published"][:4], v["status"]) for v in reversed(found[0]["versions"])]


def test_bundled_sample_imports_with_known_facts_and_reimport_changes_nothing(store):
    report, summary = import_file(store, BUNDLED_SAMPLE)
    assert summary.new_works > 300
    assert summary.failed == []  # the README and a private guide are skipped by the reader, not failed
    assert [e.ref for e in report.skipped] == [f"{BUNDLED_SAMPLE.name}:1 README.md",
                                               f"{BUNDLED_SAMPLE.name}:2 其他/劳动仲裁和劳动诉讼的攻略.md"]
    assert versions_of(store, "道路运输条例") == [("2019", "amended"), ("2022", "amended"), ("2023", "effective")]
    assert versions_of(store, "立法法") == [("2015", "amended"), ("2023", "effective")]
    before = counts(store)
    _, again = import_file(store, BUNDLED_SAMPLE)
    assert again.new_versions == 0 and again.unchanged == summary.new_versions + summary.unchanged
    assert counts(store) == before


def test_civil_code_part_files_become_one_work_with_all_articles(sqlite_store):
    import_file(sqlite_store, BUNDLED_SAMPLE)
    with sqlite_store.sessions() as s:
        work = s.scalar(select(Work).where(Work.title == "中华人民共和国民法典"))
        (version,) = work.versions
        numbers = [a.number for a in version.articles]
        assert numbers == list(range(1, 1261))
        art = next(a for a in version.articles if a.number == 1087)
        assert art.path.startswith("婚姻家庭编") or "婚姻家庭" in art.path
        assert [b.name for b in work.issuing_bodies] == ["全国人民代表大会"]
        assert version.effective_from.isoformat() == "2021-01-01"


def write_lines(path, lines: list[bytes]) -> None:
    with gzip.open(path, "wb") as fh:
        for line in lines:
            fh.write(line + b"\n")


def good_line(title: str, body: str = "第一条 为了规范管理，制定本条例。") -> bytes:
    md = f"# {title}\n\n2020年1月1日 山东省第十三届人民代表大会常务委员会第一次会议通过\n\n<!-- INFO END -->\n\n{body}\n"
    return json.dumps({"path": f"{title}.md", "region": "山东", "file_date": None, "markdown": md},
                      ensure_ascii=False).encode("utf-8")


def test_bad_lines_are_reported_by_name_and_the_rest_is_imported(store, tmp_path):
    path = tmp_path / "mixed.jsonl.gz"
    undecodable = good_line("山东省坏编码条例", "第一条 损坏字节。").replace("损坏字节".encode(), "损坏字节".encode("gbk"))
    write_lines(path, [good_line("山东省甲条例"), b"{not json", b"[1, 2]",
                       json.dumps({"path": "x.md", "region": "山东", "markdown": "没有标题"}).encode(),
                       undecodable, good_line("山东省乙条例")])
    report, summary = import_file(store, path)
    reasons = dict(summary.failed)
    assert set(reasons) == {"mixed.jsonl.gz:2", "mixed.jsonl.gz:3", "mixed.jsonl.gz:4 x.md",
                            "mixed.jsonl.gz:5 山东省坏编码条例.md"}
    assert "JSON" in reasons["mixed.jsonl.gz:2"]
    assert "标题" in reasons["mixed.jsonl.gz:4 x.md"]
    assert "UTF-8" in reasons["mixed.jsonl.gz:5 山东省坏编码条例.md"]
    assert summary.new_works == 2
    with store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(RecordFailure)) == 4
        assert {w.title for w in s.scalars(select(Work))} == {"山东省甲条例", "山东省乙条例"}


def test_store_error_on_one_record_keeps_everything_else(store, tmp_path, monkeypatch):
    path = tmp_path / "three.jsonl.gz"
    write_lines(path, [good_line("山东省甲条例"), good_line("山东省乙条例"), good_line("山东省丙条例")])
    import indexer.store.upsert as store_module

    real = store_module.content_hash

    def failing(text: str) -> str:
        if "山东省乙条例" in text:
            raise ValueError("磁盘已满 (simulated)")
        return real(text)

    monkeypatch.setattr(store_module, "content_hash", failing)
    _, summary = import_file(store, path)
    assert [ref for ref, _ in summary.failed] == ["山东省乙条例.md"]
    with store.sessions() as s:
        assert {w.title for w in s.scalars(select(Work))} == {"山东省甲条例", "山东省丙条例"}


def test_crash_half_way_loses_nothing_committed_and_rerun_completes(sqlite_store, tmp_path):
    path = tmp_path / "many.jsonl.gz"
    write_lines(path, [good_line(f"山东省第{i}号测试条例") for i in range(30)])
    report = lawrefbook.read_corpus(path)

    def crashing():
        for i, rec in enumerate(report.records):
            if i == 25:
                raise KeyboardInterrupt  # the operator pressed Ctrl-C
            yield rec

    with pytest.raises(KeyboardInterrupt):
        ingest(sqlite_store.sessions, lawrefbook.SOURCE, crashing(), batch_size=10)
    with sqlite_store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Work)) == 20  # two committed batches
    _, summary = import_file(sqlite_store, path)
    assert (summary.new_works, summary.unchanged) == (10, 20)
    with sqlite_store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Version)) == 30


@needs_corpus
def test_whole_corpus_acceptance_facts(sqlite_store):
    report, summary = import_file(sqlite_store, CORPUS)
    assert summary.failed == [] and len(report.skipped) == 2
    assert versions_of(sqlite_store, "道路运输条例") == [("2019", "amended"), ("2022", "amended"),
                                                       ("2023", "effective")]
    assert versions_of(sqlite_store, "立法法") == [("2015", "amended"), ("2023", "effective")]
    assert len(versions_of(sqlite_store, "反电信网络诈骗法")) == 1
    first = counts(sqlite_store)
    assert first["works"] > 3200 and first["articles"] > 140_000
    _, again = import_file(sqlite_store, CORPUS)
    assert again.new_versions == 0
    assert counts(sqlite_store) == first
