"""The clearance workflow in headless chromium under gunicorn: log in, open a round, decide and change a decision,
read the audit trail, publish the result list and download its XLSX (opened with openpyxl), compare two rounds,
and run a batch check of an uploaded list whose page refreshes itself until the job is done. No
Content-Security-Policy errors anywhere; screenshots at desktop and phone widths."""

from __future__ import annotations

import io
import subprocess
import sys
import urllib.request

import pytest
from openpyxl import load_workbook
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.portal.e2e.conftest import LiveServer, _cli, instance_env, screenshot

PASSWORD = "browser-clearance-pass"


@pytest.fixture(scope="module")
def clearance_server(tmp_path_factory):
    env = instance_env(tmp_path_factory.mktemp("clearance-site"))
    _cli(env, "db", "upgrade")
    _cli(env, "import", "lawrefbook")
    _cli(env, "links", "rebuild")
    subprocess.run([sys.executable, "-c", "from fagui.cli.commands import main; main()", "users", "add", "qingli",
                    "--role", "clearance", "--password-stdin"], input=PASSWORD + "\n", text=True, env=env,
                   check=True, capture_output=True, timeout=120)
    server = LiveServer(env)
    yield server
    server.stop()


def csp_violations(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]


def fetch(driver, url: str) -> bytes:
    """GET url with the browser's session cookie (chromium's own downloads are awkward to wait for)."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=30) as response:
        assert response.status == 200
        return response.read()


def wait(driver, css: str, timeout: float = 20):
    return WebDriverWait(driver, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def text_of(driver, css: str) -> str:
    """The element's text, or "" while a page load replaces it: found on the old page and read on the new one,
    chromium 156 reports a plain error ("Node with given id does not belong to the document") where older ones
    raised StaleElementReferenceException."""
    try:
        return driver.find_element(By.CSS_SELECTOR, css).text
    except (StaleElementReferenceException, NoSuchElementException):
        return ""
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc):
            return ""
        raise


def wait_text(driver, css: str, prefix: str, timeout: float = 20) -> None:
    """Wait until the element's text starts with prefix, across the page load that a form post causes."""
    WebDriverWait(driver, timeout).until(lambda d: text_of(d, css).startswith(prefix))


def test_round_workflow_and_batch_check(browser, clearance_server, tmp_path):
    base = clearance_server.url
    browser.get(base + "/clearance/rounds")
    wait(browser, "#login-name").send_keys("qingli")
    browser.find_element(By.ID, "login-password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, ".login button[type=submit]").click()
    wait(browser, "#new-round")
    assert "/clearance/rounds" in browser.current_url

    # a first round, kept for the comparison
    browser.find_element(By.ID, "round-name").send_keys("2024年北京市法规清理")
    Select(browser.find_element(By.ID, "round-region")).select_by_visible_text("北京市")
    browser.find_element(By.CSS_SELECTOR, "#new-round button[type=submit]").click()
    wait(browser, "table.round-works")
    first_round = browser.current_url

    row = browser.find_element(By.CSS_SELECTOR, "table.round-works tbody tr")
    work_id = row.get_attribute("id")
    title = row.find_element(By.CSS_SELECTOR, "td.k-work").text
    assert title == "北京历史文化名城保护条例" and "已废止" in row.text  # repealed: a decision to keep it conflicts
    Select(row.find_element(By.NAME, "decision")).select_by_visible_text("保留")
    row.find_element(By.NAME, "reason").send_keys("仍然适用")
    row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_text(browser, f"#{work_id} td.decision-cell", "保留")  # the cell is there before the answer comes

    # the second round: decide, then change the decision
    browser.get(base + "/clearance/rounds")
    browser.find_element(By.ID, "round-name").send_keys("2025年北京市法规清理")
    Select(browser.find_element(By.ID, "round-region")).select_by_visible_text("北京市")
    browser.find_element(By.CSS_SELECTOR, "#new-round button[type=submit]").click()
    wait(browser, "table.round-works")
    round_url = browser.current_url
    assert round_url != first_round
    for decision, reason in (("废止", "上位法已废止"), ("修改", "与新修改的上位法不一致")):
        row = browser.find_element(By.ID, work_id)
        Select(row.find_element(By.NAME, "decision")).select_by_visible_text(decision)
        reason_box = row.find_element(By.NAME, "reason")
        reason_box.clear()
        reason_box.send_keys(reason)
        row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_text(browser, f"#{work_id} td.decision-cell", decision)
    screenshot(browser, "clearance-round", 1280)
    screenshot(browser, "clearance-round", 375)

    browser.find_element(By.ID, "audit-link").click()
    wait(browser, "#audit-table")
    audit = browser.find_element(By.ID, "audit-table").text
    assert "新建清理轮次" in audit and "作出决定" in audit and "变更决定" in audit
    assert "上位法已废止" in audit and "与新修改的上位法不一致" in audit and "qingli" in audit

    browser.get(round_url)
    browser.find_element(By.ID, "publish-result").click()
    wait(browser, "#published")
    assert "清理结果" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_elements(By.CSS_SELECTOR, "figure.chart svg")
    assert title in browser.find_element(By.ID, "published").text
    xlsx_href = browser.find_element(By.LINK_TEXT, "XLSX").get_attribute("href")
    sheet = load_workbook(io.BytesIO(fetch(browser, xlsx_href))).active
    rows = list(sheet.iter_rows(values_only=True))[4:]  # below the title, scope and data source lines
    assert rows[0][0] == "标题" and any(r[0] == title and "修改" in r for r in rows[1:])
    screenshot(browser, "clearance-published", 1280)

    browser.get(base + "/clearance/rounds")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/rounds/compare'] button").click()
    WebDriverWait(browser, 20).until(lambda d: "/rounds/compare" in d.current_url)
    wait(browser, "#published")
    compared = browser.find_element(By.ID, "published").text
    assert title in compared and "保留" in compared and "修改" in compared and "是" in compared

    # 保留 then 修改 decided for a repealed regulation: the latest round's decision is a finding in the
    # status-conflict report, marked as coming from a clearance decision
    browser.get(base + "/reports/conflicts")
    wait(browser, "table.report")
    conflict_rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.report tbody tr")]
    assert any(title in r and "清理决定" in r and "修改（2025年北京市法规清理）" in r for r in conflict_rows)

    # the batch check: upload, watch the page refresh itself, read the results
    listing = tmp_path / "清单.csv"
    listing.write_text("序号,文件名称,发文字号\n1,中华人民共和国刑法,\n2,道交法,\n3,某路货物运输合同实施细则,\n"
                       "4,青川县夜间经济促进办法,\n5,=cmd|' /C calc'!A0,\n6,北京市安全生产条列,\n", encoding="gb18030")
    browser.get(base + "/clearance/check")
    browser.find_element(By.ID, "checklist-file").send_keys(str(listing))
    browser.find_element(By.CSS_SELECTOR, ".upload-form button[type=submit]").click()
    WebDriverWait(browser, 60).until(lambda d: "已完成" in text_of(d, "#job-progress"))  # the page refreshes itself
    results = browser.find_element(By.CSS_SELECTOR, "table.checklist-results").text
    assert "中华人民共和国道路交通安全法" in results and "多个候选" in results and "未找到" in results
    assert "需人工确认" in results  # a near title: for review, never matched
    assert "=cmd|' /C calc'!A0" in results
    Select(browser.find_element(By.ID, "match-filter")).select_by_value("unmatched")
    browser.find_element(By.CSS_SELECTOR, "form.report-filters button").click()
    WebDriverWait(browser, 20).until(lambda d: "match=unmatched" in d.current_url)
    wait(browser, "table.checklist-results")
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.checklist-results tbody tr")) == 2
    data = fetch(browser, browser.find_element(By.ID, "download-xlsx").get_attribute("href"))
    cells = [c for row in load_workbook(io.BytesIO(data)).active.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert "'=cmd|' /C calc'!A0" in [c.value for c in cells]
    screenshot(browser, "clearance-check", 1280)
    # at 1280 px the page does not scroll sideways and the list's title column keeps a readable width
    browser.set_window_size(1280, 900)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 1280
    widths = browser.execute_script(
        "return [...document.querySelectorAll('td.c-input-title')].map(td => td.getBoundingClientRect().width)")
    assert widths and min(widths) >= 200
    screenshot(browser, "clearance-check", 375)
    assert csp_violations(browser) == []
