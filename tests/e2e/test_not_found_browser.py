"""A mistyped or stale link to a page (/dsk, /no-such-page) says so in the user's language,
at that address, with a link to the start page, instead of Streamlit's English "Page not
found" dialog over the start page."""

from __future__ import annotations

from tests.e2e.harness import MARKS, OUT, chromium, idle, new_page

pytestmark = MARKS


def test_an_address_no_page_has_is_said_in_the_users_language(server):
    from playwright.sync_api import expect

    with chromium("e2e_not_found") as browser:
        page = new_page(browser)
        page.goto(server + "/no-such-page?lang=en")
        expect(page.get_by_role("heading", name="No such page")).to_be_visible()
        expect(page.get_by_text("There is no page at /no-such-page")).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
        assert page.url.split("?")[0].endswith("/no-such-page")  # the address typed stays
        idle(page)
        page.screenshot(path=str(OUT / "e2e_not_found_en.png"), full_page=True)
        page.get_by_role("link", name="Cases").last.click()  # the link on the page
        expect(page.locator(".st-key-start_intro button")).to_be_visible()

        page.goto(server + "/dsk?lang=zh")  # a typo of /desk
        expect(page.get_by_role("heading", name="没有这个页面")).to_be_visible()
        expect(page.get_by_text("/dsk 不是本应用的页面")).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
        page.goto(server + "/desk?lang=zh")  # a page that exists is not taken for one
        expect(page.get_by_role("heading", name="没有这个页面")).to_have_count(0)
