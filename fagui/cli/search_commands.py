"""`fagui index` and `fagui search`: the search index and queries from the command line."""

from __future__ import annotations

import sys

import click

from fagui.cli.click_zh import ChineseCommand, ChineseGroup
from fagui.cli.common import date_option, echo_json, open_store, search_backend


@click.group("index", cls=ChineseGroup)
def index_group() -> None:
    """检索索引：重建与同步。"""


@index_group.command("rebuild")
def index_rebuild() -> None:
    """把数据库中的全部法规建成新索引，完成后检索切换到新索引。"""
    import time

    from indexer.search.index_docs import all_work_ids
    from indexer.search.indexing import rebuild

    store = open_store()
    backend = search_backend(store)
    started = time.perf_counter()
    with store.sessions() as session:
        total = len(all_work_ids(session))
    with click.progressbar(length=total, label="重建索引", file=sys.stderr) as bar:
        summary = rebuild(store.sessions, backend, on_progress=bar.update)
    click.echo(f"已索引法规 {summary.works} 件、文档 {summary.documents} 个（{backend.name}），"
               f"用时 {time.perf_counter() - started:.1f} 秒")


@index_group.command("sync")
def index_sync() -> None:
    """把待同步队列（outbox）中记录的变更写入索引。"""
    from indexer.search.indexing import sync

    store = open_store()
    summary = sync(store.sessions, search_backend(store))
    click.echo(f"已同步变更 {summary.events} 条，涉及法规 {summary.works} 件")


@click.command("search", cls=ChineseCommand)
@click.argument("query", required=False, default="")
@click.option("--status", "statuses", multiple=True, help="时效性 (effective, amended, repealed, ...; 'all' for any)")
@click.option("--doc-type", "doc_types", multiple=True, help="效力级别, e.g. 法律, 地方性法规")
@click.option("--region", "regions", multiple=True, help="行政区划, e.g. 全国, 山东省")
@click.option("--body", help="制定机关 (includes its sub-bodies)")
@click.option("--as-of", "as_of", help="时点：在该日期有效的文本")
@click.option("--published-from", help="公布日期起")
@click.option("--published-to", help="公布日期止")
@click.option("--effective-from", help="施行日期起")
@click.option("--effective-to", help="施行日期止")
@click.option("--sort", default="relevance", show_default=True, help="排序：relevance 相关度、published 公布日期等")
@click.option("--page", default=1, show_default=True, type=int, help="页码")
@click.option("--limit", default=10, show_default=True, type=int, help="每页条数")
@click.option("--fuzzy", is_flag=True, help="模糊检索：按词匹配，不要求原文连续（默认精确检索）")
@click.option("--region-code", "region_codes", multiple=True, help="GB/T 2260 代码（含下级），如 410100；000000 为国家法律法规")
@click.option("--no-national", is_flag=True, help="部署为某地区（FAGUI_REGION）时不含国家法律法规")
@click.option("--all-regions", is_flag=True, help="部署为某地区时也检索其他地区")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果")
def search_cmd(query: str, statuses, doc_types, regions, body, as_of, published_from, published_to,
               effective_from, effective_to, sort, page, limit, fuzzy, region_codes, no_national, all_regions,
               as_json) -> None:
    """全文检索：在法规及其条文中检索。"""
    from fagui.regions import NATIONAL
    from fagui.vocabulary import STATUSES
    from indexer.search.service import SearchParams, search

    store = open_store()
    chosen = tuple(STATUSES) if "all" in statuses else (tuple(statuses) or ("effective",))
    deployed = store.settings.region_code  # FAGUI_REGION: the same default scope as the site
    scope = () if deployed is None or all_regions else (deployed,) if no_national else (deployed, NATIONAL)
    params = SearchParams(
        q=query, statuses=chosen, doc_types=tuple(doc_types), regions=tuple(regions), body=body,
        scope_codes=scope, region_codes=tuple(region_codes),
        as_of=date_option(as_of, "--as-of"),
        published_from=date_option(published_from, "--published-from"),
        published_to=date_option(published_to, "--published-to"),
        effective_from=date_option(effective_from, "--effective-from"),
        effective_to=date_option(effective_to, "--effective-to"),
        sort=sort, page=page, per_page=limit, mode="fuzzy" if fuzzy else "exact",
    )
    with store.sessions() as session:
        result = search(session, search_backend(store), params)
    if as_json:
        echo_json(result.to_json())
        return
    import html as html_lib
    import re

    from indexer.search.results import ArticleAnswer

    def plain(snippet: str) -> str:
        return html_lib.unescape(re.sub(r"</?mark>", "", snippet))

    for warning in result.warnings:
        click.echo(f"提示：{warning}")
    d = result.direct
    if d is not None:
        click.echo(f"直达：{d.title} " + (d.article.label if isinstance(d, ArticleAnswer) else ""))
        if isinstance(d, ArticleAnswer):
            click.echo(f"    {d.article.text}")
    click.echo(f"共 {result.total} 件（{result.took_ms} 毫秒）")
    for hit in result.hits:
        click.echo(f"{hit.title}  [{hit.status_label} · {hit.doc_type} · {hit.region}]  {hit.work_id}")
        click.echo(f"    {plain(hit.snippet)}")
        for art in hit.articles:
            click.echo(f"    {art.label}：{plain(art.snippet)}")

COMMANDS = [index_group, search_cmd]
