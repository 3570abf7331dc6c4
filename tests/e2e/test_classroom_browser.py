"""The classroom end to end in a real browser (Debian's chromium): an instructor signs
in, creates a cohort, enrols a trainee, publishes intro and assigns it; the trainee
signs in in another browser, starts the assignment from My work and plays intro to the
debrief; the instructor's dashboard then shows the class's scores. Screenshots go to
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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e_classroom")
    db_path = tmp / "classroom.db"
    env = {**os.environ, "BIANQUE_DB": str(db_path), "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "BIANQUE_SCENARIO_DIR", "BIANQUE_SELF_STUDY"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-c", (
        "from training.accounts import create_user\n"
        "from training.db import get_database\n"
        "db = get_database()\n"
        f"create_user(db, 'teacher', {PW!r}, 'instructor', display_name='Ms Teacher')\n"
        f"create_user(db, 'ann', {PW!r}, 'trainee', display_name='Ann')\n")],
        env=env, check=True, cwd=ROOT, timeout=120)
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


def click_text(page, text: str) -> None:
    idle(page)
    page.get_by_role("button", name=text, exact=True).first.click()


def nav(page, label: str) -> None:
    idle(page)
    page.locator("[data-testid='stSidebarNav'] a", has_text=label).first.click()
    idle(page)


def sign_in(page, server: str, name: str) -> None:
    page.goto(server + "/?lang=en")
    page.locator(".st-key-signin_username input").fill(name)
    page.locator(".st-key-signin_password input").fill(PW)
    click_text(page, "Sign in")
    idle(page)


def test_instructor_assigns_trainee_plays_instructor_reads_the_results(server):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        teacher = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        trainee = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        for page in (teacher, trainee):
            page.set_default_timeout(WAIT_MS)
        try:
            # the instructor: a cohort, a trainee, a published case, an assignment
            sign_in(teacher, server, "teacher")
            nav(teacher, "Cohorts")
            teacher.locator(".st-key-new_cohort_name input").fill("Monday class")
            click_text(teacher, "Create cohort")
            expect(teacher.get_by_text("Cohort “Monday class” created")).to_be_visible()
            teacher.locator(".st-key-enrol_username input").fill("ann")
            click_text(teacher, "Enrol")
            expect(teacher.get_by_text("Ann is enrolled.")).to_be_visible()
            idle(teacher)
            teacher.get_by_role("tab", name="Publish a case").click()
            idle(teacher)
            teacher.locator(".st-key-publish_pick [role='combobox']").click()
            teacher.get_by_role("option", name="intro", exact=True).click()
            click_key(teacher, "publish_shipped")
            expect(teacher.get_by_text("Published intro version 1.")).to_be_visible()
            idle(teacher)
            teacher.get_by_role("tab", name="Assignments").click()
            click_text(teacher, "Assign")
            expect(teacher.get_by_text("Assigned: intro v1.")).to_be_visible()
            teacher.screenshot(path=str(OUT / "e2e_cohort_admin.png"), full_page=True)

            # the trainee: My work, start, play to the debrief
            sign_in(trainee, server, "ann")
            nav(trainee, "My work")
            expect(trainee.get_by_text("Monday class: case intro v1")).to_be_visible()
            click_key(trainee, "start_a1")
            expect(trainee.locator(".st-key-to_desk button")).to_be_visible()
            click_key(trainee, "to_desk")
            for month in range(12):
                expect(trainee.locator(f".st-key-end_month_{month} button")).to_be_visible()
                click_key(trainee, f"end_month_{month}")
            expect(trainee.locator(".st-key-debrief_index")).to_be_visible(timeout=3 * WAIT_MS)

            # the instructor reads the class's results
            nav(teacher, "Cohort dashboard")
            expect(teacher.get_by_role("heading", name="Scores")).to_be_visible()
            expect(teacher.get_by_role("heading", name="Loans the class missed most often")
                   ).to_be_visible()
            expect(teacher.get_by_role("button", name="Results (CSV)")).to_be_visible()
            charts = teacher.locator("[data-testid='stVegaLiteChart'] svg")
            expect(charts.nth(2)).to_be_visible()  # completion, distribution, index
            teacher.screenshot(path=str(OUT / "e2e_cohort_dashboard.png"), full_page=True)
        finally:
            browser.close()
