"""End to end in a real browser: Debian's chromium plays the intro case to the debrief.

Starts ``streamlit run app.py`` on a free port with a temporary attempt database,
waits for ``/_stcore/health``, then opens a loan file, queues an action, changes a
monitoring interval (a picker whose choices show their hours), double-clicks End month (it must advance one month only),
ends months until the debrief and checks that the debrief shows the index and
the comparison table. Screenshots go to test-output/.
"""

from __future__ import annotations

import re

from tests.e2e.harness import (
    MARKS,
    OUT,
    choose,
    chromium,
    click,
    idle,
    new_page,
    pick,
)

pytestmark = MARKS


def test_play_intro_to_the_debrief(server):
    from playwright.sync_api import expect

    with chromium("e2e") as browser:
        page = new_page(browser)
        page.goto(server + "/")
        expect(page.locator(".st-key-start_intro button")).to_be_visible()
        click(page, "start_intro")
        expect(page.locator(".st-key-to_desk button")).to_be_visible()
        assert "attempt=" in page.url
        click(page, "to_desk")
        expect(page.locator(".st-key-end_month_0 button")).to_be_visible()

        # open a loan file
        choose(page, "loan_pick", shown=True)
        expect(page.get_by_role("tab").first).to_be_visible()
        page.screenshot(path=str(OUT / "e2e_desk_loan_file.png"), full_page=True)
        # in English and back: the file stays open, its picker relabelled each time
        picked = page.locator(".st-key-loan_pick [role='combobox']")
        zh_label = picked.input_value()
        for lang, label in (("English", re.compile(r"^L\d{4} · [A-Za-z]")), ("中文", zh_label)):
            page.locator(".st-key-lang_switch label").filter(has_text=lang).click()
            idle(page)
            expect(picked).to_have_value(label)

        # queue the first action that is available
        idle(page)
        page.locator("[class*='st-key-queue_'] button:not([disabled])").first.click()
        expect(page.locator(".st-key-unqueue_0 button")).to_be_visible()

        # change the routine-check interval of normal loans
        idle(page)
        page.locator(".st-key-desk_view button").nth(3).click()
        picker = page.locator(".st-key-iv_normal [role='combobox']")
        expect(picker).to_be_visible()
        new = "1" if not picker.input_value().startswith("1 ") else "2"
        # each choice shows its hours this month ("1 个月 · 本月 120 小时")
        pick(page, picker, option_text=re.compile(rf"^{new} 个月"))
        # an overbooked plan moves the editor into the prompt at the top: one live picker
        expect(page.locator(".st-key-iv_normal[data-stale='false'] [role='combobox']")).to_have_value(
            re.compile(rf"^{new} 个月 · 本月 [\d,.]+\s小时$"))
        page.screenshot(path=str(OUT / "e2e_desk_policy.png"), full_page=True)

        # a double click on End month advances exactly one month
        idle(page)
        page.locator(".st-key-end_month_0 button").dblclick()
        expect(page.locator(".st-key-end_month_1 button")).to_be_visible()
        idle(page)
        page.wait_for_timeout(500)
        idle(page)
        expect(page.locator(".st-key-end_month_1 button")).to_be_visible()
        assert page.locator("[class*='st-key-end_month_2']").count() == 0

        # end months until the debrief
        for month in range(1, 12):
            button = page.locator(f".st-key-end_month_{month} button")
            expect(button).to_be_enabled()
            idle(page)
            button.click()
            if month < 11:
                expect(page.locator(f".st-key-end_month_{month + 1} button")).to_be_visible()
        expect(page.locator(".st-key-debrief_index")).to_be_visible()
        index = page.locator(".st-key-debrief_index [data-testid='stMetricValue']").inner_text()
        assert re.search(r"(-?\d+%|—)", index), index
        rows = page.locator("[data-testid='stTable'] tbody tr")
        expect(rows.first).to_be_visible()
        assert rows.count() >= 4
        assert "debrief" in page.url
        expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(2)
        page.wait_for_timeout(1000)  # let vega draw before the picture
        page.set_viewport_size({"width": 1400, "height": 2600})
        page.screenshot(path=str(OUT / "e2e_debrief.png"), full_page=True)
