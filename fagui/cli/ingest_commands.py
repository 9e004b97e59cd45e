"""`fagui import` and `fagui crawl`: records from a corpus, a dump or a crawled source into the store."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from fagui.cli.click_zh import ChineseCommand, ChineseGroup
from fagui.cli.common import date_option, echo_json, open_store

# At the top, not in the command: a missing or broken source module stops `fagui` at start-up, named.
from fagui.cli.crawl import crawl_dry_run, crawl_gone, crawl_list, crawl_source, index_line, update_index
from indexer.ingest.pipeline import IngestSummary
from indexer.store.app_store import Store


@click.group("import", cls=ChineseGroup)
def import_group() -> None:
    """导入：从语料或文件导入法规。"""


@import_group.command("lawrefbook")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出摘要")
@click.option("--no-index", is_flag=True, help="导入后不更新检索索引（之后需运行 fagui index sync）")
def import_lawrefbook(path: Path | None, as_json: bool, no_index: bool) -> None:
    """导入 LawRefBook 语料（PATH：.jsonl 或 .jsonl.gz）。不给 PATH 时依次使用 FAGUI_CORPUS_PATH、
    代码目录旁的共享语料或自带的样例。已建立的检索索引随后即更新。"""
    import time
    from dataclasses import replace

    from crawlers.sources import lawrefbook
    from fagui.settings import default_corpus_path
    from indexer.ingest.pipeline import ingest
    from indexer.store.models import utcnow

    store = open_store(migrate=True)
    path = path or default_corpus_path(store.settings)
    if not path.exists():
        raise click.ClickException(f"找不到语料文件：{path}")
    started, started_at = time.perf_counter(), utcnow()
    report = lawrefbook.read_corpus(path)
    committed = [IngestSummary()]  # the counts as of the last commit, for a run stopped half-way
    with click.progressbar(length=len(report.records), label=f"导入 {path.name}", file=sys.stderr) as bar:
        done = [0]

        def progress(summary: IngestSummary) -> None:
            bar.update(summary.seen - done[0])
            done[0] = summary.seen
            committed[0] = replace(summary, failed=list(summary.failed))

        try:
            summary = ingest(
                store.sessions,
                lawrefbook.SOURCE,
                report.records,
                report.errors,
                source_fields={"title": lawrefbook.SOURCE_TITLE, "kind": "corpus"},
                on_progress=progress,
            )
        except BaseException:
            _record_import(store, lawrefbook.SOURCE, path, started_at, committed[0], len(report.errors), "abandoned")
            raise
        bar.update(summary.seen - done[0])
    _record_import(store, lawrefbook.SOURCE, path, started_at, summary, len(report.errors))
    result = {"path": str(path), "lines": report.lines, "merged_part_files": report.merged_parts,
              "skipped": [{"record": e.ref, "reason": e.reason} for e in report.skipped],
              **summary.as_dict(), "seconds": round(time.perf_counter() - started, 2)}
    result["index"] = update_index(store, only_built=True) if not no_index else {"updated": False, "skipped": True}
    if as_json:
        echo_json(result)
        return
    click.echo(index_line(result["index"]))
    click.echo(
        f"读取 {result['lines']} 行，新增法规 {summary.new_works} 件、版本 {summary.new_versions} 个，"
        f"未变化 {summary.unchanged} 个，跳过 {len(report.skipped)} 条，失败 {len(summary.failed)} 条，"
        f"用时 {result['seconds']} 秒"
    )
    for ref, reason in summary.failed:
        click.echo(f"  失败：{ref}：{reason}", err=True)
    for skipped in report.skipped:  # no documents (the corpus's README, a private guide): not failures
        click.echo(f"  跳过：{skipped.ref}：{skipped.reason}", err=True)


@import_group.command("flk-snapshot")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出摘要")
def import_flk_snapshot(path: Path | None, as_json: bool) -> None:
    """导入国家法律法规数据库快照（PATH：.jsonl 或 .jsonl.gz，每行一个版本）。与已有文本属于同一法规的记录并入该法规，
    同一版本按公布日期和正文对应，日期和时效性按来源优先级核定并保留各来源的说法。不给 PATH 时使用代码目录旁的
    共享快照或自带的样例切片。再次运行不作任何改动。"""
    import time

    from crawlers.sources import flk_snapshot
    from fagui.records import RecordError
    from fagui.settings import default_flk_snapshot_path
    from indexer.ingest.pipeline import ingest
    from indexer.store.models import utcnow

    store = open_store(migrate=True)
    path = path or default_flk_snapshot_path()
    if not path.exists():
        raise click.ClickException(f"找不到快照文件：{path}")
    started, started_at = time.perf_counter(), utcnow()
    try:
        report = flk_snapshot.read_snapshot(path)
    except RecordError as exc:
        raise click.ClickException(exc.reason) from None
    try:
        summary = ingest(store.sessions, flk_snapshot.NAME, report.records, report.errors,
                         source_fields={"title": flk_snapshot.TITLE, "kind": "snapshot",
                                        "base_url": "https://flk.npc.gov.cn"})
    except BaseException:
        _record_import(store, flk_snapshot.NAME, path, started_at, IngestSummary(), len(report.errors), "abandoned")
        raise
    _record_import(store, flk_snapshot.NAME, path, started_at, summary, len(report.errors))
    result = {"path": str(path), "lines": report.lines, **summary.as_dict(),
              "seconds": round(time.perf_counter() - started, 2)}
    if as_json:
        echo_json(result)
        return
    click.echo(
        f"读取 {report.lines} 行，新增法规 {summary.new_works} 件、版本 {summary.new_versions} 个，"
        f"已有版本 {summary.unchanged} 个（其中核定信息有变化 {summary.updated} 个），"
        f"失败 {len(summary.failed)} 条，用时 {result['seconds']} 秒"
    )
    for ref, reason in summary.failed:
        click.echo(f"  失败：{ref}：{reason}", err=True)


def _record_import(store: Store, source: str, path: Path, started_at: datetime, summary: IngestSummary,
                   parse_errors: int, state: str = "imported") -> None:
    """The import as a run of its source (indexer.ingest.crawl_state.record_import): `fagui crawl --list`
    shows it."""
    from indexer.ingest.crawl_state import record_import

    failures = [{"ref": ref, "url": str(path), "code": "parse" if i < parse_errors else "record", "reason": reason}
                for i, (ref, reason) in enumerate(summary.failed)]
    with store.sessions() as session:
        record_import(session, source, started_at=started_at, listed=summary.seen + parse_errors,
                      new=summary.new_works, changed=summary.new_versions - summary.new_works,
                      unchanged=summary.unchanged, failures=failures, state=state)


@import_group.command("dump")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_dump(path: Path) -> None:
    """把 `fagui export` 的导出文件载入本数据库（已迁移且为空），并核对每张表的行数和内容摘要。
    从 SQLite 迁到 PostgreSQL：先导出，再 FAGUI_DATABASE_URL=postgresql://... fagui db upgrade && fagui import
    dump FILE && fagui index rebuild。"""
    from indexer.store.db import make_engine
    from indexer.store.dump import import_store

    engine = make_engine()
    summary = import_store(engine, path)
    for name, t in summary.tables.items():
        click.echo(f"{name}: {t.count} 行  {t.digest[:16]}  一致")
    click.echo("导入完成，行数和内容摘要与导出文件一致。请运行 `fagui index rebuild` 建立检索索引。")


@click.command("crawl", cls=ChineseCommand)
@click.argument("source_name", metavar="SOURCE", required=False)
@click.option("--list", "list_sources", is_flag=True, help="列出来源及其最近一次抓取 (list sources and last runs).")
@click.option("--since", help="只抓取该日期以后的文件，例如 2024-01-01")
@click.option("--limit", type=click.IntRange(1), help="本次最多处理的文件数")
@click.option("--delay", type=click.FloatRange(0), help="同一网站两次请求之间的间隔秒数（默认 1 秒）")
@click.option("--from-archive", is_flag=True, help="从 WARC 存档重新解析，不联网")
@click.option("--restart", is_flag=True, help="放弃未完成的抓取，重新开始")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出摘要")
@click.option("--sites-dir", type=click.Path(file_okay=False, path_type=Path),
              help="站点配置目录（<站点>.toml），覆盖 FAGUI_SITES_DIR")
@click.option("--base-url", help="改用另一个网址抓取该站点（镜像、测试站），只用于站点配置的来源 norms-*")
@click.option("--no-index", is_flag=True, help="抓取后不更新检索索引（之后需运行 fagui index sync）")
@click.option("--gone", "list_gone", is_flag=True, help="列出已下线的来源页面（完整抓取时网站不再列出）")
@click.option("--dry-run", is_flag=True, help="试运行：联网取列表前几条并解析，报告结果；不保存、不存档（首次抓取前先运行）")
def crawl_cmd(source_name, list_sources, since, limit, delay, from_archive, restart, as_json, sites_dir, base_url,
              no_index, list_gone, dry_run) -> None:
    """抓取：运行一个来源 SOURCE（其未完成的抓取会继续），然后更新检索索引。列表未走完时退出码为 1。"""
    if dry_run and source_name:
        crawl_dry_run(source_name, since=date_option(since, "--since"), entries=limit or 3,
                      delay=1.0 if delay is None else delay, as_json=as_json)
        return
    store = open_store(migrate=True)
    if list_gone:
        crawl_gone(store, as_json)
        return
    if list_sources or not source_name:
        crawl_list(store, as_json, sites_dir)
        return
    crawl_source(store, source_name, since=date_option(since, "--since"), limit=limit, delay=delay,
                 from_archive=from_archive, restart=restart, as_json=as_json, sites_dir=sites_dir,
                 base_url=base_url, index=not no_index)


COMMANDS = [import_group, crawl_cmd]
