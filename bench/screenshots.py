"""The screenshots of the pages in docs/serve.md: /ledger and / on a desktop, /report on a phone.

It makes a ledger with a few reports (so the 台账 shows all three lights), issues the finance
unit a token, starts ``yantai-policy serve`` on a free port, and drives Debian's headless
Chromium (``/usr/bin/chromium``, no browser download) with Playwright: on /report it enters
the token and files a ``done`` report, then shoots the page with the task's new light.

Run: ``python bench/screenshots.py`` (``--out DIR``, default docs/img). Each PNG is one
viewport, not the whole page, to stay well under 300 KB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

import yantai_policy as yp
from yantai_policy.dates import china_today
from yantai_policy.ledger import Ledger

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
TASK = "7.1"
"""The finance unit's task that the /report shot files as done (提供贷款贴息, loan interest)."""


def make_ledger(db: str) -> str:
    """A ledger with green, yellow and red tasks; returns the finance unit's token."""
    today = china_today()
    with Ledger.create(db, yp.load_policy(), by="screenshots") as ledger:
        for task, unit in [("1.2", "finance"), ("3.6", "hrss"), ("6.1", "hrss"), ("8.1", "hrss")]:
            ledger.report(task, unit, "in_progress", on=today, text="按计划推进。")
        ledger.report("5.6", "finance", "done", on=today, text="已完成。")
        ledger.set_deadline("6.1", today + dt.timedelta(days=3), on=today, reason="督办会议")
    out = subprocess.run(
        [sys.executable, "-m", "yantai_policy", "ledger", "token", "issue", "--db", db,
         "--unit", "finance"], capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return out.strip().splitlines()[-1]


def wait_for(url: str, seconds: float = 60) -> None:
    """Wait until the server at url answers ``/v1``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(f"{url}/v1", timeout=5).raise_for_status()
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        else:
            return


def shoot(url: str, token: str, out: Path) -> None:
    """Take the three screenshots of the server at url into out."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        desktop = browser.new_page(viewport={"width": 1200, "height": 760}, base_url=url)
        desktop.goto("/ledger")
        desktop.screenshot(path=out / "serve-ledger.png")
        desktop.goto("/")
        desktop.screenshot(path=out / "serve-plan.png")
        phone = browser.new_page(viewport={"width": 390, "height": 844}, base_url=url)
        phone.goto("/report")
        phone.fill("#token", token)
        phone.click("#token-form button[type=submit]")
        phone.locator("#report-form").wait_for(state="visible")
        phone.select_option("#task", TASK)
        phone.select_option("#status", "done")
        phone.fill("#text", "贴息资金已拨付，见附件。")
        phone.click("#file")
        phone.locator("#result-light").wait_for()
        phone.locator("#result").scroll_into_view_if_needed()
        phone.screenshot(path=out / "serve-report.png")
        browser.close()


def main(argv: list[str] | None = None) -> int:
    """Make the ledger, serve it, shoot the pages, and print each PNG's size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent.parent / "docs" / "img")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "ledger.db")
        token = make_ledger(db)
        server = subprocess.Popen(
            [sys.executable, "-m", "yantai_policy", "serve", "--port", "0", "--ledger", db],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        try:
            line = server.stderr.readline() if server.stderr else ""
            found = re.search(r"on (http://127\.0\.0\.1:\d+) ", line)
            if found is None:
                print("serve did not start", file=sys.stderr)
                return 1
            wait_for(found.group(1))
            shoot(found.group(1), token, args.out)
        finally:
            server.terminate()
            server.wait(30)
    for name in ("serve-ledger.png", "serve-report.png", "serve-plan.png"):
        print(f"{args.out / name}: {(args.out / name).stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
