"""`fagui import flk-snapshot` as a user runs it after the corpus: the bundled slice by default, a summary, a
second run that changes nothing, and a bad file named in Chinese."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fagui.cli.commands import cli
from fagui.settings import BUNDLED_FLK_SAMPLE, BUNDLED_SAMPLE


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    monkeypatch.setenv("FAGUI_CORPUS_PATH", str(BUNDLED_SAMPLE))
    # the bundled slice, not ../shared, whatever sits beside the checkout
    monkeypatch.setattr("fagui.settings.SHARED_FLK_SNAPSHOT", tmp_path / "absent.jsonl.gz")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def summary_of(output: str) -> dict:
    return json.loads(output[output.index("{"):])


def test_import_after_the_corpus_then_again(env):
    assert run("import", "lawrefbook").exit_code == 0
    first = run("import", "flk-snapshot", "--json")
    assert first.exit_code == 0, first.output
    one = summary_of(first.output)
    assert one["path"] == str(BUNDLED_FLK_SAMPLE) and one["failed"] == [] and one["seen"] == one["lines"]
    # most of the slice are texts the corpus holds: matched, their facts added; the rest added as versions
    assert one["unchanged"] > 100 and one["updated"] > 100 and one["new_versions"] > 10
    second = run("import", "flk-snapshot")
    assert second.exit_code == 0
    assert f"新增法规 0 件、版本 0 个，已有版本 {one['lines']} 个（其中核定信息有变化 0 个），失败 0 条" in second.output
    # the corpus imported again changes nothing either
    assert summary_of(run("import", "lawrefbook", "--json").output)["new_versions"] == 0
    found = run("works", "find", "道路运输条例", "--json")
    works = [w for w in json.loads(found.output) if w["title"] == "中华人民共和国道路运输条例"]
    assert len(works) == 1


def test_a_missing_or_broken_file_is_a_clear_error(env, tmp_path):
    missing = run("import", "flk-snapshot", str(tmp_path / "nope.jsonl.gz"))
    assert missing.exit_code == 1 and "找不到快照文件" in missing.output
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(b"not gzip at all")
    result = run("import", "flk-snapshot", str(broken))
    assert result.exit_code == 1 and "快照文件无法读取" in result.output
