"""Clearance pages through the Flask test client: every page and download needs the clearance login, every
form needs its CSRF token, uploads are checked (format, size, rows) with the error shown on the page, a job runs
in the background and its results filter and download, and the round workflow answers bad input with 400."""

from __future__ import annotations

import io
import re
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import update

from indexer.store.models import ChecklistJob, utcnow
from tests.clearance.test_checklist import crafted_xlsx, shared_cell
from tests.portal.conftest import build_clearance_instance, token_from

PASSWORD = "clearance pass 123"
INJECTION = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    return build_clearance_instance(tmp_path_factory.mktemp("clearance-portal"), {"qingli": True}, "clearance-test-secret", PASSWORD)


@pytest.fixture(scope="module")
def app(instance):
    from portal import create_app

    return create_app(instance, testing=True)


@pytest.fixture
def client(app):
    return app.test_client()




@pytest.fixture
def logged_in(client):
    page = client.get("/login")
    response = client.post("/login", data={"name": "qingli", "password": PASSWORD,
                                           "csrf_token": token_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    return client


def token(client) -> str:
    return token_from(client.get("/clearance/check").get_data(as_text=True))


def xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def wait_finished(app, job_id: int, timeout: float = 60) -> None:
    from portal import services

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            sess = services.store().sessions()
            state = sess.get(ChecklistJob, job_id).state
            sess.close()
        if state == "finished":
            return
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.mark.parametrize("url", ["/clearance/", "/clearance/check", "/clearance/rounds", "/clearance/check/1",
                                 "/clearance/check/1/export.xlsx", "/clearance/rounds/1/audit",
                                 "/clearance/rounds/1/publish/result.csv"])
def test_every_page_needs_the_clearance_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_posts_need_the_login_and_then_the_csrf_token(client):
    assert client.post("/clearance/rounds", data={"name": "x"}).status_code == 302  # to the login first
    page = client.get("/login")
    client.post("/login", data={"name": "qingli", "password": PASSWORD,
                                "csrf_token": token_from(page.get_data(as_text=True))})
    for url, data in [("/clearance/rounds", lambda: {"name": "无令牌"}),
                      ("/clearance/check", lambda: {"file": (io.BytesIO("标题\r\n刑法\r\n".encode()), "a.csv")}),
                      ("/clearance/rounds/1/decide", lambda: {"work_id": "x", "decision": "keep", "reason": "r"})]:
        response = client.post(url, data=data())
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True), url
        bad = client.post(url, data={**data(), "csrf_token": "forged"})
        assert bad.status_code == 400
    assert "无令牌" not in client.get("/clearance/rounds").get_data(as_text=True)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("list.pdf", b"%PDF-1.4", "不支持的文件格式"),
    ("list.csv", b"", "文件为空"),
    ("list.csv", "序号,备注\r\n1,无\r\n".encode(), "文件中没有可用的列"),
    ("list.xlsx", b"PK\x03\x04broken", "无法读取 XLSX 文件"),
])
def test_bad_uploads_are_refused_on_the_page(logged_in, name, data, message):
    response = logged_in.post("/clearance/check", data={"csrf_token": token(logged_in),
                                                        "file": (io.BytesIO(data), name)},
                              content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_too_many_rows_and_too_many_bytes(app, logged_in, monkeypatch):
    settings = app.config["FAGUI_SETTINGS"]
    monkeypatch.setitem(app.config, "FAGUI_SETTINGS", replace(settings, checklist_max_rows=100))
    big = ("标题\r\n" + "某办法\r\n" * 101).encode()
    response = logged_in.post("/clearance/check", data={"csrf_token": token(logged_in),
                                                        "file": (io.BytesIO(big), "big.csv")})
    assert response.status_code == 400 and "超过上限 100 行" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "FAGUI_SETTINGS", replace(settings, checklist_max_bytes=1000))
    response = logged_in.post("/clearance/check", data={"csrf_token": token(logged_in),
                                                        "file": (io.BytesIO(b"x" * 5000), "big.csv")})
    assert response.status_code == 413 and "文件过大" in response.get_data(as_text=True)
    # far over the cap: refused from the declared length, before the body is parsed (no token read either)
    response = logged_in.post("/clearance/check", data={"file": (io.BytesIO(b"x" * 200_000), "big.csv")})
    assert response.status_code == 413 and "文件过大" in response.get_data(as_text=True)


class CountingStream(io.BytesIO):
    """A request body that counts what the application read of it."""

    consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.consumed += len(line)
        return line


def test_an_upload_without_a_length_stops_at_the_cap(app, logged_in, monkeypatch):
    settings = app.config["FAGUI_SETTINGS"]
    monkeypatch.setitem(app.config, "FAGUI_SETTINGS", replace(settings, checklist_max_bytes=1000))
    boundary = "fagui-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token(logged_in)}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n标题\r\n{'某办法' * 100_000}\r\n--{boundary}--\r\n").encode()
    stream = CountingStream(body)
    response = logged_in.post("/clearance/check", input_stream=stream,
                              content_type=f"multipart/form-data; boundary={boundary}",
                              environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""})  # chunked
    assert response.status_code == 413 and "过大" in response.get_data(as_text=True)
    assert stream.consumed < len(body) // 2  # the body was not read to its end


def test_hostile_uploads_get_a_chinese_400_and_no_job(app, logged_in, monkeypatch):
    settings = app.config["FAGUI_SETTINGS"]
    monkeypatch.setitem(app.config, "FAGUI_SETTINGS", replace(settings, checklist_max_columns=10,
                                                              checklist_max_cell_chars=50))
    entities = crafted_xlsx('<row r="1"><c r="A1" t="inlineStr"><is><t>标题</t></is></c></row>' + shared_cell(2),
                            [b"<si><t>&a;</t></si>"], prolog='<!DOCTYPE sst [<!ENTITY a "abc">]>')
    cases = [("entities.xlsx", entities, "XML 文档类型声明或实体"),
             ("wide.csv", ("标题\r\n" + ",".join(["x"] * 11) + "\r\n").encode(), "超过上限 10 列"),
             ("long.csv", ("标题\r\n" + "规" * 51 + "\r\n").encode(), "超过上限 50 个字符")]
    with app.app_context():
        from portal import services

        before = services.session().query(ChecklistJob).count()
    for name, data, message in cases:
        response = logged_in.post("/clearance/check", data={"csrf_token": token(logged_in),
                                                            "file": (io.BytesIO(data), name)})
        assert response.status_code == 400 and message in response.get_data(as_text=True), name
    with app.app_context():
        assert services.session().query(ChecklistJob).count() == before


def test_upload_runs_in_the_background_with_filters_and_downloads(app, logged_in):
    data = xlsx([["文件名称", "发文字号", "发文机关"], ["中华人民共和国刑法", None, None],
                 [None, "法释〔2023〕3号", None], ["某州市物业管理条例", None, None], [INJECTION, None, None],
                 ["北京市安全生产条列", None, None]])
    response = logged_in.post("/clearance/check", data={"csrf_token": token(logged_in), "as_of": "2025-06-01",
                                                        "file": (io.BytesIO(data), "清单.xlsx")})
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    wait_finished(app, job_id)
    html = logged_in.get(f"/clearance/check/{job_id}").get_data(as_text=True)
    assert "已完成" in html and 'http-equiv="refresh"' not in html
    assert "中华人民共和国刑法" in html and "郑州市物业管理条例" in html and "<script>" not in html
    # a near title is for review: its own word and colour, never the exact matches' green, and no status of it
    assert html.count('<tr class="m-已匹配">') == 2 and html.count('<tr class="m-需人工确认">') == 1
    assert 'id="match-legend"' in html and "已排除" in html
    review = logged_in.get(f"/clearance/check/{job_id}?match=review").get_data(as_text=True)
    row = review.split('<tr class="m-需人工确认">', 1)[1].split("</tr>", 1)[0]
    assert "北京市安全生产条例" in row and "请人工确认" in row and "现行有效" not in row
    assert row.count("<a ") == 1 and '<a class="candidate" href="/works/' in row  # the candidate, to check by hand
    only = logged_in.get(f"/clearance/check/{job_id}?match=unmatched").get_data(as_text=True)
    assert INJECTION.replace("'", "&#39;") in only and "中华人民共和国刑法</a>" not in only
    status = logged_in.get(f"/clearance/check/{job_id}/status.json").get_json()
    assert status == {"id": job_id, "state": "finished", "done": 5, "total": 5, "running": False, "error": None}
    download = logged_in.get(f"/clearance/check/{job_id}/export.xlsx")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(download.data)).active
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert ws.cell(row=9, column=2).value == "'" + INJECTION  # below the 4 heading lines
    match_column = [c.value for c in ws[5]].index("匹配结果") + 1
    fills = {ws.cell(row=r, column=match_column).value: ws.cell(row=r, column=match_column).fill.fgColor.rgb
             for r in range(6, 11)}
    assert len(set(fills.values())) == 3 and set(fills) == {"已匹配", "未找到", "需人工确认"}  # one colour each
    csv_download = logged_in.get(f"/clearance/check/{job_id}/export.csv?match=matched")
    assert csv_download.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    csv_text = csv_download.data.decode("utf-8-sig")
    assert csv_text.count("\r\n") == 3  # header and the two matched rows
    assert logged_in.get(f"/clearance/check/{job_id}?match=bogus").status_code == 400
    assert logged_in.get("/clearance/check/999999").status_code == 404


def test_an_unfinished_job_refreshes_and_can_be_resumed(app, logged_in):
    from clearance.checklist import create_job, read_table
    from portal import services

    def set_job(**values):
        with app.app_context():
            sess = services.store().sessions()
            sess.execute(update(ChecklistJob).where(ChecklistJob.id == job_id).values(**values))
            sess.commit()
            sess.close()

    with app.app_context():
        sess = services.store().sessions()
        job = create_job(sess, read_table("标题\r\n道交法\r\n".encode(), "a.csv"), "a.csv", "h")
        sess.commit()
        job_id = job.id
        sess.close()
    # another process (a worker, the command line) wrote progress a moment ago: the page follows it
    set_job(state="running", updated_at=utcnow())
    html = logged_in.get(f"/clearance/check/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in html and "继续核查" not in html
    # no progress for minutes: the worker that ran it is gone, so the page offers to continue
    set_job(updated_at=utcnow() - timedelta(minutes=5))
    html = logged_in.get(f"/clearance/check/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html and "已中断" in html
    assert "继续核查" in html and f"fagui check-list --resume {job_id}" in html
    assert logged_in.get(f"/clearance/check/{job_id}/status.json").get_json()["running"] is False
    response = logged_in.post(f"/clearance/check/{job_id}/resume", data={"csrf_token": token(logged_in)})
    assert response.status_code == 302
    wait_finished(app, job_id)
    assert "中华人民共和国道路交通安全法" in logged_in.get(f"/clearance/check/{job_id}").get_data(as_text=True)


def test_round_workflow_and_its_errors(logged_in):
    t = token(logged_in)
    bad = logged_in.post("/clearance/rounds", data={"csrf_token": t, "name": "x", "body": "火星省政府"})
    assert bad.status_code == 400 and "没有名为“火星省政府”的制定机关" in bad.get_data(as_text=True)
    made = logged_in.post("/clearance/rounds", data={"csrf_token": t, "name": "北京市法规清理", "region": "北京市",
                                                     "opened": "2025-01-02"})
    assert made.status_code == 302
    url = made.headers["Location"]
    round_id = int(url.rstrip("/").split("/")[-1])
    page = logged_in.get(url).get_data(as_text=True)
    work_id = re.search(r'id="w-([a-z0-9]+)"', page).group(1)
    done = logged_in.post(f"{url}/decide", data={"csrf_token": t, "work_id": work_id, "decision": "repeal",
                                                 "reason": "上位法已修改"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"#w-{work_id}")
    empty = logged_in.post(f"{url}/decide", data={"csrf_token": t, "work_id": work_id, "decision": "keep",
                                                  "reason": ""})
    assert empty.status_code == 400 and "请填写决定理由" in empty.get_data(as_text=True)
    audit = logged_in.get(f"{url}/audit").get_data(as_text=True)
    assert "作出决定" in audit and "qingli" in audit and "上位法已修改" in audit
    assert "废止" in logged_in.get(f"{url}?decision=repeal").get_data(as_text=True)
    assert logged_in.get(f"{url}?status=nonsense").status_code == 400
    published = logged_in.get(f"{url}/publish/result").get_data(as_text=True)
    assert "清理结果" in published and "<svg" in published
    xlsx_bytes = logged_in.get(f"{url}/publish/catalogue.xlsx").data
    sheet = load_workbook(io.BytesIO(xlsx_bytes)).active
    assert "现行有效目录" in sheet.cell(row=1, column=1).value and "清理范围：北京市" in sheet.cell(row=2, column=1).value
    assert sheet.cell(row=3, column=1).value.startswith("数据来源：法规统一公开查询平台（http://localhost）")
    assert sheet.cell(row=5, column=1).value == "制定机关"
    linked = sheet.cell(row=6, column=2)  # a title opens its work on the site it was downloaded from
    assert linked.hyperlink.target.startswith("http://localhost/works/") and linked.data_type == "s"
    closed = logged_in.post(f"{url}/close", data={"csrf_token": t, "closed": "2025-03-01",
                                                   "confirm_undecided": "1"})
    assert closed.status_code == 302
    late = logged_in.post(f"{url}/decide", data={"csrf_token": t, "work_id": work_id, "decision": "keep",
                                                 "reason": "再议"})
    assert late.status_code == 400 and "已结束" in late.get_data(as_text=True)
    other = logged_in.post("/clearance/rounds", data={"csrf_token": t, "name": "北京市第二轮", "region": "北京市"})
    other_id = int(other.headers["Location"].rstrip("/").split("/")[-1])
    compare = logged_in.get(f"/clearance/rounds/compare?a={round_id}&b={other_id}").get_data(as_text=True)
    assert "未列入" in compare and "废止" in compare and "决定有变化 1" in compare
    assert logged_in.get(f"/clearance/rounds/compare?a={round_id}&b=99999").status_code == 404
    assert logged_in.get("/clearance/rounds/99999").status_code == 404


def test_the_menu_offers_clearance_work_only_after_login(client, logged_in):
    assert '<a href="/clearance/">清理工作</a>' in client.get("/").get_data(as_text=True)
    anonymous = client.application.test_client()
    assert "清理工作" not in anonymous.get("/").get_data(as_text=True)


def test_the_job_page_says_when_links_were_never_built(app, logged_in, monkeypatch):
    from clearance.checklist import create_job, read_table
    from portal import services

    with app.app_context():
        sess = services.store().sessions()
        job_id = create_job(sess, read_table("标题\r\n道交法\r\n".encode(), "a.csv"), "a.csv", "links").id
        sess.commit()
        sess.close()
    assert 'id="links-notice"' not in logged_in.get(f"/clearance/check/{job_id}").get_data(as_text=True)
    monkeypatch.setattr("portal.clearance.links_built", lambda session: False)
    html = logged_in.get(f"/clearance/check/{job_id}").get_data(as_text=True)
    assert 'id="links-notice"' in html and "依据已变化" in html and "fagui links rebuild" in html


def test_a_job_another_process_runs_is_never_offered_resume(app, logged_in):
    from clearance.checklist import create_job, read_table
    from portal import clearance, services

    with app.app_context():
        sess = services.store().sessions()
        job = create_job(sess, read_table("标题\r\n道交法\r\n".encode(), "b.csv"), "b.csv", "h2")
        sess.commit()
        job_id = job.id
        sess.close()
    # just created by another worker, whose thread has not yet marked it running: not stopped, not resumable
    assert job_id not in clearance._alive_ids()
    html = logged_in.get(f"/clearance/check/{job_id}").get_data(as_text=True)
    assert "继续核查" not in html and "已中断" not in html  # before: offered, and a second runner started
    assert logged_in.get(f"/clearance/check/{job_id}/status.json").get_json()["running"] is True
    logged_in.post(f"/clearance/check/{job_id}/resume", data={"csrf_token": token(logged_in)})
    assert job_id not in clearance._alive_ids()  # the resume request started nothing
    with app.app_context():
        sess = services.store().sessions()
        assert sess.get(ChecklistJob, job_id).state == "pending"
        sess.close()


def test_closing_needs_confirmation_and_a_published_repeal_takes_effect(app, logged_in):
    from indexer.search.indexing import rebuild, sync
    from portal import services

    t = token(logged_in)
    made = logged_in.post("/clearance/rounds", data={"csrf_token": t, "name": "北京市清理（公布）", "region": "北京市",
                                                     "opened": "2025-01-02"})
    url = made.headers["Location"]
    page = logged_in.get(f"{url}?status=effective").get_data(as_text=True)
    work_id = re.search(r'id="w-([a-z0-9]+)"', page).group(1)
    title = logged_in.get(f"/api/v1/works/{work_id}").get_json()["title"]
    with app.app_context():
        rebuild(services.store().sessions, services.backend())
    found = logged_in.get("/api/v1/search", query_string={"q": title}).get_json()
    assert work_id in {r["work_id"] for r in found["hits"]}
    logged_in.post(f"{url}/decide", data={"csrf_token": t, "work_id": work_id, "decision": "repeal",
                                          "reason": "调整对象已消失"})
    refused = logged_in.post(f"{url}/close", data={"csrf_token": t, "closed": "2025-03-01"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "件待定" in text and 'name="confirm_undecided"' in text
    closed = logged_in.post(f"{url}/close", data={"csrf_token": t, "closed": "2025-03-01", "confirm_undecided": "1"})
    assert closed.status_code == 302
    page = logged_in.get(url).get_data(as_text=True)
    assert 'id="publish-round"' in page
    no_number = logged_in.post(f"{url}/publish", data={"csrf_token": t, "published_on": "2025-03-10", "number": ""})
    assert no_number.status_code == 400 and "文号" in no_number.get_data(as_text=True)
    published = logged_in.post(f"{url}/publish", data={"csrf_token": t, "published_on": "2025-03-10",
                                                        "number": "京政发〔2025〕7号"})
    assert published.status_code == 302
    assert "京政发〔2025〕7号" in logged_in.get(url).get_data(as_text=True)

    work = logged_in.get(f"/api/v1/works/{work_id}").get_json()
    assert work["status"] == "repealed" and "京政发〔2025〕7号" in work["status_reason"]
    assert work["clearance_decisions"][0]["decision"] == "废止"
    assert "清理决定废止" in logged_in.get(f"/works/{work_id}").get_data(as_text=True)
    feed = logged_in.get("/feeds/atom.xml", query_string={"status": "repealed", "region": "北京市"}).get_data(as_text=True)
    assert f"{title}　[清理决定废止]" in feed and "京政发〔2025〕7号" in feed
    with app.app_context():
        sync(services.store().sessions, services.backend())
    # per_page differs from the search above: a cached answer from before the publication is not asked again
    found = logged_in.get("/api/v1/search", query_string={"q": title, "per_page": 11}).get_json()
    assert work_id not in {r["work_id"] for r in found["hits"]}
    repealed = logged_in.get("/api/v1/search", query_string={"q": title, "status": "repealed"}).get_json()
    assert work_id in {r["work_id"] for r in repealed["hits"]}
    catalogue = logged_in.get(f"{url}/publish/catalogue.csv").get_data(as_text=True)
    assert title not in catalogue
