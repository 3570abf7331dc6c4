"""A trainee's Monday in a real browser (Debian's chromium): the welcome after sign-in
stays on the page they land on; they pick English, close the tab and open the app's
bare address again: English; a new tab's Desk offers their class attempt under way at
month 4, and it opens there."""

from __future__ import annotations

import pytest

from tests.e2e.harness import (
    MARKS,
    OUT,
    PW,
    WAIT_MS,
    app_server,
    chromium,
    click,
    idle,
    new_page,
    shown_text,
    wait_cookie,
)

pytestmark = MARKS

SETUP = f"""
from datetime import UTC, datetime, timedelta
from pathlib import Path
from training import classroom as cr
from training.accounts import create_user
from training.attempts import AttemptStore, LiveGames
from training.db import get_database
from training.publishing import publish_case
db = get_database()
teacher = create_user(db, "teacher", {PW!r}, "instructor", display_name="Ms Teacher")
ann = create_user(db, "ann", {PW!r}, "trainee", display_name="Ann")
cohort = cr.create_cohort(db, teacher, "Monday class")
cr.enrol(db, teacher, cohort.id, "ann")
version = publish_case(db, teacher, Path("scenarios/intro.yaml").read_text(encoding="utf-8"))
at = datetime.now(UTC)
a = cr.assign_case(db, teacher, cohort.id, version.id, at - timedelta(hours=1), at + timedelta(days=7))
games = LiveGames(AttemptStore(db=db), lambda _id: None)
live = cr.start_assignment(db, ann, games, a.id)
for month in range(4):
    games.end_month(live.attempt.id, month)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with app_server(tmp_path_factory.mktemp("e2e_return"), SETUP) as url:
        yield url


def test_welcome_stays_language_is_kept_and_the_desk_offers_the_class_attempt(server):
    from playwright.sync_api import expect

    with chromium("e2e_return") as browser:
        page = new_page(browser)
        page.goto(server + "/")  # the bare address: Chinese, the default
        idle(page)
        page.locator(".st-key-signin_username input").fill("ann")
        page.locator(".st-key-signin_password input").fill(PW)
        page.get_by_role("button", name="登录", exact=True).click()
        welcome = shown_text(page, "欢迎，Ann")
        expect(welcome).to_be_visible()
        wait_cookie(page.context, present=True)
        idle(page)
        page.wait_for_timeout(3000)  # the cookie's rerun came and went: still said
        expect(welcome).to_be_visible()

        page.locator("[data-testid='stSidebar'] label", has_text="English").click()
        expect(shown_text(page, "Case library")).to_be_visible()
        idle(page)
        page.close()  # the tab is closed; the browser keeps the sign-in

        again = page.context.new_page()
        again.set_default_timeout(WAIT_MS)
        again.goto(server + "/desk")  # no ?lang=: the user's own language
        expect(shown_text(again, "Go on with your unfinished work")).to_be_visible()
        offer = again.locator("[class*='st-key-resume_'] button").first
        expect(offer).to_contain_text("Continue the class assignment of Monday class")
        expect(offer).to_contain_text("4 of 12 months played")
        assert "lang=en" in again.url
        again.screenshot(path=str(OUT / "e2e_return_desk.png"), full_page=True)
        idle(again)
        offer.click()
        expect(again.locator(".st-key-end_month_4 button")).to_be_visible()
        assert "attempt=" in again.url
        click(again, "end_month_4")  # the class attempt goes on where it stood
        expect(again.locator(".st-key-end_month_5 button")).to_be_visible()
