"""End to end in a real browser: meet a borrower in a case and see the talk change the loan.

In the real-estate case the trainee lightens the routine checks to free hours, opens
Jinlan Property's file once it has started diverting, meets the chairman, asks where
the drawdowns went after the affiliated contractor, agrees entrusted payment, and
ends the month: the loan file then shows entrusted payment and the meeting's finding.
Uses the server fixture of conftest.py and the moves of harness.py. Screenshots go to test-output/.
"""

from __future__ import annotations

import re

from tests.e2e.harness import (
    MARKS,
    OUT,
    chromium,
    click,
    click_away,
    end_month,
    idle,
    new_page,
    pick,
    shown_text,
)

pytestmark = MARKS


def set_interval(page, key: str, value: str) -> None:
    """Pick a routine-check interval; each choice reads "<n> months · <h> h this month".

    While the plan is overbooked its editor sits at the top of the desk; once it fits,
    the editor is in the monitoring-policy view."""
    live = f".st-key-iv_{key}[data-stale='false'] [role='combobox']"
    idle(page)
    if page.locator(live).count() == 0:
        page.locator(".st-key-desk_view button").nth(3).click()
        idle(page)
    pick(page, page.locator(live).first, f"{value} month",
         option_text=re.compile(rf"^{value} months?\b"))


def test_meet_a_borrower_uncover_diversion_agree_entrusted_payment(server):
    from playwright.sync_api import expect

    with chromium("e2e_roleplay") as browser:
        page = new_page(browser, height=1200)
        page.goto(server + "/?lang=en")
        click(page, "start_real_estate")
        click(page, "to_desk")
        expect(page.locator(".st-key-end_month_0 button")).to_be_visible()
        for month in range(3):  # Jinlan starts diverting in the third month
            end_month(page, month)

        # free hours: routine checks yearly for normal loans, quarterly for the rest (the
        # plan is overbooked, so its editor sits at the top of the desk)
        for key, value in (("normal", "12"), ("special_mention", "3"), ("substandard", "3"),
                           ("doubtful", "3")):
            set_interval(page, key, value)

        # open Jinlan Property's file and meet the chairman
        idle(page)
        page.locator(".st-key-desk_view button").nth(0).click()
        idle(page)
        pick(page, page.locator(".st-key-loan_pick [role='combobox']"), "Jinlan Property")
        expect(page.locator(".st-key-meet_open button")).to_be_enabled()
        click(page, "meet_open")
        expect(page.locator(".st-key-meet_choice_0_ask_onward_flows button")).to_be_visible()
        click_away(page, "meet_choice_0_ask_onward_flows")
        expect(page.get_by_text("Part of it was borrowed by the group")).to_be_visible()
        click_away(page, "meet_choice_1_agree_entrusted")
        expect(shown_text(page, "Loan money was diverted to another use")).to_be_visible()
        expect(page.locator(".st-key-unqueue_1 button")).to_be_visible()
        page.screenshot(path=str(OUT / "e2e_roleplay_meeting.png"), full_page=True)

        # the next month: entrusted payment in the file, the finding among the meetings
        end_month(page, 3)
        idle(page)
        expect(shown_text(page, "Loan money was diverted to another use")).to_be_visible()
        # the terms table (an HTML table) says so; the action log's grid cells are in the DOM
        # too but hidden behind the grid's canvas, so they cannot be the first match
        expect(page.locator("[data-testid='stTable']").get_by_text("entrusted payment").first
               ).to_be_visible()
        page.screenshot(path=str(OUT / "e2e_roleplay_next_month.png"), full_page=True)
