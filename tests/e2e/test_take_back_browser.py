"""Taking back in a real browser (Debian's chromium): an instructor withdraws an
assignment and removes a trainee from the cohort page, each only after ticking what
goes, while a username half-entered in the enrol form stays where it was typed (a
rerun that moved the form would make the browser draw it anew, empty)."""

from __future__ import annotations

import pytest

from tests.e2e.harness import (
    MARKS,
    OUT,
    accounts_setup,
    app_server,
    choose,
    chromium,
    click,
    idle,
    nav,
    new_page,
    sign_in,
)

pytestmark = MARKS
INTRO_TITLE = "Introduction: a small book at the Taizhou sub-branch"
SETUP = """
from datetime import timedelta
from pathlib import Path
from training import classroom as cr
from training.db import now
from training.publishing import publish_case
from training.accounts import user_by_name
t = user_by_name(db, "teacher")
c = cr.create_cohort(db, t, "Monday class")
for name in ("ann", "ben"):
    cr.enrol(db, t, c.id, name)
v = publish_case(db, t, Path("scenarios/intro.yaml").read_text(encoding="utf-8"))
cr.assign_case(db, t, c.id, v.id, now() - timedelta(hours=1), now() + timedelta(days=7))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    setup = accounts_setup(("teacher", "instructor", "Ms Teacher"), ("ann", "trainee", "Ann"),
                           ("ben", "trainee", "Ben")) + SETUP
    with app_server(tmp_path_factory.mktemp("e2e_take_back"), setup) as url:
        yield url


def test_withdraw_and_remove_keep_what_was_typed_elsewhere(server):
    from playwright.sync_api import expect

    with chromium("e2e_take_back") as browser:
        page = new_page(browser)
        sign_in(page, server, "teacher")
        nav(page, "Cohorts")
        typed = page.locator(".st-key-enrol_username input")
        typed.fill("carl")
        typed.blur()
        idle(page)

        page.get_by_text("Remove a member").click()
        choose(page, "remove_pick_", "Ben", shown=True)
        expect(page.locator(".st-key-remove_member button")).to_be_disabled()
        page.locator("[class*='st-key-remove_confirm_'] label").first.click()
        idle(page)
        click(page, "remove_member")
        expect(page.get_by_text("Ben is no longer a member of Monday class")).to_be_visible()
        idle(page)
        expect(typed).to_have_value("carl")

        page.get_by_role("tab", name="Assignments").click()
        idle(page)
        page.get_by_text("Withdraw an assignment").click()
        choose(page, "withdraw_pick_", INTRO_TITLE, shown=True)
        page.locator("[class*='st-key-withdraw_confirm_'] label").first.click()
        idle(page)
        click(page, "withdraw_assignment")
        expect(page.get_by_text(f"Withdrawn: {INTRO_TITLE} v1.")).to_be_visible()
        expect(page.get_by_text("Nothing assigned yet.")).to_be_visible()
        idle(page)
        page.get_by_role("tab", name="Members").click()
        idle(page)
        expect(typed).to_have_value("carl")
        page.screenshot(path=str(OUT / "e2e_take_back.png"), full_page=True)
