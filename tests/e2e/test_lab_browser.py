"""End to end in a real browser: a manager signs in, runs a small comparison with a
staffing sweep in the strategy lab and sees the verdict, the charts and the report
download; after a reload the study opens again from the saved studies. A manager's form,
a rule table edited cell by cell included, is as it was left after a reload.

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
    pick,
    settle,
    shown_text,
    sign_in,
)

pytestmark = MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    setup = accounts_setup(("boss", "manager", "The manager"),
                           ("planner", "manager", "The planner"))
    with app_server(tmp_path_factory.mktemp("e2e_lab"), setup) as url:
        yield url


WATCHFUL = """name: watchful
monitoring:
  interval_months: {normal: 3, special_mention: 1, substandard: 1, doubtful: 1, loss: 0}
rules:
  - when: {min_alerts: 2, max_dpd: 0}
    do: [onsite_check, add_collateral]
"""
BROKEN = """name: broken
rules:
  - when: {min_alerts: 2}
    do: [restructur]
"""


CHARTS = 2 + 2 * 5 + 3
"""Charts of the study below: loss, frontier, two fans of five panels (four strategies and
the oracle), the staffing chart's three panels."""


def open_saved_study(page, attempts: int = 3) -> None:
    """Press the saved study's Open and wait for it to show. On a loaded machine a press
    right after a reload was lost twice (CI on c1d4a18 and on 91f2a48, after the page had
    settled): the page showed no error and no study, and the cause is not found. A
    manager whose press did nothing presses again; so does this, and fails if three
    presses show nothing."""
    from playwright.sync_api import expect

    shown = page.get_by_text("A saved study of", exact=False)
    for attempt in range(attempts):
        idle(page)
        page.locator(".st-key-lab_saved_open button").click()
        try:
            expect(shown).to_be_visible(timeout=WAIT_MS // 3)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


def test_compare_three_policies_and_a_staffing_range(server, tmp_path):
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
        # a manager's own rule table file, uploaded: a strategy to choose; a broken one
        # is refused with its field and the fix
        files = []
        for name, text in (("watchful.yaml", WATCHFUL), ("broken.yaml", BROKEN)):
            files.append(tmp_path / name)
            files[-1].write_text(text, encoding="utf-8")
        shown_text(page, "Upload rule tables (0)").click()
        # the uploader states the limit the app checks, not the server's 10 MB
        line = page.locator(".st-key-lab_rule_upload "
                            "[data-testid='stFileUploaderDropzoneInstructions'] span")
        # (the page's styles follow the language switch within its run: wait for them)
        line.first.wait_for()
        page.wait_for_function(
            "want => [...document.querySelectorAll(\".st-key-lab_rule_upload "
            "[data-testid='stFileUploaderDropzoneInstructions'] span\")].some("
            "e => getComputedStyle(e, '::after').content === want)",
            arg='"At most 512 KB per file · YAML, YML"', timeout=WAIT_MS)
        page.locator(".st-key-lab_rule_upload input[type=file]").set_input_files(files)
        expect(shown_text(page, "Upload rule tables (1)")).to_be_visible()
        expect(shown_text(page, "unknown action 'restructur'")).to_be_visible()
        idle(page)
        pick(page, page.locator(".st-key-lab_strategies_pick"), option_text="watchful")
        expect(chips).to_have_count(4)
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
        # the verdict, the charts (loss, frontier, a panel per strategy in each fan, the
        # oracle's too, and the staffing chart's three panels) and the report;
        # a study takes longer than a page turn on a loaded machine
        expect(page.locator("[data-testid='stAlertContentSuccess']")).to_be_visible(
            timeout=3 * WAIT_MS)
        expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(CHARTS)
        expect(page.locator(".st-key-lab_download button")).to_be_visible()
        text = page.locator("[data-testid='stAlertContentSuccess']").inner_text()
        assert "loses" in text
        expect(shown_text(page, "against Early warning")).to_be_visible()
        expect(shown_text(page, "watchful against Early warning: loss")).to_be_visible()
        expect(shown_text(page, "another officer stops paying")).to_be_visible()
        # at a 1,024 px window every table fits the page column: the strategies table
        # (a row per strategy) and the staffing table scrolled sideways, their last
        # columns out of sight, and the paired grid hid the verdict
        page.set_viewport_size({"width": 1024, "height": 900})
        idle(page)
        widths = page.evaluate(
            "() => [...document.querySelectorAll(\"[data-testid='stMain'] [data-testid='stTable']"
            " > div\")].map(d => [d.scrollWidth, d.clientWidth])")
        assert len(widths) == 3 and all(s <= c for s, c in widths), widths
        page.wait_for_timeout(1500)  # let vega draw before the picture
        page.set_viewport_size({"width": 1400, "height": 4200})
        page.screenshot(path=str(OUT / "e2e_lab_results.png"), full_page=True)
        with page.expect_download() as dl:
            page.locator(".st-key-lab_download button").click()
        report = dl.value.path().read_text(encoding="utf-8")
        assert "bianque-inputs" in report and "vegaEmbed" in report
        # a reload loses nothing: the study was saved and opens again as it ran
        page.reload()
        # the session's first run puts the kept form back and says so: wait for it, as a
        # manager would, before opening the study (on a loaded machine a click made while
        # that run still went on was lost)
        expect(page.get_by_text("Your form is back as you left it")).to_be_visible(
            timeout=WAIT_MS)
        idle(page)
        # the uploaded table came back with the form, still chosen: nothing to upload again
        expect(chips).to_have_count(4)
        expect(chips.filter(has_text="watchful")).to_have_count(1)
        expect(shown_text(page, "Upload rule tables (1)")).to_be_visible()
        shown_text(page, "Saved studies (1)").click()
        open_saved_study(page)
        idle(page)
        expect(page.locator("[data-testid='stAlertContentSuccess']")).to_have_text(text)
        expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(CHARTS)


def fill(page, key: str, value: str, attempts: int = 3) -> None:
    """Type ``value`` into the box ``key``, press Enter and wait until the box still holds
    it after the rerun. Typing while an earlier click's rerun still ran was undone when
    that run redrew the box (CI on 5ab0bef: the table's name went back to my-rules); a
    manager who saw the box go back types again, and so does this."""
    from playwright.sync_api import expect

    box = page.locator(f".st-key-{key} input")
    for attempt in range(attempts):
        settle(page)
        box.fill(value)
        box.press("Enter")
        settle(page)
        try:
            expect(box).to_have_value(value, timeout=WAIT_MS // 6)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


def test_a_reload_gives_the_form_back_as_it_was_left(server):
    """Ten minutes on a rule table were lost to a reload: the form started again from its
    defaults. Here a manager names a table, changes an interval and a rule's cell, adds it
    to the strategies, asks for 7 futures and a staffing sweep, and reloads."""
    from playwright.sync_api import expect

    with chromium("e2e_lab_form") as browser:
        page = new_page(browser)
        sign_in(page, server, "planner")
        nav(page, "Strategy lab")
        idle(page)
        shown_text(page, "Edit a rule table").click()  # the expander's click reruns the page
        settle(page)
        fill(page, "lab_rule_name", "branch-rules")
        fill(page, "lab_iv_normal", "4")
        # the fourth rule's "at least N warnings", 2 in tuned.yaml: the grid is a canvas,
        # so a cell of that column is clicked where it is drawn, then the keys go to the
        # top row and down to the fourth, whatever row the click landed on
        grid = page.locator(".st-key-lab_rules [data-testid='stDataFrameResizable']")
        grid.scroll_into_view_if_needed()
        settle(page)
        box = grid.bounding_box()
        # the keys must go to the grid: on a loaded machine a click could land while a rerun
        # redrew it, and the arrows then stepped the still focused interval (4 became 5)
        for _ in range(3):
            idle(page)
            page.mouse.click(box["x"] + 540, box["y"] + 35 * 2 + 17)
            if page.evaluate("() => document.querySelector('.st-key-lab_rules')"
                             ".contains(document.activeElement)"):
                break
        else:
            raise AssertionError("three clicks on the rule grid did not give it the keys")
        for key in ["ArrowUp"] * 6 + ["ArrowDown"] * 3 + ["Enter"]:
            page.keyboard.press(key)
        cell = page.locator("#portal input.gdg-input")  # the grid's editor, over the cell
        expect(cell).to_have_value("2")
        cell.fill("5")
        cell.press("Enter")
        settle(page)
        expect(page.locator(".st-key-lab_iv_normal input")).to_have_value("4")
        pick(page, page.locator(".st-key-lab_strategies_pick"),
             option_text="rule table edited here")
        chips = page.locator(".st-key-lab_strategies_pick [data-tag]")
        expect(chips).to_have_count(4)
        fill(page, "lab_reps", "7")
        page.locator(".st-key-lab_sweep label").click()
        expect(page.locator(".st-key-lab_staff")).to_be_visible()
        idle(page)
        with page.expect_download() as dl:
            page.get_by_role("button", name="Download this table (.yaml)").click()
        before = dl.value.path().read_text(encoding="utf-8")
        assert "name: branch-rules" in before and "{min_alerts: 5, max_dpd: 0}" in before
        page.screenshot(path=str(OUT / "e2e_lab_form_before_reload.png"), full_page=True)

        page.reload()
        idle(page)
        expect(shown_text(page, "Your form is back as you left it")).to_be_visible()
        expect(page.locator(".st-key-lab_rule_name input")).to_have_value("branch-rules")
        expect(page.locator(".st-key-lab_iv_normal input")).to_have_value("4")
        expect(page.locator(".st-key-lab_reps input")).to_have_value("7")
        expect(chips).to_have_count(4)
        expect(chips.filter(has_text="rule table edited here")).to_have_count(1)
        expect(page.locator(".st-key-lab_sweep input")).to_be_checked()
        expect(page.locator(".st-key-lab_staff")).to_be_visible()
        idle(page)
        page.screenshot(path=str(OUT / "e2e_lab_form_after_reload.png"), full_page=True)
        with page.expect_download() as dl:
            page.get_by_role("button", name="Download this table (.yaml)").click()
        assert dl.value.path().read_text(encoding="utf-8") == before  # the same table
