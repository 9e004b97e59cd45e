"""Rounds that take effect, on both databases: closing with 待定 works needs confirmation; a published round's
废止 / 宣布失效 end the works from the publication date (stored status, status on any date, catalogues, the
round's own exports, the document page and the outbox that feeds the search index); a later published 保留 undoes
an end from its own date with the audit trail kept; decisions imported from a file, all or nothing."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from clearance.decision_import import import_decisions
from clearance.exports import export
from clearance.reports import ReportOptions, run_report
from clearance.rounds import (
    ClearanceError,
    audit_trail,
    catalogue_report,
    close_round,
    create_round,
    decide,
    publish_round,
    result_report,
    undecided_count,
)
from clearance.snapshot import snapshot
from fagui.records import DocumentRecord
from indexer.store.documents import work_detail
from indexer.store.models import OutboxEvent, Work
from indexer.store.upsert import find_work_id, upsert_record

GOV = "浙江省人民政府"


def rec(title, *, published, doc_type="行政规范性文件"):
    return DocumentRecord(source="test", source_ref=title, title=title, text=f"第一条 {title}。\n第二条 施行。",
                          doc_type=doc_type, region="浙江省", published=published, issuing_bodies=[GOV])


@pytest.fixture
def zj(store):
    with store.sessions() as s:
        for title, day in (("浙江省甲办法", date(2021, 1, 1)), ("浙江省乙办法", date(2022, 1, 1)),
                           ("浙江省丙规定", date(2019, 1, 1)), ("浙江省丁通知", date(2020, 1, 1))):
            upsert_record(s, rec(title, published=day))
        s.commit()
    return store


def wid(s, title: str) -> str:
    return find_work_id(s, title, None, "浙江省")


def status(s, title: str) -> tuple[str, str | None]:
    w = s.get(Work, wid(s, title))
    return w.status, w.status_reason


def test_closing_with_undecided_works_needs_confirmation(zj):
    with zj.sessions() as s:
        rnd = create_round(s, "2024年清理", "张三", region="浙江省", opened=date(2024, 10, 1))
        decide(s, rnd.id, wid(s, "浙江省甲办法"), "保留", "适用", "张三")
        assert undecided_count(s, rnd.id) == (3, 4)
        with pytest.raises(ClearanceError, match="共 4 件，尚有 3 件待定"):
            close_round(s, rnd.id, "张三", date(2024, 12, 1))
        assert rnd.closed is None
        close_round(s, rnd.id, "张三", date(2024, 12, 1), allow_undecided=True)
        closing = audit_trail(s, rnd.id)[-1]
        assert closing.action == "close_round" and closing.after["undecided"] == 3


def test_published_round_ends_works_from_its_date(zj):
    with zj.sessions() as s:
        rnd = create_round(s, "2024年清理", "张三", region="浙江省", opened=date(2024, 10, 1))
        jia, yi, bing, ding = (wid(s, t) for t in ("浙江省甲办法", "浙江省乙办法", "浙江省丙规定", "浙江省丁通知"))
        decide(s, rnd.id, jia, "废止", "已不适应", "张三", date(2024, 10, 8))
        decide(s, rnd.id, yi, "宣布失效", "调整对象已消失", "张三", date(2024, 10, 8))
        decide(s, rnd.id, bing, "修改", "与上位法不一致", "李四", date(2024, 10, 9))
        decide(s, rnd.id, ding, "保留", "适用", "李四", date(2024, 10, 9))
        with pytest.raises(ClearanceError, match="尚未结束"):
            publish_round(s, rnd.id, "张三", date(2024, 12, 31), "浙政发〔2024〕30号")
        close_round(s, rnd.id, "张三", date(2024, 12, 20))
        s.commit()
        # closed but unpublished: nothing changes yet
        assert status(s, "浙江省甲办法")[0] == "effective"
        with pytest.raises(ClearanceError, match="文号"):
            publish_round(s, rnd.id, "张三", date(2024, 12, 31), "  ")
        with pytest.raises(ClearanceError, match="不能早于"):
            publish_round(s, rnd.id, "张三", date(2024, 12, 1), "浙政发〔2024〕30号")
        s.query(OutboxEvent).delete()
        s.commit()

        done = publish_round(s, rnd.id, "王五", date(2024, 12, 31), "浙政发〔2024〕30号")
        s.commit()
        assert sorted(done.ended) == sorted([jia, yi]) and done.amended == [bing] and done.kept == [ding]
        with pytest.raises(ClearanceError, match="已于 2024-12-31 公布"):
            publish_round(s, rnd.id, "王五", date(2025, 1, 5), "浙政发〔2025〕1号")

        # the stored status (API, search filter) and its reason
        st, reason = status(s, "浙江省甲办法")
        assert st == "repealed" and "清理决定废止" in reason and "浙政发〔2024〕30号" in reason
        assert status(s, "浙江省乙办法")[0] == "expired"
        assert status(s, "浙江省丙规定")[0] == "effective" and status(s, "浙江省丁通知")[0] == "effective"
        # every decided work goes to the outbox, so the search index takes the change at its next sync
        assert {e.entity_id for e in s.scalars(select(OutboxEvent))} >= {jia, yi, bing, ding}

        # status on any date: in force until the publication date, ended from it
        works = snapshot(s, region="浙江省")
        assert works[jia].status_on(date(2024, 12, 30)).status == "effective"
        assert works[jia].status_on(date(2024, 12, 31)).status == "repealed"
        assert works[yi].status_on(date(2025, 3, 1)).status == "expired"

        # the public catalogue and the round's own catalogue and result list
        public = run_report(s, "catalogue", ReportOptions(as_of=date(2025, 1, 10), region="浙江省"))
        listed = {r["title"] for r in public.rows}
        assert "浙江省甲办法" not in listed and "浙江省乙办法" not in listed and "浙江省丙规定" in listed
        earlier = run_report(s, "catalogue", ReportOptions(as_of=date(2024, 12, 1), region="浙江省"))
        assert "浙江省甲办法" in {r["title"] for r in earlier.rows}
        own = catalogue_report(s, rnd.id, date(2025, 1, 10))
        assert {r["title"] for r in own.rows} == {"浙江省丙规定", "浙江省丁通知"}
        assert "浙政发〔2024〕30号" in own.description
        result = {r["title"]: r for r in result_report(s, rnd.id, date(2025, 1, 10)).rows}
        assert result["浙江省甲办法"]["status"] == "已废止" and result["浙江省乙办法"]["status"] == "已失效"

        # the document page: the decision, the pending amendment note
        page = work_detail(s, bing)
        [note] = page.clearance
        assert note.pending_amendment and note.number == "浙政发〔2024〕30号"
        assert page.to_json()["clearance_decisions"][0]["decision"] == "修改"
        assert work_detail(s, jia).clearance[0].label == "废止"

        # who and when: the audit trail has the publication
        last = audit_trail(s, rnd.id)[-1]
        assert (last.action, last.actor, last.after["published_number"], last.after["ended"]) == (
            "publish_round", "王五", "浙政发〔2024〕30号", 2)


def test_a_later_published_decision_undoes_an_end_from_its_own_date(zj):
    with zj.sessions() as s:
        jia = wid(s, "浙江省甲办法")
        first = create_round(s, "2024年清理", "张三", region="浙江省", opened=date(2024, 10, 1))
        decide(s, first.id, jia, "废止", "已不适应", "张三", date(2024, 10, 8))
        close_round(s, first.id, "张三", date(2024, 12, 20), allow_undecided=True)
        publish_round(s, first.id, "张三", date(2024, 12, 31), "浙政发〔2024〕30号")
        s.commit()
        assert status(s, "浙江省甲办法")[0] == "repealed"

        second = create_round(s, "2025年复核", "李四", region="浙江省", opened=date(2025, 2, 1))
        decide(s, second.id, jia, "保留", "误列入废止目录，予以纠正", "李四", date(2025, 2, 3))
        close_round(s, second.id, "李四", date(2025, 2, 10), allow_undecided=True)
        publish_round(s, second.id, "李四", date(2025, 2, 15), "浙政发〔2025〕5号")
        s.commit()
        assert status(s, "浙江省甲办法")[0] == "effective"
        works = snapshot(s, region="浙江省")
        assert works[jia].status_on(date(2025, 1, 20)).status == "repealed"  # the past stays as it was
        assert works[jia].status_on(date(2025, 2, 15)).status == "effective"
        notes = work_detail(s, jia).clearance
        assert [(n.label, n.undone_on) for n in notes] == [("废止", date(2025, 2, 15)), ("保留", None)]
        # both rounds keep their audit rows
        assert [a.action for a in audit_trail(s, first.id)][-1] == "publish_round"
        assert [a.action for a in audit_trail(s, second.id)][-1] == "publish_round"


def test_decisions_imported_from_the_rounds_own_export_all_or_nothing(zj):
    with zj.sessions() as s:
        rnd = create_round(s, "2024年清理", "张三", region="浙江省", opened=date(2024, 10, 1))
        s.commit()
        table = list(csv.reader(io.StringIO(export(result_report(s, rnd.id), "csv").decode("utf-8-sig"))))
        head = table[0]
        col = {name: head.index(name) for name in ("标题", "清理决定", "理由", "文件编号")}
        rows = {r[col["标题"]]: r for r in table[1:]}
        rows["浙江省甲办法"][col["清理决定"]] = "废止"
        rows["浙江省甲办法"][col["理由"]] = "已不适应"
        rows["浙江省乙办法"][col["清理决定"]] = "撤销"  # no such decision
        rows["浙江省丙规定"][col["清理决定"]] = "保留"  # no reason
        bad = io.StringIO()
        csv.writer(bad).writerows(table)
        result = import_decisions(s, rnd.id, bad.getvalue().encode("utf-8"), "清理结果.csv", "赵六")
        assert len(result.errors) == 2 and result.recorded == 0
        assert any("未知的清理决定：撤销" in e for e in result.errors)
        assert any("请填写决定理由" in e for e in result.errors)
        s.rollback()
        assert undecided_count(s, rnd.id) == (4, 4)

        rows["浙江省乙办法"][col["清理决定"]] = "宣布失效"
        rows["浙江省乙办法"][col["理由"]] = "调整对象已消失"
        rows["浙江省丙规定"][col["清理决定"]] = ""
        good = io.StringIO()
        csv.writer(good).writerows(table)
        result = import_decisions(s, rnd.id, good.getvalue().encode("utf-8"), "清理结果.csv", "赵六")
        assert (result.errors, result.recorded, result.undecided) == ([], 2, 2)
        s.commit()
        assert undecided_count(s, rnd.id) == (2, 4)
        trail = audit_trail(s, rnd.id)
        assert [a.action for a in trail][-3:] == ["decide", "decide", "import_decisions"]
        assert {a.actor for a in trail[-3:]} == {"赵六"}

        only_titles = "标题,清理决定,理由\r\n浙江省甲办法,废止,已不适应\r\n浙江省火星办法,保留,适用\r\n".encode()
        result = import_decisions(s, rnd.id, only_titles, "x.csv", "赵六")
        assert result.errors == ["第 3 行：本轮清理范围内没有标题为“浙江省火星办法”的文件"]
        with pytest.raises(ClearanceError, match="没有“清理决定”列"):
            import_decisions(s, rnd.id, "标题,理由\r\n浙江省甲办法,x\r\n".encode(), "x.csv", "赵六")


def test_rounds_decide_import_close_and_publish_from_the_command_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from fagui.cli.commands import cli
    from indexer.store.app_store import open_store

    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    store = open_store(migrate=True)
    with store.sessions() as s:
        for title, day in (("浙江省甲办法", date(2021, 1, 1)), ("浙江省乙办法", date(2022, 1, 1)),
                           ("浙江省丙规定", date(2019, 1, 1))):
            upsert_record(s, rec(title, published=day))
        s.commit()
        jia = wid(s, "浙江省甲办法")
    store.engine.dispose()
    runner = CliRunner()
    assert runner.invoke(cli, ["rounds", "create", "2024年清理", "--region", "浙江省", "--opened", "2024-10-01",
                                     "--by", "张三"]).exit_code == 0
    done = runner.invoke(cli, ["rounds", "decide", "1", "浙江省甲办法", "废止", "--reason", "已不适应", "--by", "张三"])
    assert done.exit_code == 0 and f"已记录：文件 {jia} 废止（张三" in done.output
    wrong = runner.invoke(cli, ["rounds", "decide", "1", "浙江省火星办法", "废止", "--reason", "x", "--by", "张三"])
    assert wrong.exit_code != 0 and "本轮清理范围内没有标题为“浙江省火星办法”的文件" in wrong.output

    sheet = tmp_path / "决定.csv"
    sheet.write_text("标题,清理决定,理由\n浙江省乙办法,宣布失效,调整对象已消失\n浙江省丙规定,作废,x\n", encoding="utf-8")
    bad = runner.invoke(cli, ["rounds", "import", "1", str(sheet), "--by", "李四"])
    assert bad.exit_code != 0 and "第 3 行：未知的清理决定：作废" in bad.output and "未导入任何决定" in bad.output
    sheet.write_text("标题,清理决定,理由\n浙江省乙办法,宣布失效,调整对象已消失\n浙江省丙规定,待定,\n", encoding="utf-8")
    good = runner.invoke(cli, ["rounds", "import", "1", str(sheet), "--by", "李四"])
    assert good.exit_code == 0 and "记录或变更决定 1 件" in good.output and "待定 1 行" in good.output

    declined = runner.invoke(cli, ["rounds", "close", "1", "--on", "2024-12-20", "--by", "张三"], input="n\n")
    assert declined.exit_code != 0 and "共 3 件，尚有 1 件待定" in declined.output
    assert "进行中" in runner.invoke(cli, ["rounds", "list"]).output
    closed = runner.invoke(cli, ["rounds", "close", "1", "--on", "2024-12-20", "--by", "张三"], input="y\n")
    assert closed.exit_code == 0 and "已结束清理轮次 1" in closed.output, closed.output
    published = runner.invoke(cli, ["rounds", "publish", "1", "--on", "2024-12-31", "--number", "浙政发〔2024〕30号",
                                     "--by", "张三", "--no-sync"])
    assert published.exit_code == 0 and "废止或宣布失效 2 件" in published.output
    assert "2024-12-31 公布（浙政发〔2024〕30号）" in runner.invoke(cli, ["rounds", "list"]).output
    catalogue = runner.invoke(cli, ["rounds", "export", "1", "--catalogue", "--as-of", "2025-01-10"]).output
    assert "浙江省丙规定" in catalogue and "浙江省甲办法" not in catalogue and "浙江省乙办法" not in catalogue
    result = runner.invoke(cli, ["rounds", "export", "1", "--as-of", "2025-01-10"]).output
    assert "已废止" in result and "已失效" in result
