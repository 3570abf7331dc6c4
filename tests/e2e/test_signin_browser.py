"""A sign-in survives a reload and a new tab, in a real browser (Debian's chromium), and
a sign-out ends it: the session token is kept in an HttpOnly, SameSite=Strict cookie
that page scripts cannot read and that never appears in the URL."""

from __future__ import annotations

import pytest

from tests.e2e.harness import (
    COOKIE,
    MARKS,
    OUT,
    PW,
    WAIT_MS,
    accounts_setup,
    app_server,
    chromium,
    fill_sign_in,
    idle,
    new_page,
    shown_text,
    wait_cookie,
)

pytestmark = MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with app_server(tmp_path_factory.mktemp("e2e_signin"), accounts_setup(("ann", "trainee", "Ann"))) as url:
        yield url


def test_a_sign_in_survives_a_reload_and_a_new_tab_and_a_sign_out_ends_it(server):
    from playwright.sync_api import expect

    signed_in = "Signed in as Ann (trainee)"
    with chromium("e2e_signin") as browser:
        page = new_page(browser)
        context = page.context
        page.goto(server + "/?lang=en")
        page.locator(".st-key-signin_username input").fill("ann")
        page.locator(".st-key-signin_password input").fill(PW)
        idle(page)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(shown_text(page, signed_in)).to_be_visible()

        cookie = wait_cookie(context, present=True)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert COOKIE not in page.evaluate("document.cookie")  # no page script reads it
        assert cookie["value"] not in page.url

        page.reload()
        expect(shown_text(page, signed_in)).to_be_visible()
        expect(page.locator(".st-key-signin_username input")).to_have_count(0)

        other = context.new_page()
        other.set_default_timeout(WAIT_MS)
        other.goto(server + "/?lang=en")
        expect(shown_text(other, signed_in)).to_be_visible()
        assert cookie["value"] not in other.url
        page.screenshot(path=str(OUT / "e2e_signin_after_reload.png"), full_page=True)

        # sign out from the account page: the cookie goes, a reload stays signed out
        idle(page)
        page.locator("[data-testid='stSidebarNav'] a", has_text="My account").first.click()
        idle(page)
        page.locator(".st-key-sign_out button").click()
        expect(page.locator(".st-key-signin_username input")).to_be_visible()
        wait_cookie(context, present=False)
        page.reload()
        expect(page.locator(".st-key-signin_username input")).to_be_visible()
        expect(page.get_by_text(signed_in)).to_have_count(0)

        # the other tab was signed in by the same sign-in: it ends there too
        other.reload()
        expect(other.locator(".st-key-signin_username input")).to_be_visible()
        expect(other.get_by_text(signed_in)).to_have_count(0)


def test_a_link_to_a_page_asks_for_a_sign_in_then_opens_or_says_the_role_does_not(server):
    from playwright.sync_api import expect

    with chromium("e2e_signin_link") as browser:
        page = new_page(browser)
        page.goto(server + "/my_attempts?lang=en")  # a trainee's page, followed from a link
        expect(page.get_by_text("“My work” needs a sign-in")).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
        fill_sign_in(page, "ann")
        expect(page.get_by_role("heading", name="My work")).to_be_visible()
        assert page.url.split("?")[0].endswith("/my_attempts")  # the same address opened
        wait_cookie(page.context, present=True)  # the next load signs in from the cookie

        page.goto(server + "/cohort_admin?lang=en")  # an instructor's page
        expect(page.get_by_text("is not open to your account (trainee)")).to_be_visible()
        expect(page.locator(".st-key-signin_username input")).to_have_count(0)
        expect(page.get_by_role("link", name="Your account")).to_be_visible()  # a way back
        idle(page)
        page.screenshot(path=str(OUT / "e2e_signin_role_gate.png"), full_page=True)


def test_the_sign_in_address_opens_the_sign_in_form_when_signed_out(server):
    """With accounts the sign-in form is the root page; its own address (a bookmark, the
    link in a class's instructions, a reload of "My account" after signing out) opens it
    too, and signing in there lands on the account page at the same address."""
    from playwright.sync_api import expect

    with chromium("e2e_signin_address") as browser:
        page = new_page(browser)
        page.goto(server + "/signin?lang=en")
        expect(page.locator(".st-key-signin_username input")).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
        fill_sign_in(page, "ann")
        expect(page.get_by_role("heading", name="My account")).to_be_visible()
        assert page.url.split("?")[0].endswith("/signin")
