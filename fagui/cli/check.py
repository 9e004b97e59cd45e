"""`fagui check`: what the running instance uses and whether it is sound.

Each finding is ok, warning or error; any error makes the command exit non-zero, so a deployment (or a
health probe) can run it as is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, text

from fagui.cli.crawl import RUN_STATE_LABELS
from fagui.settings import Settings

OUTBOX_LAG_LIMIT = timedelta(minutes=15)


@dataclass
class Finding:
    part: str
    level: str  # ok, warning, error
    message: str
    details: dict = field(default_factory=dict)


def check_instance(settings: Settings, now: datetime | None = None) -> list[Finding]:
    from clearance.snapshot import links_built
    from indexer.store.app_store import StoreNotReady, open_store
    from indexer.store.models import Article, CrawlRun, OutboxEvent, Version, Work

    now = now or datetime.utcnow()
    findings: list[Finding] = []
    try:
        store = open_store(settings)
        with store.sessions() as session:
            session.execute(text("select 1"))
            revision = session.scalar(text("select version_num from alembic_version"))
            counts = {
                "works": session.scalar(select(func.count()).select_from(Work)),
                "versions": session.scalar(select(func.count()).select_from(Version)),
                "articles": session.scalar(select(func.count()).select_from(Article)),
            }
            pending = session.scalar(select(func.count()).select_from(OutboxEvent)
                                     .where(OutboxEvent.processed_at.is_(None))) or 0
            oldest = session.scalar(select(func.min(OutboxEvent.created_at)).where(OutboxEvent.processed_at.is_(None)))
            runs = _last_runs(session, CrawlRun)
            links = links_built(session)
    except StoreNotReady as exc:
        return [Finding("database", "error", str(exc))]
    except Exception as exc:  # unreachable server, bad URL, wrong password: all end here with the reason
        return [Finding("database", "error", f"数据库无法连接：{type(exc).__name__}: {str(exc)[:300]}",
                        {"url": _masked(settings.database_url)})]
    db = {"url": store.engine.url.render_as_string(hide_password=True), "dialect": store.engine.dialect.name,
          "revision": revision, **counts}
    from indexer.store.migrate import head_revision

    head = head_revision()
    if revision != head:
        findings.append(Finding("database", "error", f"数据库结构版本 {revision} 落后于 {head}：请运行 `fagui db upgrade`", db))
    else:
        findings.append(Finding("database", "ok", f"{db['dialect']}，结构版本 {revision}，法规 {counts['works']} 件", db))

    if pending:
        lag = now - oldest if oldest else timedelta(0)
        level = "error" if lag > OUTBOX_LAG_LIMIT else "warning"
        findings.append(Finding("outbox", level, f"{pending} 项变更尚未写入检索索引（最早的已等待 {int(lag.total_seconds())} 秒）："
                                "运行 `fagui index sync`", {"pending": pending, "oldest": str(oldest)}))
    else:
        findings.append(Finding("outbox", "ok", "所有变更均已写入检索索引", {"pending": 0}))

    if links or not counts["works"]:
        findings.append(Finding("links", "ok", "已建立引用关系" if links else "库中尚无法规", {"built": links}))
    else:
        findings.append(Finding("links", "warning", "尚未建立引用关系（从未运行 `fagui links rebuild`）：清单核查的“依据已变化”"
                                "和“依据或引用的法规已变化”报表无从判断，请运行 `fagui links rebuild`", {"built": False}))
    findings.append(_engine_finding(settings, counts, pending))
    if not runs:
        findings.append(Finding("crawl", "ok", "尚未运行过采集（fagui crawl SOURCE）", {"sources": {}}))
    for source, run in runs.items():
        level = "ok" if run["state"] in ("finished", "imported") and not run["listing_error"] else "warning"
        kind = "导入" if run["state"] == "imported" else "采集"  # `fagui import` is kept as a run of its source
        findings.append(Finding(f"crawl:{source}", level,
                                f"{source} 最近一次{kind} {run['started_at']}（{RUN_STATE_LABELS.get(run['state'], run['state'])}）："
                                f"新增 {run['new']}，"
                                f"变化 {run['changed']}，未变 {run['unchanged']}，失败 {run['failed']}", run))
    store.engine.dispose()
    return findings


def _engine_finding(settings: Settings, counts: dict, pending: int) -> Finding:
    from indexer.search.backends import open_backend
    from indexer.search.backends.base import BackendUnavailable, SearchRequest

    backend = open_backend(settings)
    details: dict = {"engine": backend.name}
    if backend.name == "tantivy":
        details["path"] = str(settings.data_dir / "tantivy")
    else:
        details["url"] = _masked(settings.es_url or "")
        details["alias"] = getattr(backend, "alias", None)
        indices = getattr(backend, "_alias_indices", None)
        try:
            details["indices"] = indices() if indices else None
        except Exception as exc:  # the cluster answered nothing useful: reported below by the search probe
            details["indices_error"] = str(exc)[:200]
    try:
        backend.search(SearchRequest(limit=0))
        documents = backend.count()
    except BackendUnavailable as exc:
        return Finding("search", "error", f"检索引擎不可用：{exc}", details)
    except Exception as exc:
        return Finding("search", "error", f"检索引擎不可用：{type(exc).__name__}: {str(exc)[:300]}", details)
    finally:
        backend.close()
    expected = counts["versions"] + counts["articles"]
    details.update(documents=documents, expected=expected)
    if documents != expected and not pending:
        return Finding("search", "error", f"检索索引有 {documents} 个文档，数据库应有 {expected} 个：请运行 `fagui index rebuild`",
                       details)
    return Finding("search", "ok", f"{backend.name}，索引文档 {documents} 个", details)


def _last_runs(session, crawl_run) -> dict[str, dict]:
    latest = select(crawl_run.source, func.max(crawl_run.id).label("id")).group_by(crawl_run.source).subquery()
    out = {}
    for run in session.scalars(select(crawl_run).join(latest, crawl_run.id == latest.c.id).order_by(crawl_run.source)):
        out[run.source] = {
            "state": run.state, "started_at": run.started_at.isoformat(timespec="seconds"),
            "finished_at": run.finished_at.isoformat(timespec="seconds") if run.finished_at else None,
            "new": run.new, "changed": run.changed, "unchanged": run.unchanged, "failed": run.failed,
            "gone": run.gone, "listing_error": run.listing_error,
        }
    return out


def _masked(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a database URL (an Elasticsearch address): strip any user:password@
        import re

        return re.sub(r"//[^@/]+@", "//***@", url)
