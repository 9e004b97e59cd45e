"""Report pages in headless chromium under gunicorn: the public counts report with its chart, and the login
flow into a clearance report; screenshots at desktop and phone widths, no Content-Security-Policy errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.portal.e2e.conftest import LiveServer, _cli, instance_env, screenshot

PASSWORD = "browser-test-pass"


@pytest.fixture(scope="module")
def reports_server(tmp_path_factory):
    env = instance_env(tmp_path_factory.mktemp("reports-site"))
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


def test_counts_report_chart_and_clearance_login(browser, reports_server):
    browser.get(reports_server.url + "/reports/counts?as_of=2025-01-01")
    chart = browser.find_element(By.CSS_SELECTOR, "figure.chart svg")
    assert chart.size["width"] > 300 and chart.size["height"] > 100
    bars = browser.find_elements(By.CSS_SELECTOR, "figure.chart rect")
    assert len(bars) >= 5
    assert browser.find_elements(By.CSS_SELECTOR, "table.report tbody tr")
    assert "CSV" in browser.find_element(By.CSS_SELECTOR, ".count-line").text
    path = screenshot(browser, "report-counts", 1280)
    assert path.stat().st_size > 10_000
    screenshot(browser, "report-counts", 375)

    browser.get(reports_server.url + "/reports/basis-changed?as_of=2025-06-01")
    WebDriverWait(browser, 15).until(EC.presence_of_element_located((By.ID, "login-name")))
    assert "/login" in browser.current_url
    browser.find_element(By.ID, "login-name").send_keys("qingli")
    browser.find_element(By.ID, "login-password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, ".login button[type=submit]").click()
    WebDriverWait(browser, 15).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.report")))
    assert "/reports/basis-changed" in browser.current_url
    text = browser.find_element(By.CSS_SELECTOR, "table.report").text
    assert "北京市安全生产条例" in text and "中华人民共和国安全生产法" in text
    screenshot(browser, "report-basis-changed", 1280)
    assert csp_violations(browser) == []
