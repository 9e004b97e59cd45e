"""`fagui db`, `stats`, `works`, `export`, `normalise`, `links`: the store of record from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from fagui.cli.click_zh import ChineseCommand, ChineseGroup
from fagui.cli.common import echo_json, open_store


@click.group(cls=ChineseGroup)
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


@click.command("stats", cls=ChineseCommand)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def stats_cmd(as_json: bool) -> None:
    """统计：法规、版本、条文、制定机关的数量。"""
    from indexer.store.inspection import stats

    store = open_store()
    with store.sessions() as session:
        data = stats(session)
    if as_json:
        echo_json(data)
        return
    click.echo(f"法规 {data['works']} 件 · 版本 {data['versions']} 个 · 条文 {data['articles']} 条 · "
               f"制定机关 {data['issuing_bodies']} 个 · 关联 {data['relations']} 条")
    from fagui.vocabulary import STATUS_LABELS

    for key, label in (("works_by_doc_type", "按效力级别"), ("works_by_region", "按行政区划"),
                       ("works_by_status", "按时效性")):
        click.echo(f"{label}：" + "，".join(f"{STATUS_LABELS.get(k, k)} {v}" for k, v in data[key].items()))


@click.group(cls=ChineseGroup)
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
    store = open_store()
    with store.sessions() as session:
        found = find_works(session, text, limit)
    if as_json:
        echo_json(found)
        return
    if not found:
        click.echo(f"没有标题包含“{text}”的法规")
    for w in found:
        click.echo(f"{w['title']}  [{w['region']} · {w['doc_type']} · {STATUS_LABELS.get(w['status'], w['status'])}]"
                   f"  {w['work_id']}")
        for v in w["versions"]:
            click.echo(f"    v{v['seq']}  公布 {v['published'] or '—'}  施行 {v['effective'] or '—'}  "
                       f"{STATUS_LABELS.get(v['status'], v['status'])}")


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


@click.command("export", cls=ChineseCommand)
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


@click.command("normalise", cls=ChineseCommand)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def normalise_cmd(file: Path) -> None:
    """输出一个抓取原始页面（FILE，任意编码）规范化后的正文。"""
    from fagui.normalise import NormaliseError, normalise_page

    try:
        text = normalise_page(file.read_bytes())
    except NormaliseError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    click.echo(text)


@click.group(cls=ChineseGroup)
def links() -> None:
    """关联：正文引用识别。"""


@links.command("rebuild")
@click.option("--work", "work_id", help="只重算这一件法规（work id）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出摘要")
def links_rebuild(work_id: str | None, as_json: bool) -> None:
    """识别每件法规现行文本中的《……》引用，保存为依据（based_on）/ 引用（cites）关联；并重算每个版本的罚则关联。"""
    from sqlalchemy import select

    from indexer.store.citations import rebuild_links
    from indexer.store.models import Version, Work
    from indexer.store.penalties import rebuild_penalty_links

    store = open_store()
    with store.sessions() as session:
        if work_id and session.get(Work, work_id) is None:
            raise click.ClickException(f"找不到法规：{work_id}")
        summary = rebuild_links(session, work_id)
        version_ids = list(session.scalars(select(Version.id).where(Version.work_id == work_id))) if work_id else None
        penalty_versions, penalty_links = rebuild_penalty_links(session, version_ids)
        session.commit()
    data = summary.as_dict() | {"penalty_versions": penalty_versions, "penalty_links": penalty_links}
    if as_json:
        echo_json(data)
        return
    click.echo(f"已处理法规 {data['works']} 件：依据 {data['based_on']} 条、引用 {data['cites']} 条，"
               f"已解析 {data['resolved']} 条，未解析 {data['unresolved']} 条；"
               f"罚则关联：{penalty_versions} 个版本共 {penalty_links} 条")


@click.group(cls=ChineseGroup)
def regions() -> None:
    """行政区划：按制定机关和标题确定每件法规所属的市、县（GB/T 2260）。"""


@regions.command("assign")
def regions_assign() -> None:
    """重新确定全部法规所属的最细一级行政区划和制定机关的上级（之后运行 fagui index rebuild）。"""
    from indexer.store.bodies import reparent_bodies
    from indexer.store.browse import assign_region_codes

    store = open_store()
    with store.sessions() as session:
        changed = assign_region_codes(session)
        moved = reparent_bodies(session)
        session.commit()
    click.echo(f"已更新 {changed} 件法规的行政区划代码、{moved} 个制定机关的上级机关；运行 fagui index rebuild 使检索生效")


COMMANDS = [db, stats_cmd, works, export_cmd, normalise_cmd, links, regions]
