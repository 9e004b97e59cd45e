"""`fagui serve`, `fagui check` and `fagui worker`: running the site and its background work."""

from __future__ import annotations

import sys

import click

from fagui.cli.click_zh import ChineseCommand
from fagui.cli.common import echo_json, open_store


@click.command("serve", cls=ChineseCommand)
@click.option("--host", default=None, help="监听地址（FAGUI_HOST，默认 127.0.0.1）")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="端口（FAGUI_PORT，默认 8000）")
@click.option("--workers", type=int, default=None, help="gunicorn 工作进程数（FAGUI_WORKERS，默认 2）")
@click.option("--threads", type=int, default=4, show_default=True, help="每个工作进程的线程数")
@click.option("--dev", is_flag=True, help="用 Flask 开发服务器（自动重载）代替 gunicorn")
def serve_cmd(host: str | None, port: int | None, workers: int | None, threads: int, dev: bool) -> None:
    """启动网站：用 gunicorn 运行门户网站（默认 http://127.0.0.1:8000）。"""
    from fagui.settings import load_settings

    settings = load_settings()
    store = open_store()  # fail here, clearly, when the database has not been set up
    from indexer.store.db import check_readable

    check_readable(store.engine)  # or is damaged: every page read once, not a 503 on the first visitor
    store.engine.dispose()
    host = host or settings.host
    port = port or settings.port
    from fagui.cli.serve import (
        PortalServer,
        check_port,
        gunicorn_options,
        prepare_metrics_dir,
    )

    check_port(host, port)
    click.echo(f"网站地址：http://{host}:{port}/  （按 Ctrl+C 停止）")
    if dev:
        from portal import create_app

        create_app(settings).run(host=host, port=port, debug=True)
        return

    prepare_metrics_dir(settings, host, port)
    PortalServer(settings, gunicorn_options(host, port, workers or settings.workers, threads)).run()


@click.command("check", cls=ChineseCommand)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查结果")
def check_cmd(as_json: bool) -> None:
    """检查运行状态：数据库、检索引擎和索引、待同步队列、各来源最近一次抓取；有错误时退出码为 1。"""
    from dataclasses import asdict

    from fagui.cli.check import check_instance
    from fagui.settings import load_settings

    findings = check_instance(load_settings())
    if as_json:
        echo_json([asdict(f) for f in findings])
    else:
        marks = {"ok": "正常", "warning": "注意", "error": "错误"}
        parts = {"database": "数据库", "outbox": "待同步变更", "search": "检索引擎", "crawl": "采集"}
        for f in findings:
            kind, _, source = f.part.partition(":")
            click.echo(f"[{marks[f.level]}] {parts.get(kind, kind)}{'：' + source if source else ''}：{f.message}")
    if any(f.level == "error" for f in findings):
        sys.exit(1)


@click.command("worker", cls=ChineseCommand)
@click.option("--sources", default=None,
              help="定时采集的来源，逗号分隔（FAGUI_CRAWL_SOURCES；不给则只同步索引）")
@click.option("--crawl-every", type=float, default=None, help="两次采集间隔小时数（FAGUI_CRAWL_HOURS，默认 24）")
@click.option("--sync-every", type=float, default=None,
              help="两次索引同步间隔秒数（FAGUI_SYNC_SECONDS，默认 30）")
@click.option("--once", is_flag=True, help="只运行一轮（到期则采集，再同步）后退出")
def worker_cmd(sources: str | None, crawl_every: float | None, sync_every: float | None, once: bool) -> None:
    """后台任务：持续同步检索索引，并按计划抓取来源。"""
    import logging
    import threading

    from fagui.cli.worker import install_signal_handlers, run_worker
    from fagui.settings import load_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = load_settings()
    names = [s.strip() for s in sources.split(",") if s.strip()] if sources else list(settings.crawl_sources)
    hours = crawl_every if crawl_every is not None else settings.crawl_hours
    seconds = sync_every if sync_every is not None else settings.sync_seconds
    stop = threading.Event()
    install_signal_handlers(stop)
    click.echo(f"后台任务启动：采集 {('、'.join(names)) or '（无）'}，每 {hours:g} 小时；索引同步每 {seconds:g} 秒")
    state = run_worker(load_settings(), names, hours * 3600, seconds, rounds=1 if once else None, stop=stop)
    click.echo(f"后台任务结束：{state.rounds} 轮，同步 {state.synced_events} 项，采集 {state.crawls} 次，"
               f"出错 {len(state.errors)} 次")
    if once and state.errors:
        sys.exit(1)


COMMANDS = [serve_cmd, check_cmd, worker_cmd]
