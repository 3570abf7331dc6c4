"""The classroom end to end in a real browser (Debian's chromium): an instructor signs
in, creates a cohort, enrols a trainee, publishes intro and assigns it; the trainee
signs in in another browser, starts the assignment from My work and plays intro to the
debrief; the instructor's dashboard then shows the class's scores. Screenshots go to
test-output/."""

from __future__ import annotations

import pytest

from tests.e2e.harness import (
    MARKS,
    OUT,
    WAIT_MS,
    accounts_setup,
    app_server,
    chromium,
    click,
    click_text,
    idle,
    nav,
    new_page,
    pick,
    settle,
    sign_in,
)

pytestmark = MARKS
INTRO_TITLE = "Introduction: a small book at the Taizhou sub-branch"
"""How an assignment of the intro case is named: its title, not its file's id."""


CUT_JS = """() => {
  const out = [];
  const table = document.querySelector("[data-testid='stMain'] .dvn-scroller");
  if (table && table.scrollWidth > table.clientWidth + 1)
    out.push(`completion table ${table.scrollWidth} px in ${table.clientWidth}`);
  document.querySelectorAll("[data-testid='stMain'] [data-testid='stVegaLiteChart'] svg")
    .forEach((svg, n) => {
      const box = svg.getBoundingClientRect();
      for (const text of svg.querySelectorAll("text")) {
        const r = text.getBoundingClientRect();
        if (r.width && (r.left < box.left - 1 || r.right > box.right + 1))
          out.push(`chart ${n}: '${text.textContent}'`);
      }
    });
  return out;
}"""
"""What of the dashboard is cut: the completion table (the page's first) scrolling
sideways, and any chart text drawn past its chart's edge."""

TABLES_JS = """() => [...document.querySelectorAll(
    "[data-testid='stMain'] [data-testid='stDataFrame'], [data-testid='stMain'] [data-testid='stTable']")]
  .filter(e => e.checkVisibility())
  .map(e => {
    const heads = [...e.querySelectorAll("[role='columnheader'], th")]
      .map(h => h.textContent.trim()).filter(Boolean);
    const grid = e.querySelector('.dvn-scroller');
    const wide = (grid ? [grid] : [e, ...e.querySelectorAll('*')])
      .find(b => b.scrollWidth > b.clientWidth + 1);
    return {heads, wide: wide ? `${wide.scrollWidth} px in ${wide.clientWidth}` : null};
  })"""
"""Every table the page shows: its headers in view and, if it is wider than its place (a
grid that scrolls sideways, a static table or one of its cells cut), by how much."""

SCROLLED_JS = """async (labels) => {
  const out = [];
  for (const e of document.querySelectorAll("[data-testid='stMain'] [data-testid='stDataFrame']")) {
    const grid = e.querySelector('.dvn-scroller');
    if (!e.checkVisibility() || !grid || grid.scrollWidth <= grid.clientWidth + 1) continue;
    grid.scrollLeft = grid.scrollWidth;
    await new Promise(done => setTimeout(done, 400));
    const heads = [...e.querySelectorAll("[role='columnheader']")].map(h => h.textContent.trim());
    if (!heads.some(h => labels.includes(h))) out.push(heads.join(' | '));
    grid.scrollLeft = 0;
  }
  return out;
}"""
"""The grids that scroll sideways and, scrolled to their right end, no longer show which
loan a row is (the grid draws only the columns in view, and a pinned column always)."""
LOAN_HEADERS = ["Loan", "编号"]


def wide_tables(page) -> list[str]:
    """The tables on the page wider than their place, each named by its first headers."""
    return [f"{' | '.join(t['heads'][:3])}: {t['wide']}" for t in page.evaluate(TABLES_JS)
            if t["wide"]]


def buttons_read_whole(page, word: str, key: str) -> None:
    """In language `word`, the three buttons under `key` show their whole labels (a label
    cut with "…" has a part wider than its box)."""
    from playwright.sync_api import expect

    page.locator(".st-key-lang_switch label").filter(has_text=word).click()
    idle(page)
    buttons = page.locator(f".st-key-{key} button")
    expect(buttons).to_have_count(3)
    cut = buttons.evaluate_all(
        "bs => bs.filter(b => [...b.querySelectorAll('*')].some("
        "e => e.scrollWidth > e.clientWidth + 1)).map(b => b.textContent)")
    assert cut == [], (word, key, cut)


def switch(page, word: str) -> None:
    """Switch the language and let the tables draw again."""
    page.locator(".st-key-lang_switch label").filter(has_text=word).click()
    settle(page)
    page.wait_for_timeout(500)


def grids_keep_the_loan(page, may_scroll: tuple[str, ...] = ()) -> None:
    """At 1,024 and 1,280 px, in both languages: every grid that scrolls sideways keeps its
    loan in view scrolled to its right end, and at 1,280 px every table fits but those
    whose first header is one of `may_scroll`."""
    for width in (1024, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for word in ("English", "中文"):
            switch(page, word)
            lost = page.evaluate(SCROLLED_JS, LOAN_HEADERS)
            assert lost == [], (width, word, lost)
            if width == 1280:
                wide = [w for w in wide_tables(page) if not w.startswith(may_scroll)]
                assert wide == [], (width, word, wide)


def desk_tables(trainee) -> None:
    """At 1,024 and 1,280 px the loan table (13 columns) scrolled sideways and a trainee
    scrolled right lost which loan a row was, and the month's events table ran past the
    report's edge at 1,280: every grid that scrolls keeps its loan in view, and at 1,280 px
    every table but the loan table fits, in both languages."""
    grids_keep_the_loan(trainee, may_scroll=tuple(LOAN_HEADERS))
    switch(trainee, "English")
    trainee.set_viewport_size({"width": 1400, "height": 1000})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    setup = accounts_setup(("teacher", "instructor", "Ms Teacher"), ("ann", "trainee", "Ann"))
    with app_server(tmp_path_factory.mktemp("e2e_classroom"), setup) as url:
        yield url


def test_instructor_assigns_trainee_plays_instructor_reads_the_results(server):
    from playwright.sync_api import expect

    with chromium("e2e_classroom") as browser:
        teacher, trainee = new_page(browser), new_page(browser)
        # the instructor: a cohort, a trainee, a published case, an assignment
        sign_in(teacher, server, "teacher")
        # every teaching page is in the sidebar at once, none folded under "View n more"
        links = teacher.locator("[data-testid='stSidebarNav'] a")
        for label in ("Cohorts", "Cohort dashboard", "Attempt replay", "Class pairs",
                      "Author a case", "My account"):
            expect(links.filter(has_text=label).first).to_be_visible()
        nav(teacher, "Cohorts")
        teacher.locator(".st-key-new_cohort_name input").fill("Monday class")
        click_text(teacher, "Create cohort")
        expect(teacher.get_by_text("Cohort “Monday class” created")).to_be_visible()
        teacher.locator(".st-key-enrol_username input").fill("ann")
        click_text(teacher, "Enrol")
        expect(teacher.get_by_text("Ann is enrolled.")).to_be_visible()
        idle(teacher)
        teacher.get_by_role("tab", name="Publish a case").click()
        idle(teacher)
        # a rerun can close an open list: pick retries the whole open-and-click step
        pick(teacher, teacher.locator(".st-key-publish_pick [role='combobox']"), "intro",
             shown=True)
        click(teacher, "publish_shipped")
        expect(teacher.get_by_text("Published intro version 1.")).to_be_visible()
        idle(teacher)
        teacher.get_by_role("tab", name="Assignments").click()
        # a pre-test of one question, the longest a lesson has: the dashboard's quiz table
        idle(teacher)
        pick(teacher, teacher.locator(".st-key-assign_pre [role='combobox']"),
             "receipts are falling")
        teacher.keyboard.press("Escape")  # the multiselect's list stays open over the form
        settle(teacher)
        click_text(teacher, "Assign")
        expect(teacher.get_by_text(f"Assigned: {INTRO_TITLE} v1.")).to_be_visible()
        teacher.screenshot(path=str(OUT / "e2e_cohort_admin.png"), full_page=True)

        # the trainee: My work, start, play to the debrief
        sign_in(trainee, server, "ann")
        nav(trainee, "My work")
        expect(trainee.get_by_text(f"Monday class: case {INTRO_TITLE} v1")).to_be_visible()
        trainee.locator(".st-key-test_pre_1 [role='radiogroup'] label").first.click()
        settle(trainee)
        click(trainee, "send_pre_1")
        click(trainee, "start_a1")
        expect(trainee.locator(".st-key-to_desk button")).to_be_visible()
        click(trainee, "to_desk")
        for month in range(12):
            expect(trainee.locator(f".st-key-end_month_{month} button")).to_be_visible()
            if month == 3:
                desk_tables(trainee)
            click(trainee, f"end_month_{month}")
        expect(trainee.locator(".st-key-debrief_index")).to_be_visible(timeout=3 * WAIT_MS)

        # the instructor reads the class's results
        nav(teacher, "Cohort dashboard")
        expect(teacher.get_by_role("heading", name="Scores")).to_be_visible()
        expect(teacher.get_by_role("heading", name="Loans the class missed most often")
               ).to_be_visible()
        expect(teacher.get_by_role("button", name="Results to read (CSV, English headings)")
               ).to_be_visible()
        expect(teacher.get_by_role("button", name="Results for scripts (CSV, column ids)")
               ).to_be_visible()
        charts = teacher.locator("[data-testid='stVegaLiteChart'] svg")
        expect(charts.nth(2)).to_be_visible()  # completion, distribution, index
        # at 1366 px the Excel button read "Everything (Excel, English sheets and h…": every
        # export button shows its whole label, in both languages
        teacher.set_viewport_size({"width": 1366, "height": 768})
        for word in ("中文", "English"):
            buttons_read_whole(teacher, word, "dash_exports")
            # the CSV's table picked keeps its place and reads in the new language (it
            # showed "Attempts" on the Chinese page: the browser keeps the label it was sent)
            shown = teacher.locator(".st-key-export_table input")
            expect(shown).to_have_value("练习记录" if word == "中文" else "Attempts")
        # at 1,024 and 1,280 px the completion table beside its chart scrolled sideways (its
        # assignment column cut) and the index's axis title ran past its chart: every chart's
        # text inside its chart, the completion table whole, in both languages
        for width in (1024, 1280):
            teacher.set_viewport_size({"width": width, "height": 900})
            for word in ("English", "中文"):
                switch(teacher, word)  # the charts and tables draw again at the new width
                expect(charts.nth(2)).to_be_visible()
                cut = teacher.evaluate(CUT_JS)
                assert cut == [], (width, word, cut)
                # and every table whole: the baselines' credit loss, the missed loans'
                # columns and the quiz's question ran past the page's edge
                wide = wide_tables(teacher)
                assert wide == [], (width, word, wide)
        teacher.set_viewport_size({"width": 1400, "height": 1000})
        teacher.screenshot(path=str(OUT / "e2e_cohort_dashboard.png"), full_page=True)

        # the attempt read-only: at 1,280 px its events table ran past the page's edge in
        # English; at 1,024 px it scrolls, and keeps the loan in view
        switch(teacher, "English")
        teacher.get_by_role("link", name="Open the read-only replay").first.click()
        expect(teacher.get_by_role("heading", name="What happened in month 12")).to_be_visible()
        grids_keep_the_loan(teacher)
        teacher.set_viewport_size({"width": 1400, "height": 1000})

        # the author's editor buttons read whole: in three equal columns under the editor,
        # "Export (download .yaml)" was cut to "Export (download ...." at every width
        switch(teacher, "English")
        nav(teacher, "Author a case")
        teacher.set_viewport_size({"width": 1024, "height": 900})
        for word in ("English", "中文"):
            buttons_read_whole(teacher, word, "author_buttons")
        teacher.set_viewport_size({"width": 1400, "height": 1000})
