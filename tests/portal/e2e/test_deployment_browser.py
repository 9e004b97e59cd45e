"""A province's deployment in headless chromium under gunicorn (FAGUI_REGION=330000 over the deployment store of
tests/portal/deployment_store.py): the scope switch, the browse pages from the directory of regions down to a
document with its breadcrumbs and provenance, and the completeness report, at 1280 px and 375 px with
screenshots, nothing wider than the phone's screen."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.portal import deployment_store
from tests.portal.e2e.conftest import LiveServer, instance_env, screenshot


@pytest.fixture(scope="module")
def deployed_server(tmp_path_factory):
    settings = deployment_store.build(tmp_path_factory.mktemp("deployed"))
    env = instance_env(settings.data_dir)
    env.update(FAGUI_REGION="330000", FAGUI_SECRET_KEY="test-secret")
    server = LiveServer(env)
    yield server
    server.stop()


def wait(browser):
    return WebDriverWait(browser, 20)


def _count(browser) -> int:
    return int(re.search(r"共 (\d+) 件", browser.find_element(By.CSS_SELECTOR, "main").text).group(1))


def _fits(browser) -> None:
    scroll, inner = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];")
    assert scroll <= inner, (browser.current_url, scroll, inner)


@pytest.mark.parametrize("width", [1280, 375])
def test_scope_switch_and_browsing_down_to_a_document(browser, deployed_server, width):
    browser.set_window_size(width, 900)
    browser.get(deployed_server.url + "/")
    assert browser.title == "浙江省法规统一公开查询平台"
    screenshot(browser, "deployment-home", width)
    _fits(browser)
    browser.get(deployed_server.url + "/search")
    with_national = _count(browser)
    browser.find_element(By.LINK_TEXT, "是（点击不含）").click()
    wait(browser).until(EC.url_contains("national=0"))
    assert _count(browser) < with_national
    browser.get(deployed_server.url + "/browse/regions")
    screenshot(browser, "browse-regions", width)
    _fits(browser)
    browser.find_element(By.LINK_TEXT, "湖州市").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.doclist")))
    assert _count(browser) == deployment_store.CRAWLED_EFFECTIVE_PER_CITY
    screenshot(browser, "browse-list", width)
    _fits(browser)
    browser.find_element(By.LINK_TEXT, "湖州市餐饮业油烟管理办法").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "section.provenance")))
    crumbs = browser.find_element(By.CSS_SELECTOR, "nav.crumbs").text
    assert "浙江省" in crumbs and "湖州市" in crumbs and "湖州市人民代表大会常务委员会" in crumbs
    provenance = browser.find_element(By.CSS_SELECTOR, "section.provenance").text
    assert "湖州市行政规范性文件库" in provenance and "起来源不再列出" in provenance
    browser.execute_script("document.querySelector('section.provenance').scrollIntoView()")
    screenshot(browser, "document-provenance", width)
    _fits(browser)
    browser.get(deployed_server.url + "/browse/bodies")
    screenshot(browser, "browse-bodies", width)
    _fits(browser)


@pytest.mark.parametrize("width", [1280, 375])
def test_completeness_report_page(browser, deployed_server, width):
    browser.set_window_size(width, 900)
    browser.get(deployed_server.url + "/reports/completeness?as_of=2020-12-31")
    wait(browser).until(EC.presence_of_element_located((By.ID, "login-name")))
    browser.find_element(By.ID, "login-name").send_keys("office")
    browser.find_element(By.ID, "login-password").send_keys(deployment_store.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, ".login button[type=submit]").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg")))
    assert "发布完整性：各制定机关" in browser.title
    assert "湖州市人民代表大会常务委员会" in browser.find_element(By.CSS_SELECTOR, "main").text
    screenshot(browser, "report-completeness", width)
    _fits(browser)
