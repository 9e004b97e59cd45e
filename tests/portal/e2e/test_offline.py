"""A document an officer saves (收藏) opens with no connection: the server is stopped and the page still loads
from the service worker's cache; a page that was not saved shows the offline notice."""

from __future__ import annotations

import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.portal.e2e.conftest import LiveServer, screenshot


def test_saved_document_opens_offline(browser, site_env):
    server = LiveServer(site_env)
    try:
        browser.get(server.url + "/search?q=" + urllib.parse.quote("道路交通安全法第九十一条"))
        WebDriverWait(browser, 15).until(EC.url_contains("#art-91"))
        doc_url = browser.current_url.split("?")[0]
        # the service worker takes control, then the reader saves the document
        browser.execute_async_script(
            "const done = arguments[0]; navigator.serviceWorker.ready.then(() => done(true));")
        save = browser.find_element(By.CSS_SELECTOR, "button[data-action=save]")
        assert save.is_displayed()
        save.click()
        WebDriverWait(browser, 15).until(lambda d: save.get_attribute("aria-pressed") == "true")
        assert "已收藏" in save.text
        other = server.url + "/search?q=" + urllib.parse.quote("食品安全")
        browser.get(other)  # visited, not saved
        title = "中华人民共和国道路交通安全法"
    finally:
        server.stop()

    # no server any more: the saved document still opens, with its text
    browser.get(doc_url + "#art-91")
    assert title in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_element(By.ID, "art-91").text.startswith("第九十一条")
    screenshot(browser, "offline-document", 375)
    # the saved list opens offline and links to it
    browser.get(server.url + "/saved")
    links = browser.find_elements(By.CSS_SELECTOR, "#saved-list a")
    assert [a.text for a in links] == [title]
    # a page that was never saved says plainly that there is no connection
    browser.get(other)
    assert "没有网络连接" in browser.find_element(By.TAG_NAME, "h1").text
