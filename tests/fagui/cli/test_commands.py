"""The `fagui` command line as a user runs it: setup, import, stats, works find, errors in Chinese."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from fagui.cli.commands import cli
from fagui.settings import BUNDLED_SAMPLE


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    monkeypatch.setenv("FAGUI_CORPUS_PATH", str(BUNDLED_SAMPLE))
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_stats_before_setup_says_what_to_do(env):
    result = run("stats")
    assert result.exit_code != 0
    assert "fagui db upgrade" in result.output


def test_upgrade_import_stats_and_find(env):
    assert run("db", "upgrade").exit_code == 0
    imported = run("import", "lawrefbook", "--json")
    assert imported.exit_code == 0, imported.output
    summary = json.loads(imported.output[imported.output.index("{"):])
    assert summary["path"] == str(BUNDLED_SAMPLE) and summary["new_works"] > 300
    # the sample's README.md and a private guide are no documents: skipped with a Chinese reason, no failure
    assert summary["failed"] == []
    assert summary["skipped"] == [
        {"record": f"{BUNDLED_SAMPLE.name}:1 README.md", "reason": "语料的说明文件（README），不是法规文件"},
        {"record": f"{BUNDLED_SAMPLE.name}:2 其他/劳动仲裁和劳动诉讼的攻略.md",
         "reason": "不是官方文件：《劳动仲裁和劳动诉讼的攻略》是个人撰写的指南（出自 https://github.com/CPdogson/996.law），"
                   "不作为法规或规范性文件导入"}]
    human = run("import", "lawrefbook")
    assert "跳过 2 条，失败 0 条" in human.output
    assert f"跳过：{BUNDLED_SAMPLE.name}:1 README.md：语料的说明文件（README），不是法规文件" in human.output
    assert "失败：" not in human.output

    stats = json.loads(run("stats", "--json").output)
    assert stats["works"] == summary["new_works"]
    assert set(stats["works_by_status"]) <= {"effective", "amended", "repealed", "expired", "not_yet_effective"}
    assert stats["works_by_region"]["全国"] > 0 and stats["works_by_region"]["山东省"] > 0
    assert stats["versions"] > stats["works"] and stats["articles"] > 10_000

    found = json.loads(run("works", "find", "道路运输条例", "--json").output)
    national = [w for w in found if w["region"] == "全国"]
    assert [w["title"] for w in national] == ["中华人民共和国道路运输条例"]
    assert [(v["published"], v["status"]) for v in national[0]["versions"]] == [
        ("2023-07-20", "effective"), ("2022-03-29", "amended"), ("2019-03-02", "amended")]

    human = run("works", "find", "立法法")
    assert "中华人民共和国立法法" in human.output and "现行有效" in human.output and "已修改" in human.output
    assert "没有标题包含" in run("works", "find", "并不存在的法规名称").output
    assert "按时效性：现行有效" in run("stats").output


def test_db_upgrade_says_what_it_did(env):
    from indexer.store.migrate import head_revision

    head = head_revision()
    created = run("db", "upgrade")
    assert created.exit_code == 0 and f"已建立数据库结构（版本 {head}）" in created.output
    assert "已是最新结构" not in created.output
    again = run("db", "upgrade")
    assert f"数据库已是最新结构（版本 {head}），无需升级" in again.output
    assert run("db", "upgrade", "--revision", "0004").exit_code == 0  # already past it: nothing applied
    from indexer.store.db import make_engine
    from indexer.store.migrate import downgrade

    engine = make_engine()
    downgrade(engine, "0003")
    engine.dispose()
    upgraded = run("db", "upgrade")
    assert f"已升级数据库结构：版本 0003 → {head}" in upgraded.output


def test_import_of_missing_file_is_a_clear_error(env, tmp_path):
    result = run("import", "lawrefbook", str(tmp_path / "nope.jsonl.gz"))
    assert result.exit_code != 0 and "找不到语料文件" in result.output


def test_flask_cli_reaches_the_same_commands(env):
    import importlib
    import sys

    sys.modules.pop("wsgi", None)
    wsgi = importlib.import_module("wsgi")
    assert {"db", "import", "stats", "works", "normalise"} <= set(wsgi.app.cli.commands)


def test_a_missing_blueprint_fails_at_start_up_with_its_name(env, monkeypatch):
    import sys

    import portal
    from portal import create_app

    monkeypatch.setitem(sys.modules, "portal.feeds", None)
    monkeypatch.delattr(portal, "feeds", raising=False)
    with pytest.raises(ImportError, match="portal.feeds"):
        create_app()


def test_index_and_search_from_the_command_line(env):
    assert run("db", "upgrade").exit_code == 0
    assert run("search", "安全").exit_code != 0  # no index yet: a clear message, not a traceback
    assert "fagui index rebuild" in run("search", "安全").output
    assert run("import", "lawrefbook").exit_code == 0
    rebuilt = run("index", "rebuild")
    assert rebuilt.exit_code == 0 and "已索引法规" in rebuilt.output
    assert "已同步变更 0 条" in run("index", "sync").output  # the rebuild covered the import's outbox rows

    result = json.loads(run("search", "道路交通安全法第九十一条", "--json").output)
    assert set(result) >= {"total", "took_ms", "hits", "facets"}
    hit = result["hits"][0]
    assert set(hit) >= {"work_id", "title", "doc_type", "region", "status", "published", "effective",
                        "issuing_bodies", "doc_number", "snippet", "articles"}
    assert result["direct"]["article"]["label"] == "第九十一条"

    filtered = json.loads(run("search", "条例", "--region", "山东", "--limit", "5", "--json").output)
    assert filtered["hits"] and {h["region"] for h in filtered["hits"]} == {"山东省"}
    old = json.loads(run("search", "道路运输条例", "--as-of", "2020-01-01", "--region", "全国", "--json").output)
    assert any(h["published"] == "2019-03-02" for h in old["hits"])

    human = run("search", "饮酒 驾驶")
    assert human.exit_code == 0 and "共" in human.output and "第" in human.output
    unknown = run("search", "国务院令第99999号")
    assert "提示：没有文号为“国务院令第99999号”的文件" in unknown.output
    # openings name decisions as 《关于修改<…>的决定》: printed as written, not as HTML
    listing = run("search", "", "--status", "all", "--doc-type", "法律", "--limit", "50")
    assert "《关于修改<" in listing.output and "&lt;" not in listing.output
    bad = run("search", "--", "-罚款")
    assert bad.exit_code != 0 and "排除" in bad.output
    assert run("search", "安全", "--as-of", "昨天").exit_code != 0
    assert "未知的时效性" in run("search", "安全", "--status", "valid").output


def test_search_with_elasticsearch_down_is_a_clear_error(env, monkeypatch):
    import socket

    with socket.socket() as probe:  # a port on this machine that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert run("db", "upgrade").exit_code == 0
    monkeypatch.setenv("FAGUI_ES_URL", f"http://127.0.0.1:{port}")
    result = run("search", "安全")
    assert result.exit_code != 0 and "搜索引擎暂时不可用" in result.output
    assert "Traceback" not in result.output


def test_export_creates_missing_directories_and_bad_paths_are_clear_errors(env, tmp_path):
    assert run("db", "upgrade").exit_code == 0
    nested = tmp_path / "backups" / "2024" / "store.jsonl.gz"
    result = run("export", str(nested))
    assert result.exit_code == 0, result.output
    assert nested.is_file() and f"已导出到 {nested}" in result.output

    into_dir = run("export", str(tmp_path / "dumps") + "/")  # a directory: a dated file inside it
    assert into_dir.exit_code == 0, into_dir.output
    [made] = (tmp_path / "dumps").iterdir()
    assert made.name.startswith("fagui-") and made.name.endswith(".jsonl.gz")
    again = run("export", str(tmp_path / "dumps"))  # an existing directory, without the slash
    assert again.exit_code == 0 and len(list((tmp_path / "dumps").iterdir())) == 2

    a_file = tmp_path / "plain.txt"
    a_file.write_text("x")
    under_file = run("export", str(a_file / "store.jsonl.gz"))
    assert under_file.exit_code == 1 and "无法创建目录" in under_file.output
    assert f"已有同名文件 {a_file}，不是目录" in under_file.output
    # /proc exists but takes no new files; the system says "no such file", which is not the reason
    unwritable = run("export", "/proc/fagui-test.jsonl.gz")
    assert unwritable.exit_code == 1 and "无法写入导出文件 /proc/fagui-test.jsonl.gz：" in unwritable.output
    assert "目录 /proc 存在，但不允许在其中新建文件或目录" in unwritable.output
    assert "目录不存在" not in unwritable.output
    for bad in (under_file, unwritable):
        assert "Traceback" not in bad.output and isinstance(bad.exception, SystemExit)
    assert not list(tmp_path.glob("**/*.part"))


def _permission_denied_dir(tmp_path):
    """A directory this process may not create files in: a read-only one in tmp_path, or where the tests run as
    root (whom chmod does not stop) /sys, which root cannot write either."""
    import os
    import stat
    from pathlib import Path

    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
        return locked
    probe = "/sys/fagui-probe.part"
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_WRONLY))
    except PermissionError:
        return Path("/sys")
    except OSError as exc:
        pytest.skip(f"running as root and /sys refuses files with {exc.strerror}, not a permission error")
    os.unlink(probe)
    pytest.skip("running as root and /sys is writable here: no directory to deny the permission")


def test_export_to_a_directory_without_write_permission_says_so(env, tmp_path):
    assert run("db", "upgrade").exit_code == 0
    locked = _permission_denied_dir(tmp_path)
    try:
        result = run("export", str(locked / "store.jsonl.gz"))
        assert result.exit_code == 1, result.output
        assert f"无法写入导出文件 {locked / 'store.jsonl.gz'}：没有写入权限" in result.output
        assert "目录不存在" not in result.output and "Traceback" not in result.output
        missing = run("export", str(tmp_path / "absent" / "x" / "store.jsonl.gz"))
        assert missing.exit_code == 0  # a directory that is missing is made, not an error
    finally:
        if locked.is_relative_to(tmp_path):
            locked.chmod(0o755)


@pytest.mark.parametrize("code, expected", [
    ("EACCES", "没有写入权限"), ("EPERM", "没有写入权限"), ("EROFS", "只读文件系统"), ("ENOSPC", "磁盘空间不足"),
    ("ENOTDIR", "路径中有一段不是目录"), ("EISDIR", "目标是一个目录"),
    ("EIO", "操作系统报告错误（EIO：Input/output error）"),
])
def test_export_write_errors_name_their_reason(code, expected):
    import errno

    from indexer.store.dump import os_error_text

    number = getattr(errno, code)
    assert os_error_text(OSError(number, "Input/output error" if code == "EIO" else "x")) == expected


def test_export_write_error_no_such_file_checks_the_directory(tmp_path):
    import errno

    from indexer.store.dump import os_error_text

    gone = tmp_path / "gone" / "store.jsonl.gz"
    assert os_error_text(OSError(errno.ENOENT, "No such file", str(gone))) == "目录不存在"
    there = tmp_path / "store.jsonl.gz"
    assert os_error_text(OSError(errno.ENOENT, "No such file"), there) == (
        f"目录 {tmp_path} 存在，但不允许在其中新建文件或目录（/proc 等虚拟文件系统即如此）")


def test_export_on_a_full_disk_says_so_and_leaves_no_part_file(env, tmp_path, monkeypatch):
    import errno
    import gzip

    assert run("db", "upgrade").exit_code == 0
    real_open = gzip.open

    class Full:
        def __init__(self, *args, **kwargs):
            self.inner = real_open(*args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.inner.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("indexer.store.dump.gzip.open", Full)
    result = run("export", str(tmp_path / "full" / "store.jsonl.gz"))
    assert result.exit_code == 1 and "：磁盘空间不足" in result.output
    assert not list(tmp_path.glob("full/*"))


@pytest.mark.parametrize("args, expected", [
    (["--bogus"], "错误：没有这个选项：--bogus"),
    (["stats", "--jsn"], "错误：没有这个选项：--jsn（是不是要用 --json？）"),
    (["export"], "错误：缺少参数 PATH"),
    (["serch", "安全"], "错误：没有这个命令：serch（是不是要用 search"),
    (["stats", "extra", "more"], "错误：多余的参数：extra more"),
    (["works", "find", "x", "--limit", "abc"], "错误：选项 --limit 的值无效：“abc”不是有效的整数"),
    (["works", "find", "x", "--limit", "0"], "错误：选项 --limit 的值无效：0 超出范围（1<=x<=1000）"),
    (["report", "counts", "--format", "pdf"], "错误：选项 --format 的值无效：“pdf”不是可选的值，可选：csv、xlsx、json"),
    (["search", "x", "--limit"], "错误：选项 --limit 后面需要一个值"),
    (["normalise", "/nonexistent/page.html"], "错误：参数 FILE 的值无效：文件“/nonexistent/page.html”不存在"),
])
def test_usage_errors_are_in_chinese_with_the_usage_line_and_status_2(env, args, expected):
    result = CliRunner().invoke(cli, args, prog_name="fagui")
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "用法：fagui" in result.output and "--help 查看帮助" in result.output
    for english in ("Usage:", "Error:", "No such", "Missing", "Invalid value", "Got unexpected", "Try '"):
        assert english not in result.output


def test_command_errors_say_错误_and_help_pages_are_chinese(env):
    failed = CliRunner().invoke(cli, ["import", "lawrefbook", "/nonexistent.jsonl.gz"], prog_name="fagui")
    assert failed.exit_code == 1 and failed.output.startswith("错误：找不到语料文件")
    top = CliRunner().invoke(cli, ["--help"], prog_name="fagui").output
    assert top.startswith("用法：fagui [选项] 命令 [参数]...") and "选项：" in top and "命令：" in top
    assert "显示本帮助并退出" in top and "Show this message" not in top
    import re

    from fagui.cli.commands import cli as group

    def walk(command, path):
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    for path, command in walk(group, []):
        page = CliRunner().invoke(cli, [*path, "--help"], prog_name="fagui").output
        assert page.startswith("用法："), path
        assert re.search(r"[\u4e00-\u9fff]", command.help or ""), f"fagui {' '.join(path)} has no Chinese help"
        for param in command.params:
            if isinstance(param, click.Option) and param.help:
                assert re.search(r"[\u4e00-\u9fff]", param.help), (path, param.name)
        assert "[default:" not in page and "Options:" not in page
    bare = CliRunner().invoke(cli, ["db"], prog_name="fagui")  # a group without its command: its help page
    assert "upgrade" in bare.output and "错误" not in bare.output


def test_an_import_is_listed_as_the_sources_last_run(env):
    """`fagui import lawrefbook` used to leave `fagui crawl --list` saying lawrefbook was never crawled."""
    from indexer.store.app_store import open_store
    from indexer.store.models import CrawlPage, CrawlRun

    assert run("db", "upgrade").exit_code == 0
    before = run("crawl", "--list").output
    assert next(line for line in before.splitlines() if line.startswith("lawrefbook")).endswith("从未抓取")
    imported = json.loads((out := run("import", "lawrefbook", "--json").output)[out.index("{"):])

    line = next(line for line in run("crawl", "--list").output.splitlines() if line.startswith("lawrefbook"))
    changed = imported["new_versions"] - imported["new_works"]
    assert "导入完成" in line and "从未抓取" not in line and "下线" not in line
    assert (f"新增 {imported['new_works']}，变化 {changed}，未变 {imported['unchanged']}，"
            f"失败 {len(imported['failed'])}") in line
    listed = json.loads(run("crawl", "--list", "--json").output)
    last = next(s for s in listed["sources"] if s["name"] == "lawrefbook")["last_run"]
    assert last["state"] == "imported" and last["new"] == imported["new_works"] and last["finished_at"]
    with open_store().sessions() as s:
        [stored] = s.query(CrawlRun).all()
        assert stored.listed == imported["seen"] and stored.failed == len(imported["failed"])
        assert [(f["ref"], f["reason"]) for f in stored.failures] == [
            (f["record"], f["reason"]) for f in imported["failed"]]
        assert s.query(CrawlPage).count() == 0
    assert "[正常] 采集：lawrefbook：lawrefbook 最近一次导入" in run("check").output

    # the next crawl of the source is a run of its own, not a continuation of the import
    crawled = json.loads(run("crawl", "lawrefbook", "--limit", "3", "--json").output)
    assert crawled["resumed"] is False and crawled["run_id"] == stored.id + 1
    line = next(line for line in run("crawl", "--list").output.splitlines() if line.startswith("lawrefbook"))
    assert "导入完成" not in line and "下线" in line


def test_an_interrupted_import_is_kept_as_an_abandoned_run(env, monkeypatch):
    import indexer.ingest.pipeline
    from indexer.store.app_store import open_store
    from indexer.store.models import CrawlRun

    assert run("db", "upgrade").exit_code == 0
    real = indexer.ingest.pipeline.upsert_record
    calls = [0]

    def stopping(session, record):
        calls[0] += 1
        if calls[0] > 250:
            raise KeyboardInterrupt
        return real(session, record)

    monkeypatch.setattr(indexer.ingest.pipeline, "upsert_record", stopping)
    result = CliRunner().invoke(cli, ["import", "lawrefbook"])
    assert isinstance(result.exception, KeyboardInterrupt) or result.exit_code != 0
    with open_store().sessions() as s:
        [stopped] = s.query(CrawlRun).all()
        assert stopped.state == "abandoned"
        assert stopped.new + stopped.changed + stopped.unchanged == 200  # the first batch, committed
    line = next(line for line in run("crawl", "--list").output.splitlines() if line.startswith("lawrefbook"))
    assert "已放弃" in line and f"新增 {stopped.new}，" in line


@pytest.mark.parametrize("how", ["truncated", "random"])
@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["stats"], ["works", "find", "法"]])
def test_a_damaged_database_file_is_a_chinese_error_at_start(env, how, command):
    from tests.indexer.store.test_damaged_file import damage

    assert run("db", "upgrade").exit_code == 0
    assert run("import", "lawrefbook").exit_code == 0
    damage(env / "fagui.db", how)
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("错误：数据库文件") and "无法读取" in result.output  # before: an English traceback
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_damaged_page_met_while_a_command_runs_is_a_chinese_error():
    import sqlite3

    from sqlalchemy.exc import DatabaseError

    from fagui.cli.click_zh import ChineseCommand

    @click.command(cls=ChineseCommand)
    def reads() -> None:
        error = sqlite3.DatabaseError("database disk image is malformed")
        error.sqlite_errorcode = 11  # type: ignore[attr-defined]
        raise DatabaseError("select", {}, error)

    result = CliRunner().invoke(reads, [])
    assert result.exit_code == 1 and result.output.startswith("错误：数据库文件无法读取")
    assert "malformed" in result.output
