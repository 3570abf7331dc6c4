"""What every browser test shares: the app started on a free port with its own database,
Debian's chromium and its flags, and the few moves a user makes on any page (wait for the
script run to finish, click a keyed button, pick from a selectbox, sign in, end a month).

A Streamlit page reruns after every interaction, and a click that lands during a rerun
can be lost or close an open list. The moves below therefore wait for the run to finish
first, and the pickers retry the whole open-type-click sequence.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
OUT = ROOT / "test-output"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 60_000
"""How long a page action or an assertion waits: a shared CI machine can be slow."""
PW = "browser-password-1"
"""The password of every account a browser test creates."""

BROWSER_RERUNS = 1
"""A browser test that fails is run once more (pytest-rerunfailures), and only a browser
test: a real browser on a loaded 2-core machine can lose a click that lands as a rerun
starts, however the tests wait, and a red CI lands nothing. The test summary lists each
rerun ("R"); a test that needed one has a timing defect to fix (as db5a017 did), and a
test that fails twice fails CI."""

MARKS = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("browser"),
    pytest.mark.flaky(reruns=BROWSER_RERUNS, reruns_delay=2),
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing: run tests/ensure_browser.sh (make test does)"),
]
"""Every browser test module sets ``pytestmark = MARKS``."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200 and r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} not healthy after {timeout_s}s:\n{log.read_text()}")


@contextmanager
def app_server(tmp: Path, setup: str | None = None) -> Iterator[str]:
    """``streamlit run app.py`` on a free port with a new SQLite database in tmp, after
    running the Python code ``setup`` (accounts, cohorts) against that database. Yields
    the base URL once ``/_stcore/health`` answers; stops the server afterwards."""
    env = {**os.environ, "BIANQUE_DB": str(tmp / "app.db"), "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "BIANQUE_SCENARIO_DIR", "BIANQUE_SELF_STUDY"):
        env.pop(name, None)
    if setup:
        subprocess.run([sys.executable, "-c", setup], env=env, check=True, cwd=ROOT, timeout=120)
    port = free_port()
    log = tmp / "streamlit.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def accounts_setup(*users: tuple[str, str, str]) -> str:
    """Setup code that creates accounts (username, role, display name), password PW."""
    lines = ["from training.accounts import create_user",
             "from training.db import get_database",
             "db = get_database()"]
    lines += [f"create_user(db, {u!r}, {PW!r}, {role!r}, display_name={name!r})"
              for u, role, name in users]
    return "\n".join(lines) + "\n"


def idle(page) -> None:
    """Wait until the script run that the last interaction started has finished."""
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()


SETTLE_MS = 400
"""How long a choice in a selectbox may take to start its rerun: the box sends its value
a moment after the click, so the page can still read "not running" just after it."""


def settle(page) -> None:
    """Wait until the rerun a choice just started (if any) has begun and finished."""
    page.wait_for_timeout(SETTLE_MS)
    idle(page)


def click(page, key: str) -> None:
    """Click the button of the widget with this key."""
    idle(page)
    page.locator(f".st-key-{key} button").first.click()


def click_away(page, key: str, attempts: int = 3) -> None:
    """Click the button with this key, one that the click itself takes off the page (a
    conversation's choice: the next turn's buttons have keys of their own), and wait until
    it has gone. A click that lands just as a rerun starts can be lost, the button still
    there long after: then it is clicked again. The wait for it to go is long
    (`GONE_MS`), so a click that took but whose rerun is slow is not clicked twice."""
    from playwright.sync_api import expect

    button = page.locator(f".st-key-{key} button")
    for _ in range(attempts):
        idle(page)
        if button.count() == 0:
            return
        button.first.click()
        try:
            expect(button).to_have_count(0, timeout=GONE_MS)
            return
        except AssertionError:
            continue
    expect(button).to_have_count(0)


GONE_MS = 20_000
"""How long a clicked button may stay before the click counts as lost (`click_away`)."""


def click_text(page, text: str) -> None:
    """Click the button labelled exactly text."""
    idle(page)
    page.get_by_role("button", name=text, exact=True).first.click()


def shown_text(scope, text: str, exact: bool = False):
    """The first visible element with this text. A data grid keeps its cells in the DOM
    behind its canvas, hidden, so a plain first match can be a cell nobody sees."""
    return scope.get_by_text(text, exact=exact).filter(visible=True).first


def nav(page, label: str) -> None:
    """Open a page from the sidebar's navigation and wait until the address is the
    page's. A click that lands during a rerun (one a sign-in or its cookie started) can
    be lost: then click again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    link = page.locator("[data-testid='stSidebarNav'] a", has_text=label).first
    for attempt in range(3):
        idle(page)
        target = (link.get_attribute("href") or "").split("?")[0]
        link.click()
        try:
            page.wait_for_url(lambda url, t=target: url.split("?")[0] == t, timeout=WAIT_MS // 4)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    idle(page)


COOKIE = "bianque_session"
"""The sign-in cookie (app_pages/browser_session.py)."""


def wait_cookie(context, present: bool) -> dict | None:
    """Wait (up to the suite's browser wait) until the sign-in cookie is there or gone;
    the cookie, or None. The browser stores it a moment after the sign-in's page run."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        cookie = next((c for c in context.cookies() if c["name"] == COOKIE), None)
        if (cookie is not None) == present:
            return cookie
        time.sleep(0.2)
    raise AssertionError(f"the {COOKIE} cookie is {'missing' if present else 'still there'}")


def sign_in(page, server: str, name: str, password: str = PW) -> None:
    """Sign in on the English sign-in page."""
    page.goto(server + "/?lang=en")
    fill_sign_in(page, name, password)


def fill_sign_in(page, name: str, password: str = PW) -> None:
    """Sign in with the form the page shows (the sign-in page, or a page's sign-in gate),
    and wait until the browser keeps the sign-in (its cookie) and the page has settled."""
    idle(page)
    page.locator(".st-key-signin_username input").fill(name)
    page.locator(".st-key-signin_password input").fill(password)
    click_text(page, "Sign in")
    wait_cookie(page.context, present=True)
    idle(page)


def pick(page, box, typed: str | None = None, option_text=None, attempts: int = 4,
         shown: bool = False) -> None:
    """Open the selectbox ``box`` (a locator of its combobox), type ``typed`` to filter
    it, and click the first option whose text matches ``option_text`` (a string or a
    compiled pattern; default: typed, or the first option). Waiting for the option and
    clicking it is one step, retried from the start: a rerun can close the list. With
    ``shown``, the step also waits until the box shows a choice: a choice made while an
    earlier interaction's rerun had not yet started can be dropped (use it for a single
    selectbox that stays where it is)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    wanted = option_text if option_text is not None else typed
    for attempt in range(attempts):
        idle(page)
        try:
            box.click(timeout=WAIT_MS // 4)
            option = page.get_by_role("option")
            if typed:
                box.fill("")
                page.keyboard.type(typed)  # the selectbox filters its options as one types
            if wanted is not None:
                option = option.filter(has_text=wanted)
            option.first.click(timeout=WAIT_MS // 6)
            settle(page)
            if shown:
                idle(page)
                expect(box).not_to_have_value("", timeout=WAIT_MS // 6)
            break
        except (PlaywrightTimeout, AssertionError):
            page.keyboard.press("Escape")
            if attempt == attempts - 1:
                raise
    idle(page)


def choose(page, key_part: str, text: str | None = None, shown: bool = False) -> None:
    """Pick the option with text (or the first) in the selectbox whose key contains
    key_part (``shown``: see pick)."""
    pick(page, page.locator(f"[class*='st-key-{key_part}'] [role='combobox']").first, text,
         shown=shown)


def end_month(page, month: int) -> None:
    """Press End month on month ``month`` and wait for the next month's button."""
    from playwright.sync_api import expect

    idle(page)
    page.locator(f".st-key-end_month_{month} button").click()
    expect(page.locator(f".st-key-end_month_{month + 1} button")).to_be_visible()


@contextmanager
def chromium(name: str) -> Iterator:
    """Debian's chromium, headless, with the suite's waits. If the body fails, every open
    page is photographed to test-output/<name>_failure_<n>.png before the error goes on."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)  # assertions wait as long as page actions
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        except Exception:
            pages = [page for context in browser.contexts for page in context.pages]
            for n, page in enumerate(pages):
                with suppress(Exception):  # a picture must not hide the failure
                    page.screenshot(path=str(OUT / f"{name}_failure_{n}.png"), full_page=True)
            raise
        finally:
            browser.close()


def new_page(browser, width: int = 1400, height: int = 1000):
    """A page in a context of its own (its own cookies: another user), with the waits."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(WAIT_MS)
    return page
