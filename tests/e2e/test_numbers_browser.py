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


def test_a_language_switch_relabels_the_authors_form_pickers_and_keeps_what_was_typed(server):
    """The segment form's pickers kept the labels first sent ("Small business", "equal
    instalments" on the Chinese page): a browser keeps a picker's label, and these sit in a
    form, outside the relabelled pickers. After each switch they read in the new language,
    and an id typed into the form and not yet sent is still there."""
    from playwright.sync_api import expect

    from training.i18n import t

    with chromium("e2e_numbers") as browser:
        page = new_page(browser)
        sign_in(page, server, "teacher")
        page.goto(server + "/author?lang=en")
        idle(page)
        page.locator(".st-key-seg_id input").fill("farm")
        for word, lang in (("中文", "zh"), ("English", "en")):
            page.locator(".st-key-lang_switch label").filter(has_text=word).click()
            idle(page)
            for key, text in (("seg_pick", "author.segment_new"),
                              ("seg_product", "product.small_business"),
                              ("seg_repayment", "repayment.equal_instalment"),
                              ("seg_rate_kind", "author.rate_kind.fixed"),
                              ("macro_type", "author.macro_type.lpr_change")):
                expect(page.locator(f".st-key-{key} input")).to_have_value(t(text, lang))
            expect(page.locator(".st-key-seg_id input")).to_have_value("farm")
            page.locator(".st-key-seg_product").scroll_into_view_if_needed()
            page.screenshot(path=str(OUT / f"author_pickers_{lang}.png"))
