"""At 375 px, a search that lands on an article keeps the document's title, status and 收藏 on screen (the
sticky bar) above the article, and 收藏 works from there; the viewport is saved as a screenshot."""

from __future__ import annotations

import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.portal.e2e.conftest import SCREENSHOTS


def rect(driver, element) -> dict:
    return driver.execute_script("var r = arguments[0].getBoundingClientRect();"
                                 "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};", element)


def test_title_status_and_save_stay_in_reach_on_a_phone(browser, live_server):
    browser.set_window_size(375, 800)
    browser.get(live_server.url + "/search?q=" + urllib.parse.quote("酒驾"))
    WebDriverWait(browser, 15).until(EC.url_contains("#art-91"))
    target = browser.find_element(By.CSS_SELECTOR, ":target")
    bar = browser.find_element(By.CSS_SELECTOR, ".stickybar")
    # The page opened deep in the text: the h1 is above the screen, the bar is at its top.
    assert rect(browser, browser.find_element(By.TAG_NAME, "h1"))["bottom"] < 0
    bar_box = rect(browser, bar)
    assert bar_box["top"] == 0 and bar_box["bottom"] <= 70 and bar_box["right"] <= 375
    assert "道路交通安全法" in bar.find_element(By.CSS_SELECTOR, ".sb-title").text
    assert bar.find_element(By.CSS_SELECTOR, ".badge").text.startswith("现行有效")
    # The article jumped to starts below the bar, not under it.
    assert rect(browser, target)["top"] >= bar_box["bottom"] - 1
    save = bar.find_element(By.CSS_SELECTOR, "button[data-action=save]")
    assert save.is_displayed() and save.text == "收藏"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "phone-landing-bar-375.png"))
    save.click()
    WebDriverWait(browser, 15).until(lambda d: save.get_attribute("aria-pressed") == "true")
    assert save.text == "已收藏"
    below = browser.find_element(By.CSS_SELECTOR, ".actions button[data-action=save]")
    assert below.get_attribute("aria-pressed") == "true"  # both buttons say the same
    # Scrolled further down, the bar is still there.
    browser.execute_script("window.scrollBy(0, 3000)")
    assert rect(browser, bar)["top"] == 0
    browser.save_screenshot(str(SCREENSHOTS / "phone-scrolled-bar-375.png"))
    save.click()  # leave nothing saved for the other tests
    WebDriverWait(browser, 15).until(lambda d: save.get_attribute("aria-pressed") == "false")
