"""Report pages through the Flask test client: public and protected reports, login with CSRF tokens, sessions
that expire, downloads in three formats, bad parameters, and the `fagui users` commands."""

from __future__ import annotations

import csv
import io
import re
import time

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from indexer.store.models import User
from tests.portal.conftest import build_clearance_instance, token_from

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    return build_clearance_instance(tmp_path_factory.mktemp("reports-portal"), {"qingli": True, "former": False}, "reports-test-secret", PASSWORD)


@pytest.fixture(scope="module")
def app(instance):
    from portal import create_app

    return create_app(instance, testing=True)


@pytest.fixture
def client(app):
    return app.test_client()




def login(client, name="qingli", password=PASSWORD, next_url="/reports/basis-changed"):
    page = client.get("/login", query_string={"next": next_url})
    return client.post("/login", data={"name": name, "password": password, "next": next_url,
                                       "csrf_token": token_from(page.get_data(as_text=True))})


def test_public_reports_need_no_login_and_have_chart_and_downloads(client):
    index = client.get("/reports/")
    html = index.get_data(as_text=True)
    assert index.status_code == 200 and "法规文件数量统计" in html and "需登录" in html
    page = client.get("/reports/counts", query_string={"as_of": "2024-01-01"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html and "现行有效文件按效力级别" in html and "<script>" not in html and 'style="' not in html
    assert "/reports/counts/export.xlsx?as_of=2024-01-01" in html
    data = client.get("/reports/counts/export.csv?as_of=2024-01-01")
    assert data.status_code == 200 and data.data.startswith("\ufeff".encode())
    assert data.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    assert client.get("/reports/counts/export.json").headers["Content-Type"] == "application/json; charset=utf-8"
    assert 'filename="counts-2024-01-01.csv"' in data.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(data.data.decode("utf-8-sig"))))
    xlsx = client.get("/reports/counts/export.xlsx?as_of=2024-01-01")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    cells = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    assert cells[0][0] == "法规文件数量统计" and "2024-01-01" in cells[1][0] and cells[2][0].startswith("数据来源：")
    assert cells[4:] == rows  # below the heading, the CSV's cells
    assert rows[0][:2] == ["统计维度", "名称"] and rows[1][:2] == ["合计", "全部"]


def test_protected_report_redirects_to_login_and_back(client):
    for url in ("/reports/basis-changed", "/reports/expiring/export.csv", "/reports/conflicts/export.json"):
        res = client.get(url)
        assert res.status_code == 302 and res.headers["Location"].startswith("/login?next=")
    res = login(client)
    assert res.status_code == 302 and res.headers["Location"] == "/reports/basis-changed"
    page = client.get("/reports/basis-changed")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "北京市安全生产条例" in html and "中华人民共和国安全生产法" in html
    assert "qingli" in html and "退出登录" in html
    js = client.get("/reports/basis-changed/export.json").get_json()
    assert any(r["title"] == "北京市安全生产条例" for r in js["rows"])


def test_wrong_password_unknown_and_disabled_users_are_refused(client):
    for name, password in (("qingli", "wrong password"), ("nobody", PASSWORD), ("former", PASSWORD)):
        res = login(client, name, password)
        assert res.status_code == 401 and "用户名或密码不正确" in res.get_data(as_text=True)
    assert client.get("/reports/expiring").status_code == 302


def test_csrf_token_required_on_login_and_logout(client):
    client.get("/login")
    res = client.post("/login", data={"name": "qingli", "password": PASSWORD})
    assert res.status_code == 400 and "CSRF" in res.get_data(as_text=True)
    res = client.post("/login", data={"name": "qingli", "password": PASSWORD, "csrf_token": "forged"})
    assert res.status_code == 400
    assert client.get("/reports/expiring").status_code == 302  # still not logged in
    login(client)
    assert client.post("/logout").status_code == 400
    assert client.get("/reports/expiring").status_code == 200
    assert client.get("/logout").status_code == 405
    html = client.get("/reports/").get_data(as_text=True)
    out = client.post("/logout", data={"csrf_token": token_from(html)})
    assert out.status_code == 302
    assert client.get("/reports/expiring").status_code == 302


def test_session_expires_after_its_lifetime(client, app):
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600
    res = login(client)
    assert "Expires=" in res.headers["Set-Cookie"] and "HttpOnly" in res.headers["Set-Cookie"]
    assert client.get("/reports/expiring").status_code == 200
    with client.session_transaction() as sess:
        sess["login_at"] = time.time() - 8 * 3600 - 60
    res = client.get("/reports/expiring")
    assert res.status_code == 302 and res.headers["Location"].startswith("/login")
    with client.session_transaction() as sess:
        assert "user_id" not in sess


def test_login_never_redirects_off_site(client):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        res = login(client, next_url=target)
        assert res.status_code == 302 and res.headers["Location"] == "/reports/"


def test_bad_parameters_are_chinese_400s(client):
    res = client.get("/reports/counts?as_of=2024-13-01")
    assert res.status_code == 400 and "时点格式不正确" in res.get_data(as_text=True)
    assert client.get("/reports/nope").status_code == 404
    assert client.get("/reports/counts/export.pdf").status_code == 404
    assert "未知的效力级别" in client.get("/reports/catalogue?doc_type=草稿").get_data(as_text=True)
    res = client.get("/reports/changes?period_from=2025-01-01&period_to=2024-01-01")
    assert res.status_code == 400 and "起始日期不能晚于截止日期" in res.get_data(as_text=True)
    login(client)
    res = client.get("/reports/validity-period?max_years=abc")
    assert res.status_code == 400 and "有效期上限应为数字" in res.get_data(as_text=True)


def test_catalogue_pages_and_filters(client):
    laws = client.get("/reports/catalogue?doc_type=法律&as_of=2025-01-01").get_data(as_text=True)
    assert "中华人民共和国道路交通安全法" in laws and "行政法规" not in re.sub(r"<select.*?</select>", "", laws, flags=re.S)
    html = client.get("/reports/catalogue?as_of=2025-01-01").get_data(as_text=True)
    assert "第 1 / " in html and "下一页" in html
    page2 = client.get("/reports/catalogue?as_of=2025-01-01&page=2")
    assert page2.status_code == 200 and "上一页" in page2.get_data(as_text=True)
    assert client.get("/reports/catalogue?as_of=2025-01-01&page=99").status_code == 400


def test_users_commands(tmp_path, monkeypatch):
    from fagui.cli.commands import cli
    from indexer.store.app_store import open_store

    monkeypatch.setenv("FAGUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    assert "尚无用户" in runner.invoke(cli, ["users", "list"]).output
    ok = runner.invoke(cli, ["users", "add", "zhang", "--role", "clearance"], input="s3cret-pass\ns3cret-pass\n")
    assert ok.exit_code == 0 and "已创建用户 zhang" in ok.output
    mismatch = runner.invoke(cli, ["users", "add", "li"], input="s3cret-pass\nother-pass\ns3cret-pass\ns3cret-pass\n")
    assert mismatch.exit_code == 0 and "已创建用户 li" in mismatch.output  # asked again after the mismatch
    dup = runner.invoke(cli, ["users", "add", "zhang", "--password-stdin"], input="another-pass\n")
    assert dup.exit_code != 0 and "用户已存在：zhang" in dup.output
    short = runner.invoke(cli, ["users", "add", "wang", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "密码至少需要 8 个字符" in short.output
    bad_role = runner.invoke(cli, ["users", "add", "zhao", "--role", "root", "--password-stdin"], input="x" * 9)
    assert bad_role.exit_code != 0
    listed = runner.invoke(cli, ["users", "list"]).output
    assert "zhang\tclearance\t启用" in listed and "wang" not in listed
    store = open_store()
    with store.sessions() as s:
        user = s.query(User).filter_by(name="zhang").one()
        assert user.password_hash != "s3cret-pass" and user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    store.engine.dispose()


def test_changes_page_lists_ends_without_a_date_apart(client):
    """The sample's 92 works marked 失效 with no date are in no period: the page counts them apart from the
    period's figures and lists them after the dated changes under a heading of their own."""
    query = {"period_from": "1900-01-01", "period_to": "2025-01-01"}
    js = client.get("/reports/changes/export.json", query_string=query).get_json()
    dated, undated = js["sections"]
    assert undated["key"] == "undated" and undated["count"] == js["summary"]["undated"] > 0
    assert js["summary"]["repealed"] + js["summary"]["expired"] < dated["count"] == js["summary"]["total"]
    assert all(r["date"] is None and r["change"].endswith("（日期不详）") for r in js["rows"][undated["start"]:])
    assert all(r["date"] is not None for r in js["rows"][:undated["start"]])
    first = client.get("/reports/changes", query_string=query).get_data(as_text=True)
    line = re.sub(r"\s+", " ", re.search(r'<p class="count-line">(.*?)</p>', first, re.S).group(1))
    assert f"期间内的变化共 <strong>{dated['count']}</strong> 条" in line
    assert f"废止或失效日期不详</a>的文件 <strong>{undated['count']}</strong> 件，不计入上述统计" in line
    start_page = undated["start"] // 100 + 1
    assert f"page={start_page}#section-undated" in line and 'id="section-undated"' not in first
    page = client.get("/reports/changes", query_string={**query, "page": start_page}).get_data(as_text=True)
    assert f'<h2 id="section-undated">废止或失效日期不详（{undated["count"]} 件）</h2>' in page
    assert "不计入本期间的统计" in page and page.count("<table") == 2
    assert page.index("section-undated\">") < page.index("废止（日期不详）")
    csv_rows = list(csv.reader(io.StringIO(
        client.get("/reports/changes/export.csv", query_string=query).data.decode("utf-8-sig"))))
    xlsx = load_workbook(io.BytesIO(client.get("/reports/changes/export.xlsx", query_string=query).data)).active
    assert [["" if v is None else str(v) for v in r] for r in xlsx.iter_rows(values_only=True)][4:] == csv_rows
    assert len(csv_rows) == len(js["rows"]) + 1 and csv_rows[-1][0] == ""


@pytest.mark.parametrize("target", ["/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/\r\nX-Evil: 1",
                                    "/\x0b/evil.example", "/reports/\r\n"])
def test_login_next_with_control_characters_stays_on_the_site(client, target):
    from urllib.parse import unquote

    res = login(client, next_url=unquote(target))
    assert res.status_code == 302 and res.headers["Location"] == "/reports/"
    assert "X-Evil" not in res.headers


def test_the_login_page_carries_next_and_login_returns_there(client):
    res = login(client, next_url="/reports/expiring?as_of=2024-01-01")
    assert res.status_code == 302 and res.headers["Location"] == "/reports/expiring?as_of=2024-01-01"


def test_the_session_cookie_is_samesite_lax_and_secure_behind_https(client, instance):
    from dataclasses import replace

    from portal import create_app

    cookie = login(client).headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "Secure" not in cookie  # http://127.0.0.1: Secure would lose the login
    secure_app = create_app(replace(instance, public_url="https://fagui.example.gov.cn"), testing=True)
    secure = login(secure_app.test_client())
    assert secure.status_code == 302
    assert "SameSite=Lax" in secure.headers["Set-Cookie"] and "; Secure" in secure.headers["Set-Cookie"]


@pytest.mark.parametrize("query", [
    {"period_to": "0001-01-01"}, {"as_of": "0001-01-01"}, {"period_from": "0001-01-01", "period_to": "9999-12-31"},
])
def test_changes_at_the_ends_of_the_calendar(client, query):
    res = client.get("/reports/changes", query_string=query)
    assert res.status_code == 200 and "期间变化" in res.get_data(as_text=True)
    assert client.get("/reports/changes/export.json", query_string=query).status_code == 200


def test_expiring_at_the_end_of_the_calendar(client):
    login(client)
    res = client.get("/reports/expiring", query_string={"as_of": "9999-12-31", "days": "3650"})
    assert res.status_code == 200


def test_private_pages_are_never_stored_in_a_cache(client):
    public = client.get("/reports/")
    assert "no-store" not in public.headers.get("Cache-Control", "")
    assert "no-store" in client.get("/login").headers["Cache-Control"]
    login(client)
    for url in ("/reports/", "/reports/basis-changed", "/reports/expiring", "/clearance/", "/clearance/check",
                "/reports/basis-changed/export.json"):
        res = client.get(url)
        assert res.status_code == 200 and res.headers["Cache-Control"] == "private, no-store", url
    assert "no-store" not in client.get("/static/site.css").headers.get("Cache-Control", "")


def test_the_basis_report_page_says_when_links_were_never_built(client, monkeypatch):
    login(client)
    assert 'id="report-notice"' not in client.get("/reports/basis-changed").get_data(as_text=True)
    monkeypatch.setattr("clearance.reports.links_built", lambda session: False)  # a store never linked
    html = client.get("/reports/basis-changed").get_data(as_text=True)
    assert 'id="report-notice"' in html and "尚未建立引用关系" in html and "fagui links rebuild" in html
    assert client.get("/reports/basis-changed/export.csv").data.decode("utf-8-sig").startswith("注意：本库尚未建立引用关系")
