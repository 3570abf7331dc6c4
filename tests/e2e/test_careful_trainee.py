"""End to end: a careful trainee plays the intro case with the desk's own controls.

The trainee follows the briefing with the rules of tests/careful_player.py: the
named borrowers go on closer monitoring, the alerted loans are opened from the
alerts inbox (at most a few a month), extra collateral is asked for while the
borrower is sound, a restructuring is queued when the trouble persists or the
loan is overdue and the desk shows that it really cuts the payment, overdue loans
get a collection visit, and the standing order sends defaulted loans to the
asset-preservation team. What the trainee reads is only what the page shows:
which Queue buttons are enabled and the restructuring's payment line.

Such a play must beat late collection (index above 0), and it must score what the
same rules score through the step API: the browser and the engine play the same
game. The debrief is photographed at 1024 and 1400 px wide (test-output/).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.scenario import load_scenario
from sim.scoring import headline_index, run_baselines
from tests import careful_player as rules
from tests.e2e.harness import (
    MARKS,
    OUT,
    chromium,
    click,
    idle,
    new_page,
    pick,
)
from training.i18n import catalogue

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = ("closer_monitoring", "onsite_check", "add_collateral", "restructure", "collect_visit",
           "collect_call")
"""The actions the rules choose from (whose Queue buttons the trainee reads)."""
LABEL = re.compile(r"L\d{4}")

pytestmark = [*MARKS, pytest.mark.slow]


VIEW_MARKERS = {0: ".st-key-loan_pick", 1: ".st-key-alerts_recent", 3: ".st-key-standing_active"}
"""An element each view draws, to know the switch took."""


def settle(page, drawn) -> None:
    """Wait for an element that only the run a click started draws, then for that run to end.

    Right after a click the page can still say the script is not running (the rerun has not
    begun), so waiting for idle alone may read the page the click is about to replace."""
    drawn.first.wait_for()
    idle(page)


def view(page, n: int) -> None:
    """Switch the desk to view n (0 loans, 1 alerts, 2 portfolio, 3 policy)."""
    for _ in range(3):  # a click that lands during a rerun can be lost: try again
        idle(page)
        page.locator(".st-key-desk_view button").nth(n).click()
        marker = page.locator(VIEW_MARKERS.get(n, ".st-key-desk_view"))
        try:
            marker.first.wait_for(timeout=5_000)
            idle(page)  # the marker is drawn early in the run: let the rest of the view come
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError
            continue
    raise AssertionError(f"the desk did not switch to view {n}")


def options_of(page, key: str):
    """Open the selectbox ``key`` and return its options (a click on a focused box may not open it)."""
    idle(page)
    box = page.locator(f".st-key-{key} [role='combobox']")
    box.click()
    options = page.get_by_role("option")
    try:
        options.first.wait_for(timeout=3_000)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: open it from the keyboard instead
        box.press("ArrowDown")
        options.first.wait_for()
    return options


def file_heading(page, text: str):
    """The open loan file's title ("L0001 · company"), drawn only once that file is open."""
    return page.get_by_role("heading", name=re.compile(re.escape(text)))


def open_named(page, company: str) -> str:
    """Open a borrower's file from the loans view by typing its name in the picker; its label."""
    view(page, 0)
    box = page.locator(".st-key-loan_pick [role='combobox']")
    pick(page, box, company, option_text=re.compile(re.escape(company)))
    settle(page, file_heading(page, company))
    settle(page, page.locator(".st-key-option_onsite_check"))
    return LABEL.search(box.input_value()).group(0)


def open_from_inbox(page, label: str) -> None:
    """Pick the loan in the alerts inbox and open its file with the inbox's own button."""
    from playwright.sync_api import expect

    view(page, 1)
    box = page.locator(".st-key-alert_pick [role='combobox']")
    pick(page, box, option_text=re.compile("^" + label))
    # the pick's rerun may not have begun when pick returns: wait until the inbox holds the
    # loan, or the button would open the loan picked before
    expect(box).to_have_value(re.compile("^" + re.escape(label)))
    idle(page)
    click(page, "open_alert_loan")
    settle(page, file_heading(page, label + " · "))
    settle(page, page.locator(".st-key-option_onsite_check"))
    expect(page.locator(".st-key-loan_pick [role='combobox']")).to_have_value(re.compile("^" + label))


def read_file(page, label: str) -> rules.FileView:
    """What the action panel shows: the enabled Queue buttons and the restructuring's payment line."""
    idle(page)
    can = frozenset(a for a in ACTIONS
                    if page.locator(f".st-key-queue_{a} button:not([disabled])").count())
    panel = page.locator(".st-key-option_restructure")
    real = panel.count() > 0 and catalogue("en")["relief.real"] in panel.inner_text()
    return rules.FileView(label, can, real)


def work_file(page, label: str, notes: rules.Notes, month: int, alerted: bool = True) -> None:
    """Queue the rules' actions on the open file, one click at a time, each seen to take."""
    from playwright.sync_api import expect

    while (action := rules.next_action(read_file(page, label), notes, month, alerted)) is not None:
        click(page, f"queue_{action}")
        # a queued action cannot be queued twice in a month: its button turns off
        expect(page.locator(f".st-key-queue_{action} button")).to_be_disabled()
        idle(page)
        notes.note(label, action, month)


def inbox(page) -> list[str]:
    """The labels the alerts inbox lists, in its order, up to the trainee's monthly attention."""
    view(page, 1)
    if not page.locator(".st-key-alert_pick").count():
        return []  # no alert this month
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):  # a late rerun can close the list while it is read: read again
        options = options_of(page, "alert_pick")
        n = min(options.count(), rules.ALERTS_PER_MONTH)
        try:
            labels = [LABEL.search(options.nth(k).inner_text(timeout=5_000)).group(0)
                      for k in range(n)]
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            if attempt == 2:
                raise
            continue
        page.keyboard.press("Escape")
        return labels
    raise AssertionError("unreachable")


def step_api_index(case) -> float:
    """What the same rules score through the step API on the case seed."""
    desk = rules.play(case)
    base = run_baselines(case, case.seed, case.horizon_months, ("late-collection", "oracle"))
    return headline_index(desk.result().loss_cny, base["late-collection"].loss_cny,
                          base["oracle"].loss_cny)


def test_a_careful_trainee_beats_late_collection_on_intro(server):
    from playwright.sync_api import expect

    case = load_scenario(ROOT / "scenarios" / "intro.yaml")
    named = [b.company.get("en") for b in case.borrowers]
    notes = rules.Notes()
    labels: dict[str, str] = {}  # named borrower -> its loan label, learnt on opening the file
    with chromium("careful") as browser:
        page = new_page(browser)
        page.goto(server + "/?lang=en")
        click(page, "start_intro")
        click(page, "to_desk")
        expect(page.locator(".st-key-end_month_0 button")).to_be_visible()
        idle(page)
        assert not page.locator(".st-key-plan_prompt").count(), "intro's opening plan should fit"
        view(page, 3)  # the standing order is on, and the trainee keeps it
        expect(page.locator(".st-key-standing_active input")).to_be_checked()

        for month in range(case.horizon_months):
            playing = month + 1
            for company in named:  # watch the named borrowers (renewed when it runs out)
                if company not in labels or rules.watch_due(notes, labels[company], playing):
                    labels[company] = open_named(page, company)
                    work_file(page, labels[company], notes, playing, alerted=False)
            if month == 0:
                page.set_viewport_size({"width": 1024, "height": 900})
                page.screenshot(path=str(OUT / "careful_desk_1024.png"), full_page=True)
                page.set_viewport_size({"width": 1400, "height": 1000})
            else:
                for label in inbox(page):
                    notes.seen.setdefault(label, set()).add(playing)
                    open_from_inbox(page, label)
                    work_file(page, label, notes, playing)
            click(page, f"end_month_{month}")
            if month + 1 < case.horizon_months:
                expect(page.locator(f".st-key-end_month_{month + 1} button")).to_be_visible()

        expect(page.locator(".st-key-debrief_index")).to_be_visible()
        expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(2)
        page.wait_for_timeout(1000)  # let vega draw before the pictures
        for width in (1024, 1400):
            page.set_viewport_size({"width": width, "height": 3600})  # the whole debrief
            page.wait_for_timeout(500)
            page.screenshot(path=str(OUT / f"careful_debrief_{width}.png"), full_page=True)
        index = page.locator(".st-key-debrief_index [data-testid='stMetricValue']").inner_text()
        value = re.search(r"(-?\d+)%", index)
        assert value, index
        assert int(value.group(1)) > 0, f"a careful play scored {index} against late collection"
        expected = step_api_index(case)
        assert int(value.group(1)) == round(expected * 100), (
            f"the browser play scored {index}, the same rules through the step API {expected:.0%}")
