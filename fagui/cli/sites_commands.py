"""`fagui sites`: the site configs of the 规范性文件库 sources (the package's and the operator's folder,
FAGUI_SITES_DIR or --sites-dir), listed with what is wrong with the broken ones, and checked by a dry run."""

from __future__ import annotations

import json
from pathlib import Path

import click

from fagui.cli.click_zh import ChineseGroup
from fagui.settings import load_settings

_SITES_DIR = click.option("--sites-dir", type=click.Path(file_okay=False, path_type=Path),
                          help="站点配置目录（<站点>.toml），覆盖 FAGUI_SITES_DIR")


@click.group("sites", cls=ChineseGroup)
def sites_group() -> None:
    """站点配置（规范性文件库）：列出与检查。"""


@sites_group.command("list")
@_SITES_DIR
def sites_list(sites_dir: Path | None) -> None:
    """列出全部站点配置及其文件；有误的配置列出原因（其他站点照常可用）。"""
    from crawlers.sources.normative_library import load_sites, site_paths

    sites_dir = sites_dir or load_settings().sites_dir
    found, broken = load_sites(sites_dir)
    paths = site_paths(None) if "sites_dir" in broken else site_paths(sites_dir)
    for site, path in paths.items():
        name = f"norms-{site}"
        if name in found:
            click.echo(f"{name}\t{found[name].title}\t{found[name].base_url}\t{path}")
        else:
            click.echo(f"{name}\t有误\t{broken.get(name, '')}")
    if "sites_dir" in broken:
        click.echo(broken["sites_dir"], err=True)
    if broken:
        raise SystemExit(1)


@sites_group.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="覆盖目录中同名的站点配置")
@_SITES_DIR
def sites_add(file: Path, force: bool, sites_dir: Path | None) -> None:
    """把站点配置 FILE（<站点>.toml）检查后放入站点配置目录（FAGUI_SITES_DIR 或 --sites-dir）；
    有误的配置不会放入。之后 `fagui crawl norms-<站点>` 即可抓取。"""
    import shutil

    from crawlers.sources.normative_library import SiteConfigError, read_config

    target_dir = sites_dir or load_settings().sites_dir
    if target_dir is None:
        raise click.ClickException("没有站点配置目录：请设置 FAGUI_SITES_DIR 或使用 --sites-dir")
    if file.suffix != ".toml":
        raise click.ClickException(f"站点配置必须是 .toml 文件：{file}")
    try:
        config = read_config(file)
    except SiteConfigError as exc:
        raise click.ClickException(f"{exc}（未放入）") from exc
    target = Path(target_dir) / file.name
    if target.exists() and not force:
        raise click.ClickException(f"{target} 已存在（--force 覆盖）")
    Path(target_dir).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(file, target)
    click.echo(f"已添加站点 norms-{config.site}（{config.title}）：{target}")


@sites_group.command("check")
@click.argument("name")
@click.option("--url", help="用这个详情页代替列表的第一条")
@click.option("--base-url", help="改用另一个网址（镜像、测试站）")
@click.option("--delay", type=click.FloatRange(0), default=1.0, show_default=True, help="两次请求之间的间隔秒数")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@_SITES_DIR
def sites_check(name: str, url: str | None, base_url: str | None, delay: float, as_json: bool,
                sites_dir: Path | None) -> None:
    """检查站点配置 NAME（站点名或 .toml 文件）：先检查配置本身（未知配置项、标签目标字段、选择器写法、
    必填项），再抓取一页列表和一个详情页，列出解析出的字段和缺少的字段。有误时退出码为 1。"""
    from crawlers.site_check import check_site
    from crawlers.sources.normative_library import SiteConfigError

    try:
        result = check_site(name, sites_dir=sites_dir or load_settings().sites_dir, base_url=base_url, url=url,
                            fetcher_options={"delay": delay})
    except SiteConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        for line in result.lines():
            click.echo(line)
    if not result.ok:
        raise SystemExit(1)


COMMANDS = [sites_group]
