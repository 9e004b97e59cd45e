"""`fagui report`, `users`, `check-list`, `rounds`: the clearance team's work from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fagui.cli.click_zh import ChineseCommand, ChineseGroup
from fagui.cli.common import date_option, echo_json, open_store, search_backend


def _link_args() -> tuple[str, str]:
    """The public address (FAGUI_PUBLIC_URL) for links in an XLSX export, and its heading's data source line."""
    from clearance.exports import source_line
    from fagui.settings import load_settings

    base = load_settings().public_url
    return base, source_line(base)


@click.command("report", cls=ChineseCommand)
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
    basis-changed 依据或引用的法规已变化、validity-period 有效期检查、unresolved 未能对应的引用、
    completeness 发布完整性（各制定机关）、gone-sources 来源页面已撤下、missing-normative 引用而未收录的规范性文件
    （后三者按 FAGUI_REGION 的地区）。"""
    from datetime import date

    from clearance.exports import export
    from clearance.reports import (
        DEFAULT_EXPIRING_DAYS,
        REPORTS,
        ReportOptions,
        max_validity_years,
        run_report,
    )
    from fagui.settings import load_settings
    from fagui.vocabulary import canonical_region

    if name not in REPORTS:
        raise click.BadParameter(f"没有名为“{name}”的报表；可用：{'、'.join(REPORTS)}", param_hint="NAME")
    if fmt == "xlsx" and not output:
        raise click.UsageError("XLSX 是二进制文件，请用 -o 指定输出文件")
    opts = ReportOptions(
        as_of=date_option(as_of, "--as-of") or date.today(),
        days=DEFAULT_EXPIRING_DAYS if days is None else days,
        max_years=max_years or max_validity_years(),
        period_from=date_option(period_from, "--from"), period_to=date_option(period_to, "--to"),
        region=canonical_region(region) if region else None, doc_type=doc_type or None,
        region_code=load_settings().region_code,
    )
    store = open_store()
    with store.sessions() as session:
        data = export(run_report(session, name, opts), fmt, *_link_args())
    if output:
        output.write_bytes(data)
        click.echo(f"已写入 {output}（{len(data)} 字节）", err=True)
    else:
        click.echo(data.decode("utf-8").removeprefix("\ufeff"), nl=False)


@click.group(cls=ChineseGroup)
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
    store = open_store()
    with store.sessions() as session:
        create_user(session, name, password, role)
        session.commit()
    click.echo(f"已创建用户 {name.strip()}（{role}）")


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取新密码（一行）")
def users_passwd(name: str, password_stdin: bool) -> None:
    """修改密码；该账号已有的登录全部失效，须用新密码重新登录。"""
    from sqlalchemy import select

    from indexer.store.models import User
    from portal.accounts import AccountError, set_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("新密码", hide_input=True, confirmation_prompt="再次输入新密码")
    store = open_store()
    with store.sessions() as session:
        user = session.scalar(select(User).where(User.name == name.strip()))
        if user is None:
            raise AccountError(f"没有这个用户：{name.strip()}")
        ended = set_password(session, user, password)
        session.commit()
    click.echo(f"已修改 {user.name} 的密码；已结束其 {ended} 个登录")


@users.command("list")
def users_list() -> None:
    """列出账号及其角色和最近登录时间。"""
    from sqlalchemy import select

    from indexer.store.models import User

    store = open_store()
    with store.sessions() as session:
        rows = session.execute(select(User.name, User.role, User.active, User.last_login_at).order_by(User.name)).all()
    if not rows:
        click.echo("尚无用户：用 fagui users add 用户名 --role clearance 创建")
    for name, role, active, last in rows:
        click.echo(f"{name}\t{role}\t{'启用' if active else '停用'}\t最近登录 {last.isoformat(' ', 'seconds') if last else '—'}")


@click.command("check-list", cls=ChineseCommand)
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
        HEARTBEAT_SECONDS,
        ChecklistError,
        create_job,
        file_hash,
        get_job,
        job_report,
        may_resume,
        read_table,
        run_job,
        unfinished_job,
    )
    from clearance.exports import export

    if (file is None) == (resume_job is None):
        raise click.UsageError("请给出要核查的文件 FILE，或用 --resume 任务编号 继续未完成的任务（二者选一）")
    if output is not None and output.suffix.lower() not in (".xlsx", ".csv"):
        raise click.BadParameter("结果文件应为 .xlsx 或 .csv", param_hint="-o")
    store = open_store(migrate=True)
    if file is not None:
        table = read_table(file, file.name)
        digest, day = file_hash(file.read_bytes()), date_option(as_of, "--as-of")
        with store.sessions() as session:
            # The same file checked again after an interruption continues its unfinished job.
            resume_job = None if new_job else unfinished_job(session, digest, day)
        if resume_job is None:
            with store.sessions() as session:
                job = create_job(session, table, file.name, digest, as_of=day, created_by="command line")
                session.commit()
                job_id, total, done, stem = job.id, job.total, 0, file.stem
            click.echo(f"核查任务 {job_id}：{total} 行（中断后重新运行本命令，或用 fagui check-list --resume {job_id} 继续）",
                       err=True)
    if resume_job is not None:
        with store.sessions() as session:
            job = get_job(session, resume_job)
            if not may_resume(job) and job.state != "finished":
                raise ChecklistError(f"核查任务 {job.id} 正在另一个进程中核查（{HEARTBEAT_SECONDS} 秒内仍有进度）："
                                     "请等它完成或中断后再继续")
            job_id, total, done, stem = job.id, job.total, job.done, Path(job.filename).stem
        click.echo(f"继续核查任务 {job_id}：已完成 {done} / {total} 行", err=True)
    with click.progressbar(length=total, label="核查", file=sys.stderr) as bar:
        bar.update(done)
        seen = [done]

        def progress(now: int, _total: int) -> None:
            bar.update(now - seen[0])
            seen[0] = now

        run_job(store.sessions, job_id, progress)
    output = output or Path(f"{stem}-核查结果.xlsx")
    fmt = output.suffix.lower().lstrip(".")
    with store.sessions() as session:
        report = job_report(session, job_id)
    output.write_bytes(export(report, fmt, *_link_args()))
    counts = report.summary
    click.echo(f"已写入 {output}：已匹配 {counts.get('matched', 0)} 行，需人工确认 {counts.get('review', 0)} 行，"
               f"多个候选 {counts.get('ambiguous', 0)} 行，"
               f"未找到 {counts.get('unmatched', 0)} 行")


@click.group(cls=ChineseGroup)
def rounds() -> None:
    """清理轮次：新建、作出决定、导入决定、结束、公布、列出与导出。"""


@rounds.command("create")
@click.argument("name")
@click.option("--body", help="清理范围：制定机关（含其下属机关）")
@click.option("--region", help="清理范围：行政区划")
@click.option("--doc-type", help="清理范围：效力级别")
@click.option("--opened", help="开始日期（默认今天）")
@click.option("--by", "actor", default="command line", show_default=True, help="操作人（记入审计记录）")
def rounds_create(name: str, body: str | None, region: str | None, doc_type: str | None, opened: str | None,
                  actor: str) -> None:
    """按范围（制定机关、行政区划、效力级别）新建一个清理轮次。"""
    from clearance.rounds import create_round, scope_label, scope_work_ids

    store = open_store()
    with store.sessions() as session:
        rnd = create_round(session, name, actor, body=body, region=region, doc_type=doc_type,
                           opened=date_option(opened, "--opened"))
        count = len(scope_work_ids(session, rnd))
        session.commit()
        click.echo(f"已新建清理轮次 {rnd.id}：{rnd.name}（范围：{scope_label(rnd)}，{count} 件文件）")


@rounds.command("decide")
@click.argument("round_id", type=int)
@click.argument("work")
@click.argument("decision")
@click.option("--reason", required=True, help="决定理由")
@click.option("--on", "decided_on", help="决定日期（默认今天）")
@click.option("--by", "actor", required=True, help="审核人（记入决定和审计记录）")
def rounds_decide(round_id: int, work: str, decision: str, reason: str, decided_on: str | None, actor: str) -> None:
    """对本轮范围内的一件文件作出（或变更）决定：WORK 为文件编号或完整标题，DECISION 为 保留、修改、废止、宣布失效。"""
    from clearance.rounds import DECISIONS, decide, find_round_work

    store = open_store()
    with store.sessions() as session:
        work_id = find_round_work(session, round_id, work)
        done = decide(session, round_id, work_id, decision, reason, actor, date_option(decided_on, "--on"))
        session.commit()
    if done is None:
        click.echo(f"文件 {work_id} 的决定未变化")
    else:
        click.echo(f"已记录：文件 {work_id} {DECISIONS[done.decision]}（{done.reviewer}，{done.decided_on.isoformat()}）")


@rounds.command("import")
@click.argument("round_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "actor", required=True, help="审核人（记入每项决定和审计记录）")
def rounds_import(round_id: int, file: Path, actor: str) -> None:
    """从 CSV/XLSX 文件导入决定：需要“文件编号”或“标题”列、“清理决定”列和“理由”列（可选“决定日期”）；
    可直接使用本轮导出的清理结果。任一行有误则一项也不记录，并列出出错的行。"""
    from clearance.decision_import import import_decisions
    from clearance.rounds import ClearanceError

    store = open_store()
    with store.sessions() as session:
        result = import_decisions(session, round_id, file, file.name, actor)
        if result.errors:
            session.rollback()
            for line in result.errors[:50]:
                click.echo(line, err=True)
            more = f"（另有 {len(result.errors) - 50} 处）" if len(result.errors) > 50 else ""
            raise ClearanceError(f"文件有 {len(result.errors)} 处错误{more}，未导入任何决定")
        session.commit()
    click.echo(f"已导入：记录或变更决定 {result.recorded} 件，未变化 {result.unchanged} 件，待定 {result.undecided} 行")


@rounds.command("close")
@click.argument("round_id", type=int)
@click.option("--on", "closed", help="结束日期（默认今天）")
@click.option("--by", "actor", required=True, help="操作人（记入审计记录）")
@click.option("--yes", "confirmed", is_flag=True, help="尚有待定文件时不再询问，仍然结束")
def rounds_close(round_id: int, closed: str | None, actor: str, confirmed: bool) -> None:
    """结束清理轮次：此后不能再作出或变更决定。尚有待定的文件时先提示件数并请确认。"""
    from clearance.rounds import close_round, get_round, undecided_count

    store = open_store()
    with store.sessions() as session:
        rnd = get_round(session, round_id)
        undecided, total = undecided_count(session, round_id)
        if undecided and not confirmed:
            click.echo(f"警告：“{rnd.name}”范围内共 {total} 件，尚有 {undecided} 件待定（未作出决定）。", err=True)
            if not click.confirm("仍要结束本轮清理吗？待定的文件不作处理", default=False, err=True):
                raise click.Abort()
        close_round(session, round_id, actor, date_option(closed, "--on"), allow_undecided=True)
        session.commit()
        click.echo(f"已结束清理轮次 {rnd.id}：{rnd.name}（待定 {undecided} 件）")


@rounds.command("publish")
@click.argument("round_id", type=int)
@click.option("--on", "published_on", required=True, help="公布清理结果的决定的日期，例如 2024-12-31")
@click.option("--number", required=True, help="公布清理结果的决定的文号，例如 浙政发〔2024〕30号")
@click.option("--by", "actor", required=True, help="操作人（记入审计记录）")
@click.option("--no-sync", is_flag=True, help="不立即更新检索索引（留给后台任务 fagui worker）")
def rounds_publish(round_id: int, published_on: str, number: str, actor: str, no_sync: bool) -> None:
    """公布已结束的清理轮次的结果：自公布日期起，决定废止、宣布失效的文件按已废止、已失效计（时效性、检索、
    现行有效目录、订阅），决定修改的文件显示待修改；然后更新检索索引。"""
    from clearance.rounds import publish_round

    store = open_store()
    when = date_option(published_on, "--on")
    assert when is not None  # a required option
    with store.sessions() as session:
        done = publish_round(session, round_id, actor, when, number)
        session.commit()
    click.echo(f"已公布清理结果（{done.number}，{done.published_on.isoformat()}）：废止或宣布失效 {len(done.ended)} 件，"
               f"修改 {len(done.amended)} 件，保留 {len(done.kept)} 件")
    if not no_sync:
        from indexer.search.indexing import sync

        summary = sync(store.sessions, search_backend(store))
        click.echo(f"已更新检索索引：法规 {summary.works} 件")


@rounds.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def rounds_list(as_json: bool) -> None:
    """列出清理轮次及其范围、起止日期和已作决定的件数。"""
    from clearance.rounds import list_rounds

    store = open_store()
    with store.sessions() as session:
        rows = list_rounds(session)
    if as_json:
        echo_json([r.as_dict() for r in rows])
        return
    if not rows:
        click.echo("尚无清理轮次：用 fagui rounds create 名称 --body 制定机关 新建")
    for r in rows:
        closed = r.closed.isoformat() if r.closed else "进行中"
        published = f"\t{r.published_on.isoformat()} 公布（{r.published_number}）" if r.published_on else ""
        click.echo(f"{r.id}\t{r.name}\t{r.scope}\t{r.opened.isoformat()} 至 {closed}\t决定 {r.decisions} 件{published}")


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
    store = open_store()
    with store.sessions() as session:
        build = catalogue_report if catalogue else result_report
        data = export(build(session, round_id, date_option(as_of, "--as-of")), fmt, *_link_args())
    if output:
        output.write_bytes(data)
        click.echo(f"已写入 {output}（{len(data)} 字节）", err=True)
    else:
        click.echo(data.decode("utf-8").removeprefix("\ufeff"), nl=False)


COMMANDS = [report_cmd, users, check_list_cmd, rounds]
