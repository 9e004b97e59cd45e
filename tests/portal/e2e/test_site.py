"""The real site in headless chromium: search, filter, document page, article jump, version comparison, phone
layout, page weight, accessibility basics, and screenshots at 1280 px and 375 px."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.portal.e2e.conftest import screenshot


def wait(driver, timeout: float = 15) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def csp_violations(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]


def test_search_from_home_and_filter(browser, live_server):
    browser.get(live_server.url + "/")
    screenshot(browser, "home", 1280)
    box = browser.find_element(By.ID, "q")
    box.send_keys("行政处罚 听证", Keys.ENTER)
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "ol.hits li.hit")))
    assert "/search?" in browser.current_url
    total = int(browser.find_element(By.CSS_SELECTOR, ".count-line strong").text)
    assert total > 0
    hits = browser.find_elements(By.CSS_SELECTOR, "li.hit")
    assert all(h.find_element(By.CSS_SELECTOR, ".badge").text.startswith("现行有效") for h in hits)
    assert browser.find_elements(By.CSS_SELECTOR, "li.hit mark"), "matched words are highlighted"
    assert browser.find_elements(By.CSS_SELECTOR, "ul.arts a[href*='#art-']"), "matching articles are linked"
    screenshot(browser, "search", 1280)

    # filter by 效力级别 = 法律 through the form, as a reader would
    # wide screens show the filters open; a phone folds them behind the summary
    if browser.find_element(By.CSS_SELECTOR, "details.filterbox").get_attribute("open") is None:
        browser.find_element(By.CSS_SELECTOR, "details.filterbox summary").click()
    law = browser.find_element(By.CSS_SELECTOR, "input[name=doc_type][value='法律']")
    law.click()
    browser.find_element(By.CSS_SELECTOR, "button.apply").click()
    wait(browser).until(EC.url_contains("doc_type="))
    query = urllib.parse.parse_qs(urllib.parse.urlparse(browser.current_url).query)
    assert query["doc_type"] == ["法律"] and query["q"] == ["行政处罚 听证"]
    filtered = int(browser.find_element(By.CSS_SELECTOR, ".count-line strong").text)
    assert 0 < filtered < total
    tags = [h.find_element(By.CSS_SELECTOR, ".tag").text for h in browser.find_elements(By.CSS_SELECTOR, "li.hit")]
    assert tags and set(tags) == {"法律"}
    # the filtered search is a link that can be shared: opening it again gives the same count
    browser.get(browser.current_url)
    assert int(browser.find_element(By.CSS_SELECTOR, ".count-line strong").text) == filtered
    assert not csp_violations(browser)


def test_article_jump_opens_the_article(browser, live_server):
    browser.get(live_server.url + "/search?q=" + urllib.parse.quote("道路交通安全法第九十一条"))
    wait(browser).until(EC.url_contains("#art-91"))
    assert "/works/" in browser.current_url
    target = browser.find_element(By.CSS_SELECTOR, ":target")
    assert target.get_attribute("id") == "art-91"
    assert target.text.startswith("第九十一条")
    assert "饮酒" in target.text
    assert target.is_displayed()
    # the article is scrolled into view
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", target)
    assert 0 <= top < 300
    assert "中华人民共和国道路交通安全法" in browser.find_element(By.TAG_NAME, "h1").text
    screenshot(browser, "article-jump", 375)
    # the way back to the full result list is offered
    assert browser.find_element(By.CSS_SELECTOR, "p.direct a").get_attribute("href").endswith("direct=0")


def test_document_page_and_version_comparison(browser, live_server):
    browser.get(live_server.url + "/search?status=all&q=" + urllib.parse.quote("道路运输条例"))
    link = browser.find_element(By.XPATH, "//li[@class='hit']//a[normalize-space()='中华人民共和国道路运输条例']")
    link.click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.metadata")))
    page = browser.find_element(By.TAG_NAME, "main").text
    for label in ("制定机关", "效力级别", "公布日期", "施行日期", "时效性", "版本沿革"):
        assert label in page
    versions = browser.find_elements(By.CSS_SELECTOR, "ol.timeline li")
    assert len(versions) >= 3
    assert browser.find_elements(By.CSS_SELECTOR, "aside.toc a[href^='#']")
    screenshot(browser, "document", 1280)
    screenshot(browser, "document", 375)

    # a past version says it is not the current one
    browser.find_element(By.XPATH, "//ol[@class='timeline']//a[normalize-space()='第1版']").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "p.notice")))
    assert "历史版本" in browser.find_element(By.CSS_SELECTOR, "p.notice").text
    assert browser.find_element(By.CSS_SELECTOR, ".statusline .badge").text.startswith("已修改")

    # compare the oldest and the newest version
    browser.find_element(By.XPATH, "//p[@class='notice']/a[contains(., '对照')]").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.cmp")))
    changed = browser.find_elements(By.CSS_SELECTOR, "table.cmp tr.changed")
    assert changed, "amended articles are listed"
    assert changed[0].find_elements(By.TAG_NAME, "ins") or changed[0].find_elements(By.TAG_NAME, "del")
    legend = browser.find_element(By.CSS_SELECTOR, "p.legend").text
    assert "修改" in legend
    screenshot(browser, "compare", 1280)
    screenshot(browser, "compare", 375)
    # "only the changes" hides unchanged articles
    browser.find_element(By.CSS_SELECTOR, "input[name=changes]").click()
    browser.find_element(By.CSS_SELECTOR, "form.compareform button").click()
    wait(browser).until(EC.url_contains("changes=1"))
    assert not browser.find_elements(By.CSS_SELECTOR, "table.cmp tr.unchanged")
    assert not csp_violations(browser)


def test_phone_layout_weight_and_no_outside_requests(browser, live_server):
    browser.set_window_size(375, 800)
    browser.get(live_server.url + "/search?q=" + urllib.parse.quote("饮用水源 保护"))
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "li.hit")))
    # nothing is wider than the screen: no sideways scrolling on a phone
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 375
    # targets for a thumb are at least 44 px high
    for selector in ("#top-q", ".topsearch button", "details.filterbox summary"):
        assert browser.find_element(By.CSS_SELECTOR, selector).size["height"] >= 44, selector
    entries = json.loads(browser.execute_script(
        "return JSON.stringify(performance.getEntriesByType('navigation').concat("
        "performance.getEntriesByType('resource')).map(e => ({name: e.name, size: e.transferSize})))"))
    origin = live_server.url
    assert all(e["name"].startswith(origin) for e in entries), [e["name"] for e in entries]
    weight = sum(e["size"] for e in entries)
    assert 0 < weight < 150_000, weight
    box = browser.find_element(By.CSS_SELECTOR, "details.filterbox")
    assert box.get_attribute("open") is None  # folded on a phone once there is a query: results come first
    screenshot(browser, "search", 375)


def test_keyboard_large_text_and_escaping(browser, live_server):
    hostile = '<script>alert(1)</script>"><img src=x>'
    browser.get(live_server.url + "/search?q=" + urllib.parse.quote(hostile))
    # the text shows as typed and nothing ran
    assert hostile in browser.find_element(By.CSS_SELECTOR, ".count-line").text
    assert not browser.find_elements(By.CSS_SELECTOR, "main img")
    # the first Tab reaches the skip link, which moves focus to the content
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.text == "跳到正文"
    focused.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "main"
    # larger text: the button switches it on and it stays on for the next page
    size_before = browser.execute_script("return parseFloat(getComputedStyle(document.documentElement).fontSize)")
    browser.find_element(By.CSS_SELECTOR, "button[data-action=textsize]").click()
    size_after = browser.execute_script("return parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size_after >= size_before * 1.2
    browser.get(live_server.url + "/")
    assert "large" in browser.find_element(By.TAG_NAME, "html").get_attribute("class")
    assert not csp_violations(browser)


LONG = "https://example.org/" + "A1" * 60  # one unbroken run of letters and digits, far wider than a phone


def _page_width(driver) -> tuple[int, int]:
    return driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")


def test_nothing_wider_than_a_360_px_screen(browser, live_server):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 360, "height": 800, "deviceScaleFactor": 1, "mobile": False})
    # the search page, filters open, with a long unbroken query and a long facet value
    browser.get(live_server.url + "/search?status=all&q=" + urllib.parse.quote("安全 " + LONG))
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".count-line")))
    browser.execute_script(
        "document.querySelector('details.filterbox').open = true;"
        "var label = document.querySelector('.filters label.check');"
        "label.insertBefore(document.createTextNode(arguments[0]), label.querySelector('.count'));", LONG)
    scroll_width, inner_width = _page_width(browser)
    assert scroll_width <= inner_width, (scroll_width, inner_width)
    # every facet count is whole and inside its row
    clipped = browser.execute_script(
        "return Array.from(document.querySelectorAll('.filters .count')).filter(function (c) {"
        "  var r = c.getBoundingClientRect(), row = c.parentElement.getBoundingClientRect();"
        "  return r.width === 0 || r.right > row.right + 0.5 || r.right > document.documentElement.clientWidth;"
        "}).map(function (c) { return c.parentElement.textContent.trim().slice(0, 40); });")
    assert not clipped, clipped
    # a document page whose title, metadata and text hold long unbroken runs
    browser.get(live_server.url + "/search?q=" + urllib.parse.quote("道路交通安全法第九十一条"))
    wait(browser).until(EC.url_contains("#art-91"))
    browser.execute_script(
        "document.querySelector('h1').textContent += arguments[0];"
        "document.querySelector('table.metadata td').textContent = arguments[0];"
        "document.querySelector('#art-91 p').append(arguments[0]);"
        "document.querySelector('.toc a').textContent += arguments[0];", LONG)
    scroll_width, inner_width = _page_width(browser)
    assert scroll_width <= inner_width, (scroll_width, inner_width)
    screenshot(browser, "document-long-text", 360)


def test_a_long_query_gets_the_sites_chinese_answer_not_gunicorns_414(live_server):
    url = live_server.url + "/search?q=" + urllib.parse.quote("法" * 600)  # 5,400 bytes encoded
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=30)
    assert refused.value.code == 400
    assert "检索词过长" in refused.value.read().decode("utf-8")
