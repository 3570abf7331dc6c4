"""A number typed out of range in a real browser (Debian's chromium). With Streamlit's own
bounds, typing 3 (for 3%) into the rate box showed only a red icon whose English tooltip
gave the range, and the form's submit button then did nothing at all. Now the Chinese page
says which box, and to write 0.03, and keeps what was typed in the form."""

from __future__ import annotations

import pytest

from tests.e2e.harness import (
    MARKS,
    OUT,
    accounts_setup,
    app_server,
    chromium,
    idle,
    new_page,
    sign_in,
)

pytestmark = MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    setup = accounts_setup(("teacher", "instructor", "Ms Teacher"))
    with app_server(tmp_path_factory.mktemp("e2e_numbers"), setup) as url:
        yield url


def test_a_rate_typed_as_a_percentage_is_named_in_chinese_with_its_fix(server):
    from playwright.sync_api import expect

    with chromium("e2e_numbers") as browser:
        page = new_page(browser)
        sign_in(page, server, "teacher")
        page.goto(server + "/author?lang=zh")
        idle(page)
        page.locator(".st-key-seg_id input").fill("farm")
        rate = page.locator(".st-key-seg_rate input")
        rate.fill("3")
        rate.press("Tab")
        idle(page)
        page.get_by_role("button", name="加入细分", exact=True).click()
        idle(page)
        refused = page.get_by_text("这一条没有加入；请修改以下字段：").filter(visible=True).first
        expect(refused).to_be_visible()
        # the table under it names the box and the fix (a grid keeps its cells in the DOM)
        expect(page.get_by_text("年利率或加点 · rate.annual").first).to_be_attached()
        expect(page.get_by_text("3% 请写成 0.03").first).to_be_attached()
        refused.scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / "numbers_rate_refused_zh.png"))
        expect(page.locator(".st-key-seg_id input")).to_have_value("farm")
        expect(rate).to_have_value("3.0000")
        page.screenshot(path=str(OUT / "numbers_rate_zh.png"))
