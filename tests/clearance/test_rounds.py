"""Clearance rounds on both databases: decisions with an append-only audit trail, comparing rounds, published
result lists and catalogues, decisions that never change a work's status, and disagreeing decisions listed in
the status-conflict report."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select, update

from clearance.exports import export
from clearance.reports import ReportOptions, run_report
from clearance.rounds import (
    ClearanceError,
    audit_trail,
    catalogue_report,
    close_round,
    compare_rounds,
    create_round,
    decide,
    result_report,
    round_works,
    scope_work_ids,
)
from fagui.records import DocumentRecord, RelationRef
from indexer.store.models import ClearanceAudit, Work
from indexer.store.upsert import find_work_id, recompute_work, upsert_record

GOV = "浙江省人民政府"


def rec(title, *, published, bodies=(GOV,), relations=(), expires=None, doc_type="行政规范性文件"):
    return DocumentRecord(source="test", source_ref=title, title=title, text=f"第一条 {title}。\n第二条 施行。",
                          doc_type=doc_type, region="浙江省", published=published, expires=expires,
                          issuing_bodies=list(bodies), relations=list(relations))


@pytest.fixture
def rounds_store(store):
    with store.sessions() as s:
        upsert_record(s, rec("浙江省甲办法", published=date(2021, 1, 1)))
        upsert_record(s, rec("浙江省乙办法", published=date(2022, 1, 1), expires=date(2027, 1, 1)))
        upsert_record(s, rec("浙江省旧规定", published=date(2010, 1, 1), doc_type="地方政府规章"))
        upsert_record(s, rec("浙江省人民政府关于废止部分规章的决定", published=date(2024, 2, 1), doc_type="地方政府规章",
                             relations=[RelationRef("repeals", title="浙江省旧规定", effective=date(2024, 3, 1))]))
        upsert_record(s, rec("浙江省交通运输厅丙通知", published=date(2023, 5, 1), bodies=("浙江省交通运输厅",)))
        s.commit()
    return store


def wid(s, title: str) -> str:
    return find_work_id(s, title, None, "浙江省")


def conflicts(s, as_of: date) -> list[dict]:
    return [r for r in run_report(s, "conflicts", ReportOptions(as_of=as_of)).rows if r["origin"] == "清理决定"]


def test_decisions_with_an_audit_trail_that_is_never_updated_or_deleted(rounds_store):
    with rounds_store.sessions() as s:
        rnd = create_round(s, "2024年浙江省政府文件清理", "张三", body=GOV, opened=date(2024, 10, 1))
        jia = wid(s, "浙江省甲办法")
        assert decide(s, rnd.id, jia, "保留", "仍然适用", "张三", date(2024, 10, 8)) is not None
        assert decide(s, rnd.id, jia, "keep", "仍然适用", "张三") is None  # nothing changed: no audit row
        changed = decide(s, rnd.id, jia, "amend", "与上位法不一致，需要修改", "李四", date(2024, 10, 9))
        assert (changed.decision, changed.reviewer) == ("amend", "李四")
        close_round(s, rnd.id, "张三", date(2024, 12, 31), allow_undecided=True)
        s.commit()
        trail = audit_trail(s, rnd.id)
        assert [(a.action, a.actor) for a in trail] == [
            ("create_round", "张三"), ("decide", "张三"), ("change_decision", "李四"), ("close_round", "张三")]
        change = trail[2]
        assert change.before["decision"] == "keep" and change.after["decision"] == "amend"
        assert change.before["reason"] == "仍然适用" and change.title == "浙江省甲办法"
        assert "保留" in change.before_text and "修改" in change.after_text
        assert trail[3].before["closed"] is None and trail[3].after["closed"] == "2024-12-31"
        assert [a.action for a in audit_trail(s, rnd.id, jia)] == ["decide", "change_decision"]

        row = s.scalar(select(ClearanceAudit).order_by(ClearanceAudit.id).limit(1))
        row.actor = "someone else"
        with pytest.raises(ClearanceError, match="审计记录不可修改"):
            s.flush()
        s.rollback()
        s.delete(s.scalar(select(ClearanceAudit).limit(1)))
        with pytest.raises(ClearanceError, match="审计记录不可删除"):
            s.flush()
        s.rollback()
        for bulk in (update(ClearanceAudit).values(actor="someone else"), delete(ClearanceAudit)):
            with pytest.raises(ClearanceError, match="审计记录不可修改或删除"):
                s.execute(bulk)
            s.rollback()
        with pytest.raises(ClearanceError, match="已结束"):
            decide(s, rnd.id, jia, "repeal", "理由", "张三")
        assert len(audit_trail(s, rnd.id)) == 4


def test_bad_actions_are_refused_with_a_reason(rounds_store):
    with rounds_store.sessions() as s:
        rnd = create_round(s, "交通厅文件清理", "张三", body="浙江省交通运输厅")
        assert {w.title for w in round_works(s, rnd.id)} == {"浙江省交通运输厅丙通知"}
        with pytest.raises(ClearanceError, match="已有同名"):
            create_round(s, "交通厅文件清理", "张三")
        with pytest.raises(ClearanceError, match="没有名为“火星省政府”的制定机关"):
            create_round(s, "另一轮", "张三", body="火星省政府")
        with pytest.raises(ClearanceError, match="不在本轮清理范围内"):
            decide(s, rnd.id, wid(s, "浙江省甲办法"), "keep", "理由", "张三")
        bing = wid(s, "浙江省交通运输厅丙通知")
        with pytest.raises(ClearanceError, match="未知的清理决定"):
            decide(s, rnd.id, bing, "撤销", "理由", "张三")
        with pytest.raises(ClearanceError, match="请填写决定理由"):
            decide(s, rnd.id, bing, "keep", "  ", "张三")
        with pytest.raises(ClearanceError, match="必须注明操作人"):
            decide(s, rnd.id, bing, "keep", "理由", "")
        assert decide(s, rnd.id, bing, "宣布失效", "已完成历史使命", "张三").decision == "declare_invalid"


def test_decisions_never_change_status_and_disagreements_are_conflicts(rounds_store):
    with rounds_store.sessions() as s:
        before = {w.title: (w.status, w.status_reason, w.status_official) for w in s.scalars(select(Work))}
        rnd = create_round(s, "2024年清理", "张三", region="浙江省", opened=date(2024, 10, 1))
        old, jia, yi = wid(s, "浙江省旧规定"), wid(s, "浙江省甲办法"), wid(s, "浙江省乙办法")
        decide(s, rnd.id, old, "keep", "继续适用", "张三", date(2024, 10, 2))  # but it was repealed in March
        decide(s, rnd.id, jia, "repeal", "已不适应", "张三", date(2024, 10, 3))
        decide(s, rnd.id, yi, "keep", "继续适用", "张三", date(2024, 10, 3))
        s.commit()
        for work in s.scalars(select(Work)):
            recompute_work(s, work)
        s.flush()
        after = {w.title: (w.status, w.status_reason, w.status_official) for w in s.scalars(select(Work))}
        assert after == before
        assert before["浙江省甲办法"][0] == "effective" and before["浙江省旧规定"][0] == "repealed"

        # round still open: only the keep decision on a repealed rule disagrees
        rows = conflicts(s, date(2024, 11, 1))
        assert [(r["title"], r["computed"]) for r in rows] == [("浙江省旧规定", "已废止")]
        assert rows[0]["source_status"] == "保留（2024年清理）" and "已废止" in rows[0]["source_meaning"]
        # closed: the repeal decided for 甲 has no repealing document yet
        close_round(s, rnd.id, "张三", date(2024, 12, 31), allow_undecided=True)
        s.commit()
        rows = conflicts(s, date(2025, 1, 15))
        assert sorted((r["title"], r["computed"]) for r in rows) == [("浙江省旧规定", "已废止"), ("浙江省甲办法", "现行有效")]
        assert "清理结束" in next(r for r in rows if r["title"] == "浙江省甲办法")["source_meaning"]
        # before the round began its decisions say nothing
        assert conflicts(s, date(2024, 9, 1)) == []
        # the conflict report's own exports carry the origin column
        rep = run_report(s, "conflicts", ReportOptions(as_of=date(2025, 1, 15)))
        assert "冲突来源" in [c.label for c in rep.columns]


def test_compare_rounds_and_publish(rounds_store, tmp_path):
    with rounds_store.sessions() as s:
        a = create_round(s, "2023年清理", "张三", region="浙江省", opened=date(2023, 3, 1))
        b = create_round(s, "2024年清理", "张三", region="浙江省", opened=date(2024, 3, 1))
        jia, yi, bing = wid(s, "浙江省甲办法"), wid(s, "浙江省乙办法"), wid(s, "浙江省交通运输厅丙通知")
        decide(s, a.id, jia, "keep", "适用", "张三")
        decide(s, b.id, jia, "amend", "需修改", "李四")
        decide(s, a.id, yi, "keep", "适用", "张三")
        decide(s, b.id, yi, "keep", "仍适用", "李四")
        decide(s, b.id, bing, "declare_invalid", "失去依据", "李四")
        s.commit()
        cmp = compare_rounds(s, a.id, b.id)
        got = {r["title"]: (r["decision_a"], r["decision_b"], r["changed"]) for r in cmp.rows}
        assert got == {"浙江省甲办法": ("保留", "修改", True), "浙江省乙办法": ("保留", "保留", False),
                       "浙江省交通运输厅丙通知": ("未列入", "宣布失效", True)}
        assert [r["changed"] for r in cmp.rows] == [True, True, False]  # changes first
        assert cmp.summary == {"total": 3, "changed": 2}

        result = result_report(s, b.id, date(2025, 6, 1))
        assert len(result.rows) == len(scope_work_ids(s, b)) == 5
        decided = {r["title"]: r["decision"] for r in result.rows}
        assert decided["浙江省甲办法"] == "修改" and decided["浙江省旧规定"] == "待定"
        assert result.summary["待定"] == 2
        catalogue = catalogue_report(s, b.id, date(2025, 6, 1))
        listed = [(r["body"], r["title"]) for r in catalogue.rows]
        assert ("浙江省人民政府", "浙江省甲办法") in listed and ("浙江省交通运输厅", "浙江省交通运输厅丙通知") in listed
        assert all(t != "浙江省旧规定" for _, t in listed)  # repealed: not in the catalogue of effective ones
        assert [b_ for b_, _ in listed] == sorted(b_ for b_, _ in listed)

        for rep in (result, catalogue, cmp):
            path = tmp_path / f"{rep.name}.xlsx"
            path.write_bytes(export(rep, "xlsx"))
            sheet = [[("" if v is None else v) for v in row] for row in load_workbook(path).active.iter_rows(values_only=True)]
            table = list(csv.reader(io.StringIO(export(rep, "csv").decode("utf-8-sig"))))
            assert [[str(v) for v in row] for row in sheet] == table
            assert len(table) == len(rep.rows) + 1


def test_rounds_commands(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from fagui.cli.commands import cli
    from indexer.store.app_store import open_store

    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    store = open_store(migrate=True)
    with store.sessions() as s:
        upsert_record(s, rec("浙江省甲办法", published=date(2021, 1, 1)))
        s.commit()
    store.engine.dispose()
    runner = CliRunner()
    assert "尚无清理轮次" in runner.invoke(cli, ["rounds", "list"]).output
    made = runner.invoke(cli, ["rounds", "create", "2024年清理", "--region", "浙江省", "--by", "张三"])
    assert made.exit_code == 0 and "（范围：浙江省，1 件文件）" in made.output
    listed = runner.invoke(cli, ["rounds", "list", "--json"])
    [row] = json.loads(listed.output)
    assert row == {"id": row["id"], "name": "2024年清理", "scope": "浙江省", "opened": date.today().isoformat(),
                   "closed": None, "created_by": "张三", "decisions": 0,
                       "published_on": None, "published_number": None}
    plain = runner.invoke(cli, ["rounds", "list"]).output
    assert plain == f"{row['id']}\t2024年清理\t浙江省\t{date.today().isoformat()} 至 进行中\t决定 0 件\n"
    exported = runner.invoke(cli, ["rounds", "export", str(row["id"]), "--as-of", "2024-06-01"])
    table = list(csv.reader(io.StringIO(exported.output)))
    assert table[0][:2] == ["标题", "效力级别"] and table[1][0] == "浙江省甲办法" and table[1][6] == "待定"
