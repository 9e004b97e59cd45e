"""End-to-end fixtures: the real site under gunicorn on 127.0.0.1, driven by Debian's chromium (headless,
through chromedriver). Screenshots go to test-artifacts/screenshots/.

Without chromium the browser tests skip with the reason; with FAGUI_REQUIRE_BROWSER=1 (set by the README's test
command, which installs chromium) a missing browser fails instead, so CI cannot pass by skipping them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from fagui.settings import BUNDLED_SAMPLE

REPO = Path(__file__).resolve().parents[3]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-c", "from fagui.cli.commands import main; main()", *args], env=env, check=True,
                   capture_output=True, timeout=600)


def instance_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAGUI_")}
    env.update(FAGUI_DATA_DIR=str(data_dir), FAGUI_CORPUS_PATH=str(BUNDLED_SAMPLE), FAGUI_API_RATE_LIMIT="100000")
    return env


@pytest.fixture(scope="session")
def site_env(tmp_path_factory) -> dict[str, str]:
    """A data directory holding the bundled sample, imported and indexed by the real commands."""
    env = instance_env(tmp_path_factory.mktemp("site"))
    _cli(env, "db", "upgrade")
    _cli(env, "import", "lawrefbook")
    _cli(env, "index", "rebuild")
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`fagui serve` (gunicorn) in a child process."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(Path(env["FAGUI_DATA_DIR"]) / f"serve-{self.port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from fagui.cli.commands import main; main()", "serve", "--port", str(self.port),
             "--workers", "1"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"fagui serve exited with {self.proc.returncode}; see {self.log.name}")
            try:
                urllib.request.urlopen(self.url + "/offline", timeout=2).read()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("fagui serve did not answer within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="session")
def live_server(site_env):
    server = LiveServer(site_env)
    yield server
    server.stop()


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            return f"{path} not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium not installed (pip install -e '.[test]')"
    return None


def make_driver(user_data_dir: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", f"--user-data-dir={user_data_dir}", "--lang=zh-CN"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture
def browser(tmp_path):
    missing = _browser_missing()
    if missing:
        if os.environ.get("FAGUI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but {missing}")
        pytest.skip(missing)
    driver = make_driver(tmp_path / "chromium-profile")
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()


def screenshot(driver, name: str, width: int) -> Path:
    """A full-page screenshot at the given width (height follows the page, capped)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(width, 900)
    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 4000)")
    driver.set_window_size(width, max(600, height))
    path = SCREENSHOTS / f"{name}-{width}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(width, 900)
    return path
