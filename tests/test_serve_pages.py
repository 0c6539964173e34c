"""The pages in a real browser: Debian's Chromium, driven by Playwright, against `serve`.

The browser is ``/usr/bin/chromium`` (no browser download). Where it is missing the tests
skip and say why, unless ``YP_REQUIRE_CHROMIUM=1``: then they fail. Every request to a
host other than the server is recorded and refused, so the tests never reach the network.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs
import httpx
import pytest

from serving import serving

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page, Request, Route

playwright_sync = pytest.importorskip("playwright.sync_api", reason="needs Playwright")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",  # the tests may run as root, where Chromium's sandbox will not start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Chromium's flags; Playwright gives each launch a fresh profile of its own (--user-data-dir)."""

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000


@attrs.frozen
class Site:
    """The server under test, and the tokens issued on its ledger."""

    url: str
    unit: str
    """The finance unit's token."""
    revoked: str
    """A token of the hrss unit, revoked before the server started."""


@attrs.frozen
class Tab:
    """A page in a fresh browser context, and every URL that context requested."""

    page: Page
    requests: list[str]

    def foreign(self, site: Site) -> list[str]:
        """The requests to any host but the server's."""
        ours = urlsplit(site.url).netloc
        return [url for url in self.requests if urlsplit(url).netloc != ours]


def _cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "yantai_policy", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def _issue(db: Path, unit: str) -> tuple[int, str]:
    out = _cli("ledger", "token", "issue", "--db", str(db), "--unit", unit)
    number = re.search(r"token (\d+) for", out)
    assert number is not None, out
    return int(number.group(1)), out.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server over a new ledger, with a finance token and a revoked hrss token."""
    db = tmp_path_factory.mktemp("pages") / "ledger.db"
    _cli("ledger", "init", "--db", str(db))
    _, unit = _issue(db, "finance")
    number, revoked = _issue(db, "hrss")
    _cli("ledger", "token", "revoke", "--db", str(db), "--id", str(number), "--reason", "test")
    with serving("--ledger", str(db)) as running:
        yield Site(running.url, unit, revoked)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, launched once for the module."""
    if not CHROMIUM.exists():
        why = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("YP_REQUIRE_CHROMIUM") == "1":
            pytest.fail(f"YP_REQUIRE_CHROMIUM=1 but {why}")
        pytest.skip(why)
    with playwright_sync.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def _open(browser: Browser, site: Site, viewport: dict[str, int]) -> Iterator[Tab]:
    context = browser.new_context(base_url=site.url, viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    requests: list[str] = []
    ours = urlsplit(site.url).netloc

    def record(request: Request) -> None:
        requests.append(request.url)

    def only_ours(route: Route) -> None:
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            route.abort()

    context.on("request", record)
    context.route("**/*", only_ours)
    try:
        yield Tab(context.new_page(), requests)
    finally:
        context.close()


@pytest.fixture
def tab(browser: Browser, site: Site) -> Iterator[Tab]:
    """A desktop-sized page in a fresh context (no storage from another test)."""
    yield from _open(browser, site, DESKTOP)


@pytest.fixture
def phone(browser: Browser, site: Site) -> Iterator[Tab]:
    """A phone-sized page (390 x 844) in a fresh context."""
    yield from _open(browser, site, PHONE)


def _enter_token(page: Page, token: str) -> None:
    page.goto("/report")
    page.fill("#token", token)
    page.click("#token-form button[type=submit]")


def _offered(page: Page) -> list[str]:
    """The tasks the form's select offers: the options neither hidden nor disabled."""
    tasks: list[str] = page.eval_on_selector_all(
        "#task option", "os => os.filter(o => !o.disabled && !o.hidden).map(o => o.value)"
    )
    return tasks


def _light_on_ledger(page: Page, task: str) -> str:
    page.goto("/ledger")
    row = page.locator(f'tr[id="task-{task}"]')
    light = row.locator(".light").get_attribute("class") or ""
    assert f" {row.get_attribute('data-light')}" in light
    return light.removeprefix("light ").strip()


def _shown_rows(page: Page) -> list[dict[str, Any]]:
    """The table rows the browser lays out (not merely those without a hidden attribute)."""
    rows: list[dict[str, Any]] = page.eval_on_selector_all(
        "tr.row",
        "rs => rs.filter(r => r.getClientRects().length > 0)"
        ".map(r => ({light: r.dataset.light || null, text: r.textContent}))",
    )
    return rows


def test_a_unit_files_done_and_its_red_task_turns_green(tab: Tab, site: Site) -> None:
    """A unit's token offers only its tasks; a done report turns a red task green, there and on /ledger."""
    page = tab.page
    whoami = httpx.get(
        f"{site.url}/v1/ledger/whoami", headers={"Authorization": f"Bearer {site.unit}"}
    )
    own = whoami.json()["tasks"]
    assert whoami.json()["bureau"]["id"] == "finance"
    _enter_token(page, site.unit)
    page.locator("#report-form").wait_for(state="visible")
    assert "市财政局" in page.inner_text("#who")  # the unit's name, from whoami
    assert _offered(page) == own
    assert page.locator("#task option").count() > len(own)  # the others are there, but not offered
    assert page.locator("#unit-field").is_hidden()  # a unit files for itself
    task = own[-1]

    assert _light_on_ledger(page, task) == "red"

    page.goto("/report")  # the tab's sessionStorage keeps the token: the form comes back
    page.locator("#report-form").wait_for(state="visible")
    page.select_option("#task", task)
    page.select_option("#status", "done")
    page.fill("#text", "已完成，见附件。")
    page.click("#file")
    shown = page.locator("#result-light")
    shown.wait_for()
    assert shown.get_attribute("data-light") == "green"
    assert shown.inner_text() == "绿灯"
    assert f"任务 {task} 现为" in page.inner_text("#result")

    assert _light_on_ledger(page, task) == "green"
    assert page.locator(f'tr[id="task-{task}"]').inner_text().count("已完成") == 1


@pytest.mark.parametrize("which", ["wrong", "revoked"])
def test_a_refused_token_shows_an_error_and_no_form(tab: Tab, site: Site, which: str) -> None:
    """A wrong or revoked token is refused on the page: an error, no form, nothing kept."""
    page = tab.page
    token = "yp_" + "x" * 43 if which == "wrong" else site.revoked
    _enter_token(page, token)
    who = page.locator("#who.error")
    who.wait_for()
    assert "令牌无效" in who.inner_text()
    assert page.locator("#report-form").is_hidden()
    assert page.locator("#task").is_hidden()
    assert page.evaluate("sessionStorage.getItem('yp-token')") is None


def test_the_english_toggle_switches_the_text_and_persists(tab: Tab) -> None:
    """The toggle shows the English (headings, lights, options), and a reload keeps it."""
    page = tab.page
    page.goto("/ledger")
    assert page.inner_text("h1") == "工作推进台账"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.click("#lang-toggle")
    assert page.inner_text("h1") == "Implementation ledger"
    assert page.inner_text("#lang-toggle") == "中文"
    page.reload()
    assert page.inner_text("h1") == "Implementation ledger"
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Light" in page.locator("th").nth(3).inner_text()
    first = page.locator("tr.row .light").first.inner_text()
    assert first in {"green", "yellow", "red"}

    page.goto("/report")
    status = page.eval_on_selector_all("#status option", "os => os.map(o => o.text)")
    assert status == ["not started", "in progress", "done", "blocked"]
    page.click("#lang-toggle")
    page.reload()
    assert page.inner_text("h1") == "填报进展"
    assert (
        page.eval_on_selector("#status option", "o => o.text") == "未启动"
    )  # Status.NOT_STARTED.zh


def test_the_ledger_filters_hide_rows(tab: Tab) -> None:
    """Words keep only the rows that hold them; unticking a light hides that light's rows."""
    page = tab.page
    page.goto("/ledger")
    every = _shown_rows(page)
    assert len(every) > 49  # 20 measures, 20 units and 49 tasks

    page.fill("input.filter", "市财政局")
    words = _shown_rows(page)
    assert 0 < len(words) < len(every)
    assert all("市财政局" in r["text"] for r in words)

    page.fill("input.filter", "")
    assert len(_shown_rows(page)) == len(every)
    page.uncheck("input.light-filter[value=red]")
    left = _shown_rows(page)
    assert len(left) < len(every)
    assert all(r["light"] != "red" for r in left)
    page.check("input.light-filter[value=red]")
    assert len(_shown_rows(page)) == len(every)


def _overflow(page: Page) -> tuple[int, int]:
    width: tuple[int, int] = page.evaluate(
        "[document.scrollingElement.scrollWidth, window.innerWidth]"
    )
    return width


@pytest.mark.parametrize("path", ["/", "/ledger", "/report"])
def test_a_phone_sized_screen_has_no_sideways_scroll_and_rows_are_cards(
    phone: Tab, site: Site, path: str
) -> None:
    """At 390 x 844 nothing is wider than the screen, and table rows are blocks, headings hidden."""
    page = phone.page
    if path == "/report":
        _enter_token(page, site.unit)  # the form, with its long task texts, is the widest part
        page.locator("#report-form").wait_for(state="visible")
    else:
        page.goto(path)
        display = page.eval_on_selector("tr.row", "r => getComputedStyle(r).display")
        assert display == "block"
        assert page.eval_on_selector("thead", "h => getComputedStyle(h).display") == "none"
        label = page.eval_on_selector("tr.row td", "d => getComputedStyle(d, '::before').content")
        heading = page.eval_on_selector("thead th", "th => th.firstChild.textContent.trim()")
        assert label == f'"{heading}："'  # the column's heading, as the cell's label
    scroll, inner = _overflow(page)
    assert inner == PHONE["width"]
    assert scroll <= inner, f"{path} is {scroll}px wide on a {inner}px screen"


def test_a_desktop_screen_keeps_the_tables(tab: Tab) -> None:
    """Wider than a phone, the rows stay table rows (the cards are for phones only)."""
    page = tab.page
    page.goto("/ledger")
    assert page.eval_on_selector("tr.row", "r => getComputedStyle(r).display") == "table-row"


@pytest.mark.parametrize("path", ["/", "/ledger", "/report", "/docs"])
def test_the_pages_ask_no_other_host(tab: Tab, site: Site, path: str) -> None:
    """Each page, its assets and its script's requests go to the server and nowhere else."""
    page = tab.page
    if path == "/report":
        _enter_token(page, site.unit)
        page.locator("#report-form").wait_for(state="visible")
    else:
        page.goto(path)
    if path == "/docs":
        page.locator(".swagger-ui .info").wait_for()  # Swagger UI rendered, from the package
    page.wait_for_load_state("networkidle")
    ours = [u for u in tab.requests if u.startswith(site.url)]
    assert any("/assets/" in u for u in ours)
    assert tab.foreign(site) == []
