"""`fagui check`, `fagui export` and `fagui import dump` as an operator runs them."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from fagui.cli.commands import cli
from fagui.settings import BUNDLED_SAMPLE


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    monkeypatch.delenv("FAGUI_ES_URL", raising=False)
    monkeypatch.setenv("FAGUI_CORPUS_PATH", str(BUNDLED_SAMPLE))
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def findings(result) -> dict[str, dict]:
    return {f["part"]: f for f in json.loads(result.output)}


def test_check_reports_a_sound_instance_and_each_fault(env, monkeypatch):
    result = run("check")
    assert result.exit_code == 1 and "fagui db upgrade" in result.output

    assert run("db", "upgrade").exit_code == 0
    assert run("import", "lawrefbook").exit_code == 0
    result = run("check", "--json")
    assert result.exit_code == 1
    assert findings(result)["search"]["level"] == "error"  # imported, not yet indexed

    assert run("index", "rebuild").exit_code == 0
    result = run("check", "--json")
    assert result.exit_code == 0, result.output
    found = findings(result)
    assert found["database"]["details"]["works"] > 300
    assert found["search"]["details"]["documents"] == found["search"]["details"]["expected"]
    assert found["outbox"]["details"]["pending"] == 0
    # imported, but the citations never read: a warning naming the fix (the batch check cannot tell a basis change)
    assert found["links"]["level"] == "warning" and "fagui links rebuild" in found["links"]["message"]
    assert "未建立引用关系" in run("check").output
    assert run("links", "rebuild").exit_code == 0
    assert findings(run("check", "--json"))["links"]["level"] == "ok"

    # the index directory lost: an error naming the fix
    index_dir = next((env / "tantivy").glob("index-*"))
    shutil.move(index_dir, env / "away")
    result = run("check")
    assert result.exit_code == 1 and "fagui index rebuild" in result.output
    shutil.move(env / "away", index_dir)

    # a database that cannot be reached
    monkeypatch.setenv("FAGUI_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    result = run("check")
    assert result.exit_code == 1 and "数据库无法连接" in result.output


def test_export_and_import_dump_commands(env, tmp_path, monkeypatch):
    run("db", "upgrade")
    run("import", "lawrefbook")
    dump = tmp_path / "store.jsonl.gz"
    result = run("export", str(dump))
    assert result.exit_code == 0 and "已导出" in result.output
    monkeypatch.setenv("FAGUI_DATABASE_URL", f"sqlite:///{tmp_path / 'copy.db'}")
    assert run("import", "dump", str(dump)).exit_code != 0  # not migrated yet: told what to do
    run("db", "upgrade")
    result = run("import", "dump", str(dump))
    assert result.exit_code == 0 and "一致" in result.output
    again = run("import", "dump", str(dump))
    assert again.exit_code != 0 and "不是空的" in again.output
