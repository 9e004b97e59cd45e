"""Logins held on the server: a cookie saved before logout or a password change opens nothing, an idle login
ends, failed logins are throttled per account and per address with a Chinese message, and a login the database
could not record issues no logged-in cookie."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from fagui.settings import load_settings
from indexer.store.models import LoginSession
from tests.portal.conftest import build_clearance_instance, token_from

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    return build_clearance_instance(tmp_path_factory.mktemp("accounts"), {"qingli": True, "zhang": True},
                                    "accounts-test-secret", PASSWORD)


def make_app(instance, **env):
    from portal import create_app

    values = {"FAGUI_DATA_DIR": str(instance.data_dir), "FAGUI_SECRET_KEY": "accounts-test-secret", **env}
    return create_app(load_settings(values), testing=True)


@pytest.fixture
def app(instance):
    app = make_app(instance)
    yield app
    with app.app_context():  # every test starts with no logins and no failures counted
        from portal import services

        db = services.writer_session()
        db.execute(LoginSession.__table__.delete())
        db.execute(LoginSession.metadata.tables["login_failures"].delete())
        db.commit()


def login(client, name="qingli", password=PASSWORD, address="127.0.0.1"):
    token = token_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token,
                                       "next": "/clearance/"}, environ_base={"REMOTE_ADDR": address})


def saved_cookie(client) -> str:
    return client.get_cookie("session").value


def opens_clearance(app, cookie: str) -> bool:
    other = app.test_client()  # another browser holding a copy of the cookie
    other.set_cookie("session", cookie)
    return other.get("/clearance/").status_code == 200


def test_a_cookie_saved_before_logout_no_longer_opens_clearance(app):
    client = app.test_client()
    assert login(client).status_code == 302
    saved = saved_cookie(client)
    assert opens_clearance(app, saved)
    html = client.get("/clearance/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": token_from(html)}).status_code == 302
    assert not opens_clearance(app, saved)  # before, the signed cookie alone was the login


def test_a_password_change_ends_every_login_of_that_account(app, instance, monkeypatch):
    from fagui.cli.commands import cli

    phone, desk, colleague = app.test_client(), app.test_client(), app.test_client()
    for client in (phone, desk):
        assert login(client).status_code == 302
    assert login(colleague, "zhang").status_code == 302
    monkeypatch.setenv("FAGUI_DATA_DIR", str(instance.data_dir))
    monkeypatch.delenv("FAGUI_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["users", "passwd", "qingli", "--password-stdin"], input="a new password\n")
    assert result.exit_code == 0 and "已结束其 2 个登录" in result.output
    assert phone.get("/clearance/").status_code == 302 and desk.get("/clearance/").status_code == 302
    assert colleague.get("/clearance/").status_code == 200
    assert login(phone, password=PASSWORD).status_code == 401
    assert login(phone, password="a new password").status_code == 302
    short = CliRunner().invoke(cli, ["users", "passwd", "qingli", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "密码至少需要 8 个字符" in short.output
    CliRunner().invoke(cli, ["users", "passwd", "qingli", "--password-stdin"], input=PASSWORD + "\n")


def test_an_idle_login_ends_and_a_used_one_stays(app):
    client = app.test_client()
    assert login(client).status_code == 302
    assert client.get("/clearance/").status_code == 200
    with app.app_context():
        from indexer.store.models import utcnow
        from portal import services

        db = services.writer_session()
        db.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
        db.commit()
        assert client.get("/clearance/").status_code == 200  # used within the 30 minutes: written down anew
        db.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
        db.commit()
    res = client.get("/clearance/")
    assert res.status_code == 302 and res.headers["Location"].startswith("/login")


def test_failed_logins_are_throttled_per_account_with_a_chinese_message(app):
    client = app.test_client()
    for _ in range(5):
        assert login(client, password="wrong password").status_code == 401
    refused = login(client)  # the right password, but too late: it is not even tried
    assert refused.status_code == 429 and 14 * 60 <= int(refused.headers["Retry-After"]) <= 15 * 60
    assert "登录失败次数过多，请 15 分钟后再试" in refused.get_data(as_text=True)
    assert login(client, address="10.0.0.8").status_code == 429  # another address: the account waits too
    assert login(client, "zhang").status_code == 302  # other accounts are not affected


def test_failed_logins_are_throttled_per_address(instance):
    app = make_app(instance, FAGUI_LOGIN_MAX_FAILURES_PER_ADDRESS="3")
    client = app.test_client()
    for name in ("a", "b", "c"):
        assert login(client, name, address="10.0.0.9").status_code == 401
    res = login(client, "zhang", address="10.0.0.9")
    assert res.status_code == 429 and "登录失败次数过多" in res.get_data(as_text=True)
    assert login(client, "zhang", address="10.0.0.10").status_code == 302
    with app.app_context():
        from portal import services

        db = services.writer_session()
        db.execute(LoginSession.metadata.tables["login_failures"].delete())
        db.execute(LoginSession.__table__.delete())
        db.commit()


def test_a_login_answered_503_issues_no_logged_in_cookie(app, monkeypatch):
    from sqlalchemy.orm import Session

    client = app.test_client()
    real_commit = Session.commit

    def failing_commit(self):  # the database goes away while the login is written down
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(Session, "commit", failing_commit)
    token = token_from(client.get("/login").get_data(as_text=True))
    res = client.post("/login", data={"name": "qingli", "password": PASSWORD, "csrf_token": token})
    assert res.status_code == 503 and "数据库暂时不可用" in res.get_data(as_text=True)
    monkeypatch.setattr(Session, "commit", real_commit)
    # before, the session keys were set first and the 503 page carried a logged-in cookie
    with client.session_transaction() as sess:
        assert "user_id" not in sess and "login" not in sess
    assert client.get("/clearance/").status_code == 302


def test_changing_ones_password_on_the_site_ends_the_other_logins_and_keeps_this_one(app):
    desk, phone = app.test_client(), app.test_client()
    for client in (desk, phone):
        assert login(client).status_code == 302
    saved = saved_cookie(desk)
    form = token_from(desk.get("/password").get_data(as_text=True))
    wrong = desk.post("/password", data={"csrf_token": form, "password": "not it", "new_password": "n" * 10,
                                         "new_password_again": "n" * 10})
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.get_data(as_text=True)
    differ = desk.post("/password", data={"csrf_token": form, "password": PASSWORD, "new_password": "n" * 10,
                                          "new_password_again": "m" * 10})
    assert differ.status_code == 400 and "两次输入的新密码不一致" in differ.get_data(as_text=True)
    short = desk.post("/password", data={"csrf_token": form, "password": PASSWORD, "new_password": "short",
                                         "new_password_again": "short"})
    assert short.status_code == 400 and "密码至少需要 8 个字符" in short.get_data(as_text=True)
    assert phone.get("/clearance/").status_code == 200  # nothing changed yet
    done = desk.post("/password", data={"csrf_token": form, "password": PASSWORD,
                                        "new_password": "brand new secret", "new_password_again": "brand new secret"})
    assert done.status_code == 302
    assert "其他设备上的登录均已退出" in desk.get(done.headers["Location"]).get_data(as_text=True)
    assert desk.get("/clearance/").status_code == 200  # this browser got a new login
    assert phone.get("/clearance/").status_code == 302
    assert not opens_clearance(app, saved)  # the cookie from before the change opens nothing
    with app.app_context():  # the fixture's password again, for the other tests
        from indexer.store.models import User
        from portal import services
        from portal.accounts import set_password

        db = services.writer_session()
        set_password(db, db.query(User).filter_by(name="qingli").one(), PASSWORD)
        db.commit()


def test_a_busy_database_does_not_turn_a_logged_in_page_into_a_503(app, monkeypatch):
    from sqlalchemy.orm import Session

    client = app.test_client()
    assert login(client).status_code == 302
    with app.app_context():
        from indexer.store.models import utcnow
        from portal import services

        db = services.writer_session()
        db.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=5)))
        db.commit()

    def locked(self):
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(Session, "commit", locked)
    assert client.get("/clearance/").status_code == 200  # the last use is written down next time
