"""The web page in a real headless Chromium (Selenium + Debian chromium/chromium-driver).

A uvicorn server on 127.0.0.1 serves a small store (the graph-layer samples plus
a file whose labels carry markup); the browser runs an example query, sorts the
result table, opens a document page and downloads the GEXF.  Screenshots go to
``test-artifacts/`` (gitignored).  Skipped when chromium or chromedriver is not
installed (``make system-deps`` installs them on Debian).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sparql_support import serve_app
from test_web import EVIL_UNIT, web_store

from policykg.api.app import create_app
from policykg.api.settings import Settings

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip(
        "headless browser test needs Debian chromium + chromium-driver "
        "(apt-get install -y chromium chromium-driver)",
        allow_module_level=True,
    )

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = web_store(tmp_path_factory.mktemp("browser") / "store")
    app = create_app(Settings(store=path, isolation="thread", max_concurrency=2))
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, downloads: Path) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    assert CHROMIUM is not None
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
        },
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    # headless Chromium only saves downloads when told where
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    # full page: grow the window to the document height first
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 800), 6000))
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    driver.set_window_size(1280, 1600)


def wait(driver: Any, seconds: float = 20) -> Any:
    return WebDriverWait(driver, seconds)


def no_alert(driver: Any) -> None:
    """The markup in labels never ran: no alert dialog is open."""
    try:
        text = driver.switch_to.alert.text
    except Exception:  # NoAlertPresentException: the good case
        return
    pytest.fail(f"a script from the data ran: alert {text!r}")


def test_example_query_shows_sortable_rows(browser: Any, server: str) -> None:
    browser.get(server + "/")
    assert "policykg" in browser.title
    Select(browser.find_element(By.ID, "example")).select_by_value("workload")
    browser.find_element(By.ID, "load-example").click()
    assert "pkg:Responsibility" in browser.find_element(By.ID, "sparql").get_property("value")
    browser.find_element(By.ID, "run").click()
    wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#result-table tbody tr")))
    rows = browser.find_elements(By.CSS_SELECTOR, "#result-table tbody tr")
    assert len(rows) >= 4
    names = [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows]
    assert "市科技局" in names
    assert EVIL_UNIT in names  # shown as text
    no_alert(browser)
    assert "rows" in browser.find_element(By.ID, "status").text
    # the CSV link points at the endpoint with the same query
    csv = browser.find_element(By.ID, "csv")
    assert csv.is_displayed()
    assert "format=csv" in csv.get_attribute("href")
    # sort by "tasks" descending then ascending: the column is ordered numerically
    header = browser.find_element(By.XPATH, "//table[@id='result-table']//th[3]/button")
    header.click()
    header.click()
    th = browser.find_element(By.XPATH, "//table[@id='result-table']//th[3]")
    assert th.get_attribute("aria-sort") == "descending"
    cells = browser.find_elements(By.CSS_SELECTOR, "#result-table tbody tr td:nth-child(3)")
    values = [int(c.text) for c in cells]
    assert values == sorted(values, reverse=True)
    # the workload chart was drawn from the REST analytics
    wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#workload-svg rect")))
    labels = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#workload-svg text.label")]
    assert "市科技局" in labels
    shot(browser, "01-query-results")


def test_query_errors_are_shown(browser: Any, server: str) -> None:
    browser.get(server + "/")
    area = browser.find_element(By.ID, "sparql")
    area.clear()
    area.send_keys("SELECT * WHERE { ?s ?p }")
    browser.find_element(By.ID, "run").click()
    status = browser.find_element(By.ID, "status")
    wait(browser).until(lambda d: "Error 400" in status.text)


def test_document_page_highlights_evidence(browser: Any, server: str) -> None:
    browser.get(server + "/")
    link = browser.find_element(By.PARTIAL_LINK_TEXT, "加快建设知识产权强市的实施意见")
    link.click()
    wait(browser).until(ec.presence_of_element_located((By.ID, "doc-title")))
    assert "加快建设知识产权强市" in browser.find_element(By.ID, "doc-title").text
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "blockquote.evidence mark")]
    assert "（责任单位：市市场监管局牵头，市科技局配合）" in marks
    assert any("每万人发明专利拥有量" in m for m in marks)
    background = browser.find_element(By.CSS_SELECTOR, "mark").value_of_css_property(
        "background-color"
    )
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    shot(browser, "02-document-page")
    # the page of the file with markup in its labels shows them as text
    browser.get(server + "/")
    browser.find_element(By.PARTIAL_LINK_TEXT, "示例县").click()
    wait(browser).until(ec.presence_of_element_located((By.ID, "doc-title")))
    no_alert(browser)
    assert "<script>" in browser.find_element(By.ID, "doc-title").text
    assert not browser.find_elements(By.XPATH, "//main//script")
    shot(browser, "03-escaped-labels")


def test_gexf_download(browser: Any, server: str, downloads: Path) -> None:
    browser.get(server + "/#exports")
    browser.find_element(By.CSS_SELECTOR, 'a[href="/export/full.gexf"]').click()
    target = downloads / "full.gexf"
    deadline = time.monotonic() + 20
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert target.exists(), f"no download in {list(downloads.iterdir())}"
    body = target.read_text(encoding="utf-8")
    assert body.startswith("<?xml")
    assert 'xmlns="http://gexf.net/1.3"' in body
    assert "市科技局" in body
    shot(browser, "04-exports")


def test_analysis_links_and_fact_counts(browser: Any, server: str) -> None:
    browser.get(server + "/#exports")
    links = browser.find_elements(By.CSS_SELECTOR, 'a[href^="/api/analytics/"]')
    assert len({a.get_attribute("href") for a in links}) >= 9
    browser.find_element(By.CSS_SELECTOR, 'a[href="/api/analytics/citations/levels"]').click()
    body = wait(browser).until(ec.presence_of_element_located((By.TAG_NAME, "body"))).text
    assert "from_level" in body and "national" in body
    browser.get(server + "/")
    browser.find_element(By.PARTIAL_LINK_TEXT, "加快建设知识产权强市的实施意见").click()
    wait(browser).until(ec.presence_of_element_located((By.ID, "doc-title")))
    headings = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "section h2")]
    # the sample document sets one target and cites two documents: each shown once
    assert any(h.endswith("目标 (1)") for h in headings), headings
    assert any(h.endswith("引用 (2)") for h in headings), headings
    roles = browser.find_elements(By.CSS_SELECTOR, "#tasks span.role, section span.role")
    assert len({r.id for r in roles}) == 4  # four responsibilities in a.txt
