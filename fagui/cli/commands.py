"""The `fagui` command line: one click group, also mounted on the Flask app (`flask --app wsgi ...`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from fagui.cli.click_zh import ChineseGroup


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(cls=ChineseGroup)
def cli() -> None:
    """法规统一公开查询平台 fagui。"""


def _store(migrate: bool = False):
    from indexer.store.app_store import open_store

    return open_store(migrate=migrate)


@cli.group()
def db() -> None:
    """数据库：迁移与初始化。"""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="迁移到的结构版本")
def db_upgrade(revision: str) -> None:
    """建立或升级数据库结构（默认 SQLite；FAGUI_DATABASE_URL 指定 PostgreSQL）。"""
    from indexer.store.db import make_engine
    from indexer.store.migrate import upgrade

    engine = make_engine()
    before, after = upgrade(engine, revision)
    where = engine.url.render_as_string(hide_password=True)
    if before is None:
        click.echo(f"已建立数据库结构（版本 {after}）：{where}")
    elif before == after:
        click.echo(f"数据库已是最新结构（版本 {after}），无需升级：{where}")
    else:
        click.echo(f"已升级数据库结构：版本 {before} → {after}：{where}")


@cli.group("import")
def import_group() -> None:
    """导入：从语料或文件导入法规。"""


@import_group.command("lawrefbook")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出摘要")
def import_lawrefbook(path: Path | None, as_json: bool) -> None:
    """导入 LawRefBook 语料（PATH：.jsonl 或 .jsonl.gz）。不给 PATH 时依次使用 FAGUI_CORPUS_PATH、
    代码目录旁的共享语料或自带的样例。"""
    import time
    from dataclasses import replace

    from crawlers.sources import lawrefbook
    from fagui.settings import default_corpus_path
    from indexer.ingest.pipeline import IngestSummary, ingest
    from indexer.store.models import utcnow

    store = _store(migrate=True)
    path = path or default_corpus_path(store.settings)
    if not path.exists():
        raise click.ClickException(f"找不到语料文件：{path}")
    started, started_at = time.perf_counter(), utcnow()
    report = lawrefbook.read_corpus(path)
    committed = [IngestSummary()]  # the counts as of the last commit, for a run stopped half-way
    with click.progressbar(length=len(report.records), label=f"导入 {path.name}", file=sys.stderr) as bar:
        done = [0]

        def progress(summary) -> None:
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
    if as_json:
        _echo_json(result)
        return
    click.echo(
        f"读取 {result['lines']} 行，新增法规 {summary.new_works} 件、版本 {summary.new_versions} 个，"
        f"未变化 {summary.unchanged} 个，跳过 {len(report.skipped)} 条，失败 {len(summary.failed)} 条，"
        f"用时 {result['seconds']} 秒"
    )
    for ref, reason in summary.failed:
        click.echo(f"  失败：{ref}：{reason}", err=True)
    for skipped in report.skipped:  # no documents (the corpus's README, a private guide): not failures
        click.echo(f"  跳过：{skipped.ref}：{skipped.reason}", err=True)


def _record_import(store, source: str, path: Path, started_at, summary, parse_errors: int,
                   state: str = "imported") -> None:
    """The import as a run of its source (crawlers.runner.record_import): `fagui crawl --list` shows it."""
    from crawlers.runner import record_import

    failures = [{"ref": ref, "url": str(path), "code": "parse" if i < parse_errors else "record", "reason": reason}
                for i, (ref, reason) in enumerate(summary.failed)]
    with store.sessions() as session:
        record_import(session, source, started_at=started_at, listed=summary.seen + parse_errors,
                      new=summary.new_works, changed=summary.new_versions - summary.new_works,
                      unchanged=summary.unchanged, failures=failures, state=state)


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def stats_cmd(as_json: bool) -> None:
    """统计：法规、版本、条文、制定机关的数量。"""
    from indexer.store.inspection import stats

    store = _store()
    with store.sessions() as session:
        data = stats(session)
    if as_json:
        _echo_json(data)
        return
    click.echo(f"法规 {data['works']} 件 · 版本 {data['versions']} 个 · 条文 {data['articles']} 条 · "
               f"制定机关 {data['issuing_bodies']} 个 · 关联 {data['relations']} 条")
    from fagui.vocabulary import STATUS_LABELS

    for key, label in (("works_by_doc_type", "按效力级别"), ("works_by_region", "按行政区划"),
                       ("works_by_status", "按时效性")):
        click.echo(f"{label}：" + "，".join(f"{STATUS_LABELS.get(k, k)} {v}" for k, v in data[key].items()))


@cli.group()
def works() -> None:
    """法规：查找与查看。"""


@works.command("find")
@click.argument("text")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000), help="最多列出的法规件数")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def works_find(text: str, limit: int, as_json: bool) -> None:
    """列出标题包含 TEXT 的法规及其各版本（新版本在前）。"""
    from fagui.vocabulary import STATUS_LABELS
    from indexer.store.inspection import find_works

    if not text.strip():
        raise click.BadParameter("请输入要查找的标题文字", param_hint="TEXT")
    store = _store()
    with store.sessions() as session:
        found = find_works(session, text, limit)
    if as_json:
        _echo_json(found)
        return
    if not found:
        click.echo(f"没有标题包含“{text}”的法规")
    for w in found:
        click.echo(f"{w['title']}  [{w['region']} · {w['doc_type']} · {STATUS_LABELS.get(w['status'], w['status'])}]"
                   f"  {w['work_id']}")
        for v in w["versions"]:
            click.echo(f"    v{v['seq']}  公布 {v['published'] or '—'}  施行 {v['effective'] or '—'}  "
                       f"{STATUS_LABELS.get(v['status'], v['status'])}")


@cli.group("index")
def index_group() -> None:
    """检索索引：重建与同步。"""


def _backend(store):
    from indexer.search.backends import open_backend

    return open_backend(store.settings)


@index_group.command("rebuild")
def index_rebuild() -> None:
    """把数据库中的全部法规建成新索引，完成后检索切换到新索引。"""
    import time

    from indexer.search.index_docs import all_work_ids
    from indexer.search.indexing import rebuild

    store = _store()
    backend = _backend(store)
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

    store = _store()
    summary = sync(store.sessions, _backend(store))
    click.echo(f"已同步变更 {summary.events} 条，涉及法规 {summary.works} 件")


def _date_option(value: str | None, label: str):
    if not value:
        return None
    from fagui.normalise.dates import parse_date

    parsed = parse_date(value)
    if parsed is None:
        raise click.BadParameter(f"无法识别的日期：{value}（例如 2021-08-20）", param_hint=label)
    return parsed


@cli.command("search")
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
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果")
def search_cmd(query: str, statuses, doc_types, regions, body, as_of, published_from, published_to,
               effective_from, effective_to, sort, page, limit, as_json) -> None:
    """全文检索：在法规及其条文中检索。"""
    from fagui.vocabulary import STATUSES
    from indexer.search.service import SearchParams, search

    store = _store()
    chosen = tuple(STATUSES) if "all" in statuses else (tuple(statuses) or ("effective",))
    params = SearchParams(
        q=query, statuses=chosen, doc_types=tuple(doc_types), regions=tuple(regions), body=body,
        as_of=_date_option(as_of, "--as-of"),
        published_from=_date_option(published_from, "--published-from"),
        published_to=_date_option(published_to, "--published-to"),
        effective_from=_date_option(effective_from, "--effective-from"),
        effective_to=_date_option(effective_to, "--effective-to"),
        sort=sort, page=page, per_page=limit,
    )
    with store.sessions() as session:
        result = search(session, _backend(store), params)
    if as_json:
        _echo_json(result)
        return
    import html as html_lib
    import re

    plain = lambda snippet: html_lib.unescape(re.sub(r"</?mark>", "", snippet))  # noqa: E731
    for warning in result["warnings"]:
        click.echo(f"提示：{warning}")
    if result["direct"]:
        d = result["direct"]
        click.echo(f"直达：{d['title']} " + (d["article"]["label"] if d["type"] == "article" else ""))
        if d["type"] == "article":
            click.echo(f"    {d['article']['text']}")
    click.echo(f"共 {result['total']} 件（{result['took_ms']} 毫秒）")
    for hit in result["hits"]:
        click.echo(f"{hit['title']}  [{hit['status_label']} · {hit['doc_type']} · {hit['region']}]  {hit['work_id']}")
        click.echo(f"    {plain(hit['snippet'])}")
        for art in hit["articles"]:
            click.echo(f"    {art['label']}：{plain(art['snippet'])}")


@cli.command("serve")
@click.option("--host", default=None, help="监听地址（FAGUI_HOST，默认 127.0.0.1）")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="端口（FAGUI_PORT，默认 8000）")
@click.option("--workers", type=int, default=None, help="gunicorn 工作进程数（FAGUI_WORKERS，默认 2）")
@click.option("--threads", type=int, default=4, show_default=True, help="每个工作进程的线程数")
@click.option("--dev", is_flag=True, help="用 Flask 开发服务器（自动重载）代替 gunicorn")
def serve_cmd(host: str | None, port: int | None, workers: int | None, threads: int, dev: bool) -> None:
    """启动网站：用 gunicorn 运行门户网站（默认 http://127.0.0.1:8000）。"""
    from fagui.settings import load_settings

    settings = load_settings()
    store = _store()  # fail here, clearly, when the database has not been set up
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

    prepare_metrics_dir(settings)
    PortalServer(settings, gunicorn_options(host, port, workers or settings.workers, threads)).run()


@cli.command("check")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查结果")
def check_cmd(as_json: bool) -> None:
    """检查运行状态：数据库、检索引擎和索引、待同步队列、各来源最近一次抓取；有错误时退出码为 1。"""
    from dataclasses import asdict

    from fagui.cli.check import check_instance
    from fagui.settings import load_settings

    findings = check_instance(load_settings())
    if as_json:
        _echo_json([asdict(f) for f in findings])
    else:
        marks = {"ok": "正常", "warning": "注意", "error": "错误"}
        parts = {"database": "数据库", "outbox": "待同步变更", "search": "检索引擎", "crawl": "采集"}
        for f in findings:
            kind, _, source = f.part.partition(":")
            click.echo(f"[{marks[f.level]}] {parts.get(kind, kind)}{'：' + source if source else ''}：{f.message}")
    if any(f.level == "error" for f in findings):
        sys.exit(1)


@cli.command("worker")
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


def _export_target(raw: str) -> Path:
    """The dump file for `fagui export PATH`: PATH itself, or a dated file inside PATH when PATH is a directory
    (an existing one, or any path written with a trailing slash). Missing parent directories are created."""
    import os
    from datetime import datetime

    path = Path(raw).expanduser()
    if path.is_dir() or raw.endswith(("/", os.sep)):
        stamp, n = f"fagui-{datetime.now():%Y%m%d-%H%M%S}", 1
        path = path / f"{stamp}.jsonl.gz"
        while path.exists():  # never overwrite an earlier dump made in the same second
            n += 1
            path = path.with_name(f"{stamp}-{n}.jsonl.gz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from indexer.store.dump import os_error_text

        raise click.ClickException(f"无法创建目录 {path.parent}：{os_error_text(exc, path.parent)}") from None
    return path


@cli.command("export")
@click.argument("path", type=click.Path(path_type=str))
def export_cmd(path: str) -> None:
    """导出整个数据库：写成 .jsonl.gz 文件，附各表行数和内容摘要。

    PATH 为目录（已存在，或以 / 结尾）时，在其中生成带日期的文件名；缺少的上级目录会自动创建。"""
    from indexer.store.db import make_engine
    from indexer.store.dump import export_store

    engine = make_engine()
    target = _export_target(path)
    summary = export_store(engine, target)
    for name, t in summary.tables.items():
        click.echo(f"{name}: {t.count} 行  {t.digest[:16]}")
    click.echo(f"已导出到 {target}")


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


@cli.command("normalise")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def normalise_cmd(file: Path) -> None:
    """输出一个抓取原始页面（FILE，任意编码）规范化后的正文。"""
    from fagui.normalise import NormaliseError, normalise_page

    try:
        text = normalise_page(file.read_bytes())
    except NormaliseError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    click.echo(text)


@cli.group()
def links() -> None:
    """关联：正文引用识别。"""


@links.command("rebuild")
@click.option("--work", "work_id", help="只重算这一件法规（work id）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出摘要")
def links_rebuild(work_id: str | None, as_json: bool) -> None:
    """识别每件法规现行文本中的《……》引用，保存为依据（based_on）/ 引用（cites）关联。"""
    from indexer.store.citations import rebuild_links
    from indexer.store.models import Work

    store = _store()
    with store.sessions() as session:
        if work_id and session.get(Work, work_id) is None:
            raise click.ClickException(f"找不到法规：{work_id}")
        summary = rebuild_links(session, work_id)
        session.commit()
    data = summary.as_dict()
    if as_json:
        _echo_json(data)
        return
    click.echo(f"已处理法规 {data['works']} 件：依据 {data['based_on']} 条、引用 {data['cites']} 条，"
               f"已解析 {data['resolved']} 条，未解析 {data['unresolved']} 条")


@cli.command("report")
@click.argument("name")
@click.option("--as-of", "as_of", help="时点（默认今天），例如 2024-01-01")
@click.option("--days", type=click.IntRange(0, 3650), help="即将到期：天数（默认 90）")
@click.option("--max-years", type=click.FloatRange(0.1, 100), help="有效期上限（年，默认 FAGUI_MAX_VALIDITY_YEARS 或 5）")
@click.option("--from", "period_from", help="期间变化：起始日期")
@click.option("--to", "period_to", help="期间变化：截止日期")
@click.option("--region", help="行政区划，例如 山东省")
@click.option("--doc-type", help="效力级别，例如 地方性法规")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="写入文件（默认标准输出）")
def report_cmd(name, as_of, days, max_years, period_from, period_to, region, doc_type, fmt, output) -> None:
    """报表：按 NAME 生成时效性报表。

    NAME：counts 数量统计、catalogue 现行有效目录、changes 期间变化、expiring 即将到期、conflicts 时效性标注冲突、
    basis-changed 依据或引用的法规已变化、validity-period 有效期检查、unresolved 未能对应的引用。"""
    from datetime import date

    from clearance.exports import export
    from clearance.reports import (
        DEFAULT_EXPIRING_DAYS,
        REPORTS,
        ReportOptions,
        max_validity_years,
        run_report,
    )
    from fagui.vocabulary import canonical_region

    if name not in REPORTS:
        raise click.BadParameter(f"没有名为“{name}”的报表；可用：{'、'.join(REPORTS)}", param_hint="NAME")
    if fmt == "xlsx" and not output:
        raise click.UsageError("XLSX 是二进制文件，请用 -o 指定输出文件")
    opts = ReportOptions(
        as_of=_date_option(as_of, "--as-of") or date.today(),
        days=DEFAULT_EXPIRING_DAYS if days is None else days,
        max_years=max_years or max_validity_years(),
        period_from=_date_option(period_from, "--from"), period_to=_date_option(period_to, "--to"),
        region=canonical_region(region) if region else None, doc_type=doc_type or None,
    )
    store = _store()
    with store.sessions() as session:
        data = export(run_report(session, name, opts), fmt)
    if output:
        output.write_bytes(data)
        click.echo(f"已写入 {output}（{len(data)} 字节）", err=True)
    else:
        click.echo(data.decode("utf-8").removeprefix("\ufeff"), nl=False)


@cli.group()
def users() -> None:
    """账号：清理工作人员登录报表页面。"""


@users.command("add")
@click.argument("name")
@click.option("--role", default="clearance", show_default=True, type=click.Choice(["clearance", "admin"]))
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（一行）")
def users_add(name: str, role: str, password_stdin: bool) -> None:
    """新建账号；密码输入两次（或从标准输入读取），只保存其哈希值。"""
    from portal.accounts import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    store = _store()
    with store.sessions() as session:
        create_user(session, name, password, role)
        session.commit()
    click.echo(f"已创建用户 {name.strip()}（{role}）")


@users.command("list")
def users_list() -> None:
    """列出账号及其角色和最近登录时间。"""
    from sqlalchemy import select

    from indexer.store.models import User

    store = _store()
    with store.sessions() as session:
        rows = session.execute(select(User.name, User.role, User.active, User.last_login_at).order_by(User.name)).all()
    if not rows:
        click.echo("尚无用户：用 fagui users add 用户名 --role clearance 创建")
    for name, role, active, last in rows:
        click.echo(f"{name}\t{role}\t{'启用' if active else '停用'}\t最近登录 {last.isoformat(' ', 'seconds') if last else '—'}")


@cli.command("crawl")
@click.argument("source_name", metavar="SOURCE", required=False)
@click.option("--list", "list_sources", is_flag=True, help="列出来源及其最近一次抓取 (list sources and last runs).")
@click.option("--since", help="只抓取该日期以后的文件，例如 2024-01-01")
@click.option("--limit", type=click.IntRange(1), help="本次最多处理的文件数")
@click.option("--delay", type=click.FloatRange(0), help="同一网站两次请求之间的间隔秒数（默认 1 秒）")
@click.option("--from-archive", is_flag=True, help="从 WARC 存档重新解析，不联网")
@click.option("--restart", is_flag=True, help="放弃未完成的抓取，重新开始")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出摘要")
def crawl_cmd(source_name, list_sources, since, limit, delay, from_archive, restart, as_json) -> None:
    """抓取：运行一个来源 SOURCE（其未完成的抓取会继续）。"""
    from fagui.cli.crawl import crawl_list, crawl_source

    store = _store(migrate=True)
    if list_sources or not source_name:
        crawl_list(store, as_json)
        return
    crawl_source(store, source_name, since=_date_option(since, "--since"), limit=limit, delay=delay,
                 from_archive=from_archive, restart=restart, as_json=as_json)


@cli.command("check-list")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="结果文件（.xlsx 或 .csv，默认与输入同名加“-核查结果.xlsx”）")
@click.option("--resume", "resume_job", type=int, help="继续一个未完成的核查任务（任务编号）")
@click.option("--as-of", "as_of", help="按该日期核查时效性（默认今天）")
@click.option("--new", "new_job", is_flag=True, help="不继续同一文件未完成的任务，重新开始")
def check_list_cmd(file: Path | None, output: Path | None, resume_job: int | None, as_of: str | None,
                   new_job: bool) -> None:
    """清单核查：逐行匹配 CSV/XLSX 清单中的文件，给出时效性。"""
    from clearance.checklist import (
        create_job,
        file_hash,
        get_job,
        job_report,
        read_table,
        run_job,
        unfinished_job,
    )
    from clearance.exports import export

    if (file is None) == (resume_job is None):
        raise click.UsageError("请给出要核查的文件 FILE，或用 --resume 任务编号 继续未完成的任务（二者选一）")
    if output is not None and output.suffix.lower() not in (".xlsx", ".csv"):
        raise click.BadParameter("结果文件应为 .xlsx 或 .csv", param_hint="-o")
    store = _store(migrate=True)
    if resume_job is None:
        table = read_table(file, file.name)
        digest, day = file_hash(file.read_bytes()), _date_option(as_of, "--as-of")
        with store.sessions() as session:
            # The same file checked again after an interruption continues its unfinished job.
            resume_job = None if new_job else unfinished_job(session, digest, day)
    if resume_job is None:
        with store.sessions() as session:
            job = create_job(session, table, file.name, digest, as_of=day, created_by="command line")
            session.commit()
            job_id, total, done = job.id, job.total, 0
        click.echo(f"核查任务 {job_id}：{total} 行（中断后重新运行本命令，或用 fagui check-list --resume {job_id} 继续）",
                   err=True)
    else:
        with store.sessions() as session:
            job = get_job(session, resume_job)
            job_id, total, done, name = job.id, job.total, job.done, job.filename
        file = Path(name)
        click.echo(f"继续核查任务 {job_id}：已完成 {done} / {total} 行", err=True)
    with click.progressbar(length=total, label="核查", file=sys.stderr) as bar:
        bar.update(done)
        seen = [done]

        def progress(now: int, _total: int) -> None:
            bar.update(now - seen[0])
            seen[0] = now

        run_job(store.sessions, job_id, progress)
    output = output or Path(f"{file.stem}-核查结果.xlsx")
    fmt = output.suffix.lower().lstrip(".")
    with store.sessions() as session:
        report = job_report(session, job_id)
    output.write_bytes(export(report, fmt))
    counts = report.summary
    click.echo(f"已写入 {output}：已匹配 {counts.get('matched', 0)} 行，多个候选 {counts.get('ambiguous', 0)} 行，"
               f"未找到 {counts.get('unmatched', 0)} 行")


@cli.group()
def rounds() -> None:
    """清理轮次：新建、列出与导出。"""


@rounds.command("create")
@click.argument("name")
@click.option("--body", help="清理范围：制定机关（含其下属机关）")
@click.option("--region", help="清理范围：行政区划")
@click.option("--doc-type", help="清理范围：效力级别")
@click.option("--by", "actor", default="command line", show_default=True, help="操作人（记入审计记录）")
def rounds_create(name: str, body: str | None, region: str | None, doc_type: str | None, actor: str) -> None:
    """按范围（制定机关、行政区划、效力级别）新建一个清理轮次。"""
    from clearance.rounds import create_round, scope_label, scope_work_ids

    store = _store()
    with store.sessions() as session:
        rnd = create_round(session, name, actor, body=body, region=region, doc_type=doc_type)
        count = len(scope_work_ids(session, rnd))
        session.commit()
        click.echo(f"已新建清理轮次 {rnd.id}：{rnd.name}（范围：{scope_label(rnd)}，{count} 件文件）")


@rounds.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def rounds_list(as_json: bool) -> None:
    """列出清理轮次及其范围、起止日期和已作决定的件数。"""
    from clearance.rounds import list_rounds

    store = _store()
    with store.sessions() as session:
        rows = list_rounds(session)
    if as_json:
        _echo_json(rows)
        return
    if not rows:
        click.echo("尚无清理轮次：用 fagui rounds create 名称 --body 制定机关 新建")
    for r in rows:
        closed = r["closed"].isoformat() if r["closed"] else "进行中"
        click.echo(f"{r['id']}\t{r['name']}\t{r['scope']}\t{r['opened'].isoformat()} 至 {closed}\t决定 {r['decisions']} 件")


@rounds.command("export")
@click.argument("round_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="写入文件（.xlsx、.csv 或 .json；默认 CSV 到标准输出）")
@click.option("--catalogue", is_flag=True, help="导出现行有效目录（按制定机关），而不是清理结果")
@click.option("--as-of", "as_of", help="时效性按该日期计算（默认今天）")
def rounds_export(round_id: int, output: Path | None, catalogue: bool, as_of: str | None) -> None:
    """导出一个清理轮次的结果清单（或按制定机关的现行有效目录）。"""
    from clearance.exports import export
    from clearance.rounds import catalogue_report, result_report

    fmt = output.suffix.lower().lstrip(".") if output else "csv"
    if fmt not in ("xlsx", "csv", "json"):
        raise click.BadParameter("输出文件应为 .xlsx、.csv 或 .json", param_hint="-o")
    store = _store()
    with store.sessions() as session:
        build = catalogue_report if catalogue else result_report
        data = export(build(session, round_id, _date_option(as_of, "--as-of")), fmt)
    if output:
        output.write_bytes(data)
        click.echo(f"已写入 {output}（{len(data)} 字节）", err=True)
    else:
        click.echo(data.decode("utf-8").removeprefix("\ufeff"), nl=False)


def main() -> None:
    cli(prog_name="fagui")


if __name__ == "__main__":
    sys.exit(main())
