"""`readlist serve` in a real headless Chromium (Debian's chromium and chromium-driver, which .ci/run installs):
search in both languages, open an item, sign in, mark it done, find it on the member's page; hostile text never
runs; screenshots at phone and desktop widths."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

from readlist.web.app import create_app
from tests.test_web import HOSTILE_TITLE, TOKEN, seed

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    """One headless Chromium for the module, driven through Debian's chromedriver: named explicitly, so Selenium
    Manager never looks for a driver on the network."""
    os.environ["SE_AVOID_STATS"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=en"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(10)
    driver.implicitly_wait(3)  # a click that navigates returns before the next page is there
    yield driver
    driver.quit()


@pytest.fixture
def server(isolated_library: Path) -> Iterator[str]:
    """A real uvicorn on a free port of 127.0.0.1, over a seeded library, in a thread of this process."""
    seed(str(isolated_library))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(32)
    config = uvicorn.Config(create_app(isolated_library, write_token=TOKEN), log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    running.should_exit = True
    thread.join(timeout=5)
    sock.close()


def no_alert(driver: webdriver.Chrome) -> bool:
    try:
        driver.switch_to.alert.dismiss()
    except NoAlertPresentException:
        return True
    return False


def test_a_member_searches_signs_in_and_marks_a_paper_done(
    browser: webdriver.Chrome, server: str, tmp_path: Path
) -> None:
    browser.set_window_size(1400, 1000)
    browser.get(server + "/")
    assert "readlist" in browser.title and "ana" in browser.find_element(By.TAG_NAME, "main").text
    browser.save_screenshot(str(tmp_path / "home-1400.png"))
    for words, expected in (("量化", "量化"), ("kv cache", "KV cache")):
        box = browser.find_element(By.CSS_SELECTOR, "header input[name=q]")
        box.clear()
        before = browser.find_elements(By.ID, "results")  # the last search's page, still there for a moment
        box.send_keys(words + "\n")
        if before:
            WebDriverWait(browser, 10).until(staleness_of(before[0]))
        results = browser.find_element(By.ID, "results")
        assert "KV cache 量化 for long-context inference" in results.text
        marks = [m.text for m in results.find_elements(By.TAG_NAME, "mark")]
        assert any(expected.casefold() in m.casefold() for m in marks), marks
    browser.find_element(By.LINK_TEXT, "KV cache 量化 for long-context inference").click()
    assert browser.find_element(By.ID, "item-title").text == "KV cache 量化 for long-context inference"
    assert browser.execute_script("return document.getElementById('done-1')") is None  # no writes before sign-in
    browser.find_element(By.LINK_TEXT, "Sign in").click()
    browser.find_element(By.NAME, "member").send_keys("ana")
    browser.find_element(By.NAME, "token").send_keys(TOKEN)
    browser.find_element(By.ID, "signin").click()
    _arrive(browser, server + "/items/1")  # a form's answer may still be loading when click() returns
    assert browser.find_element(By.ID, "signed-in").text == "ana"
    browser.find_element(By.ID, "done-1").click()
    _arrive(browser, server + "/items/1")
    WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.LINK_TEXT, "My queue"))
    browser.find_element(By.LINK_TEXT, "My queue").click()
    assert "KV cache 量化" in browser.find_element(By.ID, "finished").text
    assert "KV cache 量化" not in browser.find_element(By.ID, "queue").text
    browser.set_window_size(390, 844)
    browser.get(server + "/items?q=kv+cache")
    browser.save_screenshot(str(tmp_path / "search-390.png"))
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the phone layout scrolls sideways"
    assert (tmp_path / "home-1400.png").stat().st_size > 10_000 and (tmp_path / "search-390.png").exists()


def test_hostile_titles_notes_and_tags_never_run(browser: webdriver.Chrome, server: str, tmp_path: Path) -> None:
    browser.set_window_size(1400, 1000)
    browser.get(server + "/items/3")
    assert browser.find_element(By.ID, "item-title").text == HOSTILE_TITLE
    for path in ("/", "/items?q=alert", "/items/3", "/digest", "/inbox?member=ana&by=date"):
        browser.get(server + path)
        assert no_alert(browser), path
        # Asked of the page itself: find_elements would wait out the implicit wait for what is not there.
        found = browser.execute_script(
            "return [document.querySelectorAll('script, img, iframe, svg').length,"
            " [...document.querySelectorAll('a')].map(a => a.getAttribute('href') || '')"
            ".filter(h => h.trim().toLowerCase().startsWith('javascript:')).length]"
        )
        assert found == [0, 0], path
    browser.save_screenshot(str(tmp_path / "hostile-1400.png"))


def _arrive(browser: webdriver.Chrome, url: str) -> None:
    """Wait (a loaded CI machine is slow) until the browser shows `url`, fully loaded; else say what it shows."""
    try:
        WebDriverWait(browser, 15).until(
            lambda b: b.current_url == url and b.execute_script("return document.readyState") == "complete"
        )
    except Exception:
        body = browser.find_element(By.TAG_NAME, "body").text[:300]
        raise AssertionError(f"expected {url}, the browser shows {browser.current_url}: {body}") from None
