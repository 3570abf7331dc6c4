"""Paired role play in a real browser (Debian's chromium), two browser contexts: Ann
plays the officer from her attempt at the assigned intro case, Ben plays Jiahe's owner.
Ben waits with the automatic refresh on and sees the meeting open without a click; they
take turns; the agreed monitoring lands in Ann's desk queue with the meeting. The
instructor's pairing is made beforehand through the service. Screenshots go to
test-output/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_browser import ARGS, CHROMIUM, OUT, WAIT_MS, free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
PW = "browser-password-1"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing: run tests/ensure_browser.sh (make test does)"),
]

SETUP = f"""
from datetime import timedelta
from training import accounts, pairs
from training import classroom as cr
from training.db import get_database, now
from training.publishing import publish_case
db = get_database()
teacher = accounts.create_user(db, 'teacher', {PW!r}, 'instructor')
ann = accounts.create_user(db, 'ann', {PW!r}, 'trainee', display_name='Ann')
ben = accounts.create_user(db, 'ben', {PW!r}, 'trainee', display_name='Ben')
cohort = cr.create_cohort(db, teacher, 'Monday class')
cr.enrol(db, teacher, cohort.id, 'ann')
cr.enrol(db, teacher, cohort.id, 'ben')
version = publish_case(db, teacher, open('scenarios/intro.yaml', encoding='utf-8').read())
a = cr.assign_case(db, teacher, cohort.id, version.id, now() - timedelta(hours=1),
                   now() + timedelta(days=3))
pairs.create_pair(db, teacher, a.id, 'jiahe_extension', ann.id, ben.id)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e_pairs")
    env = {**os.environ, "BIANQUE_DB": str(tmp / "pairs.db"), "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "BIANQUE_SCENARIO_DIR", "BIANQUE_SELF_STUDY"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, cwd=ROOT, timeout=120)
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


def idle(page) -> None:
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()


def click_key(page, key: str) -> None:
    idle(page)
    page.locator(f".st-key-{key} button").first.click()


def nav(page, label: str) -> None:
    idle(page)
    page.locator("[data-testid='stSidebarNav'] a", has_text=label).first.click()
    idle(page)


def sign_in(page, server: str, name: str) -> None:
    page.goto(server + "/?lang=en")
    page.locator(".st-key-signin_username input").fill(name)
    page.locator(".st-key-signin_password input").fill(PW)
    idle(page)
    page.get_by_role("button", name="Sign in", exact=True).first.click()
    idle(page)


def test_two_trainees_hold_a_meeting_and_the_terms_reach_the_officers_desk(server):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        ann = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        ben = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        for page in (ann, ben):
            page.set_default_timeout(WAIT_MS)
        try:
            sign_in(ann, server, "ann")  # Ann starts the assigned case first
            nav(ann, "My work")
            click_key(ann, "start_a1")
            expect(ann.locator(".st-key-to_desk button")).to_be_visible()
            nav(ann, "Paired role play")
            expect(ann.get_by_text("You play the officer. Your partner: Ben.")).to_be_visible()
            expect(ann.get_by_text("You are Wang Lijuan")).to_have_count(0)

            sign_in(ben, server, "ben")
            nav(ben, "Paired role play")
            expect(ben.get_by_text("You play the borrower. Your partner: Ann.")).to_be_visible()
            expect(ben.get_by_text("You are Wang Lijuan", exact=False)).to_be_visible()
            idle(ben)
            ben.locator(".st-key-pair_auto_1 label").click()  # wait with the automatic refresh

            click_key(ann, "pair_begin_1")
            # Ben's page picks up the open meeting by itself
            expect(ben.get_by_text("Your business: sound")).to_be_visible()
            expect(ben.locator(".st-key-pair_line_1_0_0 button")).to_be_visible()
            click_key(ben, "pair_line_1_0_0")

            expect(ann.locator(".st-key-pair_refresh_1 button")).to_be_visible()
            click_key(ann, "pair_refresh_1")
            expect(ann.locator(".st-key-pair_choice_1_1_ask_flows button")).to_be_visible()
            click_key(ann, "pair_choice_1_1_ask_flows")

            click_key(ben, "pair_refresh_1")
            expect(ben.locator(".st-key-pair_line_1_2_0 button")).to_be_visible()
            expect(ben.locator(".st-key-pair_line_1_2_1")).to_have_count(0)  # no lie open
            click_key(ben, "pair_line_1_2_0")

            click_key(ann, "pair_refresh_1")
            expect(ann.get_by_text("takings have been steady", exact=False)).to_be_visible()
            click_key(ann, "pair_choice_1_3_monitor")

            click_key(ben, "pair_refresh_1")
            click_key(ben, "pair_line_1_4_1")
            expect(ben.get_by_text("The conversation is over.")).to_be_visible()
            ben.screenshot(path=str(OUT / "e2e_pairs_borrower.png"), full_page=True)

            click_key(ann, "pair_refresh_1")
            expect(ann.get_by_text("The conversation is over.")).to_be_visible()
            expect(ann.get_by_text("Queued in Ann's case for month 1", exact=False)
                   ).to_be_visible()
            ann.screenshot(path=str(OUT / "e2e_pairs_officer.png"), full_page=True)
            nav(ann, "Desk")
            expect(ann.get_by_text("Meet the borrower", exact=False).first).to_be_visible()
            expect(ann.get_by_text("Closer monitoring", exact=False).first).to_be_visible()
        finally:
            browser.close()
