"""What `fagui crawl` does, kept here so the command line module stays a thin list of commands.

This is where crawlers meet the store: the registry's sources get their paths from the settings, and the
runner is handed the store's sink (indexer.ingest.crawl_state.StoreSink)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from crawlers.registry import Registry, SourceOptions, UnknownSource
from crawlers.runner import Runner, RunSummary
from crawlers.sources.base import Source
from fagui.settings import Settings, default_corpus_path, load_settings
from indexer.ingest.crawl_state import StoreSink, last_runs
from indexer.store.app_store import Store

RUN_STATE_LABELS = {"finished": "完成", "interrupted": "中断", "running": "未完成", "abandoned": "已放弃",
                    "incomplete": "未完成（列表未走完）",
                    "imported": "导入完成"}


def source_registry(settings: Settings, sites_dir: Path | None = None) -> Registry:
    """The sources, with the paths the settings name (FAGUI_FILES_PATH, the corpus, FAGUI_SITES_DIR; a
    `--sites-dir` given on the command line wins)."""
    return Registry(SourceOptions(files_path=settings.files_path, corpus_path=default_corpus_path(settings),
                                  sites_dir=sites_dir or settings.sites_dir))


def update_index(store: Store, only_built: bool = False) -> dict[str, Any]:
    """Drain the outbox into the search index at the end of a crawl or an import, so new texts are searchable
    at once; when the engine cannot be reached the changes stay queued and the answer says so. only_built:
    an index never built is left for `fagui index rebuild` (a first import), and the answer says so."""
    from fagui.cli.common import search_backend
    from indexer.search.indexing import sync

    try:
        backend = search_backend(store)
        try:
            if only_built and backend.count() == 0:
                return {"updated": False, "reason": "检索索引尚未建立，请运行 `fagui index rebuild`"}
            summary = sync(store.sessions, backend)
        finally:
            backend.close()
    except Exception as exc:  # noqa: BLE001 - the store has the records; only the index lags, and we say so
        return {"updated": False, "reason": f"{type(exc).__name__}: {exc}"[:300]}
    return {"updated": True, "events": summary.events, "works": summary.works}


def index_line(result: dict[str, Any]) -> str:
    if result.get("skipped"):
        return "检索索引未更新（--no-index）：新文件要到 `fagui index sync` 之后才能检索到"
    if result["updated"]:
        return f"检索索引已更新：同步变更 {result['events']} 条，涉及法规 {result['works']} 件，新文件现在即可检索"
    return (f"检索索引未更新（{result['reason']}）：变更仍在待同步队列中，"
            "请在检索引擎恢复后运行 `fagui index sync`")


def crawl_into(store: Store, source: Source, **options: Any) -> RunSummary:
    """One run of `source` into `store` (options: those of crawlers.runner.Runner)."""
    return Runner(StoreSink(store.sessions), source, data_dir=store.settings.data_dir, **options).run()


def crawl_list(store: Store, as_json: bool = False, sites_dir: Path | None = None) -> None:
    """Every registered source with its hosts and its last run; site configs that could not load, with why."""
    registry = source_registry(store.settings, sites_dir)
    sources = registry.all()
    rows: list[dict[str, Any]] = []
    with store.sessions() as session:
        runs = last_runs(session)
        for source in sources:
            run = runs.get(source.name)
            rows.append({
                "name": source.name, "title": getattr(source, "title", ""),
                "hosts": list(getattr(source, "hosts", ()) or ()),
                "last_run": None if run is None else {
                    "id": run.id, "state": run.state, "started_at": run.started_at,
                    "finished_at": run.finished_at, "new": run.new, "changed": run.changed,
                    "unchanged": run.unchanged, "failed": run.failed, "gone": run.gone},
            })
    problems = registry.problems()
    if as_json:
        click.echo(json.dumps({"sources": rows, "skipped": problems}, ensure_ascii=False, indent=2, default=str))
        return
    if not rows:
        click.echo("没有可用的来源")
    for row in rows:
        click.echo(f"{row['name']}\t{row['title']}\t{_last_run_line(row['last_run'])}")
    for key, why in problems.items():
        click.echo(f"（跳过 {key}：{why}）", err=True)


def crawl_gone(store: Store, as_json: bool = False) -> None:
    """The report of source pages a complete crawl no longer found (来源页面已下线), newest first."""
    from indexer.store.documents import gone_pages

    with store.sessions() as session:
        pages = gone_pages(session)
    if as_json:
        click.echo(json.dumps([p.to_json() for p in pages], ensure_ascii=False, indent=2))
        return
    if not pages:
        click.echo("没有已下线的来源页面")
    for page in pages:
        click.echo(f"{page.gone_on}\t{page.source}\t{page.url}")


def _last_run_line(run: dict[str, Any] | None) -> str:
    if run is None:
        return "从未抓取"
    state = RUN_STATE_LABELS.get(run["state"], run["state"])
    when = run["finished_at"] or run["started_at"]
    last = (f"最近一次 {when:%Y-%m-%d %H:%M} {state}：新增 {run['new']}，变化 {run['changed']}，"
            f"未变 {run['unchanged']}，失败 {run['failed']}")
    if run["state"] != "imported":  # an import reads a file: nothing is found gone by it
        last += f"，下线 {run['gone']}"
    return last


def crawl_source(store: Store, name: str, *, since: date | None, limit: int | None, delay: float | None,
                 from_archive: bool, restart: bool, as_json: bool, sites_dir: Path | None = None,
                 base_url: str | None = None, index: bool = True) -> None:
    """One run of a source, its summary, the index brought up to date; exit status 1 when the list was not
    walked to its end (the run is incomplete: nothing was marked gone)."""
    registry = source_registry(store.settings, sites_dir)
    try:
        source = registry.rebased(name, base_url) if base_url else registry.get(name)
    except UnknownSource as exc:
        raise click.ClickException(str(exc)) from exc

    def progress(summary: RunSummary) -> None:
        # One counter line, rewritten in place: the listing's length is not known in advance.
        sys.stderr.write(f"\r抓取 {name}：已处理 {summary.handled + summary.skipped}（新增 {summary.new} · "
                         f"变化 {summary.changed} · 未变 {summary.unchanged} · 失败 {summary.failed}）")
        sys.stderr.flush()

    try:
        summary = crawl_into(store, source, since=since, limit=limit, delay=delay, from_archive=from_archive,
                             restart=restart, on_progress=None if as_json else progress)
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        raise click.ClickException(f"抓取已中断，已处理的文件均已保存；再次运行 `fagui crawl {name}` 将继续") from None
    indexed = update_index(store) if index else {"updated": False, "skipped": True}
    if not as_json:
        sys.stderr.write("\n")
        for line in summary.lines():
            click.echo(line)
        click.echo(index_line(indexed))
    else:
        click.echo(json.dumps({**summary.as_dict(), "index": indexed}, ensure_ascii=False, indent=2, default=str))
    if summary.state == "incomplete":
        click.echo(f"抓取未完成：列表未走完（{summary.listing_error}），未标记任何页面下线", err=True)
        raise SystemExit(1)



def crawl_dry_run(name: str, *, since: date | None, entries: int, delay: float, as_json: bool) -> None:
    """`fagui crawl SOURCE --dry-run`: the first entries of the live listing fetched and parsed, reported;
    the store is not opened. Exit status 1 when the site did not answer in the form the adapter knows."""
    from crawlers.dry_run import dry_run

    try:
        source = source_registry(load_settings()).get(name)
    except UnknownSource as exc:
        raise click.ClickException(str(exc)) from exc
    report = dry_run(source, entries=entries, since=since, delay=delay)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        for line in report.lines():
            click.echo(line)
    if not report.ok:
        sys.exit(1)
