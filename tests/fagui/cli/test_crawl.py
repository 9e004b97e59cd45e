"""`fagui crawl` as an operator runs it: progress and the Chinese summary, JSON, the list of sources with
their last runs, an unknown source and a bad date said in Chinese."""

from __future__ import annotations

import json

from click.testing import CliRunner

from crawlers import registry
from fagui.cli.commands import cli
from tests.crawlers.fixture_site import FixtureSite
from tests.crawlers.site_source import Site, SiteSource, corpus_docs


def test_fagui_crawl_command_prints_progress_and_summary_and_lists_runs(tmp_path, monkeypatch):
    site = FixtureSite()
    s = Site(site)
    for doc in corpus_docs()[:3]:
        s.add_doc(doc)
    s.add_fault("missing", "/doc/missing.html", None)
    s.publish()
    with site:
        monkeypatch.setitem(registry.PROVIDERS, "fixture", lambda options: [SiteSource(site)])
        monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
        monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
        runner = CliRunner()
        result = runner.invoke(cli, ["crawl", "fixture", "--delay", "0"])
        assert result.exit_code == 0, result.output
        assert "新增 3" in result.output and "失败 1" in result.output and "not_found" in result.output
        assert "已处理 4" in result.stderr
        again = runner.invoke(cli, ["crawl", "fixture", "--delay", "0", "--json"])
        data = json.loads(again.stdout)
        assert data["unchanged"] == 3 and data["new"] == 0 and data["failures"][0]["code"] == "not_found"
        listed = runner.invoke(cli, ["crawl", "--list"])
        assert listed.exit_code == 0 and "fixture" in listed.output and "未变 3" in listed.output
        assert {"flk", "gov_policy", "files", "lawrefbook"} <= {line.split("\t")[0] for line in listed.stdout.splitlines()}
        unknown = runner.invoke(cli, ["crawl", "nosuch"])
        assert unknown.exit_code != 0 and "没有名为 nosuch 的来源" in unknown.output
        bad_date = runner.invoke(cli, ["crawl", "fixture", "--since", "不是日期"])
        assert bad_date.exit_code != 0 and "无法识别的日期" in bad_date.output


def test_a_broken_site_config_is_listed_as_skipped_and_the_other_sources_still_crawl(tmp_path, monkeypatch):
    from crawlers.sources import normative_library

    def broken(sites_dir=None) -> tuple:
        raise normative_library.SiteConfigError("bad.toml：站点配置缺少必填项：list")

    monkeypatch.setattr(normative_library, "load_sites", broken)
    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    listed = CliRunner().invoke(cli, ["crawl", "--list"])
    assert listed.exit_code == 0 and listed.stdout.startswith("flk\t")
    assert "（跳过 normative_library：来源模块 crawlers.sources.normative_library 加载失败（SiteConfigError: " \
           "bad.toml：站点配置缺少必填项：list），已跳过）" in listed.stderr


def test_dry_run_of_an_unknown_source_says_so_and_opens_no_store(tmp_path, monkeypatch):
    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["crawl", "nowhere", "--dry-run"])
    assert result.exit_code != 0 and "没有名为 nowhere 的来源" in result.output
    assert not (tmp_path / "fagui.db").exists()


def test_dry_run_reports_a_fixture_site_and_stores_nothing(tmp_path, monkeypatch):
    site = FixtureSite()
    s = Site(site)
    for doc in corpus_docs()[:2]:
        s.add_doc(doc)
    s.publish()
    with site:
        monkeypatch.setitem(registry.PROVIDERS, "fixture", lambda options: [SiteSource(site)])
        monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
        monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
        result = CliRunner().invoke(cli, ["crawl", "fixture", "--dry-run", "--delay", "0", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] and len(report["records"]) == 2 and all(r["ok"] for r in report["records"])
    assert not (tmp_path / "fagui.db").exists() and not (tmp_path / "warc").exists()
