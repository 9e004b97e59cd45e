"""Crawling as an operator runs it (issue 16): a city library of our own (tests/crawlers/operator_site.py)
served over real HTTP, configured from outside the package (FAGUI_SITES_DIR), checked by `fagui sites check`,
crawled with every field exact and searchable at once; a page removed is recorded gone; a list that drifts
(a redesign) fails the run and marks nothing gone; a broken config takes down only itself."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from fagui.cli.commands import cli
from tests.crawlers import operator_site as city
from tests.crawlers.fixture_site import FixtureSite


@pytest.fixture
def operator(tmp_path, monkeypatch):
    sites = tmp_path / "sites"
    sites.mkdir()
    shutil.copy(city.CONFIG, sites / "haizhou.toml")
    site = FixtureSite()
    city.publish(site)
    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FAGUI_SITES_DIR", str(sites))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    monkeypatch.delenv("FAGUI_ES_URL", raising=False)
    with site:
        yield site, sites


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_a_site_configured_from_outside_the_package_is_checked_crawled_exactly_and_searchable(operator):
    site, sites = operator
    base = ["--base-url", site.base_url]
    checked = run("sites", "check", "haizhou", "--delay", "0", *base)
    assert checked.exit_code == 0, checked.output
    assert "配置检查通过" in checked.output and "列表第 1 页" in checked.output and "2 条" in checked.output
    assert "文号：海政规〔2024〕3号" in checked.output and "有效期至：2029-03-31" in checked.output
    assert "未找到：无" in checked.output

    crawled = run("crawl", "norms-haizhou", "--delay", "0", "--json", *base)
    assert crawled.exit_code == 0, crawled.output
    summary = json.loads(crawled.stdout)
    assert summary["state"] == "finished" and summary["new"] == 4 and summary["failed"] == 0, summary
    assert summary["index"]["updated"] is True and summary["index"]["works"] == 4

    found = run("search", "既有住宅加装电梯", "--status", "all", "--json")
    assert found.exit_code == 0, found.output
    hits = json.loads(found.stdout)["hits"]
    assert hits and hits[0]["title"] == "海州市既有住宅加装电梯实施意见"  # the page declared UTF-8, sent in GBK
    expired = run("works", "find", "餐厨垃圾", "--json")
    work = json.loads(expired.stdout)[0]
    version = work["versions"][0]
    assert version["doc_number"] == "海政规〔2018〕2号" and version["published"] == "2018-01-25"
    assert version["effective"] == "2018-03-01" and version["source_status"] == "失效"
    assert work["status"] == "expired" and work["issuing_bodies"] == ["海州市人民政府"]

    # a document taken off the site: the complete list no longer names it, it is recorded gone
    city.publish(site, city.DOCS[:3])
    again = run("crawl", "norms-haizhou", "--delay", "0", "--json", *base)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["gone"] == 1
    report = run("crawl", "--gone")
    assert report.exit_code == 0 and "norms-haizhou" in report.output and "art_1004.html" in report.output
    gone_id = json.loads(run("works", "find", "人才公寓", "--json").stdout)[0]["work_id"]
    from portal import create_app

    client = create_app(testing=True).test_client()
    api = client.get(f"/api/v1/works/{gone_id}").get_json()
    assert api["source_gone"][0]["label"].startswith("来源页面已下线（")
    page = client.get(f"/works/{gone_id}").get_data(as_text=True)
    assert "来源页面已下线" in page and "art_1004.html" in page

    # a redesign: the list's table has another class, the rows selector finds nothing
    city.publish(site, city.DOCS[:3], rows_class="list-new")
    drifted = run("crawl", "norms-haizhou", "--delay", "0", *base)
    assert drifted.exit_code == 1
    assert "未完成（列表未走完）" in drifted.output and "下线 0" in drifted.output
    assert "没有任何条目" in drifted.output
    listed = run("crawl", "--list")
    assert "未完成（列表未走完）" in listed.output


def test_a_list_page_missing_without_a_missing_pagination_is_an_incomplete_run(operator):
    site, sites = operator
    config = (sites / "haizhou.toml").read_text(encoding="utf-8").replace('pagination = "missing"\n', "")
    (sites / "haizhou.toml").write_text(config, encoding="utf-8")
    result = run("crawl", "norms-haizhou", "--delay", "0", "--base-url", site.base_url)
    assert result.exit_code == 1
    assert "列表未能走完，未标记下线" in result.output and "未完成" in result.output


def test_config_mistakes_are_found_before_any_request_and_a_broken_file_takes_down_only_itself(operator):
    site, sites = operator
    good = (sites / "haizhou.toml").read_text(encoding="utf-8")
    (sites / "typos.toml").write_text(
        good.replace('"效力状态" = "status"', '"效力状态" = "statsu"').replace("rows = ", "row = ")
        .replace('text = "div.TRS_Editor"', 'text = "div.TRS_Editor["'), encoding="utf-8")
    (sites / "syntax.toml").write_text(good.replace('title = "海州', 'title = 海州'), encoding="utf-8")
    checked = run("sites", "check", "typos", "--base-url", site.base_url)
    assert checked.exit_code == 1
    assert "未发出任何请求" in checked.output and "“效力状态” = “statsu”" in checked.output
    assert "未知的配置项：row" in checked.output and "div.TRS_Editor[" in checked.output
    assert site.hits() == []
    listed = run("crawl", "--list")
    assert listed.exit_code == 0 and "norms-haizhou" in listed.stdout
    assert str(sites / "syntax.toml") in listed.stderr and "TOML 格式有误" in listed.stderr
    sites_listed = run("sites", "list")
    assert sites_listed.exit_code == 1 and "norms-typos\t有误" in sites_listed.output
    crawled = run("crawl", "norms-haizhou", "--delay", "0", "--base-url", site.base_url)
    assert crawled.exit_code == 0 and "新增 4" in crawled.output
    broken = run("crawl", "norms-syntax")
    assert broken.exit_code != 0 and "TOML 格式有误" in broken.output


@pytest.mark.parametrize("site_name", ["jiaxing", "guangdong"])
def test_sites_check_reads_the_packaged_sites_saved_examples(tmp_path, monkeypatch, site_name):
    from tests.crawlers.sources.example_site import EXAMPLES

    monkeypatch.delenv("FAGUI_SITES_DIR", raising=False)
    site = FixtureSite()
    site.serve_examples(EXAMPLES / "normative_library" / site_name)
    with site:
        checked = run("sites", "check", site_name, "--delay", "0", "--base-url", site.base_url, "--json")
    assert checked.exit_code == 0, checked.output
    result = json.loads(checked.stdout)
    assert result["ok"] and result["rows"] > 0 and result["found"]["title"] and result["text_chars"] > 20


def test_sites_add_puts_only_a_checked_config_into_the_operator_folder(operator, tmp_path):
    site, sites = operator
    draft = tmp_path / "newcity.toml"
    draft.write_text(city.CONFIG.read_text(encoding="utf-8").replace("rows = ", "row = "), encoding="utf-8")
    refused = run("sites", "add", str(draft))
    assert refused.exit_code == 1 and "未知的配置项：row" in refused.output and "未放入" in refused.output
    assert not (sites / "newcity.toml").exists()
    draft.write_text(city.CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    added = run("sites", "add", str(draft))
    assert added.exit_code == 0 and "已添加站点 norms-newcity" in added.output
    assert run("sites", "add", str(draft)).exit_code == 1  # already there, no --force
    crawled = run("crawl", "norms-newcity", "--delay", "0", "--base-url", site.base_url)
    assert crawled.exit_code == 0 and "新增 4" in crawled.output
