"""What `fagui crawl` does, kept here so the command line module stays a thin list of commands.

This is where crawlers meet the store: the registry's sources get their paths from the settings, and the
runner is handed the store's sink (indexer.ingest.crawl_state.StoreSink)."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import click

from crawlers.registry import Registry, SourceOptions, UnknownSource
from crawlers.runner import Runner, RunSummary
from crawlers.sources.base import Source
from fagui.settings import Settings, default_corpus_path
from indexer.ingest.crawl_state import StoreSink, last_runs
from indexer.store.app_store import Store

RUN_STATE_LABELS = {"finished": "完成", "interrupted": "中断", "running": "未完成", "abandoned": "已放弃",
                    "incomplete": "未完成（列表未走完）",
                    "imported": "导入完成"}


def source_registry(settings: Settings) -> Registry:
    """The sources, with the paths the settings name (FAGUI_FILES_PATH, the corpus)."""
    return Registry(SourceOptions(files_path=settings.files_path, corpus_path=default_corpus_path(settings)))


def crawl_into(store: Store, source: Source, **options: Any) -> RunSummary:
    """One run of `source` into `store` (options: those of crawlers.runner.Runner)."""
    return Runner(StoreSink(store.sessions), source, data_dir=store.settings.data_dir, **options).run()


def crawl_list(store: Store, as_json: bool = False) -> None:
    """Every registered source with its hosts and its last run; site configs that could not load, with why."""
    registry = source_registry(store.settings)
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
                 from_archive: bool, restart: bool, as_json: bool) -> None:
    try:
        source = source_registry(store.settings).get(name)
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
    if not as_json:
        sys.stderr.write("\n")
        for line in summary.lines():
            click.echo(line)
        return
    click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2, default=str))
