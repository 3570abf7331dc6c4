"""End to end in a real browser: a manager signs in, runs a small comparison with a
staffing sweep in the strategy lab and sees the verdict, the charts and the report
download; after a reload the study opens again from the saved studies.

Streamlit on a free port with a temporary database holding one manager account (the
helpers of test_browser.py). Screenshots go to test-output/.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import (
    MARKS,
    OUT,
    WAIT_MS,
    accounts_setup,
    app_server,
    chromium,
    idle,
    nav,
    new_page,
    shown_text,
    sign_in,
)

pytestmark = MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    setup = accounts_setup(("boss", "manager", "The manager"))
    with app_server(tmp_path_factory.mktemp("e2e_lab"), setup) as url:
        yield url


def test_compare_three_policies_and_a_staffing_range(server):
    from playwright.sync_api import expect

    with chromium("e2e_lab") as browser:
        page = new_page(browser)
        sign_in(page, server, "boss")
        nav(page, "Strategy lab")
        expect(page.get_by_role("heading", name="Strategy lab")).to_be_visible()
        idle(page)
        # a language switch relabels the pickers and keeps what they hold
        chips = page.locator(".st-key-lab_strategies_pick [data-tag]")
        expect(chips).to_have_count(3)
        for lang, word in (("中文", "早期预警"), ("English", "Early warning")):
            page.locator(".st-key-lang_switch label").filter(has_text=lang).click()
            idle(page)
            expect(chips.filter(has_text=word)).to_have_count(1)
            expect(chips).to_have_count(3)
        reps = page.locator(".st-key-lab_reps input")
        reps.fill("2")
        reps.press("Enter")
        idle(page)
        page.locator(".st-key-lab_sweep label").click()
        expect(page.locator(".st-key-lab_staff")).to_be_visible()
        idle(page)
        page.screenshot(path=str(OUT / "e2e_lab_form.png"), full_page=True)
        page.locator(".st-key-lab_run button").click()
        expect(page.locator("[data-testid='stProgress']")).to_be_visible()
        # the verdict, five charts (loss, frontier, two fans, staffing) and the report;
        # a study takes longer than a page turn on a loaded machine
        expect(page.locator("[data-testid='stAlertContentSuccess']")).to_be_visible(
            timeout=3 * WAIT_MS)
        expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(5)
        expect(page.locator(".st-key-lab_download button")).to_be_visible()
        text = page.locator("[data-testid='stAlertContentSuccess']").inner_text()
        assert "loses" in text
        expect(shown_text(page, "against Early warning")).to_be_visible()
        expect(shown_text(page, "another officer stops paying")).to_be_visible()
        page.wait_for_timeout(1500)  # let vega draw before the picture
        page.set_viewport_size({"width": 1400, "height": 4200})
        page.screenshot(path=str(OUT / "e2e_lab_results.png"), full_page=True)
        with page.expect_download() as dl:
            page.locator(".st-key-lab_download button").click()
        report = dl.value.path().read_text(encoding="utf-8")
        assert "bianque-inputs" in report and "vegaEmbed" in report
        # a reload loses nothing: the study was saved and opens again as it ran
        page.reload()
        idle(page)
        shown_text(page, "Saved studies (1)").click()
        idle(page)
        page.locator(".st-key-lab_saved_open button").click()
        idle(page)
        expect(page.locator("[data-testid='stAlertContentSuccess']")).to_have_text(text)
        expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(5)
